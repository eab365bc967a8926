"""An attack corpus, built into one real site and opened in a real Chromium: nothing may run.

Every payload leaves a trace if it ever executes: a JS dialog, ``window.__pwned``, the page
title "pwned", or a request to ``http://127.0.0.1:9/__pwned`` (a port nobody listens on). Each
page that shows story values is loaded over HTTP and checked for those traces; the HTML is
also checked statically (no foreign scripts, no ``on*`` attributes, no dangerous URL schemes),
and the values must be shown literally, as text.
"""

from __future__ import annotations

import base64
import functools
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from aanhetwoord.text import slugify
from browser_support import serve_folder, visit
from sitefactory import Site, make_site

# A 1×1 PNG, so stories can carry a cover and an inline image.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
SECRET = "GEHEIM-3f9c1e-NIET-TONEN"  # in a file next to mkdocs.yml; no story may pull it in
TEMPLATE_RESULT = "16807"  # what a template engine would make of the markers below
TEMPLATE_MARKER = "{{ 7*7*7*7*7 }}"
TEMPLATE_MARKER_MD = "{{ 16800 + 7 }}"  # in Markdown, where '*' would turn into emphasis
PWN = "http://127.0.0.1:9/__pwned"  # a port nobody listens on; slugs never hold "__"

BODY = f"""\
Een gewoon begin van het verhaal.

# <img src=x onerror=alert('pwned')> in a heading

## Heading with attributes {{#kop onclick="alert('pwned')"}}

```"><script>alert('pwned')</script>
code with a hostile info string
```

| links | rechts |
|:--|--:|
| <script>window.__pwned=1</script> | [cel](javascript:alert('pwned')) |

<script>window.__pwned=1;alert('pwned')</script>

<SCRIPT SRC={PWN}.js></SCRIPT>

<img src=x onerror=alert('pwned')> en <img src="x" onerror="window.__pwned=1">

<svg onload=alert('pwned')><script>window.__pwned=1</script></svg>

<svg><a xlink:href="javascript:alert('pwned')"><text x="20" y="20">svg-link</text></a></svg>

<body onload="window.__pwned=1">

<iframe src="javascript:alert('pwned')"></iframe>

<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>

<meta http-equiv="refresh" content="0;url={PWN}">

<style>body {{ background: url({PWN}.png) }} .md-content {{ display: none }}</style>

<a href="javascript:alert('pwned')">html-link</a>

<details open ontoggle=alert('pwned')><summary>x</summary></details>

<!-- <script>window.__pwned=1</script> -->

<form action="javascript:alert('pwned')"><button formaction="javascript:alert('pwned')">go</button></form>

<object data="{PWN}.swf"></object><embed src="{PWN}.swf"><base href="{PWN}/">
<link rel="stylesheet" href="{PWN}.css">

[plain](javascript:alert('pwned'))
[mixed case](JaVaScRiPt:alert('pwned'))
[entity](&#106;avascript:alert('pwned'))
[hex entity](&#x6A;&#x61;vascript:alert('pwned'))
[leading space](   javascript:alert('pwned'))
[tab inside](java&#x09;script:alert('pwned'))
[newline inside](java&#x0A;script:alert('pwned'))
[angle brackets](<javascript:alert('pwned')>)
[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgncHduZWQnKTwvc2NyaXB0Pg==)
[data escaped](<data:text/html,%3Cscript%3Ealert('pwned')%3C/script%3E>)
[vbscript](vbscript:msgbox("pwned"))
[protocol-relative](//evil.example/)
[backslashes](\\\\evil.example\\pwned)
[slash-backslash](/\\evil.example/pwned)
[slash-tab-slash](/&#x09;/evil.example/)
[slash-tab-slash in angles](</	/evil.example/>)
[title breakout](https://example.org/ "x\\" onmouseover=\\"alert('pwned')")
[by reference][bad]

<javascript:alert('pwned')>

[bad]: javascript:alert('pwned')

![javascript image](javascript:alert('pwned'))
![data image](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoJ3B3bmVkJyk+PC9zdmc+)
![protocol-relative image](//evil.example/pwned.png)

A paragraph with an attribute list
{{: onclick="alert('pwned')" onmouseover="window.__pwned=1" }}

![foto met attributen](foto.png){{: onerror="window.__pwned=1" onload="alert('pwned')" }}

![nog een foto](foto.png)
{{: onload="window.__pwned=1" }}

--8<-- "mkdocs.yml"

--8<-- "geheim.txt"

;--8<--
geheim.txt
;--8<--

{TEMPLATE_MARKER_MD} {{% include "geheim.txt" %}}
"""

