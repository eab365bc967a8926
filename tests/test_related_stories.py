"""Related stories: the newest of the closest stories, filled up with the newest others."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from aanhetwoord.catalogue import build_catalogue
from aanhetwoord.model import Consent, RegisterEntry, Story
from aanhetwoord.registers import Register
from sitefactory import Site

TODAY = date(2026, 6, 1)


def register(kind: str, *names: str) -> Register:
    result = Register(kind)
    for name in names:
        result.add(RegisterEntry(slug=name.lower(), name=name))
    return result


NEIGHBOURHOODS = register("neighbourhoods", "Noord", "Zuid", "Oost", "West")
THEMES = register("themes", "Sport", "Zorg", "Kunst")


def story(slug: str, day: date, community: str, nb: str, theme: str) -> Story:
    return Story(
        slug=slug,
        source=Path(f"stories/{slug}/index.md"),
        title=slug,
        date=day,
        communities=(community,),
        neighbourhoods=(NEIGHBOURHOODS.find(nb),),
        themes=(THEMES.find(theme),),
        body="",
        consent=Consent(date(2025, 1, 1)),
    )


def related(stories: list[Story], slug: str, **options) -> list[str]:
    catalogue = build_catalogue(stories, NEIGHBOURHOODS, THEMES, TODAY, **options)
    return [other.slug for other in catalogue.related[slug]]


def test_a_story_with_nothing_in_common_gets_the_three_newest_stories():
    lonely = story("alleen", date(2026, 3, 1), "Solo", "West", "Zorg")
    # Nine stories that share nothing with the lonely one, one a week from 2025-01-06 on.
    others = [
        story(f"week-{week}", date(2025, 1, 6) + timedelta(weeks=week), f"Groep {week}", "Noord", "Sport")
        for week in range(9)
    ]
    # Given in a jumbled order: the catalogue sorts them itself.
    jumbled = [others[4], others[8], lonely, others[0], others[6], others[2], others[7], others[1]]
    assert related([*jumbled, others[3], others[5]], "alleen") == ["week-8", "week-7", "week-6"]


def test_among_many_stories_of_the_same_neighbourhood_the_newest_six_are_related():
    me = story("ik", date(2024, 5, 1), "Eigen groep", "Noord", "Kunst")
    # Thirty stories in Noord, each by another group and on another theme than mine.
    neighbours = [
        story(f"noord-{day:02d}", date(2025, 4, day), f"Groep {day}", "Noord", "Sport")
        for day in range(1, 31)
    ]
    assert related([me, *neighbours], "ik") == [
        "noord-30",
        "noord-29",
        "noord-28",
        "noord-27",
        "noord-26",
        "noord-25",
    ]


def test_the_closest_story_comes_first_even_when_it_is_the_oldest():
    me = story("ik", date(2025, 6, 1), "Koor", "Noord", "Kunst")
    oldest_same_community = story("koor-2019", date(2019, 1, 1), "Koor", "West", "Zorg")
    newer = [story(f"noord-{day}", date(2025, 5, day), f"Groep {day}", "Noord", "Sport") for day in (1, 2)]
    assert related([me, oldest_same_community, *newer], "ik") == ["koor-2019", "noord-2", "noord-1"]


def test_related_max_caps_the_list_under_a_story_page(site: Site):
    """related_max: 4 shows four related stories; the default shows six."""
    for number in range(1, 10):
        site.add_story(
            f"verhaal-{number}", title=f"Verhaal {number}", date=f"2025-05-{number:02d}", community="Het Koor"
        )
    site.plugin_options["related_max"] = 4
    site.build(strict=True)

    def related_titles(slug: str) -> list[str]:
        html = site.page(f"verhalen/{slug}")
        section = html.split('class="ahw-related"', 1)[1].split("</section>", 1)[0]
        return re.findall(r"<h3[^>]*>\s*<a[^>]*>([^<]+)</a>", section)

    assert related_titles("verhaal-1") == ["Verhaal 9", "Verhaal 8", "Verhaal 7", "Verhaal 6"]
    del site.plugin_options["related_max"]
    site.build(strict=True)
    assert related_titles("verhaal-1") == [f"Verhaal {n}" for n in (9, 8, 7, 6, 5, 4)]
