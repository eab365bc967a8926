"""``aanhetwoord nginx``: a web server configuration made from the built site, tried on real nginx.

The configuration is generated from a real build, served by Debian's nginx on 127.0.0.1, and
the pages are opened in Chromium under the Content-Security-Policy it sends: no violation may
happen, the search (which runs in a worker) must still work, and a withdrawn story answers 410.
Without nginx these tests are skipped, or fail when the ``CI`` variable is set.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import http.client
import json
import os
import queue
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import crossplane
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image

from aanhetwoord.commands.nginx_config import (
    CannotGenerate,
    Options,
    content_security_policy,
    csp_hash,
    immutable_patterns,
    nginx_config,
    scan_pages,
)
from aanhetwoord.problems import visible
from aanhetwoord.settings import Settings
from browser_support import keep_to_origin, launch_chromium, new_context, origin, require_chromium
from nginx_support import NGINX, NginxFailed, run_nginx, write_nginx_conf
from sitefactory import Site, make_site

WITHDRAWN = "/verhalen/ingetrokken-verhaal/"


def require_nginx() -> str:
    """Skip without nginx; fail instead when ``CI`` is set, so CI can never pass by skipping."""
    if NGINX is None:
        reason = "nginx is missing: install Debian's 'nginx' package (tests/run.sh does) to serve the site"
        if os.environ.get("CI"):
            pytest.fail(f"the web server tests cannot run on CI: {reason}", pytrace=False)
        pytest.skip(reason)
    return NGINX


# The built site ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Site:
    site = make_site(tmp_path_factory.mktemp("nginx-site"))
    folder = site.stories / "met-foto"
    folder.mkdir(parents=True)
    Image.new("RGB", (1200, 800), (180, 90, 30)).save(folder / "koor.jpg", "JPEG")
    Image.new("RGB", (800, 600), (30, 90, 180)).save(folder / "repetitie.png", "PNG")
    site.add_story(
        "met-foto",
        "Wij zingen elke dinsdag.\n\n![Repetitie in de zaal](repetitie.png)",
        title="Het koor zingt in de haven",
        community="Het Havenkoor",
        image={"src": "koor.jpg", "alt": "Het koor op de kade"},
    )
    for number in range(1, 5):
        site.add_story(
            f"verhaal-{number}",
            f"Verhaal nummer {number} over zingen en koffie.",
            title=f"Verhaal {number}",
            community="De Buurtgroep",
            date=f"2025-0{number}-10",
        )
    site.add_story("ingetrokken-verhaal", title="Weg", status="withdrawn")
    site.build(strict=True)
    return site


def test_inline_scripts_and_styles_are_found_and_hashed(tmp_path: Path):
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_text(
        "<html><head><script>var a = 1;</script>"
        '<script id="__config" type="application/json">{"base": "."}</script>'
        '<script src="assets/app.js"></script><style>p { color: red }</style></head>'
        '<body><p style="margin: 0">&amp; tekst</p>'
        '<script type="module">import "./x.js";</script></body></html>',
        encoding="utf-8",
    )
    (tmp_path / "a" / "index.html").write_text(
        '<script>var a = 1;</script><button onclick="go()">x</button>'
        '<script src="https://elders.example/x.js"></script>',
        encoding="utf-8",
    )
    found = scan_pages(tmp_path)

    def expected(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    assert found.pages == 2
    assert found.scripts == {expected("var a = 1;"), expected('import "./x.js";')}
    assert found.styles == {expected("p { color: red }")}
    assert found.style_attributes == {expected("margin: 0")}
    assert sorted(found.blocked) == [
        "a/index.html: <button onclick=…>",
        "a/index.html: <script src=https://elders.example/x.js>",
    ]
    csp = content_security_policy(found)
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert f"script-src 'self' {' '.join(sorted(found.scripts))};" in csp
    assert "'unsafe-hashes' " + expected("margin: 0") in csp


def test_the_policy_is_strict(built: Site):
    csp = content_security_policy(scan_pages(built.site_dir))
    directives = dict(part.split(" ", 1) for part in csp.split("; "))
    assert directives["default-src"] == "'self'"
    assert directives["img-src"] == "'self' data:"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'self'" and directives["form-action"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "*" not in csp
    assert directives["style-src"] == "'self'", "the built site has no inline styles"


def test_every_inline_script_of_the_built_site_is_allowed_by_its_hash(built: Site):
    result = built.cli("nginx")
    assert result.returncode == 0, result.stderr
    config = result.stdout
    csp = re.search(r'add_header Content-Security-Policy "([^"]+)" always;', config).group(1)
    inline = set()
    for page in built.site_dir.rglob("*.html"):
        # Material's inline scripts have no attributes; its JSON configuration block does.
        inline |= set(re.findall(r"<script>(.*?)</script>", page.read_text(encoding="utf-8"), re.S))
    assert inline, "Material's pages have inline scripts"
    for script in inline:
        assert csp_hash(script) in csp
    assert "inline scripts toegestaan met hun hash" in result.stderr
    assert "waarschuwing" not in result.stderr


def test_hashed_assets_and_photos_are_cached_for_a_year_and_pages_are_not(built: Site):
    patterns = [re.compile(pattern) for pattern in immutable_patterns(Settings(built.root, built.stories))]
    paths = [
        "/" + path.relative_to(built.site_dir).as_posix()
        for path in built.site_dir.rglob("*")
        if path.is_file()
    ]

    def immutable(path: str) -> bool:
        return any(pattern.search(path) for pattern in patterns)

    material = [path for path in paths if re.search(r"/assets/.*\.[0-9a-f]{8}\.min\.(js|css)$", path)]
    own = [path for path in material if "/aanhetwoord" in path]
    assert len(own) == 2, own  # our stylesheet and script, hashed like Material's
    photos = [path for path in paths if path.startswith("/verhalen/met-foto/") and not path.endswith(".html")]
    assert len(material) >= 3 and len(photos) >= 5
    assert all(immutable(path) for path in material + photos), [
        p for p in material + photos if not immutable(p)
    ]
    for path in paths:
        if path.endswith((".html", ".json", ".xml")) or "/lunr/" in path or path.endswith(".svg"):
            assert not immutable(path), path


def test_config_follows_the_base_path_of_the_site(tmp_path: Path):
    site_dir = tmp_path / "site"
    (site_dir / "api").mkdir(parents=True)
    (site_dir / "index.html").write_text("<p>Hallo</p>", encoding="utf-8")
    (site_dir / "api" / "withdrawn.json").write_text(
        '{"paths": ["/gemeente/verhalen/weg/"]}', encoding="utf-8"
    )
    settings = Settings(tmp_path, tmp_path / "stories", site_url="https://www.example.org/gemeente/")
    options = Options(site_dir, "/srv/www", "www.example.org", ["443"], True, "/c.pem", "/k.pem")
    config, _, gone = nginx_config(settings, options)
    assert gone == ["/gemeente/verhalen/weg/"]
    assert 'location = "/gemeente/verhalen/weg/" { return 410; }' in config
    assert "error_page 404 /gemeente/404.html;" in config
    assert "location /gemeente/ {" in config
    assert r'"~^/gemeente/assets/' in config and r'"~^/gemeente/verhalen/[^/]+/' in config
    assert "belong in /srv/www/gemeente/" in config
    assert "return 301 https://$host$request_uri;" in config


# The whole text for one set of options: what nginx is told, line by line. The long lines are
# put together below so this stays readable.
EXPECTED_TLS = r"""# Example nginx configuration for Aan het woord, generated by `aanhetwoord nginx` from the
# built site in @SITE_DIR@.
# Generate it again after every build: the addresses that answer 410 and the hashes of the inline
# scripts in the Content-Security-Policy are read from the built pages.
# Include this file inside the http { } block (for example as /etc/nginx/conf.d/aanhetwoord.conf);
# it relies on /etc/nginx/mime.types, which Debian's nginx.conf includes.
# The files of the site (the contents of site/) belong in /srv/www/verhalen/

