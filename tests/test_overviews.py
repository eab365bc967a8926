"""Overviews: /themas/ gives each theme's description and story count, and a community's page
says where it is active and since when, all read from its public stories."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aanhetwoord.catalogue import build_catalogue, community_activity
from aanhetwoord.interface_texts import Texts
from aanhetwoord.model import Consent, RegisterEntry, Status, Story, TermKind
from aanhetwoord.registers import Register
from sitefactory import NEIGHBOURHOODS, Site, make_site

THEMES = [
    {"name": "Samen leven", "slug": "samen-leven", "description": "Buren die elkaar leren kennen."},
    {"name": "Sport en bewegen", "slug": "sport-en-bewegen", "description": "Samen in beweging."},
    {"name": "Taal en meedoen", "slug": "taal-en-meedoen", "description": "Nederlands leren & meedoen."},
    {"name": "Eten en delen", "slug": "eten-en-delen"},
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = make_site(tmp_path_factory.mktemp("overviews"), themes=THEMES)
    # Havenkoor: two stories, one of them also in English.
    site.add_story(
        "koor",
        "We zingen.",
        title="Het koor zingt",
        date="2025-03-12",
        community="Havenkoor",
        neighbourhoods=["Oude Haven"],
        themes=["Samen leven"],
    )
    site.add_story(
        "koor-en",
        "We sing.",
        title="The choir sings",
        date="2025-04-02",
        community="Havenkoor",
        neighbourhoods=["Oude Haven"],
        themes=["Samen leven"],
        language="en",
        translation_of="koor",
    )
    site.add_story(
        "koor-op-de-markt",
        "We zingen op de markt.",
        title="Zingen op de markt",
        date="2025-06-01",
        community="Havenkoor",
        neighbourhoods=["Marktkwartier", "Oude Haven"],
        themes=["Taal en meedoen", "Samen leven"],
    )
    # Neither a draft nor a story under embargo counts: they are not public.
    site.add_story(
        "koor-concept",
        title="Concept",
        date="2024-01-05",
        community="Havenkoor",
        neighbourhoods=["Veldrand"],
        themes=["Eten en delen"],
        status="draft",
    )
    site.add_story(
        "koor-later",
        title="Later",
        date="2027-01-05",
        community="Havenkoor",
        neighbourhoods=["Lindehoeve"],
        themes=["Eten en delen"],
    )
    # A community with one story.
    site.add_story(
        "hardlopen",
        "We lopen.",
        title="Hardlopen",
        date="2025-09-20",
        community="Loopgroep Noord",
        neighbourhoods=["Lindehoeve"],
        themes=["Sport en bewegen"],
    )
    site.build(strict=True)
    return site


def overview_items(page: str) -> list[str]:
    start = page.index('<ul class="ahw-overview">')
    return re.findall(r"<li>(.*?)</li>", page[start : page.index("</ul>", start)], re.S)


def test_the_themes_overview_shows_each_themes_description_and_count(built: Site):
    items = overview_items(built.page("themas"))
    assert items == [
        '<a href="samen-leven/"><bdi>Samen leven</bdi></a> '
        '<span class="ahw-overview__count">2 verhalen</span>'
        '<p class="ahw-overview__description">Buren die elkaar leren kennen.</p>',
        '<a href="sport-en-bewegen/"><bdi>Sport en bewegen</bdi></a> '
        '<span class="ahw-overview__count">1 verhaal</span>'
        '<p class="ahw-overview__description">Samen in beweging.</p>',
        '<a href="taal-en-meedoen/"><bdi>Taal en meedoen</bdi></a> '
        '<span class="ahw-overview__count">1 verhaal</span>'
        '<p class="ahw-overview__description">Nederlands leren &amp; meedoen.</p>',
        # No description in the register: none on the page, and no empty paragraph.
        '<a href="eten-en-delen/"><bdi>Eten en delen</bdi></a> '
        '<span class="ahw-overview__count">nog geen verhalen</span>',
    ]


def test_a_community_page_says_since_when_and_where_it_is_active(built: Site):
    page = built.page("gemeenschappen/havenkoor")
    assert (
        '<ul class="ahw-activity">\n'
        "  <li>Vertelt sinds maart 2025</li>\n"
        '  <li>Buurten: <a href="../../buurten/oude-haven/"><bdi>Oude Haven</bdi></a>, '
        '<a href="../../buurten/marktkwartier/"><bdi>Marktkwartier</bdi></a></li>\n'
        '  <li>Thema&#39;s: <a href="../../themas/samen-leven/"><bdi>Samen leven</bdi></a>, '
        '<a href="../../themas/taal-en-meedoen/"><bdi>Taal en meedoen</bdi></a></li>\n'
        "</ul>\n"
    ) in page
    # The translation is the same story: counted once.
    assert '<p class="ahw-count">2 verhalen</p>' in page
    # The links lead to pages that exist.
    for url in (
        "buurten/oude-haven",
        "buurten/marktkwartier",
        "themas/samen-leven",
        "themas/taal-en-meedoen",
    ):
        assert (built.site_dir / url / "index.html").is_file(), url


def test_a_community_with_one_story_names_one_neighbourhood_and_one_theme(built: Site):
    page = built.page("gemeenschappen/loopgroep-noord")
    assert (
        '<ul class="ahw-activity">\n'
        "  <li>Vertelt sinds september 2025</li>\n"
        '  <li>Buurt: <a href="../../buurten/lindehoeve/"><bdi>Lindehoeve</bdi></a></li>\n'
        '  <li>Thema: <a href="../../themas/sport-en-bewegen/"><bdi>Sport en bewegen</bdi></a></li>\n'
        "</ul>\n"
    ) in page
    assert '<p class="ahw-count">1 verhaal</p>' in page


def test_neighbourhood_and_theme_pages_have_no_activity_list(built: Site):
    for url in ("buurten/oude-haven", "themas/samen-leven", "gemeenschappen"):
        assert "ahw-activity" not in built.page(url), url


def test_the_map_list_of_neighbourhoods_stays_without_descriptions(tmp_path: Path):
    square = {
        "type": "Polygon",
        "coordinates": [[[5.0, 52.0], [5.1, 52.0], [5.1, 52.1], [5.0, 52.1], [5.0, 52.0]]],
    }
    neighbourhoods = [
        {**NEIGHBOURHOODS[0], "description": "Aan het water.", "geometry": square},
        {**NEIGHBOURHOODS[1], "description": "Rond de markt."},
    ]
    site = make_site(tmp_path, neighbourhoods=neighbourhoods)
    site.add_story("verhaal")
    site.build(strict=True)
    overview = site.page("buurten")
    assert "ahw-map__svg" in overview
    assert "ahw-overview__description" not in overview
    # The description still opens the neighbourhood's own page.
    assert '<p class="ahw-intro">Aan het water.</p>' in site.page("buurten/oude-haven")


# The activity itself, over many sets of stories ------------------------------------------------

REGISTER_NB = Register(TermKind.NEIGHBOURHOODS)
for slug in ("a", "b", "c"):
    REGISTER_NB.add(RegisterEntry(slug=f"buurt-{slug}", name=f"Buurt {slug.upper()}"))
REGISTER_TH = Register(TermKind.THEMES)
for slug in ("x", "y"):
    REGISTER_TH.add(RegisterEntry(slug=f"thema-{slug}", name=f"Thema {slug.upper()}"))
TODAY = date(2026, 6, 1)

story_specs = st.lists(
    st.tuples(
        st.dates(date(2024, 1, 1), date(2026, 12, 31)),
        st.sampled_from(["Groep", "Ander"]),
        st.sets(st.sampled_from(REGISTER_NB.entries), min_size=1, max_size=3),
        st.sets(st.sampled_from(REGISTER_TH.entries), min_size=1, max_size=2),
        st.booleans(),  # a draft
        st.booleans(),  # a translation of the story before it
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=100, deadline=None)
@given(story_specs)
def test_activity_is_the_oldest_date_and_the_places_of_the_public_stories(specs):
    stories = []
    for index, (day, community, nbs, ths, draft, translates) in enumerate(specs):
        stories.append(
            Story(
                slug=f"s{index}",
                source=Path(f"stories/s{index}/index.md"),
                title=f"s{index}",
                date=day,
                communities=(community,),
                neighbourhoods=tuple(sorted(nbs, key=lambda entry: entry.slug)),
                themes=tuple(sorted(ths, key=lambda entry: entry.slug)),
                body="",
                consent=Consent(date(2024, 1, 1)),
                status=Status.DRAFT if draft else Status.PUBLISHED,
                translation_of=f"s{index - 1}" if translates and index else "",
                language="en" if translates and index else "",
            )
        )
    catalogue = build_catalogue(stories, REGISTER_NB, REGISTER_TH, TODAY)
    public = [story for story in stories if story.status is Status.PUBLISHED and story.date <= TODAY]
    for community in ("Groep", "Ander"):
        own = [story for story in public if community in story.communities]
        term = next((term for term in catalogue.communities if term.name == community), None)
        if not own:
            assert term is None
            continue
        # Its stories and their public translations (which may name another community).
        slugs = {story.slug for story in own}
        versions = [
            story
            for story in public
            if catalogue.group_of[story.slug] in {catalogue.group_of[slug] for slug in slugs}
        ]
        activity = community_activity(catalogue, term)
        assert activity is not None
        assert activity.since == min(story.date for story in versions)
        expected_nb = {entry.slug for story in versions for entry in story.neighbourhoods}
        expected_th = {entry.slug for story in versions for entry in story.themes}
        # In register order.
        assert [t.slug for t in activity.neighbourhoods] == [
            slug for slug in ("buurt-a", "buurt-b", "buurt-c") if slug in expected_nb
        ]
        assert [t.slug for t in activity.themes] == [
            slug for slug in ("thema-x", "thema-y") if slug in expected_th
        ]


def test_the_month_is_written_out_in_the_sites_language():
    assert Texts("nl").month(date(2025, 3, 9)) == "maart 2025"
    assert Texts("nl")("community_since", month="maart 2025") == "Vertelt sinds maart 2025"
    assert Texts("en").month(date(2025, 3, 9)) == "March 2025"
    assert Texts("en")("community_since", month="March 2025") == "Telling stories since March 2025"
