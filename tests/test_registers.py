"""Registers: the staff's lists of neighbourhoods and themes, read from real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from aanhetwoord import pipeline
from aanhetwoord.config_file import load_settings
from aanhetwoord.registers import load_register
from sitefactory import make_site


def register_from(tmp_path: Path, text: str, kind: str = "neighbourhoods"):
    path = tmp_path / "register.yml"
    path.write_text(text, encoding="utf-8")
    return load_register(kind, path, "register.yml")


def test_every_name_slug_and_alias_finds_its_entry(tmp_path):
    register, problems = register_from(
        tmp_path, "- name: Oude Haven\n  aliases: [Haven, De Haven]\n- name: Marktkwartier\n  slug: markt\n"
    )
    assert problems == []
    for written in ("Oude Haven", "oude-haven", "Haven", "de haven", " DE  HAVEN "):
        assert register.find(written).slug == "oude-haven", written
    for written in ("Marktkwartier", "markt", "MARKT"):
        assert register.find(written).slug == "markt", written
    assert register.find("marktkwartier-noord") is None


def test_an_entry_with_accents_is_found_without_them_and_the_other_way_round(tmp_path):
    text = "- name: Café de Kroon\n- name: Ijsselkade\n  aliases: IJssel-kade\n"
    register, problems = register_from(tmp_path, text)
    assert problems == []
    assert register.find("cafe de kroon").name == "Café de Kroon"
    assert register.find("CAFÉ DE KROON").name == "Café de Kroon"
    assert register.find("cafe-de-kroon").name == "Café de Kroon"
    assert register.find("café-de-kroon").name == "Café de Kroon"
    assert register.find("ijssel-kade").name == "Ijsselkade"


def test_an_entry_without_a_slug_gets_one_from_its_name(tmp_path):
    register, _ = register_from(tmp_path, "- name: 'Sport & Bewegen!'\n", kind="themes")
    assert [entry.slug for entry in register.entries] == ["sport-bewegen"]


def test_a_suggestion_names_the_entry_even_when_the_alias_is_closest(tmp_path):
    register, _ = register_from(tmp_path, "- name: Oude Haven\n  aliases: [Havenkwartier]\n")
    assert register.suggest("Havenkwartir") == "Oude Haven"
    assert register.suggest("Zeedijk") is None


def test_broken_entries_are_reported_on_their_line_and_left_out(tmp_path):
    text = (
        "- name: Oude Haven\n"  # 1
        "  aliases: [Haven]\n"  # 2
        "- slug: zonder-naam\n"  # 3
        "- name: Tweede Haven\n"  # 4
        "  slug: oude-haven\n"  # 5
        "- name: Kade\n"  # 6
        "  aliases: [haven]\n"  # 7
        "- name: Rare Slug\n"  # 8
        "  slug: Rare Slug\n"  # 9
        "- gewoon tekst\n"  # 10
        "- name: Veld\n"  # 11
        "  geometry: [1, 2]\n"  # 12
    )
    register, problems = register_from(tmp_path, text)
    assert [problem.format() for problem in problems] == [
        "register.yml:3: name: een naam is verplicht",
        "register.yml:4: slug: 'oude-haven' staat al eerder in dit register",
        "register.yml:6: aliases: 'haven' hoort al bij een ander item in dit register",
        "register.yml:8: slug: 'Rare Slug' is geen geldige slug (alleen a-z, 0-9 en '-')",
        "register.yml:10: elk item heeft velden, zoals 'name: …'",
        "register.yml:11: geometry: een geometrie is een GeoJSON-object met 'type' en 'coordinates'",
    ]
    assert [entry.slug for entry in register.entries] == ["oude-haven", "kade", "veld"]
    assert register.find("haven").slug == "oude-haven"


def test_a_register_that_is_not_a_list_is_an_error(tmp_path):
    _, problems = register_from(tmp_path, "name: Oude Haven\n")
    assert [problem.format() for problem in problems] == [
        "register.yml:1: een register is een lijst van items die elk met '- name: …' beginnen"
    ]


def test_a_yaml_error_in_a_register_is_reported_on_its_line(tmp_path):
    register, problems = register_from(tmp_path, "- name: Oude Haven\n- name: Markt: kwartier\n")
    [problem] = problems
    assert problem.format().startswith("register.yml:2: fout in de YAML-opmaak: ")
    assert register.entries == []


def test_a_missing_register_file_is_an_error(tmp_path):
    _, problems = load_register("themes", tmp_path / "weg.yml", "weg.yml")
    assert [problem.format() for problem in problems] == ["weg.yml:1: het registerbestand bestaat niet"]


def test_an_empty_register_has_no_entries_and_no_problems(tmp_path):
    register, problems = register_from(tmp_path, "")
    assert register.entries == [] and problems == []


def test_register_problems_are_reported_with_the_stories(tmp_path):
    site = make_site(tmp_path, themes=[{"name": "Samen leven"}, {"slug": "zonder-naam"}])
    site.add_story("goed", themes="samen-leven")
    checked = pipeline.check(load_settings(site.write_config()))
    assert [problem.format() for problem in checked.problems] == [
        "stories/_registers/themas.yml:2: name: een naam is verplicht"
    ]
    assert [story.slug for story in checked.stories] == ["goed"]


@pytest.mark.parametrize(
    "written", ["Zorg en Welzijn", "zorg-en-welzijn", "ZORG EN WELZIJN", "Zörg en  welzijn", "zorg"]
)
def test_a_story_finds_an_entry_of_its_own_register(tmp_path, written):
    site = make_site(tmp_path, themes=[{"name": "Zorg en Welzijn", "aliases": ["Zorg"]}])
    site.add_story("zorg", themes=[written])
    checked = pipeline.check(load_settings(site.write_config()))
    assert checked.problems == []
    assert [entry.name for entry in checked.stories[0].themes] == ["Zorg en Welzijn"]
