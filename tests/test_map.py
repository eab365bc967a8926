"""The neighbourhood map on /buurten/: inline SVG from the register's GeoJSON, links and counts."""

from __future__ import annotations

import math
import re
from html.parser import HTMLParser

import pytest

from aanhetwoord import maps, pipeline
from aanhetwoord.catalogue import Term
from aanhetwoord.config_file import load_settings
from aanhetwoord.model import PageKind, RegisterEntry, TermKind
from sitefactory import NEIGHBOURHOODS as REGISTER
from sitefactory import Site, demo_settings

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[5.0, 52.0], [5.01, 52.0], [5.01, 52.01], [5.0, 52.01], [5.0, 52.0]]],
}


def term(slug: str, geometry: object, stories: int = 0) -> Term:
    entry = RegisterEntry(slug=slug, name=slug.title(), geometry=geometry)  # type: ignore[arg-type]
    return Term(TermKind.NEIGHBOURHOODS, slug, entry.name, entry, stories=[object()] * stories)  # type: ignore[list-item]


def points(path: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(r"(-?[\d.]+),(-?[\d.]+)", path)]


class MapLinks(HTMLParser):
    """The map's links: href, aria-label, class and the <title> inside each."""

    def __init__(self) -> None:
        super().__init__()
        self.areas: list[dict[str, str]] = []
        self.in_svg = False
        self.in_title = False
        self.in_text = False  # the number shown on an area
        self.list_links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "svg" and "ahw-map__svg" in values.get("class", ""):
            self.in_svg = True
        elif tag == "a" and self.in_svg:
            self.areas.append({**values, "title": ""})
        elif tag == "a" and "href" in values:
            self.list_links.append(values["href"])
        elif tag == "title" and self.in_svg:
            self.in_title = True
        elif tag == "text" and self.in_svg and self.areas:
            self.in_text = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self.in_svg = False
        elif tag == "title":
            self.in_title = False
        elif tag == "text":
            self.in_text = False

    def handle_data(self, data: str) -> None:
        if self.in_title and self.areas:
            self.areas[-1]["title"] += data
        elif self.in_text and self.areas:
            self.areas[-1]["shown"] = self.areas[-1].get("shown", "") + data


def map_links(html: str) -> MapLinks:
    parser = MapLinks()
    parser.feed(html)
    return parser


# Projection -------------------------------------------------------------------------------


def test_a_square_of_degrees_is_narrower_than_tall_at_dutch_latitudes():
    drawn = maps.draw([term("a", SQUARE)])
    assert drawn is not None and drawn.width == maps.WIDTH
    xs, ys = zip(*points(drawn.shapes[0].path), strict=True)
    width, height = max(xs) - min(xs), max(ys) - min(ys)
    assert width / height == pytest.approx(math.cos(math.radians(52.005)), rel=0.01)
    # Fitted inside the viewBox with its padding, north up.
    assert min(ys) == pytest.approx(maps.PADDING) and max(ys) == pytest.approx(drawn.height - maps.PADDING)
    assert drawn.view_box == f"0 0 600 {drawn.height:.1f}".rstrip("0").rstrip(".")


def test_multipolygons_and_holes_become_one_path_with_several_rings():
    outer = [[5.0, 52.0], [5.02, 52.0], [5.02, 52.02], [5.0, 52.02], [5.0, 52.0]]
    hole = [[5.005, 52.005], [5.015, 52.005], [5.015, 52.015], [5.005, 52.015], [5.005, 52.005]]
    island = [[5.03, 52.0], [5.04, 52.0], [5.04, 52.01], [5.03, 52.0]]
    geometry = {"type": "MultiPolygon", "coordinates": [[outer, hole], [island]]}
    drawn = maps.draw([term("a", geometry)])
    assert drawn is not None
    path = drawn.shapes[0].path
    assert path.count("M") == 3 and path.count("Z") == 3
    assert len(points(path)) == 4 + 4 + 3  # the closing point of each ring is left to "Z"


# A U open to the north: the middle of its box lies in the gap between the arms.
U_SHAPE = {
    "type": "Polygon",
    "coordinates": [
        [[5.0, 52.0], [5.03, 52.0], [5.03, 52.03], [5.02, 52.03], [5.02, 52.01], [5.01, 52.01],
         [5.01, 52.03], [5.0, 52.03], [5.0, 52.0]]
    ],
}  # fmt: skip


