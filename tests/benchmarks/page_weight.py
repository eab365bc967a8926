"""Page-weight benchmark: how heavy a story page is at thousands of stories.

Builds a synthetic site (the generator of ``build_speed.py``) and reports

* the size of the HTML of a story page (the median one), the home page, a term page (the
  neighbourhood with the most stories, its first page), the overview pages and the largest
  story page: target ≤ 60 KB for a story page at 4,000 stories, so no page carries more than
  its own list;
* the bytes a first visit transfers, photos excluded, by resource type, to that story page,
  the home page and that term page (the last two link feeds, which Material would otherwise
  follow to the whole site map): target ≤ 120 KB compressed. Each page is opened in Debian's
  Chromium (driven by Playwright, never a downloaded browser) from Debian's nginx on 127.0.0.1
  with the configuration that ``aanhetwoord nginx`` generates, so responses are compressed (and
  cached) as in production.
  The bytes are counted twice: by Chromium (``request.sizes()``: headers plus encoded body) and
  by nginx itself (``$bytes_sent`` in an access log); the table shows what nginx sent;
* what the search index costs when a visitor first opens the search (compressed).

    python tests/benchmarks/page_weight.py [--stories 4000] [--keep DIR] [--path verhalen/…/ …]

``--keep DIR`` builds into DIR and keeps it; when DIR already holds a built site, it is reused
as it is (no build). A script, not a pytest test: its name does not start with ``test_``.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import build_speed  # noqa: E402 - the synthetic site generator, shared with the build benchmark

from browser_support import launch_chromium  # noqa: E402
from nginx_support import NGINX, run_nginx, write_nginx_conf  # noqa: E402

TARGET_STORY_HTML = 60 * 1024
TARGET_FIRST_LOAD = 120 * 1024
PHOTO_SUFFIXES = (".webp", ".jpg", ".jpeg", ".png", ".avif", ".gif")
# A phone: most visitors read on one. The page loads the same files at any width.
VIEWPORT = {"width": 390, "height": 844}


# The site -----------------------------------------------------------------------------------


def prepare(stories: int, workdir: Path) -> Path:
    """The site's folder (with ``mkdocs.yml`` and ``site/``), built unless already there."""
    config = workdir / "mkdocs.yml"
    if (workdir / "site" / "index.html").is_file() and config.is_file():
        built = sum(1 for _ in (workdir / "site" / "verhalen").glob("*/index.html"))
        print(f"  reusing the built site in {workdir} ({built} story folders)", file=sys.stderr)
        return workdir
    if workdir.exists() and any(workdir.iterdir()):
        sys.exit(f"{workdir} is neither empty nor a built benchmark site")
    started = time.perf_counter()
    config = build_speed.write_plugin_site(build_speed.generate(stories), workdir)
    dress_like_the_demo(config)
    timing = build_speed.time_build(config)
    build_speed.check_output(config, stories)
    elapsed = time.perf_counter() - started
    print(f"  {stories} stories built in {elapsed:.0f} s (mkdocs build {timing.wall:.0f} s)", file=sys.stderr)
    return workdir