UPDATE_TEXT = """\
<script>window.__pwned=1</script><img src=x onerror=alert('pwned')>

[update link](javascript:alert('pwned')) and ![photo](foto.png){: onerror="window.__pwned=1" }
"""

QUOTED_NAME = 'x" onerror="alert(1)" y=".png'  # a real file name; the cover's src must stay one attribute


@dataclass
class Attack:
    """One story of the corpus and the values it should show literally."""

    slug: str
    fields: dict
    body: str = "Een verhaal uit de buurt."
    files: dict[str, bytes] = field(default_factory=lambda: {"foto.png": PNG})

    @property
    def communities(self) -> list[str]:
        value = self.fields.get("community", "De Buurtgroep")
        return [value] if isinstance(value, str) else list(value)


ATTACKS = [
    Attack(
        "aanval-tekst", {"title": "Aanval in de tekst", "image": {"src": "foto.png", "alt": "foto"}}, BODY
    ),
    Attack(
        "aanval-vervolg",
        {
            "title": "Aanval in een vervolg",
            "updates": [
                {"date": "2025-06-01", "text": UPDATE_TEXT},
                {"date": "2025-06-02", "text": "</article></div><script>window.__pwned=1</script>"},
            ],
        },
    ),
    Attack(
        "aanval-titel-img",
        {
            "title": "<img src=x onerror=window.__pwned=1>",
            "community": ["<img src=x onerror=alert('pwned')>", "<svg onload=window.__pwned=1>"],
            "storytellers": ["<script>window.__pwned=1</script>", "<b onmouseover=alert('pwned')>Ann</b>"],
            "recorded_by": "<svg onload=alert('pwned')>",
            "summary": "<script>alert('pwned')</script><img src=x onerror=window.__pwned=1>",
            "image": {
                "src": "foto.png",
                "alt": "\"><img src=x onerror=alert('pwned')>",
                "credit": "<script>window.__pwned=1</script>",
            },
        },
    ),
    Attack(
        "aanval-titel-sluit",
        {
            "title": "</title><script>window.__pwned=1</script>",
            "community": "</title><script>alert('pwned')</script>",
            "storytellers": "</p><script>window.__pwned=1</script>",
            "recorded_by": "</h1><iframe src=javascript:alert('pwned')>",
            "summary": '" onmouseover="alert(\'pwned\')" x="',
        },
    ),
    Attack(
        "aanval-titel-entiteit",
        {
            "title": "&lt;/title&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;",
            "community": "&lt;img src=x onerror=alert('pwned')&gt;",
            "summary": "&lt;script&gt;alert('pwned')&lt;/script&gt;",
            "recorded_by": "&#60;svg onload=alert('pwned')&#62;",
        },
    ),
    Attack(
        "aanval-sjabloon",
        {
            "title": f"{TEMPLATE_MARKER} {{% raw %}}",
            "community": "{{ config.site_name }}",
            "summary": "{% include 'geheim.txt' %}",
            # Keys the engine knows; a story must not pick its own template or hide the site's parts.
            "template": "../../geheim.txt",
            "hide": ["navigation", "header", "footer"],
        },
    ),
    Attack(
        "aanval-bestandsnaam",
        {"title": "Aanval in een bestandsnaam", "image": {"src": QUOTED_NAME, "alt": "foto"}},
        files={QUOTED_NAME: PNG},
    ),
]
ATTACK_SLUGS = [attack.slug for attack in ATTACKS]
COMMUNITY_SLUGS = sorted({slugify(name, fallback="gemeenschap") for a in ATTACKS for name in a.communities})

# Every page kind that shows story values.
PAGES = (
    [f"verhalen/{slug}/" for slug in ATTACK_SLUGS]
    + ["", "verhalen/", "gemeenschappen/", "buurten/", "buurten/oude-haven/", "themas/samen-leven/"]
    + [f"gemeenschappen/{slug}/" for slug in COMMUNITY_SLUGS]
)