def inside(point: tuple[float, float], ring: list[tuple[float, float]]) -> bool:
    """Even-odd rule: does a ray to the right of ``point`` cross the ring an odd number of times?"""
    x, y = point
    crossings = 0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            crossings += 1
    return crossings % 2 == 1


def test_the_number_sits_inside_its_area_even_when_the_middle_of_the_box_does_not():
    drawn = maps.draw([term("a", U_SHAPE)])
    assert drawn is not None
    ring = points(drawn.shapes[0].path)
    xs, ys = zip(*ring, strict=True)
    middle = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    assert not inside(middle, ring)  # the naive spot would be outside, in the gap
    assert inside(drawn.shapes[0].label, ring)


def test_the_number_of_a_multipolygon_sits_in_its_largest_part():
    small = [[5.05, 52.0], [5.051, 52.0], [5.051, 52.001], [5.05, 52.0]]
    large = [[5.0, 52.0], [5.02, 52.0], [5.02, 52.02], [5.0, 52.02], [5.0, 52.0]]
    drawn = maps.draw([term("a", {"type": "MultiPolygon", "coordinates": [[small], [large]]})])
    assert drawn is not None
    x, _ = drawn.shapes[0].label
    large_xs = [px for px, _ in points(drawn.shapes[0].path)[3:]]
    assert min(large_xs) < x < max(large_xs)


def test_a_self_crossing_outline_still_gets_its_number_within_its_box():
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[5.0, 52.0], [5.02, 52.02], [5.02, 52.0], [5.0, 52.02], [5.0, 52.0]]],
    }
    drawn = maps.draw([term("a", bowtie)])
    assert drawn is not None
    xs, ys = zip(*points(drawn.shapes[0].path), strict=True)
    x, y = drawn.shapes[0].label
    assert min(xs) <= x <= max(xs) and min(ys) <= y <= max(ys)


def test_areas_are_numbered_in_the_order_given():
    drawn = maps.draw([term("b", SQUARE), term("zonder", None), term("a", U_SHAPE)])
    assert drawn is not None
    assert [(shape.term.slug, shape.number) for shape in drawn.shapes] == [("b", 1), ("a", 2)]
    assert drawn.numbers == {"b": 1, "a": 2}


@pytest.mark.parametrize(
    "geometry",
    [
        None,
        {"type": "Point", "coordinates": [5.0, 52.0]},
        {"type": "Polygon", "coordinates": "nonsense"},
        {"type": "Polygon", "coordinates": [[[5.0, 52.0], [5.1, 52.0]]]},
        {"type": "Polygon", "coordinates": [[[5.0, 52.0], [5.1, "x"], [5.1, 52.1], [5.0, 52.0]]]},
        {"type": "Polygon", "coordinates": [[[500.0, 52.0], [5.1, 52.0], [5.1, 52.1], [500.0, 52.0]]]},
    ],
)
def test_neighbourhoods_without_usable_geometry_are_left_off(geometry):
    drawn = maps.draw([term("goed", SQUARE), term("zonder", geometry)])
    assert drawn is not None
    assert [shape.term.slug for shape in drawn.shapes] == ["goed"]
    assert maps.draw([term("zonder", geometry)]) is None


# On the site ------------------------------------------------------------------------------


def test_overview_without_any_geometry_has_no_map(site: Site):
    site.add_story("een")
    site.build(strict=True)
    html = site.page("buurten")
    assert "ahw-map" not in html
    assert 'href="oude-haven/"' in html


def test_map_on_a_built_site_links_every_neighbourhood_with_geometry(tmp_path):
    from sitefactory import make_site

    register = [dict(entry) for entry in REGISTER]
    register[0]["geometry"] = SQUARE
    register[1]["geometry"] = {
        "type": "MultiPolygon",
        "coordinates": [[[[5.01, 52.0], [5.02, 52.0], [5.02, 52.01], [5.01, 52.01], [5.01, 52.0]]]],
    }
    site = make_site(tmp_path, neighbourhoods=register)
    site.add_story("een", neighbourhoods=["Oude Haven"])
    site.add_story("twee", neighbourhoods=["Oude Haven"])
    site.add_story("weg", neighbourhoods=["Marktkwartier"], status="withdrawn")
    site.build(strict=True)
    html = site.page("buurten")
    found = map_links(html)
    assert [(area["href"], area["aria-label"], area["title"]) for area in found.areas] == [
        ("oude-haven/", "1. Oude Haven: 2 verhalen", "1. Oude Haven: 2 verhalen"),
        ("marktkwartier/", "2. Marktkwartier: nog geen verhalen", "2. Marktkwartier: nog geen verhalen"),
    ]
    assert "ahw-map__area--quiet" not in found.areas[0]["class"]
    assert "ahw-map__area--quiet" in found.areas[1]["class"]
    # The list beside the map still names every neighbourhood, also those not on the map.
    for entry in REGISTER:
        assert f"{entry['slug']}/" in found.list_links
    assert html.index("ahw-map__svg") < html.index('class="ahw-overview"')


