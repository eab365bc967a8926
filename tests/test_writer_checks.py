"""``aanhetwoord check`` helps writers: it points at what will not look on the site as meant
(the sentence ``new`` leaves, HTML, refused links, photos without a description), names what is
wrong with a story's folder name, and points YAML mistakes at the line where they start."""

from __future__ import annotations

import argparse
import shutil
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aanhetwoord import pipeline
from aanhetwoord.commands import newstory
from aanhetwoord.config_file import load_settings
from sitefactory import FRONT, story_file

PLACEHOLDER = "Hier komt jullie verhaal. Haal deze zin weg als je gaat schrijven."
PATH = "stories/verhaal/index.md"
# Line 1 is '---', FRONT has 10 lines, then '---' and a blank line: the body starts on line 14.
BODY_LINE = 14


def report(site) -> list[str]:
    checked = pipeline.check(load_settings(site.write_config()))
    return [problem.format() for problem in checked.problems]


def check_body(site, body: str) -> list[str]:
    site.write_story("verhaal", story_file(body=body))
    return report(site)


# Text that shows differently than the writer meant --------------------------------------------


def test_the_placeholder_of_new_is_a_warning_on_its_line(site):
    assert check_body(site, f"Eerste alinea.\n\n{PLACEHOLDER}") == [
        f"{PATH}:16: tekst: waarschuwing: hier staat nog de voorbeeldzin '{PLACEHOLDER}'"
        " Haal die weg en schrijf jullie verhaal"
    ]


def test_half_of_the_placeholder_is_still_a_warning(site):
    [line] = check_body(site, "Hier komt jullie verhaal. Wij zijn de buren van nummer 12.")
    assert line.startswith(f"{PATH}:{BODY_LINE}: tekst: waarschuwing: hier staat nog de voorbeeldzin")


@pytest.mark.parametrize(
    ("body", "line", "shown", "hint"),
    [
        ("Dit is <b>belangrijk</b>.", BODY_LINE, "<b>", "; schrijf in plaats daarvan **vet**"),
        ("Eerst.\n\n<div class='kader'>Tekst</div>", BODY_LINE + 2, "<div class='kader'>", ""),
        (
            "Regel een\n<img src=foto.jpg>",
            BODY_LINE + 1,
            "<img src=foto.jpg>",
            "; schrijf in plaats daarvan ![wat er op de foto te zien is](foto.jpg)",
        ),
        (
            'Kijk <a href="https://x.nl">hier</a>',
            BODY_LINE,
            '<a href="https://x.nl">',
            "; schrijf in plaats daarvan [tekst](https://adres)",
        ),
        ("Einde<br/>", BODY_LINE, "<br/>", "; schrijf in plaats daarvan een lege regel"),
    ],
)
def test_inline_html_is_a_warning_that_says_it_shows_as_text(site, body, line, shown, hint):
    assert check_body(site, body) == [
        f"{PATH}:{line}: tekst: waarschuwing: HTML zoals '{shown}' werkt niet in een verhaal:"
        f" het komt als gewone tekst op de site{hint}"
    ]


@pytest.mark.parametrize(
    "body",
    [
        "Code: `<b>` maakt vet.",  # in code it is meant as text
        "    <div>in een codeblok</div>",
        "Als 3 < 4 en 5 > 2, dan klopt het.",
        "Een link: <https://www.example.org/>.",
        "Een notitie <!-- nog navragen --> in de tekst.",  # reported as a note, not as HTML
    ],
)
def test_code_comparisons_autolinks_and_notes_are_not_html(site, body):
    assert [line for line in check_body(site, body) if "waarschuwing" in line] == []


@pytest.mark.parametrize(
    ("body", "target"),
    [
        ("Klik [hier](javascript:alert(1)) maar.", "javascript:alert(1"),
        ("Klik <javascript:alert(1)> maar.", "javascript:alert(1)"),
        ("Zie [dit](data:text/html,hoi).", "data:text/html,hoi"),
    ],
)
def test_a_refused_link_is_a_warning(site, body, target):
    assert check_body(site, body) == [
        f"{PATH}:{BODY_LINE}: tekst: waarschuwing: de link naar '{target}' kan niet en komt als gewone"
        " tekst op de site. Een link begint met https://, http:// of mailto:, of gaat naar een pagina"
        " van deze site"
    ]


