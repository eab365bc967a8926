"""The municipality's house style: logo, favicon and colours from the plugin's settings, on the
site and on the web form, and colours that would make text hard to read refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aanhetwoord import brand
from browser_support import new_context, serve_folder
from intakekit import get, make_repo, running_service
from sitefactory import Site, demo_theme, make_site

LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40" width="120" height="40">'
    '<rect width="120" height="40" fill="#ffffff"/></svg>'
)
FAVICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16"/></svg>'
STYLE = {
    "logo": "assets/gemeente-logo.svg",
    "favicon": "assets/gemeente-icoon.svg",
    "color_primary": "#7a1f3d",
    "color_accent": "#8a4b00",
    "color_text": "#202a44",
}


def add_house_files(site: Site) -> None:
    assets = site.root / "docs" / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    (assets / "gemeente-logo.svg").write_text(LOGO, encoding="utf-8")
    (assets / "gemeente-icoon.svg").write_text(FAVICON, encoding="utf-8")


# Contrast ------------------------------------------------------------------------------------


def test_contrast_follows_wcag():
    black, white = (0, 0, 0), (255, 255, 255)
    assert brand.contrast(black, white) == pytest.approx(21.0)
    assert brand.contrast(white, white) == pytest.approx(1.0)
    # Known values: #777777 on white just fails AA, #767676 just passes.
    assert brand.contrast(brand.parse_colour("#777777"), white) == pytest.approx(4.48, abs=0.01)
    assert brand.contrast(brand.parse_colour("#767676"), white) == pytest.approx(4.54, abs=0.01)
    assert brand.parse_colour("#FfF") == white
    assert brand.parse_colour("2d6a3e") == (45, 106, 62)
    for wrong in ("groen", "#12345", "#gggggg", "rgb(1,2,3)", ""):
        assert brand.parse_colour(wrong) is None


rgb = st.tuples(*(st.integers(0, 255),) * 3)


@settings(max_examples=200, deadline=None)
@given(rgb, rgb)
def test_contrast_is_symmetric_and_bounded(a, b):
    ratio = brand.contrast(a, b)
    assert ratio == pytest.approx(brand.contrast(b, a))
    assert 1.0 - 1e-9 <= ratio <= 21.0 + 1e-9


@settings(max_examples=150, deadline=None)
@given(rgb, rgb, rgb)
def test_the_stylesheet_only_holds_readable_colours(primary, accent, text):
    style = brand.Brand(
        primary=brand.hex_colour(primary), accent=brand.hex_colour(accent), text=brand.hex_colour(text)
    )
    css = brand.stylesheet(style)
    found = brand.problems(style, None, "mkdocs.yml", {})
    for key, colour in (("color_primary", primary), ("color_accent", accent), ("color_text", text)):
        readable = brand.contrast(colour, (255, 255, 255)) >= 4.5
        # Refused exactly when the contrast is too low, and then never in the stylesheet.
        assert any(problem.field == key for problem in found) is not readable
        assert (
            (brand.hex_colour(colour) in css) is readable
            or not readable
            and brand.hex_colour(colour) not in css
        )
    # Dark mode: links are lightened until they read on Material's dark background.
    if brand.contrast(primary, (255, 255, 255)) >= 4.5:
        dark = brand.readable_on(primary, brand.SLATE)
        assert brand.contrast(dark, brand.SLATE) >= 4.5
        assert f"--md-typeset-a-color: {brand.hex_colour(dark)};" in css


# The site --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def styled(tmp_path_factory) -> Site:
    site = make_site(tmp_path_factory.mktemp("huisstijl"))
    add_house_files(site)
    site.plugin_options.update(STYLE)
    site.extra_config["theme"] = demo_theme()
    site.add_story("een-verhaal", "Een verhaal met [een link](https://example.org/) erin.")
    site.build(strict=True)
    return site


def test_logo_and_favicon_come_from_the_settings(styled: Site):
    page = styled.page("verhalen/een-verhaal")
    assert '<link rel="icon" href="../../assets/gemeente-icoon.svg">' in page
    assert '<img src="../../assets/gemeente-logo.svg" alt="">' in page
    assert "material/library" not in page and "favicon.png" not in page
    assert (styled.site_dir / "assets" / "gemeente-logo.svg").read_text(encoding="utf-8") == LOGO


def computed(browser: Any, url: str, scheme: str = "light") -> dict[str, str]:
    context = new_context(browser, color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(url)
        return page.evaluate(
            """() => {
              const colour = (selector) => getComputedStyle(document.querySelector(selector)).color;
              const ground = (selector) => getComputedStyle(document.querySelector(selector)).backgroundColor;
              return {
                header: ground(".md-header"),
                headerText: colour(".md-header__title"),
                link: colour(".ahw-story__body a"),
                text: colour(".ahw-story__body p"),
                heading: colour(".ahw-story h1"),
                logo: document.querySelector(".md-header .md-logo img").naturalWidth,
              };
            }"""
        )
    finally:
        context.close()


@pytest.mark.browser
def test_colours_on_the_page_come_from_the_settings(styled: Site, browser):
    with serve_folder(styled.site_dir) as base:
        light = computed(browser, base + "verhalen/een-verhaal/")
        dark = computed(browser, base + "verhalen/een-verhaal/", "dark")
    assert light["header"] == "rgb(122, 31, 61)"  # #7a1f3d
    assert light["headerText"] == "rgb(255, 255, 255)"
    assert light["link"] == "rgb(122, 31, 61)"
    assert light["text"] == "rgb(32, 42, 68)"  # #202a44
    assert light["logo"] == 120
    # Dark mode keeps the header's colour, and lightens links until they read on the dark page.
    assert dark["header"] == "rgb(122, 31, 61)"
    lightened = brand.readable_on((122, 31, 61), brand.SLATE)
    assert dark["link"] == "rgb({}, {}, {})".format(*lightened)
    assert dark["text"] != light["text"]


def config_line(site: Site, key: str) -> int:
    lines = (site.root / "mkdocs.yml").read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if line.strip().startswith(f"{key}:"))


def test_unreadable_colours_are_refused_by_check_and_build(tmp_path: Path):
    site = make_site(tmp_path)
    site.add_story("een-verhaal")
    site.plugin_options.update(
        {"color_text": "#999999", "color_primary": "#2d6a3e", "color_accent": "oranje"}
    )
    result = site.cli("check")
    assert result.returncode == 1
    text_line, accent_line = config_line(site, "color_text"), config_line(site, "color_accent")
    assert (
        f"mkdocs.yml:{text_line}: color_text: de kleur #999999 is niet goed te lezen: tekst in deze "
        "kleur op wit heeft een contrast van 2,84:1. Dat moet minstens 4,5:1 zijn (WCAG). "
        "Kies een donkerdere kleur."
    ) in result.stdout
    assert f"mkdocs.yml:{accent_line}: color_accent: 'oranje' is geen kleurcode." in result.stdout
    assert "color_primary" not in result.stdout  # 6,48:1 passes
    build = site.build(check=False)
    assert build.returncode != 0
    assert "color_text: de kleur #999999 is niet goed te lezen" in build.stderr + build.stdout
    assert not (site.site_dir / "index.html").exists()


def test_a_missing_logo_is_named(tmp_path: Path):
    site = make_site(tmp_path)
    site.add_story("een-verhaal")
    site.plugin_options.update({"logo": "assets/weg.svg", "favicon": "../mkdocs.yml"})
    result = site.cli("check")
    assert result.returncode == 1
    assert "logo: het bestand 'assets/weg.svg' staat niet in de map docs/." in result.stdout
    assert "favicon: '../mkdocs.yml' is geen afbeelding." in result.stdout
    build = site.build(check=False)
    assert build.returncode != 0 and "assets/weg.svg" in build.stderr + build.stdout


# The web form ------------------------------------------------------------------------------------


def test_the_form_shows_the_logo_favicon_and_colours(tmp_path: Path):
    repo = tmp_path / "repo"
    repo.mkdir()
    site = make_site(repo)
    add_house_files(site)
    site.plugin_options.update(STYLE)
    make_repo(repo)
    site.write_config()
    with running_service(repo, tmp_path / "data") as service:
        form = get(service.base)
        css = get(service.base + "stijl.css")
        logo = get(service.base + "logo")
        icon = get(service.base + "favicon")
    assert form.status == 200
    assert '<img class="logo" src="/logo" alt="">' in form.text
    assert '<link rel="icon" href="/favicon">' in form.text
    assert "Testgemeente" in form.text
    assert css.status == 200
    assert css.text.rstrip().endswith(
        ":root { --accent: #7a1f3d; --link: #7a1f3d; --link-hover: #8a4b00; --tekst: #202a44; }"
    )
    assert (logo.status, logo.headers["content-type"], logo.text) == (200, "image/svg+xml", LOGO)
    assert icon.status == 200 and icon.text == FAVICON