# Files whose name holds a hash of their content never change: a year, immutable. Pages, the
# API and the rest are fetched again after 5 minutes, so a change or withdrawal
# reaches readers soon. (One header for all locations, so none loses the security headers.)
map $uri $aanhetwoord_cache_control {
    "~^/assets/.+\.[0-9a-f]{8,}\.min\.(?:js|css)(?:\.map)?$" "public, max-age=31536000, immutable";
    "@PHOTOS@" "public, max-age=31536000, immutable";
    default "public, max-age=300";
}

# Plain http only sends visitors to https.
server {
    listen 80;
    listen [::]:80;
    server_name verhalen.example.org;
    return 301 https://$host$request_uri;
}

server {
    listen 443 ssl http2;
    listen [::]:443 ssl http2;
    ssl_certificate /etc/ssl/verhalen.pem;
    ssl_certificate_key /etc/ssl/verhalen.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    server_name verhalen.example.org;
    root /srv/www/verhalen;
    index index.html;
    charset utf-8;
    server_tokens off;
    # Redirects keep the scheme and host the visitor used, also behind a proxy.
    absolute_redirect off;

    # Compression: a ready .gz file beside a file is sent as it is; the rest is compressed now.
    gzip on;
    gzip_static on;
    gzip_vary on;
    gzip_comp_level 6;
    gzip_min_length 1024;
    gzip_types @GZIP_TYPES@;

    error_page 404 /404.html;
    error_page 410 @withdrawn;

    # On every response, errors included. No location below has an add_header of its own: one
    # would silently drop all of these there.
    add_header Cache-Control $aanhetwoord_cache_control always;
    add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;
    add_header Content-Security-Policy "@CSP@" always;
    add_header Referrer-Policy "strict-origin-when-cross-origin" always;
    add_header X-Content-Type-Options "nosniff" always;
    add_header X-Frame-Options "DENY" always;
    add_header Permissions-Policy "@PERMISSIONS@" always;
    add_header Cross-Origin-Opener-Policy "same-origin" always;

    # Withdrawn stories (from /api/withdrawn.json): gone for good.
    location = "/verhalen/weg/" { return 410; }
    location = "/verhalen/weg/index.html" { return 410; }
    location = "/verhalen/weg" { return 301 "/verhalen/weg/"; }
    # The 410 shows the short notice the build left at the address.
    location @withdrawn {
        try_files ${uri}index.html $uri =410;
    }

    location / {
        try_files $uri $uri/ =404;
    }
}
"""
LONG_LINES = {
    "@PHOTOS@": r"~^/verhalen/[^/]+/(?:[0-9a-f]{12}-[^/]+|social-[0-9a-f]{12}\.jpg)$",
    "@GZIP_TYPES@": "text/css text/plain text/xml application/javascript application/json application/xml"
    " image/svg+xml",
    # The one inline script of the page below, `var a = 1;`, allowed by its SHA-256.
    "@CSP@": "default-src 'self'; script-src 'self' 'sha256-+dZ6udsWxNVoGfScAq7t5IIF5UJb4F6RhjbN6oe1p4w='; "
    "style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self'; "
    "manifest-src 'self'; media-src 'self'; object-src 'none'; frame-src 'none'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'",
    "@PERMISSIONS@": "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()",
}


def small_site(root: Path, withdrawn: list[str], *, site: str = "site") -> Path:
    """A built site of one page with one inline script, and the withdrawn addresses given."""
    site_dir = root / site
    (site_dir / "api").mkdir(parents=True)
    (site_dir / "index.html").write_text("<p>Hallo</p><script>var a = 1;</script>", encoding="utf-8")
    (site_dir / "api" / "withdrawn.json").write_text(json.dumps({"paths": withdrawn}), encoding="utf-8")
    return site_dir


def test_the_configuration_for_fixed_options_is_exactly_this(tmp_path: Path):
    site_dir = small_site(tmp_path, ["/verhalen/weg/"])
    settings = Settings(tmp_path, tmp_path / "stories", site_url="https://verhalen.example.org/")
    options = Options(
        site_dir,
        "/srv/www/verhalen",
        "verhalen.example.org",
        ["443", "[::]:443"],
        True,
        "/etc/ssl/verhalen.pem",
        "/etc/ssl/verhalen.key",
    )
    config, _, gone = nginx_config(settings, options)
    expected = EXPECTED_TLS.replace("@SITE_DIR@", str(site_dir))
    for marker, line in LONG_LINES.items():
        expected = expected.replace(marker, line)
    assert gone == ["/verhalen/weg/"]
    assert config.splitlines() == expected.splitlines()
    assert config == expected


def test_plain_http_listens_where_it_is_told_without_a_redirect_or_certificate(tmp_path: Path):
    site_dir = small_site(tmp_path, [])
    settings = Settings(tmp_path, tmp_path / "stories", site_url="https://verhalen.example.org/")
    options = Options(site_dir, "/srv/site", "127.0.0.1", ["127.0.0.1:8080"], False)
    config, _, _ = nginx_config(settings, options)
    server = config[config.index("server {") :]
    assert server.splitlines()[:6] == [
        "server {",
        "    # Plain http: behind a proxy that handles https, or for a test on this machine.",
        "    listen 127.0.0.1:8080;",
        "    server_name 127.0.0.1;",
        "    root /srv/site;",
        "    index index.html;",
    ]
    assert config.count("server {") == 1
    assert "ssl" not in config and "return 301 https" not in config and "location = " not in config


@pytest.mark.parametrize(
    ("option", "value", "what"),
    [
        ("--server-name", "a; return 200 x", "servernaam"),
        ("--root", "/srv/x;}", "pad"),
        ("--listen", "80 {", "adres"),
        ("--certificate", '/a"b', "pad"),
        ("--server-name", "a\nb", "servernaam"),
        ("--server-name", "#x", "servernaam"),  # nginx would read the rest of the line as a comment
        ("--root", "'/srv", "pad"),  # and here a string up to the next quote
    ],
)
def test_the_command_refuses_a_value_that_would_break_out_of_its_directive(site, option, value, what):
    small_site(site.root, [])
    result = site.cli("nginx", "--site-dir", "site", option, value)
    assert result.returncode == 1
    assert result.stdout == ""
    assert (
        f"aanhetwoord nginx: het {what} '{value}' bevat tekens die niet in een nginx-configuratie passen."
        in (result.stderr)
    )


# Every value must stay inside its directive, whatever it holds. The values are given straight to
# nginx_config, past the command's own checks, so the template's filters are what is tried here.
# One value at a time is hostile, so that a refusal of one does not hide what another would do.
TRICKY = st.sampled_from(list(";{}\"'\\\n\r\t #$/:.[]~^()=-_aZ0é\x00\x7f\u2028"))
VALUE = st.text(st.one_of(TRICKY, st.characters(codec="utf-8")), min_size=1, max_size=14)
PLACES = ("server_name", "root", "listen", "certificate", "certificate_key", "withdrawn", "base", "folder")


def parsed(config: str, folder: Path) -> list[dict]:
    """The directives as nginx's own grammar reads them (crossplane follows nginx's lexer)."""
    path = folder / "site.conf"
    path.write_text(config, encoding="utf-8")
    result = crossplane.parse(str(path), single=True, comments=True, check_ctx=False, check_args=False)
    assert result["errors"] == [], result["errors"]
    return result["config"][0]["parsed"]


def shape(directives: list[dict], *, in_map: bool = False) -> list:
    """Each directive's name and number of arguments, nested; the keys of a map are values."""
    return [
        (
            "key" if in_map else d["directive"],
            len(d["args"]),
            shape(d.get("block", []), in_map=d["directive"] == "map"),
        )
        for d in directives
    ]