TRACES = {
    "pwned": "window.__pwned",
    "title": "document.title",
    "content_visible": "getComputedStyle(document.querySelector('.md-content')).display",
    "links": "[...document.querySelectorAll('.md-content a[href], .md-content [src]')]"
    ".map(e => e.href || e.src)",
    "frames": "document.querySelectorAll('iframe, frame, object, embed').length",
    "protocols": "[...document.querySelectorAll('.md-content [src], .md-content [href]')]"
    ".map(e => new URL(e.getAttribute('src') ?? e.getAttribute('href'), document.baseURI).protocol)",
    "base": "document.baseURI",
}


# The site -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def attack_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = make_site(tmp_path_factory.mktemp("attacks"))
    site.plugin_options.update(pagination_per_page=50, home_count=50)
    (site.root / "geheim.txt").write_text(f"{SECRET}\n", encoding="utf-8")
    for attack in ATTACKS:
        site.add_story(attack.slug, attack.body, pinned=True, **attack.fields)
        for name, content in attack.files.items():
            (site.stories / attack.slug / name).write_bytes(content)
    site.add_story("gewoon-verhaal", "Een gewoon verhaal, zonder streken.", title="Gewoon verhaal")
    result = site.build(strict=False)
    missing = [
        slug for slug in ATTACK_SLUGS if not (site.site_dir / "verhalen" / slug / "index.html").is_file()
    ]
    assert not missing, (
        f"attack stories were refused, so they test nothing: {missing}\n{result.stdout}\n{result.stderr}"
    )
    return site


@pytest.fixture(scope="module")
def base_url(attack_site: Site):
    with serve_folder(attack_site.site_dir) as url:
        yield url


def test_every_attack_page_exists(attack_site: Site) -> None:
    for path in PAGES:
        assert (attack_site.site_dir / path / "index.html").is_file(), f"no page at /{path}"


# In the browser ----------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("path", PAGES, ids=lambda path: f"/{path}")
def test_nothing_runs_in_the_browser(browser, base_url: str, path: str) -> None:  # noqa: F811
    page = visit(browser, base_url + path, evaluate=TRACES)
    values = page.values
    assert page.dialogs == [], "a JS dialog opened"
    assert values["pwned"] is None, "window.__pwned was set"
    assert values["title"] != "pwned", "document.title was changed"
    assert page.foreign_requests() == [], "the page made requests to another origin"
    assert page.mentions("pwned", requests=False) == [], "console messages or page errors mention the marker"
    assert page.mentions("__pwned") == [], "a request for the marker"
    assert page.navigations == [] and page.final_url == base_url + path, "the page navigated away"
    assert values["base"] == base_url + path, "a <base> element changed the page's base URL"
    assert values["content_visible"] != "none", "story CSS reached the page"
    assert values["frames"] == 0, "an embedded frame or object is on the page"
    bad = [p for p in values["protocols"] if p not in {"http:", "https:", "mailto:"}]
    assert bad == [], f"links or sources with a dangerous scheme: {bad}"
    outside = [link for link in values["links"] if points_at_attacker(link)]
    assert outside == [], f"links to an attacker's host: {outside}"


@pytest.mark.browser
def test_every_page_of_the_site_is_quiet(browser, attack_site: Site, base_url: str) -> None:  # noqa: F811
    """A sweep over the other pages, including those no one thought of above."""
    problems = []
    for html_file in sorted(attack_site.site_dir.rglob("*.html")):
        path = html_file.relative_to(attack_site.site_dir).as_posix().removesuffix("index.html")
        if path in PAGES:
            continue
        traces = {"pwned": "window.__pwned", "title": "document.title"}
        page = visit(browser, base_url + path, evaluate=traces, settle_ms=50, network_idle=False)
        if page.dialogs or page.values["pwned"] is not None or page.values["title"] == "pwned":
            problems.append(f"/{path}: code ran: {page.dialogs} {page.values}")
        mentions = page.mentions("pwned", requests=False) + page.mentions("__pwned")
        if page.foreign_requests() or mentions:
            problems.append(f"/{path}: {page.foreign_requests()} {mentions}")
    assert problems == []


