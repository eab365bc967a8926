"""Reusable pieces for tests that open the built site in a real Chromium.

Import what a test module needs; pytest picks up the fixtures from the module's namespace::

    from browser_support import serve_folder, serve_site, visit  # the `browser` fixture comes from conftest

* ``serve_folder(folder)`` – a context manager: serves ``folder`` over HTTP on 127.0.0.1 with a
  free port and yields the base URL (ending in ``/``); the server stops afterwards. Use it in
  module-scoped fixtures, so one built site is served once for many tests.
* ``serve_demo(site_dir)`` – a context manager: builds the repository's demo site strictly into
  ``site_dir`` and serves it like ``serve_folder``.
* ``demo_url`` – a module-scoped fixture: the base URL of the demo site, built and served once
  per test module. ``DEMO_PAGES`` names every kind of page on it, by the path a visitor opens.
* ``serve_site`` – a fixture with the same job for a single test: ``base = serve_site(folder)``.
* ``browser`` – a session-scoped fixture with Debian's Chromium driven by Playwright. Without
  ``/usr/bin/chromium`` the test is skipped, or fails when the ``CI`` variable is set, so CI can
  never pass by skipping. Playwright never downloads a browser of its own.
* ``new_context(browser, **options)`` – a browser context whose waits default to ``WAIT_MS``;
  open every context this way, so a slow machine never fails a test that a broken page would not.
* ``visit(browser, url, evaluate=…, interact=…)`` – opens a page in a fresh context and returns
  a :class:`Visit`: every request, JS dialog (dismissed), console message, page error and
  navigation it saw, and the values of the JavaScript expressions in ``evaluate``. Requests
  to any other origin than ``url``'s are recorded and then aborted, so a test never reaches
  the network.
* ``keep_to_origin(context, own)`` – the same guard for a context a test opens itself.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from sitefactory import build_demo

CHROMIUM = Path("/usr/bin/chromium")
# How long one browser wait (a navigation, a selector, a condition) may take before the test
# fails. Generous on purpose: a page that loads in 0.3 s has needed over 15 s on a busy two-core
# CI machine. A broken page still fails, only later.
WAIT_MS = 60_000

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


# Serving a folder ---------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files without printing a line per request."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass


@contextmanager
def serve_folder(folder: Path | str) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 at a free port; yields the base URL, e.g. ``http://127.0.0.1:4711/``."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name=f"serve {folder}", daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@contextmanager
def serve_demo(site_dir: Path) -> Iterator[str]:
    """Build the demo site strictly into ``site_dir`` and serve it; yields the base URL."""
    result = build_demo(site_dir)
    assert result.returncode == 0, result.stderr
    with serve_folder(site_dir) as base:
        yield base


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo site, built strictly and served for the tests of one module; yields its base URL."""
    with serve_demo(tmp_path_factory.mktemp("demo") / "site") as base:
        yield base


# Every kind of page on the demo site, by the path a visitor opens.
DEMO_PAGES = {
    "home": "",
    "story with photo": "verhalen/bewoners-runnen-de-ijsbaan/",
    "story in a right-to-left language": "verhalen/vrouwengroep-yasmine-ar/",
    "story with updates": "verhalen/zondagvoetbal-om-tien-uur/",
    "all stories": "verhalen/",
    "second page of a list": "verhalen/pagina/2/",
    "neighbourhoods with the map": "buurten/",
    "neighbourhood": "buurten/oude-haven/",
    "theme": "themas/samen-leven/",
    "community": "gemeenschappen/buurtorkest-de-losse-snaar/",
    "withdrawn story": "verhalen/appgroep-kastanjehof/",
    "404": "404.html",
    "sharing page": "deel-je-verhaal/",
}


@pytest.fixture
def serve_site() -> Iterator[Callable[[Path | str], str]]:
    """``serve_site(folder)`` → base URL; every server started this way stops after the test."""
    with ExitStack() as stack:
        yield lambda folder: stack.enter_context(serve_folder(folder))


# Chromium -----------------------------------------------------------------------------------


def require_chromium() -> None:
    """Skip the test when Chromium or Playwright is missing; fail instead when ``CI`` is set."""
    reason = ""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        reason = f"Debian's Chromium is missing ({CHROMIUM}); install it with 'apt-get install chromium'"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "the playwright Python package is missing; install the '[test]' extra"
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run on CI: {reason}", pytrace=False)
        pytest.skip(reason)


