"""Printed stories: libraries and exhibitions put them on paper.

Chromium emulates print media on demo story pages, in the light and the dark colour scheme, and
checks what a reader of the sheet gets: the story alone, black on white, the community and the
date on top, the photo at a sensible size with its caption, the addresses of outside links
written out, the site's name and the story's address on the sheet. ``page.pdf()`` prints for
real, and a short story fits on one or two pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image

from browser_support import new_context, serve_folder
from sitefactory import Site, make_site

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WITH_PHOTO = "verhalen/bewoners-runnen-de-ijsbaan/"  # cover photo, caption, updates, related stories
SHORT = "verhalen/hondenuitlaters-havenpark/"  # the demo's shortest story
SITE_NAME = "Aan het woord – Lindewaard"
SITE_URL = "https://verhalen.lindewaard.example/"
CM = 96 / 2.54  # CSS pixels per centimetre
# What a screen needs and paper does not.
SCREEN_ONLY = {
    "header": ".md-header",
    "search": ".md-search",
    "navigation": ".md-sidebar--primary",
    "footer": ".md-footer",
    "related stories": ".ahw-related",
}


@pytest.fixture
def page(browser) -> Iterator[Any]:
    context = new_context(browser, viewport={"width": 1000, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


def shown(page: Any, selector: str) -> bool:
    locator = page.locator(selector)
    return any(locator.nth(number).is_visible() for number in range(locator.count()))


def style(page: Any, selector: str, prop: str, pseudo: str | None = None) -> str:
    return page.eval_on_selector(
        selector,
        "(el, [prop, pseudo]) => getComputedStyle(el, pseudo).getPropertyValue(prop)",
        [prop, pseudo],
    )


def pdf_pages(pdf: bytes) -> int:
    """Pages in a PDF from Chromium: one ``/Type /Page`` object per page."""
    assert pdf.startswith(b"%PDF-")
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_printed_story_is_the_story_alone_in_black_on_white(page: Any, demo_url: str, scheme: str):
    page.emulate_media(color_scheme=scheme)
    page.goto(demo_url + WITH_PHOTO, wait_until="load")
    # On screen the furniture is there and the source line is not.
    for name, selector in SCREEN_ONLY.items():
        if name != "navigation":  # Material folds the navigation away on narrower screens
            assert shown(page, selector), f"{name} is shown on screen"
    assert not shown(page, ".ahw-print-source")

    page.emulate_media(media="print", color_scheme=scheme)
    for name, selector in SCREEN_ONLY.items():
        assert page.locator(selector).count(), f"the page has a {name}"
        assert not shown(page, selector), f"{name} is printed"
    assert page.locator(".ahw-story h1").is_visible()
    assert page.locator(".ahw-story__body p").first.is_visible()
    assert page.locator(".ahw-story__updates").is_visible()
    for selector in ("body", ".md-typeset .ahw-story__body p", ".ahw-story h1", ".ahw-story__speaker"):
        assert style(page, selector, "color") == "rgb(0, 0, 0)", selector
    assert style(page, "body", "background-color") == "rgb(255, 255, 255)"


def test_the_community_date_site_and_address_are_on_the_sheet(page: Any, demo_url: str):
    page.goto(demo_url + WITH_PHOTO, wait_until="load")
    page.emulate_media(media="print")
    speaker = page.locator(".ahw-story__speaker")
    assert speaker.is_visible() and "IJsbaanploeg Marktplein" in speaker.inner_text()
    assert page.locator(".ahw-story__facts time").first.is_visible()
    assert page.locator(".ahw-story__facts time").first.inner_text() == "18 januari 2026"
    # Prominent: the community in larger type than the story's text, above the title.
    body_size = float(style(page, ".ahw-story__body p", "font-size").removesuffix("px"))
    assert float(style(page, ".ahw-story__speaker", "font-size").removesuffix("px")) > body_size
    assert speaker.bounding_box()["y"] < page.locator(".ahw-story h1").bounding_box()["y"]
    source = page.locator(".ahw-print-source")
    assert source.is_visible()
    assert source.inner_text() == f"{SITE_NAME} · {SITE_URL}{WITH_PHOTO}"
    assert source.bounding_box()["y"] <= speaker.bounding_box()["y"]


def test_the_photo_keeps_a_sensible_size_and_its_caption_on_one_page(page: Any, demo_url: str):
    page.goto(demo_url + WITH_PHOTO, wait_until="load")
    page.emulate_media(media="print")
    cover = page.locator(".ahw-story__cover img")
    assert cover.is_visible()
    box = cover.bounding_box()
    assert 6 * CM <= box["width"] <= 14 * CM + 1, box
    assert box["height"] <= 10 * CM + 1, box
    caption = page.locator(".ahw-story__cover figcaption")
    assert caption.is_visible() and "redactie Aan het woord" in caption.inner_text()
    assert style(page, ".ahw-story__cover", "break-inside") == "avoid"
    assert style(page, ".ahw-story__body h2", "break-after") == "avoid"


def test_a_short_story_prints_on_one_or_two_pages(page: Any, demo_url: str):
    page.goto(demo_url + SHORT, wait_until="load")
    assert 1 <= pdf_pages(page.pdf(format="A4")) <= 2
    page.goto(demo_url + WITH_PHOTO, wait_until="load")
    # A long story with its photo and two updates: a few pages, not a dozen.
    assert 2 <= pdf_pages(page.pdf(format="A4")) <= 4


# Links on paper -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def linked_url(tmp_path_factory) -> Iterator[str]:
    site: Site = make_site(tmp_path_factory.mktemp("print-links"))
    folder = site.stories / "met-links"
    folder.mkdir(parents=True)
    Image.new("RGB", (900, 1400), (40, 120, 90)).save(folder / "staand.jpg", "JPEG")
    site.add_story(
        "met-links",
        "Kijk op [onze website](https://buurtkoor.example.org/rooster) of mail "
        "[de secretaris](mailto:secretaris@buurtkoor.example.org). "
        "Lees ook [het andere verhaal](../ander-verhaal/).\n\n![Het koor op een rij](staand.jpg)",
        title="Een verhaal met links",
        image={"src": "staand.jpg", "alt": "Het koor", "credit": "Buurtkoor"},
    )
    site.add_story("ander-verhaal", title="Een ander verhaal")
    site.build(strict=True)
    with serve_folder(site.site_dir) as base:
        yield base


def test_outside_links_show_their_address_on_paper_and_inside_links_do_not(page: Any, linked_url: str):
    page.goto(linked_url + "verhalen/met-links/", wait_until="load")
    outside = '.ahw-story__body a[href^="https:"]'
    assert style(page, outside, "content", "::after") in ("none", "normal")  # not on screen
    page.emulate_media(media="print")
    # Chromium resolves attr(href): the sheet reads "onze website (https://…)".
    assert style(page, outside, "content", "::after") == '" (https://buurtkoor.example.org/rooster)"'
    mail = style(page, '.ahw-story__body a[href^="mailto:"]', "content", "::after")
    assert mail == '" (mailto:secretaris@buurtkoor.example.org)"'
    for inside in ('.ahw-story__body a[href^="../"]', ".ahw-story__speaker a", ".ahw-story__facts a"):
        assert style(page, inside, "content", "::after") in ("none", "normal"), inside


def test_a_portrait_photo_is_not_taller_than_ten_centimetres(page: Any, linked_url: str):
    page.goto(linked_url + "verhalen/met-links/", wait_until="load")
    page.emulate_media(media="print")
    for selector in (".ahw-story__cover img", ".ahw-story__body img"):
        image = page.locator(selector).first
        image.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
        box = image.bounding_box()
        assert box["height"] <= 10 * CM + 1, (selector, box)
        # The proportions stay: 900 × 1400.
        assert abs(box["width"] / box["height"] - 900 / 1400) < 0.02, (selector, box)