@pytest.mark.browser
def test_values_are_shown_as_text_in_the_browser(browser, base_url: str) -> None:  # noqa: F811
    expression = {
        "title": "document.title",
        "h1": "document.querySelector('.md-content h1').textContent",
        "header": "document.querySelector('.md-content .ahw-story__header').textContent",
    }
    cover = {
        "alt": "document.querySelector('.ahw-story__cover img').getAttribute('alt')",
        "credit": "document.querySelector('.ahw-story__cover figcaption').textContent",
    }
    page = visit(browser, base_url + "verhalen/aanval-titel-img/", evaluate=expression | cover)
    values = page.values
    assert values["title"].startswith("<img src=x onerror=window.__pwned=1>")
    assert values["h1"] == "<img src=x onerror=window.__pwned=1>"
    for shown in (
        "<img src=x onerror=alert('pwned')>",
        "<svg onload=window.__pwned=1>",
        "<script>window.__pwned=1</script>",
        "<b onmouseover=alert('pwned')>Ann</b>",
        "<svg onload=alert('pwned')>",
    ):
        assert shown in values["header"]
    assert values["alt"] == "\"><img src=x onerror=alert('pwned')>"
    assert "<script>window.__pwned=1</script>" in values["credit"]

    page = visit(browser, base_url + "verhalen/aanval-titel-sluit/", evaluate=expression)
    assert page.values["title"].startswith("</title><script>window.__pwned=1</script>")
    assert page.values["h1"] == "</title><script>window.__pwned=1</script>"

    page = visit(browser, base_url + "verhalen/aanval-titel-entiteit/", evaluate=expression)
    assert page.values["title"].startswith("&lt;/title&gt;&lt;script&gt;")
    assert page.values["h1"] == "&lt;/title&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;"
    assert "&lt;img src=x onerror=alert('pwned')&gt;" in page.values["header"]
    assert "&#60;svg onload=alert('pwned')&#62;" in page.values["header"]


@pytest.mark.browser
def test_the_harness_sees_an_attack_that_works(browser, serve_site, tmp_path: Path) -> None:  # noqa: F811
    """A control: on a page that is really vulnerable, every trace is seen, so a pass means something."""
    (tmp_path / "index.html").write_text(
        "<!doctype html><title>t</title><div class='md-content'>"
        f"<img src=x onerror=\"window.__pwned=1;alert('pwned');fetch('{PWN}')\">"
        "<script>document.title='pwned';console.log('pwned')</script>"
        "<a href='javascript:alert(1)'>x</a></div>",
        encoding="utf-8",
    )
    page = visit(browser, serve_site(tmp_path), evaluate=TRACES)
    assert page.dialogs == ["alert: pwned"]
    assert page.values["pwned"] == 1 and page.values["title"] == "pwned"
    assert page.foreign_requests() == [PWN] and page.mentions("__pwned") == [PWN]
    assert "log: pwned" in page.mentions("pwned", requests=False)
    assert "javascript:" in page.values["protocols"]


# In the HTML --------------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "srcset",
}
ACTIVE_IN_CONTENT = {
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "style",
    "meta",
    "link",
    "base",
    "form",
    "button",
    "input",
    "svg",
    "math",
    "template",
    "details",
}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    in_content: bool
    text: str = ""