def test_demo_map_matches_the_catalogue():
    site = pipeline.build(demo_settings())
    page = next(page for page in site.pages() if page.kind == PageKind.OVERVIEW and page.url == "buurten/")
    found = map_links(page.content)
    t = site.renderer.t
    drawn = [term for term in site.catalogue.neighbourhoods if maps.outlines(term.entry.geometry)]
    expected = [
        (f"{term.slug}/", f"{number}. {term.name}: {t.count(len(term.stories))}", not term.stories)
        for number, term in enumerate(drawn, start=1)
    ]
    assert len(expected) >= 10
    assert [
        (area["href"], area["aria-label"], "ahw-map__area--quiet" in area["class"]) for area in found.areas
    ] == expected
    assert all(area["title"] == area["aria-label"] for area in found.areas)
    assert any(quiet for *_, quiet in expected), "the demo shows a quiet neighbourhood"
    # Public stories only: the counts match the catalogue, which leaves hidden stories out.
    public = {story.slug for story in site.catalogue.stories}
    for term_ in site.catalogue.neighbourhoods:
        assert {story.slug for story in term_.stories} <= public


def test_the_accessible_name_of_each_area_on_the_demo_map_starts_with_its_visible_number():
    """WCAG 2.5.3 (label in name): who says "click 4" to speech control must reach area 4."""
    site = pipeline.build(demo_settings())
    page = next(page for page in site.pages() if page.kind == PageKind.OVERVIEW and page.url == "buurten/")
    areas = map_links(page.content).areas
    assert len(areas) >= 10
    assert [area["shown"] for area in areas] == [str(number) for number in range(1, len(areas) + 1)]
    for area in areas:
        assert area["aria-label"].startswith(f"{area['shown']}. "), area


def test_each_number_on_the_demo_map_stands_before_the_same_neighbourhood_in_the_list():
    site = pipeline.build(demo_settings())
    page = next(page for page in site.pages() if page.kind == PageKind.OVERVIEW and page.url == "buurten/")
    on_map = re.findall(
        r'<a class="ahw-map__area[^"]*" href="([^"]+)".*?<text [^>]*>(\d+)</text>', page.content, re.S
    )
    in_list = re.findall(
        r'<span class="ahw-overview__number" aria-hidden="true">(\d+)</span> <a href="([^"]+)"', page.content
    )
    assert len(on_map) >= 10
    assert [(href, number) for href, number in on_map] == [(href, number) for number, href in in_list]
    # Read down the list, the numbers count up.
    assert [int(number) for number, _ in in_list] == list(range(1, len(in_list) + 1))


def test_numbers_follow_the_list_when_the_register_mixes_areas(tmp_path):
    from sitefactory import make_site

    by_name = {entry["name"]: dict(entry) for entry in REGISTER}
    register = [by_name["Lindehoeve"], by_name["Oude Haven"], by_name["Veldrand"], by_name["Marktkwartier"]]
    del register[3]["area"]  # listed last, under "other"
    for offset, entry in enumerate(register):
        lon = 5.0 + offset / 100
        entry["geometry"] = {
            "type": "Polygon",
            "coordinates": [
                [[lon, 52.0], [lon + 0.01, 52.0], [lon + 0.01, 52.01], [lon, 52.01], [lon, 52.0]]
            ],
        }
    site = make_site(tmp_path, neighbourhoods=register)
    site.add_story("een")
    built = pipeline.build(load_settings(site.write_config()))
    page = next(page for page in built.pages() if page.kind == PageKind.OVERVIEW and page.url == "buurten/")
    in_list = re.findall(
        r'<span class="ahw-overview__number" aria-hidden="true">(\d+)</span> <a href="([^"]+)"', page.content
    )
    assert in_list == [
        ("1", "lindehoeve/"),
        ("2", "veldrand/"),
        ("3", "oude-haven/"),
        ("4", "marktkwartier/"),
    ]
