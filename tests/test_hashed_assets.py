"""The site's own CSS and JS are minified and named after their content, and every page links
those names; a web server may then keep them for a year (see test_nginx_config.py)."""

from __future__ import annotations

import hashlib
import re
import shutil
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from aanhetwoord.assets import fingerprint, is_fingerprintable
from sitefactory import CLI, THEME_OVERRIDES, Site, demo_theme, running_server

CSS = "assets/stylesheets/aanhetwoord.css"
JS = "assets/javascripts/aanhetwoord-requests.js"
HASHED_CSS = re.compile(r"^assets/stylesheets/aanhetwoord\.[0-9a-f]{8}\.min\.css$")
HASHED_JS = re.compile(r"^assets/javascripts/aanhetwoord-requests\.[0-9a-f]{8}\.min\.js$")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "link" and values.get("rel") == "stylesheet" and values.get("href"):
            self.links.append(values["href"] or "")
        if tag == "script" and values.get("src"):
            self.links.append(values["src"] or "")


def asset_links(page: str) -> list[str]:
    parser = _Links()
    parser.feed(page)
    return parser.links


def test_a_stylesheet_is_minified_and_named_by_its_content():
    text = "/* Comment for developers */\n.ahw-card {\n  color: #1b1b1b;\n  margin: 0 auto;\n}\n"
    asset = fingerprint(CSS, text)
    assert asset.content == b".ahw-card{color:#1b1b1b;margin:0 auto}"
    digest = hashlib.sha256(b".ahw-card{color:#1b1b1b;margin:0 auto}").hexdigest()[:8]
    assert asset.path == f"assets/stylesheets/aanhetwoord.{digest}.min.css"
    changed = fingerprint(CSS, text.replace("#1b1b1b", "#000000"))
    assert changed.path != asset.path and HASHED_CSS.match(changed.path)
    # Only a comment or spacing changed: the file a visitor gets is the same, so is its name.
    assert fingerprint(CSS, text.replace("developers", "staff") + "\n\n").path == asset.path


def test_a_script_is_minified_and_named_by_its_content():
    text = '/* What it holds back */\n(function () {\n  "use strict";\n  var held = [];\n})();\n'
    asset = fingerprint(JS, text)
    assert asset.content == b'(function(){"use strict";var held=[];})();'
    assert HASHED_JS.match(asset.path)
    assert fingerprint(JS, text.replace("held", "kept")).path != asset.path


def test_material_files_with_a_hash_keep_their_name():
    assert not is_fingerprintable("assets/javascripts/bundle.a5f9d56c.min.js")
    assert not is_fingerprintable("assets/lindewaard-logo.svg")
    assert is_fingerprintable(CSS) and is_fingerprintable(JS)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["color", "margin", "padding"]), st.integers(0, 999)), max_size=6))
def test_different_rules_give_different_names(rules: list[tuple[str, int]]):
    text = "".join(f".a {{ {name}: {value}px; }}\n" for name, value in rules)
    asset = fingerprint(CSS, text)
    assert HASHED_CSS.match(asset.path)
    other = fingerprint(CSS, text + ".b { color: red; }\n")
    assert other.path != asset.path


def _theme_copy(root: Path) -> Path:
    theme = root / "theme"
    shutil.copytree(THEME_OVERRIDES, theme)
    return theme


def _site_with_own_theme(site: Site) -> Path:
    theme = _theme_copy(site.root)
    site.extra_config["theme"] = demo_theme(custom_dir=str(theme))
    site.add_story("verhaal-een", title="Verhaal een")
    return theme


def _hashed(site_dir: Path) -> tuple[str, str]:
    files = [path.relative_to(site_dir).as_posix() for path in (site_dir / "assets").rglob("*")]
    css = [path for path in files if HASHED_CSS.match(path)]
    js = [path for path in files if HASHED_JS.match(path)]
    assert len(css) == 1 and len(js) == 1, files
    assert CSS not in files and JS not in files
    return css[0], js[0]


def test_every_page_links_the_hashed_files_and_they_exist(site: Site):
    _site_with_own_theme(site)
    site.build(strict=True)
    css, js = _hashed(site.site_dir)
    assert b"/*" not in (site.site_dir / css).read_bytes()
    pages = list(site.site_dir.rglob("*.html"))
    assert len(pages) >= 8
    for page in pages:
        links = asset_links(page.read_text(encoding="utf-8"))
        base = "/" if page.name == "404.html" else "/" + page.relative_to(site.site_dir).as_posix()
        targets = [urlsplit(urljoin(base, link)).path.lstrip("/") for link in links]
        assert css in targets and js in targets, (page, links)
        for target in targets:
            assert (site.site_dir / target).is_file(), (page, target)


def test_a_changed_stylesheet_gets_a_new_name_and_the_pages_follow(site: Site):
    theme = _site_with_own_theme(site)
    site.build()
    css, js = _hashed(site.site_dir)
    stylesheet = theme / CSS
    stylesheet.write_text(stylesheet.read_text(encoding="utf-8") + "\n.nieuw { color: #123456; }\n")
    site.build()
    new_css, new_js = _hashed(site.site_dir)
    assert new_css != css and new_js == js
    assert b".nieuw{color:#123456}" in (site.site_dir / new_css).read_bytes()
    home = (site.site_dir / "index.html").read_text(encoding="utf-8")
    assert new_css in home and css not in home


def test_serve_links_and_serves_the_hashed_files(site: Site):
    site.add_story("verhaal-een", title="Verhaal een")
    config = site.write_config()
    command = [*CLI, "-f", str(config), "serve", "-a", "127.0.0.1:0"]
    with running_server(command, site.root, "verhalen/verhaal-een/") as server:
        with urllib.request.urlopen(server.base + "verhalen/verhaal-een/", timeout=10) as response:
            page = response.read().decode()
        links = [link for link in asset_links(page) if "aanhetwoord" in link]
        assert len(links) == 2, links
        for link in links:
            assert re.search(r"\.[0-9a-f]{8}\.min\.(css|js)$", link), link
            address = urljoin(server.base + "verhalen/verhaal-een/", link)
            with urllib.request.urlopen(address, timeout=10) as answer:
                assert answer.status == 200
                assert b"/*" not in answer.read()
