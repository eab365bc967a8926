"""``aanhetwoord nginx``: an example nginx configuration made from the built site.

The built site decides what the web server must say, so the configuration is generated from it
after every build:

* every address in ``/api/withdrawn.json`` answers 410 (Gone), with the short notice the build
  left there, so search engines and archives drop the story;
* a strict Content-Security-Policy that this site satisfies: Material puts small inline
  ``<script>`` elements in every page, so every built page is read and the SHA-256 hash of each
  inline script (and inline style, if any) is allowed by name. No ``'unsafe-inline'`` for scripts;
* HSTS and the other security headers, on every response including errors;
* a year of caching for files whose name holds a content hash (Material's assets and the
  story photos), five minutes for pages, so a withdrawal reaches readers quickly;
* the site's own 404 page, and compression.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
import yaml

from ..config_file import _TolerantLoader, load_settings
from ..problems import visible
from ..settings import Settings
from ..urls import Urls

YEAR = 365 * 24 * 60 * 60
PAGE_SECONDS = 300
# Types of <script> a browser runs, so the CSP must allow them; data blocks such as Material's
# JSON configuration are never run and need no hash.
SCRIPT_TYPES = {
    "",
    "module",
    "importmap",
    "speculationrules",
    "text/javascript",
    "application/javascript",
    "application/ecmascript",
    "application/x-javascript",
    "text/ecmascript",
}
PERMISSIONS = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=()"
)
# Characters that would break out of a quoted nginx string or a bare word; at the start of a bare
# word, nginx also reads # as a comment and ' as the start of a string.
_UNSAFE = re.compile(r'["\\;{}\s\x00-\x1f]|^[#\']')
# Inside "…" spaces, semicolons and braces are text; a quote, a line break or a final backslash
# (which would escape the closing quote) are not.
_UNSAFE_QUOTED = re.compile(r'["\x00-\x1f\x7f]|\\\Z')
TEMPLATES = Path(__file__).parent.parent / "templates"


class CannotGenerate(Exception):
    """The configuration cannot be made; the message says why in plain Dutch."""


# Reading the built pages ---------------------------------------------------------------------


def csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


@dataclass
class InlineCode:
    """Inline code in the built pages, which a strict CSP must name by hash (or that it blocks)."""

    scripts: set[str] = field(default_factory=set)  # hashes of inline <script> contents
    styles: set[str] = field(default_factory=set)  # hashes of <style> contents
    style_attributes: set[str] = field(default_factory=set)  # hashes of style="…" values
    blocked: list[str] = field(default_factory=list)  # what the CSP will block, for a warning
    pages: int = 0


class _Scanner(HTMLParser):
    def __init__(self, found: InlineCode, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.found = found
        self.page = page
        self._element: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        for name, value in attributes.items():
            if name == "style":
                self.found.style_attributes.add(csp_hash(value))
            elif name.startswith("on"):
                self.found.blocked.append(f"{self.page}: <{tag} {name}=…>")
        if tag == "script":
            if "src" in attributes:
                if _foreign(attributes["src"]):
                    self.found.blocked.append(f"{self.page}: <script src={attributes['src']}>")
            elif attributes.get("type", "").strip().lower() in SCRIPT_TYPES:
                self._start("script")
        elif tag == "style":
            self._start("style")

    def _start(self, element: str) -> None:
        self._element = element
        self._text = []

    def handle_data(self, data: str) -> None:
        if self._element is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag != self._element:
            return
        # The hash covers the element's text exactly as the browser reads it.
        target = self.found.scripts if tag == "script" else self.found.styles
        target.add(csp_hash("".join(self._text)))
        self._element = None


def _foreign(url: str) -> bool:
    parts = urlsplit(url.strip())
    return bool(parts.scheme or parts.netloc)


def scan_pages(site_dir: Path) -> InlineCode:
    found = InlineCode()
    for page in sorted(site_dir.rglob("*.html")):
        scanner = _Scanner(found, page.relative_to(site_dir).as_posix())
        scanner.feed(page.read_text(encoding="utf-8", errors="replace"))
        scanner.close()
        found.pages += 1
    return found


def content_security_policy(code: InlineCode) -> str:
    style = ["'self'", *sorted(code.styles)]
    if code.style_attributes:
        # CSP level 3: style attributes are allowed only when listed by hash.
        style += ["'unsafe-hashes'", *sorted(code.style_attributes)]
    directives = [
        ("default-src", ["'self'"]),
        ("script-src", ["'self'", *sorted(code.scripts)]),
        ("style-src", style),
        ("img-src", ["'self'", "data:"]),  # Material draws some icons from data: URLs
        ("font-src", ["'self'"]),
        ("connect-src", ["'self'"]),  # the search index
        ("worker-src", ["'self'"]),  # the search runs in a worker from the site itself
        ("manifest-src", ["'self'"]),
        ("media-src", ["'self'"]),
        ("object-src", ["'none'"]),
        ("frame-src", ["'none'"]),
        ("frame-ancestors", ["'none'"]),
        ("base-uri", ["'self'"]),
        ("form-action", ["'self'"]),
    ]
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives)


def security_headers(csp: str, hsts: bool = True) -> list[tuple[str, str]]:
    headers = [
        ("Content-Security-Policy", csp),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Permissions-Policy", PERMISSIONS),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    if hsts:
        headers.insert(0, ("Strict-Transport-Security", f"max-age={YEAR}; includeSubDomains"))
    return headers


def withdrawn_paths(site_dir: Path, settings: Settings) -> list[str]:
    urls = Urls(settings.urls, settings.site_url)
    listing = site_dir / urls.api("withdrawn.json")
    try:
        paths = json.loads(listing.read_text(encoding="utf-8"))["paths"]
    except FileNotFoundError:
        raise CannotGenerate(
            f"{listing} bestaat niet. Bouw eerst de site (mkdocs build), of geef de goede map met --site-dir"
        ) from None
    except (ValueError, KeyError, TypeError) as error:
        raise CannotGenerate(f"{listing} is geen lijst van ingetrokken verhalen ({error})") from None
    return sorted({_safe(str(path), "adres") for path in paths})


def _safe(value: str, what: str, unsafe: re.Pattern[str] = _UNSAFE) -> str:
    if unsafe.search(value):
        raise CannotGenerate(f"het {what} '{value}' bevat tekens die niet in een nginx-configuratie passen")
    return value


# The template's filters. The configuration is not HTML, so Jinja escapes nothing by itself: each
# value goes through the filter for its place, and a value that skipped one stops the rendering.


class _Checked(str):
    """A value that passed one of the filters below."""


def _word(value: str, what: str) -> _Checked:
    """A bare token (an address, a path, a name): nothing that ends it or starts a block."""
    return _Checked(_safe(value, what))


def _quoted(value: str, what: str) -> _Checked:
    """The inside of a "…" string: no quote, no line break, no backslash before the closing quote."""
    return _Checked(_safe(value, what, _UNSAFE_QUOTED))


def _comment(value: object) -> _Checked:
    """The rest of a # line: line breaks and other control characters are written as escapes."""
    return _Checked(visible(str(value)))