def find(directives: list[dict], name: str) -> list[list[str]]:
    return [d["args"] for d in directives if d["directive"] == name]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(place=st.sampled_from(PLACES), value=VALUE, tls=st.booleans())
# At the start of a bare word nginx reads # as a comment and ' as the start of a string.
@example(place="server_name", value="#x", tls=True)
@example(place="root", value="'/srv", tls=False)
@example(place="folder", value="a\nserver { }", tls=False)
def test_no_value_breaks_out_of_its_directive(place: str, value: str, tls: bool):
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        values = {
            "server_name": "example.org",
            "root": "/srv",
            "listen": "80",
            "certificate": "/c.pem",
            "certificate_key": "/k.pem",
            "withdrawn": "weg",
            "base": "",
            "folder": "site",
        }
        plain = dict(values)
        values[place] = value
        # A folder name may hold anything but a slash and NUL; it only shows up in a comment.
        folder = "".join(char for char in values["folder"] if char not in "/\x00").strip(".") or "site"

        def made(values: dict[str, str], folder: str) -> str:
            site_dir = small_site(work, [f"/{values['withdrawn']}/"], site=folder)
            site = Settings(work, work / "stories", site_url=f"https://example.org/{values['base']}")
            options = Options(
                site_dir,
                values["root"],
                values["server_name"],
                [values["listen"]],
                tls,
                values["certificate"],
                values["certificate_key"],
            )
            return nginx_config(site, options)[0]

        try:
            config = made(values, folder)
        except CannotGenerate as error:
            assert "bevat tekens die niet in een nginx-configuratie passen" in str(error)
            return
        # The same configuration with plain values has the same directives, each with as many
        # arguments: nothing was added, ended early or opened.
        directives = parsed(config, work)
        assert shape(directives) == shape(parsed(made(plain, "plain"), work))
        # And each value is exactly the one argument it was meant to be.
        server = directives[-1]["block"]
        assert find(server, "server_name") == [[values["server_name"]]]
        assert find(server, "root") == [[values["root"]]]
        assert [args[0] for args in find(server, "listen")] == [values["listen"]]
        if tls:
            assert find(server, "ssl_certificate") == [[values["certificate"]]]
            assert find(server, "ssl_certificate_key") == [[values["certificate_key"]]]
        assert ["=", f"/{values['withdrawn']}/"] in find(server, "location")
        assert f"# built site in {visible(str(work / folder))}." in config


