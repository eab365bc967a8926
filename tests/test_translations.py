"""A story and its translations are one story: listed, counted and related once, linked to each
other with "Ook in het …", and named at their full addresses in ``hreflang`` links."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aanhetwoord.catalogue import build_catalogue
from aanhetwoord.model import Consent, RegisterEntry, Story, TermKind
from aanhetwoord.registers import Register
from sitefactory import Site, make_site

TODAY = date(2026, 6, 1)
NEIGHBOURHOODS = Register("neighbourhoods")
NEIGHBOURHOODS.add(RegisterEntry(slug="noord", name="Noord"))
NEIGHBOURHOODS.add(RegisterEntry(slug="zuid", name="Zuid"))
THEMES = Register("themes")
THEMES.add(RegisterEntry(slug="sport", name="Sport"))


def story(slug: str, day: int, nb: str = "noord", community: str = "Groep", **extra) -> Story:
    return Story(
        slug=slug,
        source=Path(f"stories/{slug}/index.md"),
        title=slug,
        date=date(2026, 1, day),
        communities=(community,),
        neighbourhoods=(NEIGHBOURHOODS.find(nb),),
        themes=(THEMES.find("sport"),),
        body="",
        consent=Consent(date(2025, 1, 1)),
        **extra,
    )


def catalogue(stories: list[Story]):
    return build_catalogue(stories, NEIGHBOURHOODS, THEMES, TODAY, related_min=3, related_max=6)


def slugs(stories: list[Story]) -> list[str]:
    return [s.slug for s in stories]


def test_a_story_and_its_translations_are_one_story_in_lists_and_counts():
    stories = [
        story("koor", 3),
        story("koor-ar", 9, language="ar", translation_of="koor"),
        story("koor-en", 5, language="en", translation_of="koor"),
        story("markt", 4),
    ]
    result = catalogue(stories)
    # Every version keeps its own page.
    assert slugs(result.stories) == ["koor-ar", "koor-en", "markt", "koor"]
    # Lists show the original, at its own date.
    assert slugs(result.listed) == ["markt", "koor"]
    assert slugs(result.home) == ["markt", "koor"]
    for _, terms in result.indexes():
        for term in terms:
            if term.slug in ("noord", "sport", "groep"):
                assert slugs(term.stories) == ["markt", "koor"], term.slug
    # All versions link to each other: the original first, then by language.
    assert slugs(result.translations["koor-ar"]) == ["koor", "koor-en"]
    assert slugs(result.translations["koor-en"]) == ["koor", "koor-ar"]
    assert slugs(result.translations["koor"]) == ["koor-ar", "koor-en"]
    assert "markt" not in result.translations


def test_related_stories_leave_out_the_storys_own_translations():
    stories = [
        story("koor", 3),
        story("koor-ar", 9, language="ar", translation_of="koor"),
        story("markt", 4),
        story("zwemmen", 6, nb="zuid", community="Anders"),
    ]
    result = catalogue(stories)
    assert slugs(result.related["koor-ar"]) == ["markt", "zwemmen"]
    assert slugs(result.related["koor"]) == ["markt", "zwemmen"]
    # Another story is offered the group once.
    assert slugs(result.related["markt"]) == ["koor", "zwemmen"]


def test_a_translation_whose_original_is_not_public_stands_on_its_own():
    stories = [story("koor-ar", 9, language="ar", translation_of="koor"), story("markt", 4)]
    stories.append(story("koor", 3))
    stories[-1].date = date(2026, 12, 1)  # under embargo
    result = catalogue(stories)
    assert slugs(result.listed) == ["koor-ar", "markt"]
    assert "koor-ar" not in result.translations


def test_a_translation_only_in_another_neighbourhood_is_listed_there():
    stories = [story("koor", 3), story("koor-ar", 9, nb="zuid", language="ar", translation_of="koor")]
    result = catalogue(stories)
    assert slugs(result.term(TermKind.NEIGHBOURHOODS, "noord").stories) == ["koor"]
    assert slugs(result.term(TermKind.NEIGHBOURHOODS, "zuid").stories) == ["koor-ar"]
    assert slugs(result.listed) == ["koor"]


# Any mix of translation groups: each story points at another (any, even a later one or itself)
# or at none; chains and circles included.
@st.composite
def translated_stories(draw) -> list[Story]:
    count = draw(st.integers(min_value=1, max_value=12))
    names = [f"s{i}" for i in range(count)]
    made = []
    for i, name in enumerate(names):
        target = draw(st.one_of(st.just(""), st.sampled_from(names)))
        made.append(
            story(
                name,
                draw(st.integers(min_value=1, max_value=28)),
                nb=draw(st.sampled_from(["noord", "zuid"])),
                community=draw(st.sampled_from(["Groep", "Koor"])),
                translation_of=target,
                language=draw(st.sampled_from(["", "ar", "en"])),
            )
        )
        assert made[i].slug == name
    return made


def groups_of(stories: list[Story]) -> list[set[str]]:
    """The translation groups, worked out the slow way: connected parts of the links."""
    links = {s.slug: set() for s in stories}
    for s in stories:
        if s.translation_of in links:
            links[s.slug].add(s.translation_of)
            links[s.translation_of].add(s.slug)
    seen: set[str] = set()
    groups = []
    for s in stories:
        if s.slug in seen:
            continue
        group, todo = set(), [s.slug]
        while todo:
            slug = todo.pop()
            if slug not in group:
                group.add(slug)
                todo.extend(links[slug])
        seen |= group
        groups.append(group)
    return groups


@settings(max_examples=150, deadline=None)
@given(translated_stories())
def test_any_mix_of_translation_groups_counts_each_group_once(stories):
    result = catalogue(stories)
    groups = groups_of(stories)
    group_of = {slug: frozenset(group) for group in groups for slug in group}
    assert len(result.stories) == len(stories)
    # Listed once per group, newest first.
    listed_groups = [group_of[s.slug] for s in result.listed]
    assert sorted(map(sorted, listed_groups)) == sorted(map(sorted, groups))
    assert [(s.date, s.slug) for s in result.listed] == sorted(
        ((s.date, s.slug) for s in result.listed), reverse=True
    )
    # Every index: each group that has a version there, once.
    for _, terms in result.indexes():
        for term in terms:
            in_term = {
                s.slug for s in stories if term.slug in {e.slug for e in (*s.neighbourhoods, *s.themes)}
            }
            in_term |= {s.slug for s in stories if term.kind == "communities" and term.name in s.communities}
            expected = {group_of[slug] for slug in in_term}
            shown = [group_of[s.slug] for s in term.stories]
            assert len(shown) == len(set(shown)) == len(expected)
            assert set(shown) == expected
    # Every version links to exactly the other versions of its group.
    for s in stories:
        others = set(slugs(result.translations.get(s.slug, [])))
        assert others == group_of[s.slug] - {s.slug}
        # Related stories never offer the story's own group, nor a group twice.
        related = [group_of[r.slug] for r in result.related[s.slug]]
        assert group_of[s.slug] not in related
        assert len(related) == len(set(related))


# The built site.


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = make_site(tmp_path_factory.mktemp("translations"))
    site.add_story(
        "koor",
        "Wij zingen.",
        title="Het koor zingt",
        date="2025-03-14",
        community="Havenkoor",
        themes=["Taal en meedoen"],
    )
    site.add_story(
        "koor-ar",
        "نحن نغني.",
        title="الجوقة تغني",
        date="2025-03-20",
        community="Havenkoor",
        themes=["Taal en meedoen"],
        language="ar",
        translation_of="koor",
        storytellers=["رانيا"],
        recorded_by="Amal",
    )
    site.add_story("markt", "Op de markt.", title="Markt", date="2025-02-01", themes=["Taal en meedoen"])
    # A story told only in Arabic, by a community with an Arabic name.
    site.add_story(
        "les-ar",
        "نتعلم معًا.",
        title="درس الخياطة",
        summary="نتعلم الخياطة معًا.",
        date="2025-01-10",
        community="مجموعة ياسمين",
        language="ar",
    )
    site.build(strict=True)
    return site


def card_links(page: str) -> list[str]:
    return re.findall(r'class="ahw-card__title"[^>]*><a href="[./]*verhalen/([^/"]+)/"', page)


def test_built_pages_count_and_list_a_translated_story_once(built: Site):
    community = built.page("gemeenschappen/havenkoor")
    assert '<p class="ahw-count">1 verhaal</p>' in community
    assert card_links(community) == ["koor"]
    theme = built.page("themas/taal-en-meedoen")
    assert '<p class="ahw-count">2 verhalen</p>' in theme
    assert card_links(theme) == ["koor", "markt"]
    assert card_links(built.page("verhalen")) == ["koor", "markt", "les-ar"]
    overview = built.page("gemeenschappen")
    assert '<bdi>Havenkoor</bdi></a> <span class="ahw-overview__count">1 verhaal</span>' in overview
    # "Meer verhalen" on either version offers the other story, never the translation.
    for slug in ("koor", "koor-ar"):
        page = built.page(f"verhalen/{slug}")
        related = page[page.index('<section class="ahw-related"') :]
        assert card_links(related) == ["markt", "les-ar"], slug


def test_a_card_isolates_names_and_gives_a_story_in_another_language_its_own_direction(built: Site):
    page = built.page("verhalen")
    card = page[page.rindex('<article class="ahw-card">', 0, page.index("درس الخياطة")) :]
    card = card[: card.index("</article>")]
    assert '<p class="ahw-card__speaker"><bdi>مجموعة ياسمين</bdi></p>' in card
    assert '<h2 class="ahw-card__title" lang="ar" dir="auto">' in card
    assert '<p class="ahw-card__summary" lang="ar" dir="auto">نتعلم الخياطة معًا.</p>' in card
    # The date and neighbourhood are the site's words, in the site's language.
    assert (
        '<p class="ahw-card__meta"><time datetime="2025-01-10">10 januari 2025</time> · Oude Haven</p>'
        in card
    )


def test_each_version_says_in_which_other_languages_it_can_be_read(built: Site):
    dutch = built.page("verhalen/koor")
    assert re.search(r'Ook in het\s*<a href="../koor-ar/" hreflang="ar">Arabisch</a></p>', dutch)
    arabic = built.page("verhalen/koor-ar")
    assert re.search(r'Ook in het\s*<a href="../koor/" hreflang="nl">Nederlands</a></p>', arabic)


def test_hreflang_links_are_absolute_and_name_the_page_itself(built: Site):
    expected = [
        ("ar", "https://verhalen.example.org/verhalen/koor-ar/"),
        ("nl", "https://verhalen.example.org/verhalen/koor/"),
        ("x-default", "https://verhalen.example.org/verhalen/koor/"),
    ]
    for slug in ("koor", "koor-ar"):
        links = re.findall(
            r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', built.page(f"verhalen/{slug}")
        )
        assert links == expected, slug
    assert 'hreflang="' not in built.page("verhalen/markt").split("</head>")[0]


def test_a_story_in_another_language_is_that_languages_page(built: Site):
    page = built.page("verhalen/koor-ar")
    assert '<html lang="ar" dir="rtl" class="no-js">' in page
    # The menu, header and footer around it stay Dutch.
    assert re.search(r'<body lang="nl" dir="rtl"', page)
    assert "<title>الجوقة تغني - Testgemeente</title>" in page
    dutch = built.page("verhalen/koor")
    assert '<html lang="nl" class="no-js">' in dutch and re.search(r'<body dir="ltr"', dutch)


def test_dutch_labels_in_a_right_to_left_story_are_marked_dutch(built: Site):
    page = built.page("verhalen/koor-ar")
    story = page[page.index('<div class="ahw-story"') : page.index('<div class="ahw-story__body">')]
    assert story.startswith('<div class="ahw-story" lang="ar" dir="rtl">')
    marked = ' lang="nl" dir="ltr">'
    assert (
        f'<p class="ahw-story__speaker"{marked}<span class="ahw-story__speaker-label">Aan het woord:</span>'
        in story
    )
    assert '<a href="../../gemeenschappen/havenkoor/"><bdi>Havenkoor</bdi></a>' in story
    assert f'<p class="ahw-story__byline"{marked}' in story
    assert "Verteld door <bdi>رانيا</bdi>. Opgetekend door <bdi>Amal</bdi>." in story
    assert f'<dl class="ahw-story__facts"{marked}' in story
    assert '<time datetime="2025-03-20">20 maart 2025</time>' in story
    assert f'<p class="ahw-story__translations"{marked}' in story
    assert f'<section class="ahw-related" aria-labelledby="ahw-related"{marked}' in page
    # A Dutch story needs no marks.
    assert ' lang="nl" dir="ltr"' not in built.page("verhalen/koor")


def test_the_story_is_not_an_article_inside_the_themes_article(built: Site):
    for slug in ("koor", "koor-ar"):
        page = built.page(f"verhalen/{slug}")
        content = page[page.index('<article class="md-content__inner') : page.rindex("</article>")]
        assert content.count("<h1") == 1, slug
        # Only the cards of "Meer verhalen" are articles within the theme's article.
        assert content.count("<article") == 1 + content.count('<article class="ahw-card'), slug