def new_context(browser: Any, **options: Any) -> Any:
    """``browser.new_context(**options)`` whose waits all default to :data:`WAIT_MS`."""
    context = browser.new_context(**options)
    context.set_default_timeout(WAIT_MS)
    return context


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium, headless; never a browser that Playwright downloaded."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One Chromium for the whole test session."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


# Visiting a page ----------------------------------------------------------------------------


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def keep_to_origin(context: Any, own: str, requests: list[str] | None = None) -> None:
    """Let the browser ``context`` load from the origin ``own`` only: any other request is aborted,
    so a test never reaches the network. ``requests`` gets the URL of every request, if given."""

    def route(route: Any) -> None:
        if requests is not None:
            requests.append(route.request.url)
        if origin(route.request.url) == own:
            route.continue_()
        else:
            route.abort()

    context.route("**/*", route)


@dataclass
class Visit:
    """What happened while a page was open."""

    url: str
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)  # "alert: 1"
    console: list[str] = field(default_factory=list)  # "error: message"
    errors: list[str] = field(default_factory=list)  # uncaught exceptions in the page
    navigations: list[str] = field(default_factory=list)  # main-frame URLs after the first
    final_url: str = ""
    values: dict[str, Any] = field(default_factory=dict)  # results of ``evaluate``

    def foreign_requests(self) -> list[str]:
        """Requests that left the page's own origin (another host, port or scheme, data: too)."""
        own = origin(self.url)
        return [request for request in self.requests if origin(request) != own]

    def mentions(self, marker: str, *, requests: bool = True) -> list[str]:
        """Every dialog, console message, page error (and request) that mentions ``marker``."""
        marker = marker.lower()
        seen = self.dialogs + self.console + self.errors + (self.requests if requests else [])
        return [entry for entry in seen if marker in entry.lower()]


def visit(
    browser: Any,
    url: str,
    *,
    evaluate: dict[str, str] | None = None,
    interact: Callable[[Any], None] | None = None,
    settle_ms: int = 250,
    network_idle: bool = True,
    timeout_ms: int = WAIT_MS,
) -> Visit:
    """Open ``url`` in a fresh browser context, wait for ``load`` and a quiet network, and record.

    ``network_idle=False`` skips the wait for a quiet network (half a second at least), for
    sweeps over many pages; ``settle_ms`` is the time given to timers and late handlers.

    ``interact(page)`` may then click and type (a Playwright ``Page``); everything it causes is
    recorded too. ``evaluate`` maps names to JavaScript expressions, evaluated in the page last;
    their results land in :attr:`Visit.values`.
    """
    record = Visit(url)
    own = origin(url)
    context = new_context(browser, java_script_enabled=True, service_workers="block")
    try:
        keep_to_origin(context, own)
        page = context.new_page()

        def on_dialog(dialog: Any) -> None:
            record.dialogs.append(f"{dialog.type}: {dialog.message}")
            try:
                dialog.dismiss()
            except Exception:  # noqa: BLE001 - the page may already be gone
                pass

        def on_navigated(frame: Any) -> None:
            if frame == page.main_frame:
                record.navigations.append(frame.url)

        page.on("request", lambda request: record.requests.append(request.url))
        page.on("dialog", on_dialog)
        page.on("console", lambda message: record.console.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: record.errors.append(str(error)))
        page.on("framenavigated", on_navigated)

        page.goto(url, wait_until="load", timeout=timeout_ms)
        if network_idle:
            try:
                page.wait_for_load_state("networkidle", timeout=5_000)
            except Exception:  # noqa: BLE001 - a busy page is still checked, only later
                pass
        page.wait_for_timeout(settle_ms)  # timers, image errors and late handlers get their turn
        if interact is not None:
            interact(page)
            page.wait_for_timeout(settle_ms)
        record.final_url = page.url
        for name, expression in (evaluate or {}).items():
            record.values[name] = page.evaluate(expression)
        # The first navigation is the page itself.
        record.navigations = record.navigations[1:]
    finally:
        context.close()
    return record


__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "Visit",
    "browser",
    "WAIT_MS",
    "launch_chromium",
    "new_context",
    "origin",
    "require_chromium",
    "serve_folder",
    "serve_site",
    "visit",
]