def test_an_unbuilt_site_is_refused(site):
    result = site.cli("nginx")
    assert result.returncode == 1
    assert "Bouw eerst de site (mkdocs build)" in result.stderr


def test_the_tls_configuration_is_accepted_by_nginx(built: Site, tmp_path: Path):
    nginx = require_nginx()
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is missing, so no test certificate can be made")
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"]
        + ["-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        check=True,
        capture_output=True,
    )
    conf = tmp_path / "site.conf"
    result = built.cli(
        "nginx",
        "--output",
        str(conf),
        "--listen",
        "127.0.0.1:8443",  # nginx -t binds no port
        "--certificate",
        str(tmp_path / "cert.pem"),
        "--certificate-key",
        str(tmp_path / "key.pem"),
    )
    assert result.returncode == 0, result.stderr
    text = conf.read_text()
    assert "ssl http2;" in text and "Strict-Transport-Security" in text
    # The redirect server listens on port 80, which a test may not bind: nginx -t only checks.
    write_nginx_conf(tmp_path, conf)
    check = subprocess.run(
        [
            nginx,
            "-t",
            "-p",
            str(tmp_path),
            "-e",
            str(tmp_path / "error.log"),
            "-c",
            str(tmp_path / "nginx.conf"),
        ],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr


# Serving it with nginx ------------------------------------------------------------------------


@dataclass
class Served:
    base: str
    config: str
    csp: str


@pytest.fixture(scope="module")
def served(built: Site, tmp_path_factory) -> Iterator[Served]:
    nginx = require_nginx()
    work = tmp_path_factory.mktemp("nginx")
    site_conf = work / "site.conf"

    def configure(port: int) -> Path:
        result = built.cli(
            "nginx",
            "--http",
            "--listen",
            f"127.0.0.1:{port}",
            "--root",
            str(built.site_dir),
            "--server-name",
            "127.0.0.1",
            "--output",
            str(site_conf),
        )
        assert result.returncode == 0, result.stderr
        return write_nginx_conf(work, site_conf)

    try:
        with run_nginx(nginx, work, configure) as base:
            config = site_conf.read_text(encoding="utf-8")
            csp = re.search(r'add_header Content-Security-Policy "([^"]+)" always;', config).group(1)
            yield Served(base, config, csp)
    except NginxFailed as error:
        pytest.fail(str(error))


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def fetch(served: Served, path: str, headers: dict[str, str] | None = None) -> Answer:
    parts = urlsplit(served.base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


def test_nginx_answers_410_for_a_withdrawn_story_with_its_notice(served: Served):
    assert f'location = "{WITHDRAWN}" {{ return 410; }}' in served.config
    for path in (WITHDRAWN, f"{WITHDRAWN}index.html"):
        answer = fetch(served, path)
        assert answer.status == 410, path
        assert "ingetrokken op verzoek van de vertellers" in answer.body.decode()
        assert answer.headers["content-security-policy"] == served.csp
    short = fetch(served, WITHDRAWN.rstrip("/"))
    assert (short.status, short.headers["location"]) == (301, WITHDRAWN)


def test_nginx_sends_the_security_headers_on_every_response(served: Served):
    for path, status in (("/", 200), ("/verhalen/", 200), ("/bestaat-niet/", 404), (WITHDRAWN, 410)):
        answer = fetch(served, path)
        assert answer.status == status, path
        headers = answer.headers
        assert headers["content-security-policy"] == served.csp
        assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert headers["permissions-policy"].startswith("accelerometer=()")
        assert headers["x-frame-options"] == "DENY"
        assert "server" not in headers or headers["server"] == "nginx"


def test_nginx_caches_hashed_files_for_a_year_and_pages_briefly(served: Served, built: Site):
    bundle = next(built.site_dir.glob("assets/javascripts/bundle.*.min.js"))
    ours = next(built.site_dir.glob("assets/stylesheets/aanhetwoord.*.min.css"))
    photo = next(path for path in (built.site_dir / "verhalen/met-foto").iterdir() if path.suffix == ".webp")
    hashed = [f"/{path.relative_to(built.site_dir).as_posix()}" for path in (bundle, ours)]
    for path in (*hashed, f"/verhalen/met-foto/{photo.name}"):
        answer = fetch(served, path)
        assert answer.status == 200, path
        assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    for path in ("/", "/verhalen/met-foto/", "/api/stories.json", "/404.html", "/search/search_index.json"):
        answer = fetch(served, path)
        assert answer.status == 200, path
        assert answer.headers["cache-control"] == "public, max-age=300", path


def test_nginx_serves_the_sites_own_404_page_and_compresses(served: Served):
    missing = fetch(served, "/bestaat-niet/")
    assert missing.status == 404 and b"md-content" in missing.body
    page = fetch(served, "/verhalen/", {"Accept-Encoding": "gzip"})
    assert page.headers.get("content-encoding") == "gzip"
    assert b"Verhaal 1" in gzip.decompress(page.body)
    assert page.headers["content-type"] == "text/html; charset=utf-8"


# Chromium under the policy --------------------------------------------------------------------

WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


@dataclass
class Seen:
    status: int
    headers: dict[str, str]
    console: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)

    def csp_messages(self) -> list[str]:
        return [
            line
            for line in self.console
            if "content security policy" in line.lower() or "permissions-policy" in line.lower()
        ]


def open_page(
    browser: Any,
    url: str,
    *,
    interact: Callable[[Any], None] | None = None,
    evaluate: dict[str, str] | None = None,
) -> Seen:
    context = new_context(browser, service_workers="block")
    try:
        own = origin(url)
        keep_to_origin(context, own)
        context.add_init_script(WATCH_VIOLATIONS)
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
        response = page.goto(url, wait_until="load")
        try:
            page.wait_for_load_state("networkidle", timeout=5_000)
        except Exception:  # noqa: BLE001 - a busy page is still checked
            pass
        page.wait_for_timeout(300)
        if interact is not None:
            interact(page)
            page.wait_for_timeout(300)
        seen = Seen(response.status, response.all_headers(), console)
        seen.values = {name: page.evaluate(expression) for name, expression in (evaluate or {}).items()}
        seen.violations = page.evaluate("window.__cspViolations")
        return seen
    finally:
        context.close()


class Chromium:
    """Debian's Chromium in a thread of its own.

    Playwright's sync API allows one instance per thread, and the session-wide ``browser`` of
    browser_support may already be running for another test module; a thread of our own keeps
    the two apart. Every Playwright call happens in that thread.
    """

    def __init__(self) -> None:
        self._jobs: queue.Queue = queue.Queue()
        self._started = threading.Event()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._serve, name="chromium", daemon=True)
        self._thread.start()
        if not self._started.wait(timeout=60):
            raise RuntimeError("Chromium did not start within 60 s")
        if self._failure is not None:
            raise self._failure

    def _serve(self) -> None:
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                self._started.set()
                while (job := self._jobs.get()) is not None:
                    work, answer = job
                    try:
                        answer.put((True, work(browser)))
                    except BaseException as error:  # noqa: BLE001 - handed to the test's thread
                        answer.put((False, error))
                browser.close()
        except BaseException as error:  # noqa: BLE001 - handed to the test's thread
            self._failure = error
            self._started.set()

    def open(self, url: str, **options: Any) -> Seen:
        answer: queue.Queue = queue.Queue()
        self._jobs.put((lambda browser: open_page(browser, url, **options), answer))
        done, value = answer.get(timeout=120)
        if not done:
            raise value
        return value

    def close(self) -> None:
        self._jobs.put(None)
        self._thread.join(timeout=30)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Chromium]:
    require_chromium()
    browser = Chromium()
    try:
        yield browser
    finally:
        browser.close()


