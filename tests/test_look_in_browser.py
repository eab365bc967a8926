"""How the site reads as a municipal story site, in Chromium: story text at a readable measure,
headings in the text colour, cards with their photo and no lone last card, a menu and footer on
every page, and Dutch texts where Material or MkDocs would show English or wrong Dutch."""

from __future__ import annotations

import re
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
