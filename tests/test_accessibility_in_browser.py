"""Accessibility in a real browser: axe-core over every kind of demo page, light and dark, and the keyboard.

axe-core comes from the ``axe-playwright-python`` package, which ships ``axe.min.js``; it is
injected into each page, so nothing is downloaded while the tests run.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Iterator
from typing import Any

import pytest

from browser_support import DEMO_PAGES, new_context, serve_folder
from sitefactory import demo_theme, make_site

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Every kind of demo page, and the page of a neighbourhood without recent stories.
PAGES = {**DEMO_PAGES, "quiet neighbourhood": "buurten/spoorzicht/"}


def axe_source() -> str:
    try:
        return (importlib.resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")
    except ModuleNotFoundError:
        pytest.skip("axe-playwright-python is missing; install the '[test]' extra")


def violations(browser: Any, url: str, scheme: str) -> list[str]:
    """axe-core's WCAG 2.1 A and AA violations on ``url``, one line per rule with its first nodes."""
    context = new_context(browser, color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(url, wait_until="load")
        # Material picks its palette from prefers-color-scheme; make sure the right one is on.
        expected = "slate" if scheme == "dark" else "default"
        assert page.evaluate("document.body.dataset.mdColorScheme") == expected
        page.add_script_tag(content=axe_source())
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA
        )
    finally:
        context.close()
    return [
        f"{rule['id']} ({rule['impact']}): {[node['target'] for node in rule['nodes'][:3]]} "
        f"{rule['nodes'][0]['failureSummary']}"
        for rule in result["violations"]
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", PAGES)
def test_no_wcag_21_aa_violations(browser, demo_url: str, kind: str, scheme: str):
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
def test_no_wcag_21_aa_violations_on_the_communities_by_letter(
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
