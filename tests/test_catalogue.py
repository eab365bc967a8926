"""The catalogue's choices: who is public, the home mix, related stories, communities."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from aanhetwoord.catalogue import build_catalogue, home_mix, paginate
from aanhetwoord.model import Consent, RegisterEntry, Status, Story
from aanhetwoord.registers import Register

TODAY = date(2026, 6, 1)


def register(kind: str, *names: str) -> Register:
    result = Register(kind)
    for name in names:
        result.add(RegisterEntry(slug=name.lower().replace(" ", "-"), name=name))
    return result


NEIGHBOURHOODS = register("neighbourhoods", "Noord", "Zuid", "Oost", "West")
THEMES = register("themes", "Sport", "Zorg", "Kunst")


def story(
    slug: str, day: int, community: str = "Groep", nb: str = "Noord", theme: str = "Sport", **extra
) -> Story:
    return Story(
        slug=slug,
        source=Path(f"stories/{slug}/index.md"),
        title=slug,
        date=date(2026, 1, 1).replace(day=day) if day <= 28 else date(2025, 12, day - 28),
        communities=(community,),
        neighbourhoods=(NEIGHBOURHOODS.find(nb),),
        themes=(THEMES.find(theme),),
        body="",
        consent=Consent(date(2025, 1, 1)),
        **extra,
    )


def catalogue(stories, **options):
    return build_catalogue(stories, NEIGHBOURHOODS, THEMES, TODAY, **options)


def test_drafts_embargoed_and_withdrawn_stories_are_not_public():
    stories = [
        story("open", 5),
        story("concept", 6, status=Status.DRAFT),
        story("later", 7),
        story("weg", 8, status=Status.WITHDRAWN),
    ]
    stories[2].date = date(2026, 12, 1)
    result = catalogue(stories)
    assert [s.slug for s in result.stories] == ["open"]
    assert result.withdrawn == ["weg"]
    assert result.previews == []
    for _, terms in result.indexes():
        for term in terms:
            assert {s.slug for s in term.stories} <= {"open"}


def test_a_preview_keeps_drafts_and_embargoed_stories_apart_from_the_indexes():
    stories = [story("open", 5), story("concept", 6, status=Status.DRAFT)]
    result = catalogue(stories, preview=True)
    assert [s.slug for s in result.previews] == ["concept"]
    assert [s.slug for s in result.term("neighbourhoods", "noord").stories] == ["open"]


def test_community_names_that_differ_in_case_accents_or_spacing_are_one_community():
    stories = [
        story("a", 1, community="Café  De Hoek"),
        story("b", 2, community="cafe de hoek"),
        story("c", 3, community="Café De Hoek"),
    ]
    result = catalogue(stories)
    assert len(result.communities) == 1
    term = result.communities[0]
    assert [s.slug for s in term.stories] == ["c", "b", "a"]
    assert term.slug == "cafe-de-hoek"


def test_community_names_that_differ_only_in_punctuation_are_one_community():
    result = catalogue([story("a", 1, community="De Kapper!"), story("b", 2, community="De Kapper?")])
    assert [(term.slug, len(term.stories)) for term in result.communities] == [("de-kapper", 2)]


def test_every_register_entry_has_a_term_even_without_stories():
    result = catalogue([story("a", 1)])
    assert [term.slug for term in result.neighbourhoods] == ["noord", "zuid", "oost", "west"]
    assert result.term("neighbourhoods", "west").stories == []


def test_home_shows_pinned_stories_first_then_one_story_per_neighbourhood_before_repeats():
    stories = [story(f"noord-{day}", day, nb="Noord") for day in range(10, 20)]
    stories += [
        story("zuid-oud", 2, nb="Zuid"),
        story("oost-oud", 1, nb="Oost"),
        story("vast", 3, nb="West", pinned=True),
    ]
    result = catalogue(stories, home_count=5)
    slugs = [s.slug for s in result.home]
    assert slugs[0] == "vast"
    # Busy Noord may show once, then the quiet neighbourhoods get their turn, then Noord again.
    assert slugs[1:4] == ["noord-19", "zuid-oud", "oost-oud"]
    assert slugs[4] == "noord-18"


def test_home_mix_never_repeats_a_story_and_stops_at_the_count():
    stories = [story(f"s{day}", day, nb="Noord") for day in range(1, 8)]
    chosen = home_mix(sorted(stories, key=lambda s: s.date, reverse=True), 4)
    assert len(chosen) == 4 and len({s.slug for s in chosen}) == 4


def test_related_puts_the_same_community_first_then_neighbourhood_then_theme():
    me = story("me", 10, community="Koor", nb="Noord", theme="Kunst")
    same_community = story("koor-oud", 1, community="Koor", nb="Zuid", theme="Zorg")
    same_neighbourhood = story("noord-nieuw", 20, community="Anders", nb="Noord", theme="Zorg")
    same_theme = story("kunst-nieuw", 25, community="Weer anders", nb="Oost", theme="Kunst")
    unrelated = story("los", 26, community="Los", nb="West", theme="Sport")
    result = catalogue([me, same_community, same_neighbourhood, same_theme, unrelated])
    assert [s.slug for s in result.related["me"]] == ["koor-oud", "noord-nieuw", "kunst-nieuw"]


def test_related_is_filled_up_to_three_with_recent_stories_and_capped_at_six():
    lonely = story("alleen", 1, community="Solo", nb="West", theme="Zorg")
    others = [story(f"o{day}", day, community=f"G{day}", nb="Noord", theme="Sport") for day in range(2, 12)]
    result = catalogue([lonely, *others])
    assert len(result.related["alleen"]) == 3
    assert len(result.related["o5"]) == 6
    assert "o5" not in {s.slug for s in result.related["o5"]}


def test_translations_link_both_ways():
    original = story("origineel", 3)
    translation = story("vertaling", 4, language="en", translation_of="origineel")
    result = catalogue([original, translation])
    assert [s.slug for s in result.translations["origineel"]] == ["vertaling"]
    assert [s.slug for s in result.translations["vertaling"]] == ["origineel"]


def test_pagination_splits_in_pages_and_keeps_one_empty_page():
    assert [len(page) for page in paginate(list(range(25)), 12)] == [12, 12, 1]
    assert paginate([], 12) == [[]]