def test_good_links_are_not_flagged(site):
    body = "Zie [de gemeente](https://www.example.org/), [mail](mailto:a@example.org) en [ons](../ander/)."
    assert check_body(site, body) == []


def test_a_photo_without_a_description_is_a_warning(site):
    folder = site.stories / "verhaal"
    folder.mkdir(parents=True)
    (folder / "foto.jpg").write_bytes(b"\xff\xd8\xff\xd9")
    body = "Eerst tekst.\n\n![](foto.jpg)\n\n![De moestuin](foto.jpg)"
    site.write_story("verhaal", story_file(front=FRONT + "  photos: true\n", body=body))
    problems = report(site)
    assert problems == [
        f"{PATH}:17: tekst: waarschuwing: de foto 'foto.jpg' heeft geen beschrijving. Zet tussen [ ]"
        " wat er op de foto te zien is, voor wie de foto niet kan zien: ![Kinderen bij de moestuin](foto.jpg)"
    ]


def test_an_update_is_checked_the_same_way(site):
    front = FRONT + "updates:\n  - date: 2025-06-01\n    text: |\n      Nu met <b>meer</b>.\n"
    site.write_story("verhaal", story_file(front=front))
    assert report(site) == [
        f"{PATH}:14: updates[0].text: waarschuwing: HTML zoals '<b>' werkt niet in een verhaal:"
        " het komt als gewone tekst op de site; schrijf in plaats daarvan **vet**"
    ]


def test_check_on_the_command_line_shows_these_warnings_and_passes(site):
    site.write_story("verhaal", story_file(body="Een <i>mooi</i> verhaal.\n\n[x](javascript:void(0))"))
    result = site.cli("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        f"{PATH}:{BODY_LINE}: tekst: waarschuwing: HTML zoals '<i>' werkt niet in een verhaal: het komt"
        " als gewone tekst op de site; schrijf in plaats daarvan *schuin*",
        f"{PATH}:{BODY_LINE + 2}: tekst: waarschuwing: de link naar 'javascript:void(0' kan niet en komt als"
        " gewone tekst op de site. Een link begint met https://, http:// of mailto:, of gaat naar een"
        " pagina van deze site",
    ]
    assert result.stderr.strip() == "1 verhaal in orde, 0 fouten, 2 waarschuwingen"


# The folder name ---------------------------------------------------------------------------


def test_check_names_the_fault_of_a_folder_name(site):
    site.write_story("ons-feest-", story_file())
    result = site.cli("check")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "stories/ons-feest-/index.md:1: 'ons-feest-' is geen goede naam voor een verhaal: de naam eindigt"
        " op een '-'. Gebruik alleen kleine letters a-z, cijfers en '-', hoogstens 80 tekens, bijvoorbeeld"
        " 'ons-feest'"
    ]


# YAML mistakes point at the line where they start -------------------------------------------


@pytest.mark.parametrize(
    ("front", "line", "says"),
    [
        # The quote is only closed by the quote of a later field: the mistake is on line 2.
        ('title: "Ons feest\ndate: 2025-05-01\ncommunity: "A"\n', 2, "aanhalingsteken wordt niet afgesloten"),
        ("title: 'Ons feest\ndate: 2025-05-01\ncommunity: 'A'\n", 2, "aanhalingsteken wordt niet afgesloten"),
        ('title: Ons\ncommunity: "A\ndate: 2025-05-01\n', 3, "aanhalingsteken wordt niet afgesloten"),
        ("title: Ons\nsummary: 's Avonds is 't gezellig\n", 3, "na de tekst tussen aanhalingstekens"),
        ('title: "Ons" feest\ndate: 2025-05-01\n', 2, "na de tekst tussen aanhalingstekens"),
        ("title: Ons\nthemes:\n\t- Samen leven\n", 4, "een tab"),
        ("title: Ons\ndate 2025-05-01\ncommunity: A\n", 3, "er ontbreekt een ':'"),
        ("title: Ons\nthemes: [a, b\ncommunity: A\n", 3, "wordt niet afgesloten met ']'"),
        ("title: Ons: de start\n", 2, "een dubbele punt waar die niet kan"),
    ],
)
def test_a_yaml_mistake_points_at_the_line_where_it_starts(site, front, line, says):
    site.write_story("verhaal", story_file(front=front))
    [problem] = report(site)
    assert problem.startswith(f"{PATH}:{line}: fout in de YAML-opmaak: ")
    assert says in problem


