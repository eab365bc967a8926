"""A long list of communities gets a heading per letter and a row of letters to jump to."""

from __future__ import annotations

import re

import pytest

from aanhetwoord import pipeline
from aanhetwoord.config_file import load_settings
from aanhetwoord.model import PageKind
from sitefactory import Site

SPECIAL = ["'t Hofje", "3D-printers Veldrand", "Élan Dansgroep", "مجموعة الخياطة", "IJsbaanploeg"]


def communities_page(site: Site) -> str:
    built = pipeline.build(load_settings(site.write_config()))
    return next(
        page for page in built.pages() if page.kind == PageKind.OVERVIEW and page.url == "gemeenschappen/"
    ).content


def add_communities(site: Site, names: list[str]) -> None:
    for number, name in enumerate(names):
        site.add_story(f"verhaal-{number}", community=name, title=f"Verhaal {number}")


def filler(count: int) -> list[str]:
    """Plain names under a spread of letters: Aardappelclub 0, Bakkers 1, …"""
    words = ["Aardappelclub", "Bakkers", "Koor", "Moestuin", "Schakers", "Zwemmers"]
    return [f"{words[number % len(words)]} {number}" for number in range(count)]


def sections(html: str) -> dict[str, list[str]]:
    """Each letter heading (by its text) with the community names listed under it."""
    found: dict[str, list[str]] = {}
    for heading, body in re.findall(
        r'<h2 id="[^"]+">([^<]+)</h2>\s*<ul class="ahw-overview">(.*?)</ul>', html, re.S
    ):
        found[heading] = re.findall(r'<a href="[^"]+"><bdi>([^<]+)</bdi></a>', body)
    return found


def test_a_long_list_is_grouped_by_letter_with_a_row_of_letters_to_jump_to(site: Site):
    add_communities(site, SPECIAL + filler(40))
    html = communities_page(site)
    letters = re.findall(
        r'<a href="#([^"]+)">([^<]+)</a>', html.split('class="ahw-letters"', 1)[1].split("</nav>", 1)[0]
    )
    found = sections(html)
    # Digits first, then A–Z, then names in other scripts.
    assert [label for _, label in letters] == [
        "0–9",
        "A",
        "B",
        "E",
        "I",
        "K",
        "M",
        "S",
        "T",
        "Z",
        "Andere tekens",
    ]
    assert list(found) == [label for _, label in letters]
    for anchor, label in letters:
        assert f'<h2 id="{anchor}">{label}</h2>' in html
    assert found["T"] == ["&#39;t Hofje"]  # leading punctuation is skipped
    assert found["E"] == ["Élan Dansgroep"]  # accents are dropped
    assert found["I"] == ["IJsbaanploeg"]
    assert found["0–9"] == ["3D-printers Veldrand"]
    assert found["Andere tekens"] == ["مجموعة الخياطة"]
    # Every community is listed once, each in alphabetical order under its letter.
    listed = [name for names in found.values() for name in names]
    assert len(listed) == len(set(listed)) == len(SPECIAL) + 40
    for names in found.values():
        assert names == sorted(names, key=str.casefold)


@pytest.mark.parametrize("count", [1, 40])
def test_a_list_of_up_to_forty_communities_stays_one_list(site: Site, count: int):
    add_communities(site, filler(count))
    html = communities_page(site)
    assert "ahw-letters" not in html and "<h2" not in html
    assert len(re.findall(r'<li><a href="', html)) == count


def test_forty_one_communities_get_letter_headings(site: Site):
    add_communities(site, filler(41))
    html = communities_page(site)
    assert 'class="ahw-letters"' in html
    # filler() names start with A, B, K, M, S and Z.
    assert list(sections(html)) == ["A", "B", "K", "M", "S", "Z"]
    assert sum(len(names) for names in sections(html).values()) == 41