class Document(HTMLParser):
    """A flat view of a page: its elements, noting which are inside Material's ``.md-content``."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.stack: list[str] = []
        self.content_depth: int | None = None
        self.content_over = False
        self.content_text: list[str] = []
        self.title = ""
        self._open: list[Element] = []
        self.feed(html)
        self.close()

    @property
    def in_content(self) -> bool:
        if self.content_over or self.content_depth is None:
            return False
        return len(self.stack) >= self.content_depth

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        element = Element(tag, values, self.in_content)
        self.elements.append(element)
        if tag in VOID:
            return
        self.stack.append(tag)
        self._open.append(element)
        if self.content_depth is None and "md-content" in values.get("class", "").split():
            self.content_depth = len(self.stack)
            element.in_content = True

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, {name: value or "" for name, value in attrs}, self.in_content))

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.stack:
            return
        while self.stack:
            closed = self.stack.pop()
            self._open.pop()
            if self.content_depth is not None and len(self.stack) < self.content_depth:
                self.content_over = True  # nothing after the content area is inside it
            if closed == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1].text += data
            if self._open[-1].tag == "title":
                self.title += data
        if self.in_content:
            self.content_text.append(data)

    @property
    def text(self) -> str:
        return "".join(self.content_text)


def parse(site: Site, path: str) -> Document:
    return Document((site.site_dir / path / "index.html").read_text(encoding="utf-8"))


def url_scheme(value: str) -> str:
    """The scheme a browser would see: control characters and spaces around and inside ignored."""
    value = re.sub(r"[\t\n\r]", "", value).strip(
        "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
        "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c"
        "\x1d\x1e\x1f "
    )
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.\-]*):", value)
    return match.group(1).lower() if match else ""


def resolve(page_url: str, value: str) -> str:
    """``value`` as a browser resolves it on ``page_url``: tabs and newlines dropped, ``\\`` read as ``/``."""
    value = re.sub(r"[\t\n\r]", "", value).strip()
    if url_scheme(value) in {"", "http", "https"}:
        value = value.replace("\\", "/")
    return urljoin(page_url, value)


def points_at_attacker(url: str) -> bool:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return parts.hostname == "evil.example" or port == 9


def _normalise_script(text: str) -> str:
    """Material's inline scripts differ per page only in the relative path to the site root."""
    return re.sub(r'"\.[./]*"', '"ROOT"', text).strip()


@functools.cache
def materials_inline_scripts(site_dir: Path) -> frozenset[str]:
    """The inline scripts on a page without any story values: Material's own."""
    trusted = Document((site_dir / "deel-je-verhaal" / "index.html").read_text(encoding="utf-8"))
    return frozenset(_normalise_script(e.text) for e in trusted.elements if e.tag == "script" and not e.attrs)


def is_materials_script(element: Element, site_dir: Path) -> bool:
    """Material's own scripts: its bundle, its JSON config and the inline scripts of every page."""
    src = element.attrs.get("src", "")
    if src:
        return "assets/javascripts/" in src and not url_scheme(src) and not src.startswith("//")
    if element.attrs.get("id") == "__config" and element.attrs.get("type") == "application/json":
        return not element.in_content
    return not element.attrs and _normalise_script(element.text) in materials_inline_scripts(site_dir)


@pytest.mark.parametrize("path", PAGES, ids=lambda path: f"/{path}")
def test_html_has_no_active_content(attack_site: Site, path: str) -> None:
    document = parse(attack_site, path)
    assert document.content_depth is not None, "no .md-content on the page"
    content = [element for element in document.elements if element.in_content]
    assert content, "nothing inside .md-content"

    assert [e.tag for e in content if e.tag in ACTIVE_IN_CONTENT] == []
    handlers = [(e.tag, name) for e in content for name in e.attrs if name.lower().startswith("on")]
    assert handlers == [], "event-handler attributes in the content"
    handlers = [(e.tag, name) for e in document.elements for name in e.attrs if name.lower().startswith("on")]
    assert handlers == [], "event-handler attributes on the page"
    style = [(e.tag, e.attrs["style"]) for e in content if "style" in e.attrs]
    assert style == [], "style attributes in the content"

    foreign = [
        e.attrs.get("src") or e.text[:80]
        for e in document.elements
        if e.tag == "script" and not is_materials_script(e, attack_site.site_dir)
    ]
    assert foreign == [], "scripts that are not Material's"
    assert not [e for e in content if e.tag == "script"], "a script inside the content"

    dangerous = [
        (e.tag, name, value)
        for e in document.elements
        for name, value in e.attrs.items()
        if name.lower() in URL_ATTRIBUTES and url_scheme(value) in {"javascript", "data", "vbscript"}
    ]
    assert dangerous == [], "javascript:, data: or vbscript: URLs"
    page_url = f"http://127.0.0.1:8000/{path}"
    hosts = [
        (e.tag, value)
        for e in content
        for name, value in e.attrs.items()
        if name.lower() in URL_ATTRIBUTES and points_at_attacker(resolve(page_url, value))
    ]
    assert hosts == [], "links or sources pointing at the attacker"

    refresh = [
        e for e in document.elements if e.tag == "meta" and e.attrs.get("http-equiv", "").lower() == "refresh"
    ]
    assert refresh == [], "a meta refresh on the page"