# aanhetwoord new ---------------------------------------------------------------------------

FLAGS = ["--title", "Ons feest", "--community", "De Buren", "--neighbourhood", "Oude Haven"]
FLAGS += ["--theme", "Samen leven"]


def test_new_takes_the_dutch_way_of_writing_a_date(site):
    result = site.cli("new", *FLAGS, "--date", "24-11-2026", "--consent-date", "01-11-2026")
    assert result.returncode == 0, result.stdout + result.stderr
    text = (site.stories / "ons-feest" / "index.md").read_text(encoding="utf-8")
    assert "date: 2026-11-24\n" in text
    assert "consent:\n  date: 2026-11-01\n" in text


def test_new_still_takes_the_iso_date(site):
    result = site.cli("new", *FLAGS, "--date", "2026-11-24")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "date: 2026-11-24\n" in (site.stories / "ons-feest" / "index.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("value", ["31-02-2026", "24-11-26", "2026/11/24", "24.11.2026"])
def test_new_refuses_a_date_that_is_not_a_day(site, value):
    result = site.cli("new", *FLAGS, "--date", value)
    assert result.returncode == 2
    assert (
        f"  --date: '{value}' is geen datum. Schrijf JJJJ-MM-DD of DD-MM-JJJJ, bijvoorbeeld 2026-05-01"
        " of 01-05-2026." in result.stderr.splitlines()
    )
    assert not (site.stories / "ons-feest").exists()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("24-11-2026", date(2026, 11, 24)),
        ("2026-11-24", date(2026, 11, 24)),
        (" 01-02-2025 ", date(2025, 2, 1)),
    ],
)
def test_parse_date_reads_both_forms(value, expected):
    assert newstory.parse_date(value) == expected


# Any story made by new passes check without warnings once its sentence is replaced ----------

NAMES = st.text(
    st.characters(codec="utf-8", categories=("L", "N", "Zs", "P")), min_size=1, max_size=40
).filter(lambda value: value.strip())
WORDS = st.lists(
    st.text(st.characters(categories=("L", "N")), min_size=1, max_size=12), min_size=1, max_size=30
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    title=NAMES,
    community=NAMES,
    storytellers=st.lists(NAMES, max_size=3),
    published=st.dates(date(2000, 1, 1), date(2026, 11, 24)),
    consent=st.booleans(),
    words=WORDS,
)
def test_a_story_made_by_new_passes_check_once_its_sentence_is_replaced(
    site, title, community, storytellers, published, consent, words
):
    config = load_settings(site.write_config())
    args = argparse.Namespace(
        title=title,
        community=community,
        neighbourhood=["Oude Haven"],
        theme=["Samen leven"],
        date=published.isoformat(),
        storyteller=storytellers,
        consent_date=published.isoformat() if consent else None,
        consent_reference=None,
        slug="nieuw",
        draft=False,
        interactive=False,
    )
    registers, _ = pipeline.load_registers(config)
    questions = newstory.Questions(interactive=False)
    story = newstory.collect(args, config, registers.neighbourhoods, registers.themes, questions)
    assert story is not None, questions.errors
    folder = site.stories / "nieuw"
    try:
        assert newstory.write(story, config) == 0
        path = folder / "index.md"
        made = path.read_text(encoding="utf-8")
        before = [p.message for p in pipeline.check(config, [folder]).problems]
        assert [message for message in before if "voorbeeldzin" in message] == [
            f"hier staat nog de voorbeeldzin '{PLACEHOLDER}' Haal die weg en schrijf jullie verhaal"
        ]
        path.write_text(made.replace(PLACEHOLDER, " ".join(words) + "."), encoding="utf-8")
        checked = pipeline.check(config, [folder])
        assert checked.problems == []
        assert len(checked.stories) == 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)