def _only_checked(value: object) -> object:
    if isinstance(value, _Checked | int):
        return value
    raise TypeError(f"{value!r} reaches the nginx configuration without a filter for its place")


_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=False,  # not HTML: the filters above guard every value instead
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    finalize=_only_checked,
)
_ENVIRONMENT.filters.update(word=_word, quoted=_quoted, comment=_comment)


# Writing the configuration -------------------------------------------------------------------


@dataclass
class Options:
    site_dir: Path
    root: str
    server_name: str
    listen: list[str]
    tls: bool = True
    certificate: str = ""
    certificate_key: str = ""


def base_path(settings: Settings) -> str:
    """The path the site lives under on its host: ``/`` or ``/sub/``."""
    path = urlsplit(settings.site_url).path if settings.site_url else ""
    return _safe(path.rstrip("/") + "/", "basispad")


def immutable_patterns(settings: Settings) -> list[str]:
    """Regular expressions (PCRE, and Python's too) for paths whose name holds a content hash."""
    prefix = re.escape(base_path(settings))
    stories = re.escape(_safe(settings.urls.stories, "woord voor verhalen"))
    return [
        # Material's assets (bundle.a5f9d56c.min.js, main.57a0d79d.min.css and their source maps)
        # and ours, which the build names alike (assets.py): aanhetwoord.3f9a1c2e.min.css.
        rf"^{prefix}assets/.+\.[0-9a-f]{{8,}}\.min\.(?:js|css)(?:\.map)?$",
        # Story photos and link previews: the photo's cache key starts the name.
        rf"^{prefix}{stories}/[^/]+/(?:[0-9a-f]{{12}}-[^/]+|social-[0-9a-f]{{12}}\.jpg)$",
    ]