def test_the_html_checks_see_active_content() -> None:
    """A control for the static checks: the parser finds what they look for, inside .md-content only."""
    document = Document(
        "<html><head><script>__md_scope=1</script><title>&lt;b&gt;</title></head><body>"
        "<div class='md-content'><p>a<img src=x onerror=y><br>b</p><script>evil()</script>"
        "<a href=' java&#x09;script:x'>l</a></div><p>after</p><script src='assets/javascripts/b.js'></script>"
        "</body></html>"
    )
    content = [e for e in document.elements if e.in_content]
    assert [e.tag for e in content] == ["div", "p", "img", "br", "script", "a"]
    assert content[2].attrs["onerror"] == "y" and content[4].text == "evil()"
    assert url_scheme(content[5].attrs["href"]) == "javascript"
    assert document.title == "<b>" and document.text == "abevil()l"
    assert resolve("http://h/a/", "\\\\evil.example/x").startswith("http://evil.example/")


def test_story_values_are_shown_literally(attack_site: Site) -> None:
    document = parse(attack_site, "verhalen/aanval-titel-img/")
    assert document.title.startswith("<img src=x onerror=window.__pwned=1>")
    for shown in (
        "<img src=x onerror=window.__pwned=1>",
        "<img src=x onerror=alert('pwned')>",
        "<svg onload=window.__pwned=1>",
        "<script>window.__pwned=1</script>",
        "<b onmouseover=alert('pwned')>Ann</b>",
        "<svg onload=alert('pwned')>",
    ):
        assert shown in document.text
    cover = [e for e in document.elements if e.tag == "img" and e.attrs.get("fetchpriority") == "high"]
    assert [e.attrs["alt"] for e in cover] == ["\"><img src=x onerror=alert('pwned')>"]

    document = parse(attack_site, "verhalen/aanval-titel-sluit/")
    assert document.title.startswith("</title><script>window.__pwned=1</script>")
    assert "</h1><iframe src=javascript:alert('pwned')>" in document.text

    document = parse(attack_site, "verhalen/aanval-titel-entiteit/")
    assert document.title.startswith("&lt;/title&gt;&lt;script&gt;window.__pwned=1")
    assert "&lt;img src=x onerror=alert('pwned')&gt;" in document.text

    document = parse(attack_site, "verhalen/aanval-tekst/")
    assert "<script>window.__pwned=1;alert('pwned')</script>" in document.text
    assert "<img src=x onerror=alert('pwned')>" in document.text

    document = parse(attack_site, "verhalen/")
    for shown in (
        "<img src=x onerror=window.__pwned=1>",
        "</title><script>window.__pwned=1</script>",
        "<script>alert('pwned')</script><img src=x onerror=window.__pwned=1>",
        "&lt;script&gt;alert('pwned')&lt;/script&gt;",
    ):
        assert shown in document.text

    for slug in COMMUNITY_SLUGS:
        document = parse(attack_site, f"gemeenschappen/{slug}/")
        heading = [e.text for e in document.elements if e.tag == "h1" and e.in_content]
        names = {name for attack in ATTACKS for name in attack.communities}
        assert heading and heading[0] in names, f"/gemeenschappen/{slug}/ does not show its name as text"
        assert document.title.startswith(heading[0])


def test_meta_description_keeps_its_quotes(attack_site: Site) -> None:
    document = parse(attack_site, "verhalen/aanval-titel-sluit/")
    meta = [e.attrs for e in document.elements if e.tag == "meta" and e.attrs.get("name") == "description"]
    assert meta == [{"name": "description", "content": '" onmouseover="alert(\'pwned\')" x="'}]


def test_no_file_inclusion_or_template_evaluation(attack_site: Site) -> None:
    config = (attack_site.root / "mkdocs.yml").read_text(encoding="utf-8")
    config_lines = [line.strip() for line in config.splitlines() if len(line.strip()) > 12]
    for html_file in attack_site.site_dir.rglob("*"):
        if not html_file.is_file() or html_file.suffix not in {".html", ".json", ".xml", ".txt"}:
            continue
        text = html_file.read_text(encoding="utf-8", errors="replace")
        assert SECRET not in text, f"{html_file} includes a file a story asked for"
        assert TEMPLATE_RESULT not in text, f"{html_file} evaluated a template expression from a story"
        if "verhalen" in html_file.parts:
            leaked = [line for line in config_lines if line in text]
            assert leaked == [], f"{html_file} includes mkdocs.yml"
    story = (attack_site.site_dir / "verhalen" / "aanval-tekst" / "index.html").read_text(encoding="utf-8")
    assert "--8&lt;-- &quot;mkdocs.yml&quot;" in story or '--8&lt;-- "mkdocs.yml"' in story