def search_for(page: Any) -> None:
    # Material's search runs in a web worker: it only answers if the policy lets the worker run.
    page.keyboard.press("s")
    page.wait_for_timeout(200)
    page.keyboard.type("zingen")
    page.wait_for_selector(".md-search-result__item")


@pytest.mark.browser
@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("", 200),
        ("verhalen/met-foto/", 200),
        ("verhalen/", 200),
        ("buurten/oude-haven/", 200),
        ("gemeenschappen/", 200),
        ("bestaat-niet/", 404),
        (WITHDRAWN.lstrip("/"), 410),
    ],
)
def test_chromium_sees_no_policy_violation(served: Served, chromium: Chromium, path: str, status: int):
    seen = chromium.open(
        served.base + path,
        interact=search_for if path == "" else None,
        evaluate={
            "images": "[...document.images].map(i => [i.currentSrc, i.complete && i.naturalWidth > 0])",
            "styled": "getComputedStyle(document.querySelector('.md-header')).position",
            "results": "document.querySelectorAll('.md-search-result__item').length",
        },
    )
    assert seen.status == status
    assert seen.headers["content-security-policy"] == served.csp
    assert seen.violations == []
    assert seen.csp_messages() == []
    # The site still works under the policy: styles apply, photos load, search answers.
    assert seen.values["styled"] == "sticky"
    assert all(loaded for _, loaded in seen.values["images"]), seen.values["images"]
    if path == "verhalen/met-foto/":
        assert len(seen.values["images"]) >= 2
    if path == "":
        assert seen.values["results"] > 0


@pytest.mark.browser
def test_chromium_would_report_a_violation(served: Served, chromium: Chromium):
    """The watch above works: an inline script the build did not make is blocked and reported."""
    seen = chromium.open(
        served.base + "verhalen/met-foto/",
        interact=lambda page: page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.__ran = 1'; document.body.append(s); }"
        ),
        evaluate={"ran": "window.__ran === 1"},
    )
    assert seen.values["ran"] is False
    assert any(violation.startswith("script-src") for violation in seen.violations), seen.violations
    assert any("Content Security Policy" in line for line in seen.console), seen.console