def nginx_config(settings: Settings, options: Options) -> tuple[str, InlineCode, list[str]]:
    """The configuration text, what was found in the pages, and the withdrawn addresses."""
    site_dir = options.site_dir
    if not (site_dir / "index.html").is_file():
        raise CannotGenerate(
            f"in {site_dir} staat geen gebouwde site. Bouw eerst de site (mkdocs build), "
            "of geef de goede map met --site-dir"
        )
    gone = withdrawn_paths(site_dir, settings)
    code = scan_pages(site_dir)
    headers = security_headers(content_security_policy(code))
    base = base_path(settings)
    files_at = f"{options.root}{base.rstrip('/')}/" if base != "/" else f"{options.root}/"

    text = _ENVIRONMENT.get_template("nginx.conf.j2").render(
        site_dir=site_dir,
        files_at=files_at,
        immutable=immutable_patterns(settings),
        year=YEAR,
        page_seconds=PAGE_SECONDS,
        options=options,
        base=base,
        headers=headers,
        gone=gone,
    )
    return text, code, gone


# The command ----------------------------------------------------------------------------------


def add_command(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser(
        "nginx",
        help="maak een voorbeeld-configuratie voor nginx uit de gebouwde site (410, CSP, HSTS, cache)",
        description=(
            "Leest de gebouwde site en schrijft een nginx-configuratie: 410 voor ingetrokken verhalen, "
            "een strikte Content-Security-Policy, HSTS en lange cachetijden voor bestanden met een hash. "
            "Maak hem opnieuw na elke build."
        ),
    )
    command.add_argument(
        "--site-dir", type=Path, help="de gebouwde site (standaard: site_dir uit mkdocs.yml, meestal site/)"
    )
    command.add_argument(
        "--output", type=Path, metavar="BESTAND", help="schrijf naar dit bestand (standaard: het scherm)"
    )
    command.add_argument(
        "--root", help="waar de bestanden van de site op de server staan (standaard: /var/www/<host>)"
    )
    command.add_argument("--server-name", help="de hostnaam (standaard: de host uit site_url)")
    command.add_argument(
        "--listen",
        action="append",
        metavar="ADRES",
        help="adres en poort om op te luisteren (mag vaker; standaard 443 en [::]:443, met --http 80)",
    )
    command.add_argument(
        "--http",
        action="store_true",
        help="alleen http, zonder certificaat: achter een proxy die https doet, of om te testen",
    )
    command.add_argument(
        "--certificate", help="het certificaat (standaard: dat van Let's Encrypt voor de host)"
    )
    command.add_argument("--certificate-key", help="de sleutel bij het certificaat")
    command.set_defaults(run=run)


def _site_dir(config_file: Path) -> Path:
    with config_file.open(encoding="utf-8") as handle:
        config = yaml.load(handle, Loader=_TolerantLoader) or {}  # noqa: S506 - SafeLoader subclass
    value = config.get("site_dir") if isinstance(config, dict) else None
    return config_file.parent.resolve() / str(value or "site")


def run(args: argparse.Namespace, config_file: Path) -> int:
    settings = load_settings(config_file)
    host = urlsplit(settings.site_url).hostname or ""
    site_dir = (args.site_dir or _site_dir(config_file)).resolve()
    try:
        options = Options(
            site_dir=site_dir,
            root=_safe(args.root or f"/var/www/{host or 'aanhetwoord'}", "pad"),
            server_name=_safe(args.server_name or host or "_", "servernaam"),
            listen=[_safe(address, "adres") for address in args.listen or []]
            or (["80", "[::]:80"] if args.http else ["443", "[::]:443"]),
            tls=not args.http,
            certificate=_safe(
                args.certificate or f"/etc/letsencrypt/live/{host or 'example.org'}/fullchain.pem", "pad"
            ),
            certificate_key=_safe(
                args.certificate_key or f"/etc/letsencrypt/live/{host or 'example.org'}/privkey.pem", "pad"
            ),
        )
        text, code, gone = nginx_config(settings, options)
    except CannotGenerate as error:
        print(f"aanhetwoord nginx: {error}.", file=sys.stderr)
        return 1
    if args.output is None:
        print(text, end="")
    else:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    print(
        f"nginx-configuratie{f' in {args.output}' if args.output else ''}: {code.pages} pagina's gelezen, "
        f"{len(gone)} ingetrokken {'adres' if len(gone) == 1 else 'adressen'} (410), "
        f"{len(code.scripts)} inline scripts toegestaan met hun hash.",
        file=sys.stderr,
    )
    for item in code.blocked:
        print(f"waarschuwing: de Content-Security-Policy blokkeert {item}", file=sys.stderr)
    return 0
