"""How the site reads as a municipal story site, in Chromium: story text at a readable measure,
headings in the text colour, cards with their photo and no lone last card, a menu and footer on
every page, and Dutch texts where Material or MkDocs would show English or wrong Dutch."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from browser_support import new_context, serve_folder
from sitefactory import Site, demo_theme, make_site

pytestmark = pytest.mark.browser

LONG_TEXT = " ".join(
    "Op zaterdag komen we samen in het buurthuis aan de Lindelaan en drinken we koffie met elkaar."
    for _ in range(12)
)


def open_page(browser: Any, url: str, width: int = 1280, scheme: str = "light") -> tuple[Any, Any]:
    context = new_context(browser, viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.goto(url)
    return context, page


# One site with stories in many shapes -------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Site:
    site = make_site(tmp_path_factory.mktemp("uiterlijk"))
    site.extra_config["theme"] = demo_theme()
    site.extra_config["nav"] = [
        {"Home": "index.md"},
        {"Verhalen": "verhalen/index.md"},
        {"Buurten": "buurten/index.md"},
        {"Thema's": "themas/index.md"},
        {"Deel je verhaal": "deel-je-verhaal.md"},
        {"Over deze site": "over.md"},
        {"Toegankelijkheid": "toegankelijkheid.md"},
        {"Privacy": "privacy.md"},
    ]
    docs = site.root / "docs"
    for name, title in (
        ("over", "Over deze site"),
        ("privacy", "Privacy"),
        ("toegankelijkheid", "Toegankelijk"),
    ):
        (docs / f"{name}.md").write_text(f"# {title}\n\nTekst.\n", encoding="utf-8")
    folder = site.stories / "met-foto"
    folder.mkdir(parents=True)
    Image.new("RGB", (1200, 800), (180, 90, 30)).save(folder / "koor.jpg", "JPEG")
    site.add_story(
        "met-foto",
        LONG_TEXT,
        title="Het koor zingt in de haven",
        community="Het Havenkoor",
        neighbourhoods=["Veldrand"],
        image={"src": "koor.jpg", "alt": "Het koor op de kade", "credit": "Tekening: Sanne de Vries"},
        date="2025-06-01",
    )
    site.add_story("zonder-foto", LONG_TEXT, title="Koffie in het buurthuis", neighbourhoods=["Veldrand"])
    # 4, 7 and 10 stories in three neighbourhoods.
    for count, neighbourhood in ((4, "Oude Haven"), (7, "Marktkwartier"), (10, "Lindehoeve")):
        for number in range(count):
            site.add_story(
                f"{neighbourhood.lower().replace(' ', '-')}-{number}",
                f"Verhaal {number} uit {neighbourhood}.",
                title=f"Verhaal {number} uit {neighbourhood}",
                neighbourhoods=[neighbourhood],
                date=f"2025-03-{number + 1:02d}",
            )
    site.build(strict=True)
    return site


@pytest.fixture(scope="module")
def base(site: Site):
    with serve_folder(site.site_dir) as url:
        yield url


MEASURE = """() => {
  // Characters per line, counted from the line boxes of the story's longest paragraph.
  const paragraph = document.querySelector(".ahw-story__body p");
  const text = paragraph.firstChild;
  const range = document.createRange();
  const lines = new Map();
  for (let index = 0; index < text.length; index++) {
    range.setStart(text, index);
    range.setEnd(text, index + 1);
    const rect = range.getClientRects()[0];
    if (!rect) continue;
    const top = Math.round(rect.top);
    lines.set(top, (lines.get(top) || 0) + 1);
  }
  return [...lines.values()];
}"""


def test_story_text_has_a_readable_measure_on_a_wide_screen(browser, base: str):
    context, page = open_page(browser, base + "verhalen/zonder-foto/")
    try:
        lines = page.evaluate(MEASURE)
    finally:
        context.close()
    full = lines[:-1]  # the last line of a paragraph is short
    assert len(full) >= 5
    assert max(full) <= 75, lines
    assert min(full) >= 50, lines


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_headings_are_in_the_text_colour(browser, base: str, scheme: str):
    colours = {}
    for path in ("verhalen/zonder-foto/", "", "verhalen/"):
        context, page = open_page(browser, base + path, scheme=scheme)
        try:
            colours[path] = page.evaluate(
                """() => [
                  getComputedStyle(document.querySelector(".md-content h1")).color,
                  getComputedStyle(document.querySelector(".md-content h2")).color,
                  getComputedStyle(document.querySelector(".md-typeset p")).color,
                ]"""
            )
        finally:
            context.close()
    for h1, h2, text in colours.values():
        assert h1 == h2 == text
    expected = "rgba(0, 0, 0, 0.87)" if scheme == "light" else None
    if expected:
        assert colours[""][2] == expected


def test_a_card_shows_the_cover_photo_small_and_lazily(site: Site):
    html = site.page("buurten/veldrand")
    cards = html.split('<article class="ahw-card')[1:]
    photo_card = next(card for card in cards if "Het koor zingt" in card)
    plain_card = next(card for card in cards if "Koffie in het buurthuis" in card)
    assert "<img " in photo_card
    img = photo_card[photo_card.index("<img ") : photo_card.index(">", photo_card.index("<img "))]
    assert 'loading="lazy"' in img
    size = re.search(r'width="(\d+)" height="(\d+)"', img)
    assert size is not None and int(size[1]) * 2 == int(size[2]) * 3  # the photo's 3:2, no layout shift
    assert 'alt=""' in img  # the title beside it says what the card is
    assert "../../verhalen/met-foto/" in img and "-480.jpg 480w" in img
    assert "(min-width: 60em) 20rem" in photo_card
    assert "<img" not in plain_card and "<picture" not in plain_card


ROWS = """() => {
  const grid = document.querySelector(".md-content .ahw-cards");
  const width = grid.getBoundingClientRect().width;
  const rows = new Map();
  for (const card of grid.querySelectorAll(":scope > .ahw-card")) {
    const rect = card.getBoundingClientRect();
    const top = Math.round(rect.top);
    rows.set(top, [...(rows.get(top) || []), rect.width]);
  }
  return {width, rows: [...rows.values()]};
}"""


@pytest.mark.parametrize(
    ("neighbourhood", "count"), [("oude-haven", 4), ("marktkwartier", 7), ("lindehoeve", 10)]
)
def test_no_lone_last_card_on_a_wide_screen(browser, base: str, neighbourhood: str, count: int):
    context, page = open_page(browser, base + f"buurten/{neighbourhood}/")
    try:
        found = page.evaluate(ROWS)
    finally:
        context.close()
    rows = found["rows"]
    assert sum(len(row) for row in rows) == count
    assert len(rows[0]) == 3  # three columns at 1280 px
    last = rows[-1]
    # One card alone in the last row takes the whole row.
    assert len(last) == 1 and last[0] == pytest.approx(found["width"], abs=1)
    for row in rows[:-1]:
        assert len(row) == 3


def test_a_photo_credit_that_names_its_kind_is_not_labelled_twice(site: Site):
    html = site.page("verhalen/met-foto")
    assert "<figcaption><bdi>Tekening: Sanne de Vries</bdi></figcaption>" in html
    assert "Foto: Tekening" not in html


# Menu and footer ---------------------------------------------------------------------------------

FOOTER = [
    ("Deel je verhaal", "deel-je-verhaal/"),
    ("Over deze site", "over/"),
    ("Privacy", "privacy/"),
    ("Toegankelijkheid", "toegankelijkheid/"),
    ("Contact", "over/"),
]
PAGE_KINDS = [
    "",
    "verhalen/met-foto/",
    "verhalen/",
    "verhalen/pagina/2/",
    "buurten/",
    "buurten/veldrand/",
    "over/",
]


def footer_links(page: Any) -> list[tuple[str, str]]:
    return page.evaluate(
        """() => [...document.querySelectorAll("footer .ahw-footer-links a")].map(
             (a) => [a.textContent.trim(), new URL(a.href).pathname])"""
    )


@pytest.mark.parametrize("path", PAGE_KINDS)
def test_every_page_has_the_footer_links(browser, base: str, path: str):
    context, page = open_page(browser, base + path, width=390)
    try:
        assert footer_links(page) == [[label, "/" + url] for label, url in FOOTER]
        assert page.locator("footer .ahw-footer-links").is_visible()
        assert "Gemaakt met" in page.locator("footer").inner_text()
    finally:
        context.close()


def test_the_home_page_has_a_menu_on_a_wide_screen_and_a_phone(browser, base: str):
    context, page = open_page(browser, base, width=1280)
    try:
        tabs = page.locator(".md-tabs")
        assert tabs.is_visible()
        for label in ("Verhalen", "Buurten", "Deel je verhaal"):
            assert page.locator(".md-tabs__link", has_text=label).first.is_visible()
    finally:
        context.close()
    context, page = open_page(browser, base, width=390)
    try:
        button = page.locator("label.md-header__button[for='__drawer']")
        assert button.is_visible()
        button.click()
        link = page.locator(".md-sidebar--primary .md-nav__link", has_text="Deel je verhaal").first
        link.wait_for(state="visible")
        assert link.is_visible()
    finally:
        context.close()


def test_the_generator_credit_can_be_turned_off(tmp_path: Path):
    site = make_site(tmp_path)
    site.add_story("een-verhaal")
    site.plugin_options["generator_credit"] = False
    site.plugin_options["contact_url"] = "mailto:verhalen@gemeente.example"
    site.build(strict=True)
    for path in ("", "verhalen/een-verhaal", "verhalen"):
        html = site.page(path) if path else (site.site_dir / "index.html").read_text(encoding="utf-8")
        assert "Gemaakt met" not in html and "squidfunk" not in html
        # The fixture site has no about, privacy or accessibility page: those links are left out.
        assert '<a href="mailto:verhalen@gemeente.example">Contact</a>' in html
        assert ">Privacy</a>" not in html and ">Over deze site</a>" not in html
        assert 'deel-je-verhaal/">Deel je verhaal</a>' in html


# Texts -------------------------------------------------------------------------------------------


def test_search_counts_results_in_plain_dutch(browser, base: str):
    context, page = open_page(browser, base + "verhalen/")
    try:
        page.keyboard.press("/")  # Material's key for the search
        page.keyboard.type("zingt", delay=20)
        page.wait_for_selector(".md-search-result__item")
        meta = page.locator(".md-search-result__meta")
        assert meta.inner_text() == "1 resultaat gevonden"
        page.keyboard.press("Backspace")
        page.keyboard.type("qqqq", delay=20)
        meta.filter(has_text="Geen").wait_for()
        assert meta.inner_text() == "Geen resultaten gevonden"
        assert "overeenkomend" not in page.content()
    finally:
        context.close()


@pytest.fixture(scope="module")
def nginx_base(site: Site, tmp_path_factory):
    from nginx_support import NGINX, run_nginx, write_nginx_conf

    if NGINX is None:
        pytest.skip("nginx is missing")
    work = tmp_path_factory.mktemp("nginx")
    site_conf = work / "site.conf"

    def configure(port: int) -> Path:
        result = site.cli(
            "nginx", "--http", "--listen", f"127.0.0.1:{port}", "--root", str(site.site_dir),
            "--server-name", "127.0.0.1", "--output", str(site_conf), config=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        return write_nginx_conf(work, site_conf)

    with run_nginx(NGINX, work, configure) as url:
        yield url


def test_an_unknown_address_gets_a_dutch_page_with_search_and_the_way_on(browser, nginx_base: str):
    context = new_context(browser, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        response = page.goto(nginx_base + "verhalen/bestaat-niet/")
        assert response.status == 404
        assert page.locator(".md-content h1").inner_text() == "Deze pagina bestaat niet"
        assert "Not found" not in page.content()
        links = page.evaluate(
            """() => [...document.querySelectorAll(".md-content li a")].map(
                 (a) => [a.textContent.trim(), new URL(a.href).pathname])"""
        )
        assert ["Home", "/"] in links and ["Verhalen", "/verhalen/"] in links
        assert ["Thema's", "/themas/"] in links  # MkDocs escapes menu titles once, not twice
        assert footer_links(page) == [[label, "/" + url] for label, url in FOOTER]
        # The search field takes the visitor to the site's search, with the words filled in.
        field = page.get_by_label("Zoek een verhaal")
        field.fill("zingt")
        field.press("Enter")
        page.locator(".md-search-result__meta", has_text="1 resultaat gevonden").wait_for()
        assert page.locator(".md-search-result__list a", has_text="Het koor zingt in de haven").count() == 1
    finally:
        context.close()