def test_search_index_has_no_markup_from_stories(attack_site: Site) -> None:
    index = json.loads((attack_site.site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))
    story_urls = tuple(f"verhalen/{slug}/" for slug in ATTACK_SLUGS)
    documents = [doc for doc in index["docs"] if doc["location"].startswith(story_urls)]
    assert documents, "the attack stories are not in the search index"
    found = []
    for doc in index["docs"]:
        for key in ("title", "text"):
            value = doc.get(key, "")
            # Material keeps some markup in the index (<p>, <code>); story text must stay escaped.
            for pattern in (
                r"<\s*script",
                r"<\s*img",
                r"<\s*svg",
                r"<\s*iframe",
                r"<\s*/\s*title",
                r"<\s*/?\s*(body|details|style|meta|form|object|embed|base|link|a|b)\b",
                r"<[^>]*\son\w+\s*=",
            ):
                for match in re.finditer(pattern, value, re.IGNORECASE):
                    around = value[max(0, match.start() - 40) : match.end() + 40]
                    found.append(f"{doc['location']} {key}: …{around}…")
    assert found == [], "unescaped story markup in the search index:\n" + "\n".join(found)


@pytest.mark.browser
def test_search_results_show_story_values_as_text(browser, base_url: str) -> None:  # noqa: F811
    """Material's search puts titles and text from the index into the page; they must stay text."""

    def search(page) -> None:
        query = page.locator("input[data-md-component='search-query']")
        query.click()
        query.press_sequentially("onerror", delay=20)
        page.wait_for_selector(".md-search-result__item")

    page = visit(
        browser,
        base_url,
        interact=search,
        evaluate={
            "pwned": "window.__pwned",
            "title": "document.title",
            "results": "document.querySelectorAll('.md-search-result__item').length",
            "markup": "[...document.querySelectorAll('.md-search-result img, .md-search-result svg,"
            " .md-search-result script, .md-search-result iframe, .md-search-result [onerror],"
            " .md-search-result [onload], .md-search-result [onmouseover]')].map(e => e.outerHTML)",
            "text": "document.querySelector('.md-search-result').textContent",
        },
    )
    assert page.values["results"] > 0
    assert page.dialogs == [] and page.values["pwned"] is None and page.values["title"] != "pwned"
    assert page.foreign_requests() == []
    assert page.mentions("pwned", requests=False) == [] and page.mentions("__pwned") == []
    assert page.values["markup"] == [], "story markup became elements in the search results"
    assert "<img src=x onerror=window.__pwned=1>" in page.values["text"]


# Availability -------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["body", "cover"])
@pytest.mark.parametrize("src", ["foto.png?v=1", "foto.png#boven"])
def test_an_image_with_a_query_or_fragment_cannot_break_the_site(site: Site, where: str, src: str) -> None:
    """One contributor's story must never stop every other story from being published.

    The validator accepts ``foto.png?v=1`` (it checks that ``foto.png`` exists), but the asset
    list keeps the raw ``src``, so the engine is asked to copy a file named ``foto.png?v=1``.
    """
    if where == "body":
        site.add_story("met-query", f"Tekst.\n\n![foto]({src})")
    else:
        site.add_story("met-query", "Tekst.", image={"src": src, "alt": "foto"})
    (site.stories / "met-query" / "foto.png").write_bytes(PNG)
    site.add_story("ander-verhaal", "Een ander verhaal.", title="Een ander verhaal")
    result = site.build(strict=False, check=False)
    last_line = (result.stderr.strip().splitlines() or [""])[-1]
    assert result.returncode == 0, f"one story broke the whole build: {last_line}"
    assert (site.site_dir / "verhalen" / "ander-verhaal" / "index.html").is_file()
