"""Privacy in a real browser: every kind of demo page loads from its own server only, sets no cookie.

It also gets everything it asks for: no request of any page meets a missing file.

Each page is opened in a fresh Chromium context that records every request the page and its
workers make (requests to other hosts are recorded, then aborted, so the test never reaches
the network). The right-to-left story is checked for its language, direction and hreflang links.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from browser_support import DEMO_PAGES, keep_to_origin, new_context, origin

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@dataclass
class Opened:
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # "status url" of answers ≥ 400
    cookies: list[Any] = field(default_factory=list)
    document_cookie: str = ""
    status: int = 0


def open_page(browser: Any, url: str) -> Opened:
    """Open ``url``, scroll through it and use the search box, recording every request."""
    opened = Opened()
    own = origin(url)
    context = new_context(browser, service_workers="block")
    try:
        context.on("request", lambda request: opened.requests.append(request.url))
        context.on(
            "response",
            lambda response: (
                opened.failed.append(f"{response.status} {response.url}")
                if response.status >= 400 and response.url != url
                else None
            ),
        )
        keep_to_origin(context, own)
        page = context.new_page()
        response = page.goto(url, wait_until="load")
        opened.status = response.status if response else 0
        try:
            page.wait_for_load_state("networkidle", timeout=5_000)
        except Exception:  # noqa: BLE001 - a page that stays busy is checked all the same
            pass
        # Lazy images load on scrolling, and the search loads its index on first use.
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        search = page.locator("input.md-search__input")
        if search.count():
            page.keyboard.press("/")
            page.keyboard.type("buurt")
        page.wait_for_timeout(600)
        opened.document_cookie = page.evaluate("document.cookie")
        opened.cookies = context.cookies()
    finally:
        context.close()
    return opened


@pytest.mark.parametrize("kind", DEMO_PAGES)
def test_page_requests_nothing_from_another_host_and_sets_no_cookie(browser, demo_url: str, kind: str):
    opened = open_page(browser, demo_url + DEMO_PAGES[kind])
    assert opened.status == 200
    assert opened.requests, "the page was recorded"
    foreign = [request for request in opened.requests if origin(request) != origin(demo_url)]
    assert foreign == []
    assert opened.failed == []
    assert opened.cookies == []
    assert opened.document_cookie == ""


def test_search_runs_locally(browser, demo_url: str):
    opened = open_page(browser, demo_url)
    assert any(request.endswith("search/search_index.json") for request in opened.requests)


SITE_URL = "https://verhalen.lindewaard.example/"  # the demo's site_url
DUTCH = [
    ["nl", SITE_URL + "verhalen/vrouwengroep-yasmine/"],
    ["x-default", SITE_URL + "verhalen/vrouwengroep-yasmine/"],
]


def test_right_to_left_story_has_its_language_direction_and_links_to_its_original(browser, demo_url: str):
    context = new_context(browser)
    try:
        page = context.new_page()
        page.goto(demo_url + DEMO_PAGES["story in a right-to-left language"])
        story = page.locator(".ahw-story")
        assert story.get_attribute("lang") == "ar"
        assert story.get_attribute("dir") == "rtl"
        alternates = page.eval_on_selector_all(
            "head link[rel=alternate][hreflang]", "links => links.map(l => [l.hreflang, l.href])"
        )
        # Full addresses on the site's own domain, this page included; Dutch for everyone else.
        assert alternates == [["ar", SITE_URL + "verhalen/vrouwengroep-yasmine-ar/"], *DUTCH]
        link = page.locator(".ahw-story__translations a")
        assert link.get_attribute("hreflang") == "nl" and link.inner_text() == "Nederlands"

        page.goto(demo_url + "verhalen/vrouwengroep-yasmine/")
        alternates = page.eval_on_selector_all(
            "head link[rel=alternate][hreflang]", "links => links.map(l => [l.hreflang, l.href])"
        )
        assert alternates == [["ar", SITE_URL + "verhalen/vrouwengroep-yasmine-ar/"], *DUTCH]
        link = page.locator(".ahw-story__translations a")
        assert link.get_attribute("hreflang") == "ar" and link.inner_text() == "Arabisch"
        assert page.locator(".ahw-story").get_attribute("dir") == "ltr"
    finally:
        context.close()


def test_map_areas_are_reached_by_keyboard(browser, demo_url: str):
    context = new_context(browser)
    try:
        page = context.new_page()
        page.goto(demo_url + "buurten/")
        first = page.locator("a.ahw-map__area").first
        first.focus()
        focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
        assert focused == first.get_attribute("aria-label")
        # Tab moves on to the next neighbourhood on the map, Enter follows the link.
        page.keyboard.press("Tab")
        second = page.locator("a.ahw-map__area").nth(1)
        assert page.evaluate("document.activeElement.getAttribute('aria-label')") == second.get_attribute(
            "aria-label"
        )
        href = second.get_attribute("href")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url == demo_url + "buurten/" + href
    finally:
        context.close()
