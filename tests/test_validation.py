"""The validator on real story files: every problem at once, on the line of the offending key.

Stories are written as text, so the line numbers in these tests are the lines a person sees
in their editor. The pipeline reads them the way the CLI and the site build do.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aanhetwoord import pipeline
from aanhetwoord.config_file import load_settings
from aanhetwoord.model import Status
from sitefactory import FRONT as ONE_THEME
from sitefactory import story_file

# The site factory's front matter with a second theme. Line 1 is the opening '---'; the keys start on line 2.
FRONT = ONE_THEME.replace("  - Samen leven\n", "  - Samen leven\n  - Sport en bewegen\n")
# FRONT with consent for the photos too: only then does a story show them.
WITH_PHOTOS = FRONT + "  photos: true\n"
# The lines of FRONT once it is in a story file.
TITLE, DATE, COMMUNITY, NEIGHBOURHOODS, NEIGHBOURHOOD_0, THEMES, THEME_0, THEME_1 = 2, 3, 4, 5, 6, 7, 8, 9
CONSENT, CONSENT_DATE, CONSENT_REFERENCE = 10, 11, 12
BODY_FIRST_LINE = 15  # after the closing '---' and one blank line
BODY = "Een verhaal uit de buurt."
NO_CONSENT = "consent:\n  date: 2025-04-01\n  reference: T-1\n"
REQUIRED = "is verplicht: noem er minstens één"


def changed(old: str, new: str, front: str = FRONT) -> str:
    """FRONT with one piece of text replaced; fails loudly if the piece is not there."""
    assert front.count(old) == 1, old
    return front.replace(old, new)


def write(site, slug: str, front: str = FRONT, body: str = BODY, *, folder: bool = True) -> str:
    """Write a story as exact text; returns its path as problems show it."""
    site.write_story(slug, story_file(front, body), folder=folder)
    return f"stories/{slug}/index.md" if folder else f"stories/{slug}.md"


def run_check(site, *paths: str) -> pipeline.Checked:
    settings = load_settings(site.write_config())
    return pipeline.check(settings, [site.root / path for path in paths] or None)


def report(site, *paths: str) -> list[str]:
    return [problem.format() for problem in run_check(site, *paths).problems]


# A complete story -------------------------------------------------------------------------


def test_a_complete_story_has_no_problems(site):
    write(site, "goed")
    checked = run_check(site)
    assert checked.problems == []
    [story] = checked.stories
    assert story.title == "Een verhaal"
    assert [entry.name for entry in story.neighbourhoods] == ["Oude Haven"]
    assert [entry.name for entry in story.themes] == ["Samen leven", "Sport en bewegen"]
    assert story.consent is not None and story.consent.reference == "T-1"


def test_a_single_file_story_is_checked_like_a_folder_story(site):
    write(site, "los", folder=False)
    checked = run_check(site)
    assert checked.problems == []
    assert [story.slug for story in checked.stories] == ["los"]


def test_every_problem_of_a_story_is_reported_at_once(site):
    front = changed("title: Een verhaal", "title: " + "x" * 121)
    front = changed("date: 2025-05-01", "date: 2025-02-30", front)
    front = changed("  - Samen leven", "  - Samen lewen", front)
    front = changed(NO_CONSENT, "", front)
    path = write(site, "veel", front)
    lines = report(site)
    assert [line.split(": ")[0:2] for line in lines] == [
        [f"{path}:1", "consent"],
        [f"{path}:{TITLE}", "title"],
        [f"{path}:{DATE}", "date"],
        [f"{path}:{THEME_0}", "themes[0]"],
    ]
    assert run_check(site).stories == []


def test_a_broken_story_does_not_hide_the_problems_of_the_next(site):
    first = write(site, "a-eerste", changed("date: 2025-05-01", "date: 2025-02-30"))
    second = write(site, "b-tweede", changed("title: Een verhaal", "title: [kapot"))
    write(site, "c-goed")
    checked = run_check(site)
    shown = [problem.path for problem in checked.problems]
    assert shown == [first, second]
    assert [story.slug for story in checked.stories] == ["c-goed"]


# Required fields -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, text",
    [
        ("title", "title: Een verhaal\n"),
        ("date", "date: 2025-05-01\n"),
        ("community", "community: De Buurtgroep\n"),
        ("neighbourhoods", "neighbourhoods:\n  - Oude Haven\n"),
        ("themes", "themes:\n  - Samen leven\n  - Sport en bewegen\n"),
        ("consent", NO_CONSENT),
    ],
)
def test_a_missing_required_field_is_an_error_on_the_first_line(site, field, text):
    path = write(site, "mist", changed(text, ""))
    lines = report(site)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{path}:1: {field}: ")
    assert run_check(site).stories == []


@pytest.mark.parametrize(
    "old, new, line, field, message",
    [
        ("title: Een verhaal", "title:", TITLE, "title", "is verplicht en mag niet leeg zijn"),
        ("title: Een verhaal", 'title: ""', TITLE, "title", "is verplicht en mag niet leeg zijn"),
        ("title: Een verhaal", "title: '   '", TITLE, "title", "is verplicht en mag niet leeg zijn"),
        ("date: 2025-05-01", "date:", DATE, "date", "is verplicht, als JJJJ-MM-DD (bijvoorbeeld 2026-05-01)"),
        ("community: De Buurtgroep", "community: []", COMMUNITY, "community", REQUIRED),
        ("community: De Buurtgroep", 'community: ""', COMMUNITY, "community", REQUIRED),
        ("community: De Buurtgroep", "community: '  '", COMMUNITY, "community", REQUIRED),
        ("neighbourhoods:\n  - Oude Haven", "neighbourhoods:", NEIGHBOURHOODS, "neighbourhoods", REQUIRED),
        ("themes:\n  - Samen leven\n  - Sport en bewegen", "themes: []", THEMES, "themes", REQUIRED),
    ],
)
def test_an_empty_required_field_is_an_error_on_its_own_line(site, old, new, line, field, message):
    path = write(site, "leeg", changed(old, new))
    assert report(site) == [f"{path}:{line}: {field}: {message}"]
    assert run_check(site).stories == []


@pytest.mark.parametrize("item", ['""', "null", "'   '"])
def test_an_empty_item_in_a_list_is_an_error_on_the_line_of_the_item(site, item):
    path = write(site, "leeg-item", changed("  - Sport en bewegen", f"  - {item}"))
    assert report(site) == [f"{path}:{THEME_1}: themes[1]: een leeg item in de lijst"]
    assert run_check(site).stories == []


def test_a_list_with_only_blank_items_is_an_error_not_a_crash(site):
    path = write(site, "blanco", changed("community: De Buurtgroep", "community: ['  ']"))
    assert report(site) == [f"{path}:{COMMUNITY}: community[0]: een leeg item in de lijst"]


def test_a_published_story_without_consent_is_an_error(site):
    path = write(site, "zonder", changed(NO_CONSENT, "status: published\n"))
    [line] = report(site)
    assert line.startswith(f"{path}:1: consent: toestemming ontbreekt")


def test_consent_without_a_date_is_an_error_on_the_consent_line(site):
    path = write(site, "geen-datum", changed("  date: 2025-04-01\n", ""))
    assert report(site) == [
        f"{path}:{CONSENT}: consent.date: is verplicht, als JJJJ-MM-DD (bijvoorbeeld 2026-05-01)"
    ]


def test_a_draft_needs_no_consent_but_everything_else(site):
    write(site, "concept", changed(NO_CONSENT, "status: draft\n"))
    checked = run_check(site)
    assert checked.problems == []
    assert checked.stories[0].status is Status.DRAFT

    path = write(site, "concept", "status: draft\n")
    fields = [line.split(": ")[1] for line in report(site)]
    assert fields == ["community", "date", "neighbourhoods", "themes", "title"]
    assert all(line.startswith(f"{path}:1: ") for line in report(site))


def test_a_withdrawn_story_needs_nothing_but_its_status(site):
    write(site, "weg", "status: withdrawn\n", body="")
    checked = run_check(site)
    assert checked.problems == []
    [story] = checked.stories
    assert story.status is Status.WITHDRAWN


def test_a_withdrawn_story_is_not_blocked_by_mistakes_in_its_other_fields(site):
    front = "status: Withdrawn\ntitle: [kapot]\ndate: 2025-02-30\nthemes: Onbekend\n"
    write(site, "weg", front, body="![foto](bestaat-niet.jpg)")
    checked = run_check(site)
    assert checked.problems == []
    assert [story.status for story in checked.stories] == [Status.WITHDRAWN]


def test_an_unknown_status_is_an_error_with_the_choices(site):
    path = write(site, "status", FRONT + "status: gepubliceerd\n")
    assert report(site) == [f"{path}:13: status: 'gepubliceerd' kan niet; kies published, draft of withdrawn"]


# Types -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "old, new, line, field, message",
    [
        ("title: Een verhaal", "title: [Een, verhaal]", TITLE, "title", "moet tekst zijn"),
        ("title: Een verhaal", "title: {a: b}", TITLE, "title", "moet tekst zijn"),
        ("title: Een verhaal", "title: true", TITLE, "title", "moet tekst zijn"),
        (
            "community: De Buurtgroep",
            "community: {naam: Koor}",
            COMMUNITY,
            "community",
            "moet een tekst of een lijst van teksten zijn",
        ),
        ("community: De Buurtgroep", "community: [[Koor]]", COMMUNITY, "community[0]", "moet tekst zijn"),
        (
            "neighbourhoods:\n  - Oude Haven",
            "neighbourhoods: {Oude Haven: ja}",
            NEIGHBOURHOODS,
            "neighbourhoods",
            "moet een tekst of een lijst van teksten zijn",
        ),
        (
            "consent:\n  date: 2025-04-01\n  reference: T-1",
            "consent: ja",
            CONSENT,
            "consent",
            "moet velden bevatten (zie het voorbeeld in de handleiding)",
        ),
        (
            "  reference: T-1",
            "  photos: misschien",
            CONSENT_REFERENCE,
            "consent.photos",
            "moet true of false zijn",
        ),
    ],
)
def test_a_value_of_the_wrong_type_is_an_error_on_its_line(site, old, new, line, field, message):
    path = write(site, "soort", changed(old, new))
    assert report(site) == [f"{path}:{line}: {field}: {message}"]
    assert run_check(site).stories == []


@pytest.mark.parametrize(
    "extra, field, message",
    [
        ("pinned: ja", "pinned", "moet true of false zijn"),
        ("image: omslag.jpg", "image", "moet velden bevatten (zie het voorbeeld in de handleiding)"),
        ("updates: later meer", "updates", "moet een lijst zijn, met voor elk vervolg '- date:' en 'text:'"),
        ("storytellers: {Anna: 1}", "storytellers", "moet een tekst of een lijst van teksten zijn"),
        ("summary: [kort]", "summary", "moet tekst zijn"),
        ("language: Nederlands", "language", "'Nederlands' is geen bekende taalcode (zoals nl, en, ar, tr)"),
        ("language: nl_NL", "language", "'nl_NL' is geen bekende taalcode (zoals nl, en, ar, tr)"),
    ],
)
def test_an_optional_field_of_the_wrong_type_is_an_error_on_its_line(site, extra, field, message):
    path = write(site, "optioneel", FRONT + extra + "\n")
    assert report(site) == [f"{path}:13: {field}: {message}"]


def test_numbers_are_accepted_where_text_is_expected(site):
    front = changed("title: Een verhaal", "title: 1984", changed("community: De Buurtgroep", "community: 42"))
    write(site, "getallen", front)
    checked = run_check(site)
    assert checked.problems == []
    assert checked.stories[0].title == "1984"
    assert checked.stories[0].communities == ("42",)


def test_lists_may_be_written_as_a_single_text(site):
    front = FRONT.replace("neighbourhoods:\n  - Oude Haven", "neighbourhoods: Haven").replace(
        "themes:\n  - Samen leven\n  - Sport en bewegen", "themes: Taal en meedoen"
    )
    write(site, "enkel", front + "storytellers: Anna\n")
    checked = run_check(site)
    assert checked.problems == []
    [story] = checked.stories
    assert story.communities == ("De Buurtgroep",)
    assert [entry.slug for entry in story.neighbourhoods] == ["oude-haven"]
    assert [entry.slug for entry in story.themes] == ["taal-en-meedoen"]
    assert story.storytellers == ("Anna",)


def test_optional_fields_are_read_when_they_are_right(site):
    extra = (
        "summary: Kort.\nstorytellers: [Anna, Bilal]\nrecorded_by: Carla\nlanguage: nl-BE\npinned: true\n"
        "updates:\n  - date: 2025-06-01\n    text: Eerste vervolg.\n  - date: 2025-07-01\n    text: Tweede.\n"
    )
    write(site, "alles", FRONT + extra)
    checked = run_check(site)
    assert checked.problems == []
    [story] = checked.stories
    assert (story.summary, story.language, story.pinned) == ("Kort.", "nl-BE", True)
    assert [update.text for update in story.updates] == ["Tweede.", "Eerste vervolg."]


# Dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["2025-02-30", "2023-02-29", "2025-13-01", "2025-04-31", "2025-00-10"])
def test_an_impossible_date_is_named_as_not_existing(site, value):
    path = write(site, "datum", changed("date: 2025-05-01", f"date: {value}"))
    assert report(site) == [f"{path}:{DATE}: date: '{value}' bestaat niet als datum"]


@pytest.mark.parametrize(
    "value", ["1 mei 2025", "2025-5-1", "01-05-2025", "20250501", "2025-05-01T10:00", "'2025/05/01'"]
)
def test_a_date_in_another_form_asks_for_yyyy_mm_dd(site, value):
    path = write(site, "datum", changed("date: 2025-05-01", f"date: {value}"))
    [line] = report(site)
    assert line.startswith(f"{path}:{DATE}: date: '")
    assert line.endswith("' is geen datum; schrijf JJJJ-MM-DD, bijvoorbeeld 2026-05-01")


def test_a_leap_day_in_a_leap_year_is_a_date(site):
    write(site, "schrikkel", changed("date: 2025-05-01", "date: 2024-02-29"))
    checked = run_check(site)
    assert checked.problems == []
    assert checked.stories[0].date.isoformat() == "2024-02-29"


def test_an_impossible_consent_date_is_reported_on_its_own_line(site):
    path = write(site, "toestemming", changed("  date: 2025-04-01", "  date: 2025-02-30"))
    assert report(site) == [f"{path}:{CONSENT_DATE}: consent.date: '2025-02-30' bestaat niet als datum"]


def test_an_impossible_update_date_is_reported_on_its_own_line(site):
    updates = "updates:\n  - date: 2025-06-01\n    text: Goed.\n  - date: 2025-06-31\n    text: Fout.\n"
    path = write(site, "vervolg", FRONT + updates)
    assert report(site) == [f"{path}:16: updates[1].date: '2025-06-31' bestaat niet als datum"]


def test_an_update_without_text_is_an_error(site):
    path = write(site, "vervolg", FRONT + "updates:\n  - date: 2025-06-01\n")
    assert report(site) == [f"{path}:14: updates[0].text: is verplicht en mag niet leeg zijn"]


# YAML ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "old, new, line, detail",
    [
        ("title: Een verhaal", "title: Een: verhaal", TITLE, "een dubbele punt waar die niet kan"),
        (
            "community: De Buurtgroep",
            "community: De Buurtgroep\n  extra: ingesprongen",
            COMMUNITY + 1,
            "een dubbele punt waar die niet kan",
        ),
        ("community: De Buurtgroep", "community: De Buurtgroep\n\tmet: tab", COMMUNITY + 1, "een tab"),
        ("title: Een verhaal", 'title: "Een verhaal', TITLE, "aanhalingsteken"),
        ("community: De Buurtgroep", "community: [Koor, Buren", COMMUNITY, "niet afgesloten met ']'"),
        ("date: 2025-05-01", "date: 2025-05-01\ndit is geen veld", DATE + 1, "er ontbreekt een ':'"),
        (
            "community: De Buurtgroep",
            "community: De Buurtgroep\n- los item",
            COMMUNITY + 1,
            "springt verkeerd in",
        ),
        ("community: De Buurtgroep", "community: De Buurtgroep\n[a]: b", COMMUNITY + 1, "gewone tekst"),
    ],
)
def test_a_yaml_syntax_error_is_reported_on_its_line(site, old, new, line, detail):
    path = write(site, "yaml", changed(old, new))
    [problem] = report(site)
    assert problem.startswith(f"{path}:{line}: fout in de YAML-opmaak: ")
    assert detail in problem
    assert run_check(site).stories == []


def test_yaml_lines_are_right_with_blank_lines_after_the_opening_dashes(site):
    front = changed("date: 2025-05-01", "date: 2025-02-30")
    site.write_story("ruimte", "---\n\n\n" + front + "---\n\nTekst.\n")
    assert report(site) == [f"stories/ruimte/index.md:{DATE + 2}: date: '2025-02-30' bestaat niet als datum"]


def test_yaml_lines_are_right_with_windows_line_endings_and_a_byte_order_mark(site):
    text = story_file(changed("  - Sport en bewegen", "  - Sprot"))
    path = site.stories / "windows" / "index.md"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    [line] = report(site)
    assert line.startswith(f"stories/windows/index.md:{THEME_1}: themes[1]: onbekend thema 'Sprot'.")


def test_a_story_without_front_matter_is_an_error_on_the_first_line(site):
    site.write_story("kaal", "Alleen tekst, geen gegevens.\n")
    assert report(site) == [
        "stories/kaal/index.md:1: het verhaal begint niet met gegevens tussen twee regels '---'"
    ]


def test_front_matter_that_is_never_closed_is_an_error(site):
    site.write_story("open", "---\n" + FRONT + "\nTekst zonder afsluiting.\n")
    assert report(site) == ["stories/open/index.md:1: de gegevens bovenaan worden niet afgesloten met '---'"]


def test_front_matter_that_is_a_list_is_an_error(site):
    site.write_story("lijst", "---\n- title\n- date\n---\n\nTekst.\n")
    assert report(site) == [
        "stories/lijst/index.md:2: de gegevens bovenaan moeten velden zijn, zoals 'title: …'"
    ]


def test_a_file_that_is_not_utf8_is_an_error_not_a_crash(site):
    path = site.stories / "latin" / "index.md"
    path.parent.mkdir(parents=True)
    path.write_bytes(story_file(changed("title: Een verhaal", "title: Café")).encode("latin-1"))
    assert report(site) == ["stories/latin/index.md:1: het bestand is geen UTF-8-tekst"]


def test_yaml_anchors_are_refused_on_their_line(site):
    front = changed("community: De Buurtgroep", "community: &groep De Buurtgroep")
    path = write(site, "anker", front + "storytellers: *groep\n")
    assert report(site) == [f"{path}:{COMMUNITY}: YAML-ankers en -verwijzingen (& en *) zijn niet toegestaan"]


def test_a_yaml_alias_alone_is_refused_on_its_line(site):
    path = write(site, "alias", FRONT + "storytellers: *ergens\n")
    assert report(site) == [f"{path}:13: YAML-ankers en -verwijzingen (& en *) zijn niet toegestaan"]


def test_a_billion_laughs_document_is_refused_without_expanding_it(site):
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for index, name in enumerate("bcdefghij"):
        previous = "abcdefghij"[index]
        bomb += f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]\n"
    path = write(site, "bom", bomb)
    assert report(site) == [f"{path}:2: YAML-ankers en -verwijzingen (& en *) zijn niet toegestaan"]


def test_front_matter_over_64_kb_is_refused(site):
    path = write(site, "groot", FRONT + "storytellers:\n" + "  - Een verteller met een naam\n" * 2500)
    assert report(site) == [f"{path}:1: de gegevens bovenaan zijn groter dan 64 KB"]
    assert run_check(site).stories == []


def test_front_matter_just_under_64_kb_is_read(site):
    text = "Een lange zin over wat er daarna gebeurde. " * 1400  # 60,200 bytes
    write(site, "groot", FRONT + f"updates:\n  - date: 2025-06-01\n    text: {text}\n")
    checked = run_check(site)
    assert checked.problems == []
    assert len(checked.stories[0].updates[0].text) == len(text.strip())


# Registers -------------------------------------------------------------------------------


def test_unknown_neighbourhood_suggests_the_closest_name(site):
    path = write(site, "buurt", changed("  - Oude Haven", "  - Oude Havn"))
    assert report(site) == [
        f"{path}:{NEIGHBOURHOOD_0}: neighbourhoods[0]: onbekende buurt 'Oude Havn'. Bedoel je 'Oude Haven'?"
    ]


def test_unknown_theme_suggests_the_closest_name(site):
    path = write(site, "thema", changed("  - Sport en bewegen", "  - Sport en beweging"))
    assert report(site) == [
        f"{path}:{THEME_1}: themes[1]: onbekend thema 'Sport en beweging'. Bedoel je 'Sport en bewegen'?"
    ]


def test_a_misspelt_alias_suggests_the_name_of_its_entry(site):
    path = write(site, "alias", changed("  - Oude Haven", "  - Havne"))
    [line] = report(site)
    assert line == (
        f"{path}:{NEIGHBOURHOOD_0}: neighbourhoods[0]: onbekende buurt 'Havne'. Bedoel je 'Oude Haven'?"
    )


def test_an_unknown_name_far_from_every_entry_points_to_the_register(site):
    path = write(site, "ver", changed("  - Samen leven", "  - Klimaat"))
    assert report(site) == [
        f"{path}:{THEME_0}: themes[0]: onbekend thema 'Klimaat'. Kies een naam uit het register."
    ]


def test_a_bad_theme_entry_on_line_6_is_reported_on_line_6(site):
    text = (
        "---\n"  # 1
        "title: Zes\n"  # 2
        "date: 2025-05-01\n"  # 3
        "community: Koor\n"  # 4
        "themes:\n"  # 5
        "  - Samen lven\n"  # 6
        "neighbourhoods: Lindehoeve\n"  # 7
        "consent: {date: 2025-01-01}\n"  # 8
        "---\n\nTekst.\n"
    )
    site.write_story("zes", text)
    assert report(site) == [
        "stories/zes/index.md:6: themes[0]: onbekend thema 'Samen lven'. Bedoel je 'Samen leven'?"
    ]


def test_an_unknown_name_given_as_a_single_text_is_reported_on_the_key(site):
    path = write(site, "enkel", changed("neighbourhoods:\n  - Oude Haven", "neighbourhoods: Veldrnd"))
    assert report(site) == [
        f"{path}:{NEIGHBOURHOODS}: neighbourhoods: onbekende buurt 'Veldrnd'. Bedoel je 'Veldrand'?"
    ]


@pytest.mark.parametrize(
    "written",
    [
        "Oude Haven",
        "oude haven",
        "OUDE HAVEN",
        "  Oude   Haven  ",
        "Óude Hävén",
        "oude-haven",
        "Haven",
        "HAVEN",
        "hàven",
        "Oude\u00a0Haven",
    ],
)
def test_a_neighbourhood_matches_by_name_slug_or_alias_ignoring_case_accents_and_spacing(site, written):
    write(site, "match", changed("  - Oude Haven", f"  - {written}"))
    checked = run_check(site)
    assert checked.problems == []
    assert [entry.slug for entry in checked.stories[0].neighbourhoods] == ["oude-haven"]


@pytest.mark.parametrize(
    "written", ["sport en bewegen", "Sport En Bewegen", "sport-en-bewegen", "Spórt en  bewegen"]
)
def test_a_theme_matches_by_name_or_slug_ignoring_case_accents_and_spacing(site, written):
    write(site, "match", changed("  - Sport en bewegen", f"  - {written}"))
    checked = run_check(site)
    assert checked.problems == []
    assert [entry.name for entry in checked.stories[0].themes] == ["Samen leven", "Sport en bewegen"]


def test_the_same_entry_named_twice_counts_once(site):
    write(site, "dubbel", changed("  - Oude Haven", "  - Oude Haven\n  - haven\n  - oude-haven"))
    checked = run_check(site)
    assert checked.problems == []
    assert [entry.slug for entry in checked.stories[0].neighbourhoods] == ["oude-haven"]


# Unknown keys ----------------------------------------------------------------------------


def test_unknown_key_with_a_typo_is_a_warning_that_suggests_the_known_key(site):
    path = write(site, "typo", FRONT + "sumary: Kort.\n")
    assert report(site) == [
        f"{path}:13: sumary: waarschuwing: onbekend veld 'sumary' wordt genegeerd; bedoel je 'summary'?"
    ]
    assert [story.slug for story in run_check(site).stories] == ["typo"]


def test_neighborhoods_in_american_spelling_suggests_neighbourhoods(site):
    path = write(site, "amerikaans", changed("neighbourhoods:", "neighborhoods:"))
    lines = report(site)
    assert lines == [
        f"{path}:1: neighbourhoods: is verplicht: noem er minstens één",
        f"{path}:{NEIGHBOURHOODS}: neighborhoods: waarschuwing: onbekend veld 'neighborhoods' "
        "wordt genegeerd; bedoel je 'neighbourhoods'?",
    ]


def test_an_unknown_key_unlike_any_other_is_a_warning_without_suggestion(site):
    path = write(site, "vreemd", FRONT + "kleur: blauw\n")
    assert report(site) == [f"{path}:13: kleur: waarschuwing: onbekend veld 'kleur' wordt genegeerd"]
    assert not any(problem.is_error for problem in run_check(site).problems)


def test_an_unknown_key_inside_consent_is_a_warning_on_its_line(site):
    path = write(site, "binnen", changed("  reference: T-1", "  refrence: T-1"))
    assert report(site) == [
        f"{path}:{CONSENT_REFERENCE}: consent.refrence: waarschuwing: onbekend veld 'refrence' "
        "wordt genegeerd; bedoel je 'reference'?"
    ]


def test_the_engine_keys_hide_search_and_template_are_known(site):
    write(site, "motor", FRONT + "hide: [toc]\nsearch: {exclude: true}\ntemplate: verhaal.html\n")
    assert report(site) == []


# Slugs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "fault", "better"),
    [
        ("Mijn-Verhaal", "er staat een hoofdletter in ('M')", "mijn-verhaal"),
        ("mijn verhaal", "er staat een spatie in", "mijn-verhaal"),
        ("a" * 81, "de naam is 81 tekens lang", "a" * 80),
        ("café", "er staat een letter met een accent in ('é'); schrijf 'e'", "cafe"),
        ("mijn_verhaal", "het teken '_' kan niet", "mijn-verhaal"),
        ("-begin", "de naam begint met een '-'", "begin"),
        ("eind-", "de naam eindigt op een '-'", "eind"),
    ],
)
def test_a_bad_slug_is_an_error_that_names_it_and_its_fault(site, slug, fault, better):
    path = write(site, slug)
    [line] = report(site)
    assert line == (
        f"{path}:1: '{slug}' is geen goede naam voor een verhaal: {fault}. Gebruik alleen kleine"
        f" letters a-z, cijfers en '-', hoogstens 80 tekens, bijvoorbeeld '{better}'"
    )
    assert run_check(site).stories == []


def test_a_bad_slug_of_a_single_file_story_is_an_error(site):
    write(site, "Mijn Verhaal", folder=False)
    [line] = report(site)
    assert line.startswith("stories/Mijn Verhaal.md:1: 'Mijn Verhaal' is geen goede naam")


@pytest.mark.parametrize("slug", ["a", "verhaal-2025", "a" * 80, "1-mei"])
def test_a_good_slug_is_accepted(site, slug):
    write(site, slug)
    assert report(site) == []


def test_a_story_as_file_and_as_folder_with_the_same_slug_is_an_error(site):
    write(site, "a", folder=False)
    write(site, "a")
    checked = run_check(site)
    assert [problem.format() for problem in checked.problems] == [
        "stories/a.md:1: er is al een verhaal met de naam 'a' (stories/a/index.md)"
    ]
    assert [story.source for story in checked.stories] == [site.stories / "a" / "index.md"]


def test_files_and_folders_starting_with_an_underscore_or_dot_are_not_stories(site):
    write(site, "_sjabloon", "title: [kapot\n")
    write(site, ".verborgen", "title: [kapot\n", folder=False)
    write(site, "goed")
    checked = run_check(site)
    assert checked.problems == []
    assert [story.slug for story in checked.stories] == ["goed"]


# Images ----------------------------------------------------------------------------------


def add_file(site, slug: str, name: str) -> None:
    path = site.stories / slug / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x89PNG\r\n\x1a\n")


def test_a_cover_that_does_not_exist_is_an_error_on_its_src_line(site):
    path = write(site, "omslag", FRONT + "image:\n  src: omslag.jpg\n  alt: Het koor\n")
    assert report(site) == [f"{path}:14: image.src: de foto 'omslag.jpg' bestaat niet"]


def test_a_cover_without_alt_text_is_an_error(site):
    add_file(site, "omslag", "omslag.jpg")
    path = write(site, "omslag", FRONT + "image:\n  src: omslag.jpg\n")
    assert report(site) == [
        f"{path}:13: image.alt: beschrijf wat er op de foto te zien is, voor wie de foto niet kan zien"
    ]


def test_a_cover_with_empty_alt_text_is_an_error_on_the_alt_line(site):
    add_file(site, "omslag", "omslag.jpg")
    path = write(site, "omslag", FRONT + "image:\n  src: omslag.jpg\n  alt: ' '\n")
    [line] = report(site)
    assert line.startswith(f"{path}:15: image.alt: beschrijf wat er op de foto te zien is")


def test_a_cover_that_exists_with_alt_text_is_accepted(site):
    add_file(site, "omslag", "omslag.jpg")
    write(site, "omslag", WITH_PHOTOS + "image:\n  src: omslag.jpg\n  alt: Het koor zingt\n  credit: Anna\n")
    checked = run_check(site)
    assert checked.problems == []
    [story] = checked.stories
    assert (story.image.src, story.image.alt, story.image.credit) == ("omslag.jpg", "Het koor zingt", "Anna")
    assert story.assets == ("omslag.jpg",)


@pytest.mark.parametrize("src", ["../ander/omslag.jpg", "https://example.org/omslag.jpg", "/omslag.jpg"])
def test_a_cover_outside_the_story_folder_is_an_error(site, src):
    add_file(site, "ander", "omslag.jpg")
    path = write(site, "omslag", FRONT + f"image:\n  src: {src}\n  alt: Het koor\n")
    assert report(site) == [f"{path}:14: image.src: de foto '{src}' moet in de map van het verhaal staan"]


def test_a_single_file_story_cannot_have_a_cover(site):
    (site.stories / "omslag.jpg").parent.mkdir(parents=True, exist_ok=True)
    (site.stories / "omslag.jpg").write_bytes(b"x")
    path = write(site, "los", FRONT + "image:\n  src: omslag.jpg\n  alt: Het koor\n", folder=False)
    assert report(site) == [f"{path}:14: image.src: de foto 'omslag.jpg' bestaat niet"]


def test_an_inline_image_that_does_not_exist_is_reported_on_its_line_in_the_body(site):
    body = "Eerste alinea.\n\nTweede alinea.\n\n![Het koor](koor.jpg)\n\nSlot."
    path = write(site, "inline", body=body)
    assert report(site) == [f"{path}:{BODY_FIRST_LINE + 4}: tekst: de foto 'koor.jpg' bestaat niet"]
    assert run_check(site).stories == []


def test_an_inline_image_inside_a_paragraph_is_reported_on_its_own_line(site):
    body = "Een alinea over het koor,\nmet een foto op de tweede regel:\n![Het koor](koor.jpg)"
    path = write(site, "inline", body=body)
    assert report(site) == [f"{path}:{BODY_FIRST_LINE + 2}: tekst: de foto 'koor.jpg' bestaat niet"]


def test_an_inline_image_line_counts_every_line_of_the_body(site):
    body = "\n\n\nEen.\n\n- lijst\n- lijst\n\n> citaat\n\n```\ncode\n```\n\n"
    body += "Foto: ![x](weg.png) en ![y](ook-weg.png)"
    path = write(site, "ver", body=body)
    line = BODY_FIRST_LINE + body.split("\n").index("Foto: ![x](weg.png) en ![y](ook-weg.png)")
    assert report(site) == [
        f"{path}:{line}: tekst: de foto 'ook-weg.png' bestaat niet",
        f"{path}:{line}: tekst: de foto 'weg.png' bestaat niet",
    ]


def test_an_inline_image_from_elsewhere_is_an_error(site):
    path = write(site, "extern", body="Kijk:\n\n![Logo](https://example.org/logo.png)")
    assert report(site) == [
        f"{path}:{BODY_FIRST_LINE + 2}: tekst: de foto 'https://example.org/logo.png' staat niet in de map "
        "van het verhaal; zet de foto naast index.md"
    ]


def test_an_inline_image_that_exists_is_an_asset_of_the_story(site):
    add_file(site, "inline", "koor.jpg")
    add_file(site, "inline", "omslag.jpg")
    write(
        site, "inline", WITH_PHOTOS + "image: {src: omslag.jpg, alt: Omslag}\n", body="![Het koor](koor.jpg)"
    )
    checked = run_check(site)
    assert checked.problems == []
    assert checked.stories[0].assets == ("omslag.jpg", "koor.jpg")


@pytest.mark.parametrize("name, written", [("café.jpg", "café.jpg"), ("koor foto.jpg", "<koor foto.jpg>")])
def test_an_inline_image_with_an_accent_or_space_in_its_name_is_found(site, name, written):
    add_file(site, "inline", name)
    write(site, "inline", WITH_PHOTOS, body=f"![Het koor]({written})")
    checked = run_check(site)
    assert checked.problems == []
    assert checked.stories[0].assets == (name,)


def test_an_inline_image_with_a_query_or_fragment_is_the_file_without_them(site):
    add_file(site, "inline", "koor.jpg")
    write(site, "inline", WITH_PHOTOS, body="![Het koor](koor.jpg?v=2) en ![nog eens](koor.jpg#boven)")
    checked = run_check(site)
    assert checked.problems == []
    assert checked.stories[0].assets == ("koor.jpg",)


def test_an_image_inside_code_is_not_checked(site):
    write(site, "code", body="Schrijf zo een foto:\n\n    ![alt](foto.jpg)\n\nof `![alt](foto.jpg)`.")
    assert report(site) == []


# Lengths ---------------------------------------------------------------------------------


def test_a_title_of_121_characters_is_too_long(site):
    path = write(site, "lang", changed("title: Een verhaal", "title: " + "t" * 121))
    assert report(site) == [f"{path}:{TITLE}: title: is 121 tekens lang; het mag hoogstens 120 tekens zijn"]


def test_a_title_of_120_characters_is_fine(site):
    write(site, "lang", changed("title: Een verhaal", "title: " + "t" * 120))
    assert report(site) == []


def test_a_summary_of_301_characters_is_too_long(site):
    path = write(site, "lang", FRONT + "summary: " + "s" * 301 + "\n")
    assert report(site) == [f"{path}:13: summary: is 301 tekens lang; het mag hoogstens 300 tekens zijn"]


def test_a_summary_of_300_characters_is_fine(site):
    write(site, "lang", FRONT + "summary: " + "s" * 300 + "\n")
    checked = run_check(site)
    assert checked.problems == []
    assert len(checked.stories[0].summary) == 300


def test_a_missing_summary_is_taken_from_the_first_paragraph(site):
    write(site, "samenvatting", body="## Kop\n\nDe eerste alinea.\n\nDe tweede.")
    assert run_check(site).stories[0].summary == "De eerste alinea."


# Translations ----------------------------------------------------------------------------


def test_a_translation_of_a_story_that_does_not_exist_is_a_warning(site):
    path = write(site, "vertaling", FRONT + "translation_of: bestaat-niet\nlanguage: en\n")
    assert report(site) == [
        f"{path}:1: translation_of: waarschuwing: er is geen verhaal met de naam 'bestaat-niet'"
    ]
    assert run_check(site).stories[0].translation_of == ""


def test_a_translation_of_a_bad_slug_is_an_error(site):
    path = write(site, "vertaling", FRONT + "translation_of: Mijn Verhaal\n")
    assert report(site) == [f"{path}:13: translation_of: 'Mijn Verhaal' is geen naam (slug) van een verhaal"]


def test_only_the_paths_given_are_checked(site):
    write(site, "kapot", changed("date: 2025-05-01", "date: 2025-02-30"))
    write(site, "goed")
    assert report(site, "stories/goed") == []
    assert report(site, "stories/goed/index.md") == []
    assert len(report(site, "stories/kapot")) == 1


def test_paths_outside_the_site_are_shown_as_given(site, tmp_path_factory):
    outside: Path = tmp_path_factory.mktemp("elders") / "los.md"
    outside.write_text(story_file(changed("date: 2025-05-01", "date: 2025-02-30")), encoding="utf-8")
    settings = load_settings(site.write_config())
    [problem] = pipeline.check(settings, [outside]).problems
    assert problem.path == outside.as_posix()
    assert problem.line == DATE


def test_images_in_updates_must_be_in_the_story_folder(site):
    path = write(
        site,
        "vervolg",
        FRONT + 'updates:\n  - date: 2025-06-01\n    text: "Kijk: ![x](https://example.org/a.png)"\n',
    )
    [problem] = report(site)
    assert problem.startswith(
        f"{path}:15: updates[0].text: de foto 'https://example.org/a.png' staat niet in de map"
    )
