"""Material's requests for a sitemap beside every ``<link rel="alternate">`` are never sent.

Material reads those links as language versions of a whole site: it fetches a ``sitemap.xml``
beside each one and rewrites clicks on links below it. Here they are feeds and story
translations, so the requests would fetch the whole site map (home, lists) or a missing file
(every term page, every translated story), and a click on a translation link would first go to
its address without the final slash. ``aanhetwoord-requests.js`` keeps those requests from being
sent, unless the site turns on instant navigation, which needs its sitemap.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from browser_support import new_context, serve_folder, visit
from sitefactory import Site, demo_theme, make_site

ORIGINAL = "verhalen/klusapp/"
TRANSLATION = "verhalen/klusapp-en/"
# Pages with feed links (home, a list, a neighbourhood) and the two stories with hreflang links.
PAGES = ["", "verhalen/", "buurten/oude-haven/", ORIGINAL, TRANSLATION]


def add_stories(site: Site) -> None:
    site.add_story("klusapp", "In onze straat helpen we elkaar via een app.", title="De klusapp")
    site.add_story(
        "klusapp-en",
        "In our street we help each other through an app.",
        title="The odd-jobs app",
        language="en",
        translation_of="klusapp",
    )


@pytest.fixture(scope="module")
def site_url(tmp_path_factory) -> Iterator[str]:
    site = make_site(tmp_path_factory.mktemp("alternates"))
    add_stories(site)
    site.build(strict=True)
    with serve_folder(site.site_dir) as base:
        yield base


def missing_files(console: list[str]) -> list[str]:
    return [line for line in console if "Failed to load resource" in line]


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("path", PAGES)
def test_no_page_asks_for_a_sitemap_or_a_missing_file(browser, site_url: str, path: str):
    seen = visit(
        browser,
        site_url + path,
        evaluate={"alternates": "document.querySelectorAll('link[rel=alternate]').length"},
    )
    # The check only means something where Material has links to follow.
    assert seen.values["alternates"] >= 1
    assert [request for request in seen.requests if "sitemap" in request] == []
    assert missing_files(seen.console) == [], seen.console
    assert seen.errors == []


@pytest.mark.browser
@pytest.mark.slow
def test_a_click_on_the_translation_link_goes_straight_to_the_translation(browser, site_url: str):
    context = new_context(browser)
    try:
        page = context.new_page()
        page.goto(site_url + ORIGINAL)
        page.wait_for_load_state("networkidle")
        documents: list[str] = []
        page.on(
            "request",
            lambda request: documents.append(request.url) if request.is_navigation_request() else None,
        )
        with page.expect_navigation():
            page.locator(f'article a[href$="{TRANSLATION.split("/")[1]}/"]').first.click()
        assert page.url == site_url + TRANSLATION
        assert documents == [site_url + TRANSLATION]
        assert page.locator("h1").first.inner_text() == "The odd-jobs app"
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_a_site_with_instant_navigation_still_gets_its_sitemap(browser, tmp_path):
    site = make_site(tmp_path)
    add_stories(site)
    site.extra_config["theme"] = demo_theme(features=["navigation.instant"])
    site.build(strict=True)
    with serve_folder(site.site_dir) as base:
        seen = visit(browser, base + "buurten/oude-haven/")
    assert base + "sitemap.xml" in seen.requests
    assert seen.errors == []
