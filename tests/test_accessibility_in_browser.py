"""Accessibility in a real browser: axe-core over every kind of demo page and the web form, light
and dark, up to WCAG 2.2 AA; the keyboard; and no sideways scrolling from 320 px up.

axe-core is npm's current ``axe-core``, which ``tests/run.sh`` installs into ``.venv/npm``; on a
developer's machine without it, the older copy that ``axe-playwright-python`` ships stands in
(on CI, where ``CI`` is set, that fails instead). It is injected into each page, so nothing is
downloaded while the tests run.
"""

from __future__ import annotations

import functools
import importlib.resources
import os
from collections.abc import Iterator
from typing import Any

import pytest

from browser_support import DEMO_PAGES, new_context, require_chromium, serve_folder
from intakekit import make_repo, running_service
from sitefactory import ROOT, demo_theme, make_site

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_FROM_NPM = ROOT / ".venv" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
AXE_AT_LEAST = (4, 14)

# Every kind of demo page, the overviews, and the page of a neighbourhood without recent stories.
PAGES = {
    **DEMO_PAGES,
    "themes": "themas/",
    "communities": "gemeenschappen/",
    "quiet neighbourhood": "buurten/spoorzicht/",
}


@functools.cache
def axe_source() -> str:
    if AXE_FROM_NPM.is_file():
        return AXE_FROM_NPM.read_text(encoding="utf-8")
    if os.environ.get("CI"):
        pytest.fail(
            f"current axe-core is missing on CI ({AXE_FROM_NPM}); tests/run.sh installs it", pytrace=False
        )
    try:
        return (importlib.resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")
    except ModuleNotFoundError:
        pytest.skip("axe-core is missing; run 'sh tests/run.sh' or install the '[test]' extra")


def test_axe_is_current():
    first = axe_source().split("\n", 1)[0]
    assert first.startswith("/*! axe v"), first
    version = tuple(int(part) for part in first.removeprefix("/*! axe v").split(".")[:2])
    if AXE_FROM_NPM.is_file() or os.environ.get("CI"):
        assert version >= AXE_AT_LEAST, first


def violations(browser: Any, url: str, scheme: str, *, material: bool = True) -> list[str]:
    """axe-core's WCAG 2.2 A and AA violations on ``url``, one line per rule with its first nodes."""
    # The form's Content-Security-Policy would block axe's script; the pages themselves are unchanged.
    context = new_context(browser, color_scheme=scheme, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(url, wait_until="load")
        if material:
            # Material picks its palette from prefers-color-scheme; make sure the right one is on.
            expected = "slate" if scheme == "dark" else "default"
            assert page.evaluate("document.body.dataset.mdColorScheme") == expected
        return page_violations(page)
    finally:
        context.close()


def page_violations(page: Any) -> list[str]:
    """axe-core's WCAG 2.2 A and AA violations on the open ``page``, one line per rule."""
    page.add_script_tag(content=axe_source())
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA)
    return [
        f"{rule['id']} ({rule['impact']}): {[node['target'] for node in rule['nodes'][:3]]} "
        f"{rule['nodes'][0]['failureSummary']}"
        for rule in result["violations"]
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", PAGES)
def test_no_wcag_22_aa_violations(browser, demo_url: str, kind: str, scheme: str):
    assert violations(browser, demo_url + PAGES[kind], scheme) == []


def tab_to(page: Any, selector: str, limit: int = 200) -> str:
    """Press Tab until the focused element matches ``selector``; returns its href."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return page.evaluate("document.activeElement.getAttribute('href')")
    raise AssertionError(f"Tab never reached {selector}")


def test_keyboard_reaches_a_story_from_home_and_its_neighbourhood_from_the_story(browser, demo_url: str):
    context = new_context(browser)
    try:
        page = context.new_page()
        page.goto(demo_url)
        tab_to(page, ".ahw-card__title a")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "/verhalen/" in page.url
        assert page.locator(".ahw-story").count() == 1
        tab_to(page, ".ahw-story__facts a[href*='buurten/']")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "/buurten/" in page.url
        assert page.locator(".ahw-eyebrow").inner_text().startswith("Buurt")
    finally:
        context.close()


@pytest.fixture(scope="module")
def many_communities_url(tmp_path_factory) -> Iterator[str]:
    """A site with more communities than fit one plain list: the overview groups them by letter."""
    site = make_site(tmp_path_factory.mktemp("letters"))
    site.extra_config["theme"] = demo_theme()  # with its light and dark colour schemes
    names = ["'t Hofje", "3D-printers", "مجموعة الخياطة"] + [
        f"Groep {chr(65 + n % 26)}{n}" for n in range(40)
    ]
    for number, name in enumerate(names):
        site.add_story(f"verhaal-{number}", community=name, title=f"Verhaal {number}")
    site.build(strict=True)
    with serve_folder(site.site_dir) as base:
        yield base


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_wcag_22_aa_violations_on_the_communities_by_letter(
    browser, many_communities_url: str, scheme: str
):
    url = many_communities_url + "gemeenschappen/"
    assert violations(browser, url, scheme) == []


def test_a_letter_takes_the_keyboard_to_its_heading(browser, many_communities_url: str):
    context = new_context(browser)
    try:
        page = context.new_page()
        page.goto(many_communities_url + "gemeenschappen/")
        target = tab_to(page, ".ahw-letters a[href='#letter-t']")
        page.keyboard.press("Enter")
        # The jump happens after the key press returns: wait for it rather than look at once.
        page.wait_for_function("hash => location.hash === hash", arg=target)
        heading = page.locator("#letter-t")
        assert heading.inner_text() == "T"
        # The heading comes on screen, below Material's fixed header, not under it.
        page.wait_for_function(
            """() => {
                const top = document.querySelector('#letter-t').getBoundingClientRect().top;
                const below = document.querySelector('.md-header').getBoundingClientRect().bottom;
                return below <= top && top < window.innerHeight;
            }"""
        )
        assert page.url.endswith(target)
    finally:
        context.close()


def test_the_map_links_say_the_number_they_show(browser, demo_url: str):
    """WCAG 2.5.3, label in name: axe's rule (not run by default) over the links of the map."""
    context = new_context(browser)
    try:
        page = context.new_page()
        page.goto(demo_url + "buurten/", wait_until="load")
        page.add_script_tag(content=axe_source())
        result = page.evaluate(
            "rule => axe.run('.ahw-map__svg', {runOnly: {type: 'rule', values: [rule]}})",
            "label-content-name-mismatch",
        )
        names = page.eval_on_selector_all(
            "a.ahw-map__area",
            "areas => areas.map(a => [a.querySelector('text').textContent.trim(), a.ariaLabel])",
        )
    finally:
        context.close()
    assert result["violations"] == []
    assert [rule["id"] for rule in result["passes"]] == ["label-content-name-mismatch"]
    assert len(names) >= 10
    for shown, name in names:
        assert shown.isdigit() and name.startswith(f"{shown}. "), (shown, name)


# The web form ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def form_url(tmp_path_factory) -> Iterator[str]:
    """The intake form, as ``aanhetwoord intake`` serves it."""
    require_chromium()
    root = tmp_path_factory.mktemp("intake-axe")
    make_repo(root / "repo")
    with running_service(root / "repo", root / "data", min_seconds=0) as running:
        yield running.base


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_wcag_22_aa_violations_on_the_form(browser, form_url: str, scheme: str):
    assert violations(browser, form_url, scheme, material=False) == []


# No sideways scrolling ---------------------------------------------------------------------------

WIDTHS = [320, 390, 1280]  # the narrowest phone WCAG 1.4.10 names, a common phone, a laptop
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter(el => getComputedStyle(el).position !== 'fixed')
    .filter(el => { const box = el.getBoundingClientRect(); return box.right > width + 1 || box.left < -1; })
    .filter(el => !el.closest('[hidden], .md-sidebar, .md-search, .md-tabs'))
    .map(el => el.tagName.toLowerCase() + (el.className && typeof el.className === 'string'
      ? '.' + el.className.trim().split(/\\s+/).join('.') : ''));
  return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5)};
}"""


def overflow(browser: Any, url: str, width: int) -> dict:
    context = new_context(browser, viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        page.goto(url, wait_until="load")
        return page.evaluate(OVERFLOW)
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", ["home", "story with photo", "story in a right-to-left language", "theme"])
def test_no_sideways_scrolling_on_the_site(browser, demo_url: str, kind: str, width: int):
    found = overflow(browser, demo_url + PAGES[kind], width)
    assert found["scroll"] <= found["width"], found


@pytest.mark.parametrize("width", WIDTHS)
def test_no_sideways_scrolling_on_the_form(browser, form_url: str, width: int):
    found = overflow(browser, form_url, width)
    assert found["scroll"] <= found["width"], found