def dress_like_the_demo(config: Path) -> None:
    """The demo's colour schemes and theme features, so the page loads what the real site loads."""
    demo = yaml.safe_load((build_speed.ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["theme"]
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    for key in ("palette", "features"):
        if key in demo:
            settings["theme"][key] = demo[key]
    config.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")


# HTML sizes ---------------------------------------------------------------------------------


@dataclass
class Html:
    label: str
    path: str  # relative to the site, e.g. "verhalen/x/"
    size: int


def story_pages(site_dir: Path) -> list[tuple[int, str]]:
    """(size, path) of every story page; list pages (``verhalen/pagina/…``) are not stories."""
    pages = []
    for page in (site_dir / "verhalen").glob("*/index.html"):
        if page.parent.name != "pagina":
            pages.append((page.stat().st_size, f"verhalen/{page.parent.name}/"))
    return sorted(pages)


def busiest_neighbourhood(site_dir: Path) -> str:
    """The neighbourhood with the most list pages, so its first page is as full as any."""
    folders = [folder for folder in (site_dir / "buurten").iterdir() if (folder / "index.html").is_file()]
    return max(folders, key=lambda f: (len(list((f / "pagina").glob("*"))), f.name)).name


def html_sizes(site_dir: Path) -> tuple[list[Html], str]:
    stories = story_pages(site_dir)
    if not stories:
        sys.exit(f"{site_dir}: no story pages")
    median_size, median_path = stories[len(stories) // 2]
    largest_size, largest_path = stories[-1]

    def html(label: str, path: str) -> Html:
        return Html(label, path, (site_dir / path / "index.html").stat().st_size)

    rows = [
        Html("story page (median)", median_path, median_size),
        Html("largest story page", largest_path, largest_size),
        html("home page", ""),
        html("term page (neighbourhood, page 1)", f"buurten/{busiest_neighbourhood(site_dir)}/"),
        html("all stories, page 1", "verhalen/"),
        html("neighbourhoods overview", "buurten/"),
        html("themes overview", "themas/"),
        html("communities overview", "gemeenschappen/"),
    ]
    spread = statistics.quantiles([size for size, _ in stories], n=10)
    note = (
        f"{len(stories)} story pages: smallest {stories[0][0] / 1024:.1f} KB, "
        f"p90 {spread[-1] / 1024:.1f} KB, largest {largest_size / 1024:.1f} KB"
    )
    return rows, note


# Serving and loading ------------------------------------------------------------------------


def nginx_site_conf(workdir: Path, site_dir: Path, port: int, output: Path) -> None:
    """What ``aanhetwoord nginx`` generates for this site, listening on 127.0.0.1 over plain http."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "aanhetwoord.commands.cli",
            "-f",
            str(workdir / "mkdocs.yml"),
            "nginx",
            "--http",
        ]
        + ["--listen", f"127.0.0.1:{port}", "--root", str(site_dir), "--server-name", "127.0.0.1"]
        + ["--site-dir", str(site_dir), "--output", str(output)],
        capture_output=True,
        text=True,
        env=build_speed._env(),
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"aanhetwoord nginx failed:\n{result.stderr}")


@dataclass
class Transfer:
    url: str
    kind: str  # Playwright's resource type: document, stylesheet, script, xhr, image, font, other
    browser_bytes: int  # headers + encoded body, as Chromium saw them
    server_bytes: int = 0  # what nginx logged as sent, headers included
    server_body: int = 0
    encoding: str = ""


@dataclass
class Load:
    transfers: list[Transfer] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)


def is_photo(path: str) -> bool:
    return path.startswith("/verhalen/") and path.lower().endswith(PHOTO_SUFFIXES)


def first_load(base: str, path: str) -> Load:
    """Open ``base + path`` once in a fresh context (empty cache) and record every request."""
    from playwright.sync_api import sync_playwright

    load = Load()
    own = urlsplit(base).netloc
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            context = browser.new_context(service_workers="block", viewport=VIEWPORT)

            def route(route):
                if urlsplit(route.request.url).netloc == own:
                    route.continue_()
                else:
                    load.foreign.append(route.request.url)
                    route.abort()

            context.route("**/*", route)
            page = context.new_page()

            def finished(request):
                sizes = request.sizes()
                load.transfers.append(
                    Transfer(
                        request.url,
                        request.resource_type,
                        sizes["responseHeadersSize"] + sizes["responseBodySize"],
                    )
                )

            page.on("requestfinished", finished)
            page.on("requestfailed", lambda request: load.failed.append(request.url))
            page.goto(base + path, wait_until="load", timeout=60_000)
            try:
                page.wait_for_load_state("networkidle", timeout=15_000)
            except Exception:  # noqa: BLE001 - a page that stays busy is measured all the same
                print("  (the page did not go quiet within 15 s)", file=sys.stderr)
            page.wait_for_timeout(1_500)  # late requests: the search worker, timers
            context.close()
        finally:
            browser.close()
    return load


def read_log(log: Path) -> list[tuple[str, int, int, str]]:
    """(path, bytes sent, body bytes sent, content encoding) per request nginx answered."""
    rows = []
    for line in log.read_text(encoding="utf-8").splitlines():
        uri, _status, sent, body, _type, encoding = (line.split("\t") + [""] * 6)[:6]
        rows.append((uri, int(sent), int(body), "" if encoding == "-" else encoding))
    return rows


def match_log(load: Load, log: list[tuple[str, int, int, str]]) -> None:
    """Give every request the bytes nginx sent for it (in order, for repeated paths)."""
    by_path: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for uri, sent, body, encoding in log:
        by_path[uri].append((sent, body, encoding))
    for transfer in load.transfers:
        parts = urlsplit(transfer.url)
        uri = parts.path + (f"?{parts.query}" if parts.query else "")
        if by_path.get(uri):
            transfer.server_bytes, transfer.server_body, transfer.encoding = by_path[uri].pop(0)


def compressed_size(base: str, path: str) -> tuple[int, int, str]:
    """(bytes on the wire, uncompressed bytes, encoding) for one file, as a browser asks for it."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.request("GET", "/" + path, headers={"Accept-Encoding": "gzip"})
        response = connection.getresponse()
        body = response.read()
        encoding = response.getheader("Content-Encoding") or ""
    finally:
        connection.close()
    plain = len(gzip.decompress(body)) if encoding == "gzip" else len(body)
    return len(body), plain, encoding


# Report -------------------------------------------------------------------------------------


def kb(size: float) -> str:
    return f"{size / 1024:.1f} KB"


def verdict(value: float, limit: float) -> str:
    return "OK" if value <= limit else "MISSED"


def report_html(rows: list[Html], note: str, stories: int) -> None:
    print(f"\nHTML (uncompressed) at {stories} stories")
    width = max(len(row.label) for row in rows)
    for row in rows:
        mark = ""
        if row.label.startswith(("story page", "largest story")):
            mark = f"target ≤ {kb(TARGET_STORY_HTML)}: {verdict(row.size, TARGET_STORY_HTML)}"
        print(f"  {row.label:<{width}}  {kb(row.size):>9}  /{row.path}  {mark}")
    print(f"  ({note})")


def report_load(load: Load, path: str) -> None:
    counted = [t for t in load.transfers if not is_photo(urlsplit(t.url).path)]
    photos = len(load.transfers) - len(counted)
    by_kind: dict[str, list[Transfer]] = defaultdict(list)
    for transfer in counted:
        by_kind[transfer.kind].append(transfer)
    print(f"\nFirst load of /{path} in Chromium from nginx (empty cache, photos excluded)")
    print(f"  {'type':<11} {'requests':>8} {'nginx sent':>11} {'Chromium':>10}")
    for kind, transfers in sorted(by_kind.items(), key=lambda item: -sum(t.server_bytes for t in item[1])):
        print(
            f"  {kind:<11} {len(transfers):>8} {kb(sum(t.server_bytes for t in transfers)):>11}"
            f" {kb(sum(t.browser_bytes for t in transfers)):>10}"
        )
    total = sum(t.server_bytes for t in counted)
    seen = sum(t.browser_bytes for t in counted)
    print(f"  {'total':<11} {len(counted):>8} {kb(total):>11} {kb(seen):>10}", end="")
    print(f"   target ≤ {kb(TARGET_FIRST_LOAD)}: {verdict(total, TARGET_FIRST_LOAD)}")
    if photos:
        print(f"  ({photos} photo requests left out)")
    # Chromium reports no body for some requests, such as the script of the search's web
    # worker; nginx's log is complete, so the verdict uses it.
    unseen = [t for t in counted if t.browser_bytes + 64 < t.server_bytes]
    if unseen:
        paths = ", ".join(urlsplit(t.url).path for t in unseen)
        print(f"  (Chromium counted less than nginx sent for: {paths})")
    print("\n  Every request (nginx: bytes sent with headers / body, encoding):")
    for transfer in sorted(counted, key=lambda t: -t.server_bytes):
        print(
            f"    {transfer.kind:<10} {transfer.server_bytes:>8} / {transfer.server_body:>8}"
            f" {transfer.encoding or 'identity':<8} {urlsplit(transfer.url).path}"
        )
    if load.failed:
        print(f"  failed requests: {load.failed}")
    if load.foreign:
        print(f"  requests to other hosts (blocked): {load.foreign}")


# Command line -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=4000, help="stories in the synthetic site")
    parser.add_argument("--keep", type=Path, help="build into this folder and keep it; reuse it if built")
    parser.add_argument(
        "--path",
        action="append",
        help="a page to load, e.g. verhalen/<slug>/; repeatable (default: median story, home, term page)",
    )
    args = parser.parse_args(argv)
    if NGINX is None:
        sys.exit("nginx is missing: install Debian's 'nginx' package to serve the site as production would")

    with tempfile.TemporaryDirectory(prefix="ahw-weight-") as temp:
        workdir = prepare(args.stories, (args.keep or Path(temp) / "site-root").resolve())
        site_dir = workdir / "site"
        stories = len(story_pages(site_dir))
        rows, note = html_sizes(site_dir)
        report_html(rows, note, stories)

        by_label = {row.label: row.path for row in rows}
        paths = args.path or [
            by_label["story page (median)"],
            by_label["home page"],
            by_label["term page (neighbourhood, page 1)"],
        ]
        work = Path(temp) / "nginx"
        work.mkdir()
        log = work / "access.log"

        def configure(port: int) -> Path:
            nginx_site_conf(workdir, site_dir, port, work / "site.conf")
            return write_nginx_conf(work, work / "site.conf", access_log=log)

        with run_nginx(NGINX, work, configure) as base:
            for path in paths:
                answered = len(read_log(log)) if log.exists() else 0
                load = first_load(base, path)
                time.sleep(0.2)  # nginx writes its log line when the response is done
                match_log(load, read_log(log)[answered:])
                report_load(load, path)
            index = compressed_size(base, "search/search_index.json")
        sent, plain, encoding = index
        print(
            f"\nThe search index, fetched when a visitor first opens the search: {kb(sent)} "
            f"({encoding or 'uncompressed'}; {kb(plain)} unpacked)"
        )


if __name__ == "__main__":
    main()
