"""``aanhetwoord new``: a new story that passes ``check`` and builds, from flags or from questions."""

from __future__ import annotations

import os
import subprocess
from datetime import date
from pathlib import Path

import pytest
import yaml

from sitefactory import CLI, TODAY, quiet_env

FLAGS = [
    "--title",
    "Ons buurtfeest",
    "--community",
    "Buren van de Walstraat",
    "--neighbourhood",
    "Oude Haven",
    "--theme",
    "Samen leven",
    "--date",
    "2025-06-01",
    "--consent-date",
    "2025-05-20",
    "--consent-reference",
    "TOE-2025-031",
]


def run_at_terminal(site, answers: list[str], *args: str) -> subprocess.CompletedProcess:
    """Run ``new`` with a real terminal as its input, typing the answers one line each."""
    pty = pytest.importorskip("pty")
    site.write_config()
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [*CLI, "new", *args],
        cwd=site.root,
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=quiet_env(),
    )
    os.close(terminal)
    try:
        os.write(controller, "".join(f"{answer}\n" for answer in answers).encode())
        stdout, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
        os.close(controller)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n")[1])


# From flags --------------------------------------------------------------------------------


def test_new_with_flags_creates_a_story_that_passes_check_and_builds(site):
    result = site.cli("new", *FLAGS, "--storyteller", "Anja", "--storyteller", "Mehmet Kaya")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Je nieuwe verhaal staat klaar: stories/ons-buurtfeest/index.md" in result.stdout
    path = site.stories / "ons-buurtfeest" / "index.md"
    assert front_matter(path) == {
        "title": "Ons buurtfeest",
        "date": date(2025, 6, 1),
        "community": "Buren van de Walstraat",
        "neighbourhoods": ["Oude Haven"],
        "themes": ["Samen leven"],
        "consent": {"date": date(2025, 5, 20), "reference": "TOE-2025-031"},
        "storytellers": ["Anja", "Mehmet Kaya"],
    }

    # The story is ready to write in: only the sentence that says where to write is pointed out.
    placeholder_warning = (
        "stories/ons-buurtfeest/index.md:25: tekst: waarschuwing: hier staat nog de voorbeeldzin"
        " 'Hier komt jullie verhaal. Haal deze zin weg als je gaat schrijven.' Haal die weg en schrijf"
        " jullie verhaal"
    )
    assert placeholder_warning in result.stdout.splitlines()
    check = site.cli("check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.splitlines() == [placeholder_warning]
    assert check.stderr.strip() == "1 verhaal in orde, 0 fouten, 1 waarschuwing"

    # An unfinished story stops a strict build (as any warning does); a normal build shows it.
    strict = site.build(strict=True, check=False)
    assert strict.returncode != 0 and placeholder_warning in strict.stderr
    site.build()
    page = site.page("verhalen/ons-buurtfeest")
    assert "Ons buurtfeest" in page
    assert "Hier komt jullie verhaal." in page
    # The writing guide is for the writer only: it never shows on the site.
    assert "Schrijfhulp" not in page and "[//]" not in page

    path.write_text(
        path.read_text(encoding="utf-8").replace("Hier komt jullie verhaal. Haal deze zin weg", "Wij vieren"),
        encoding="utf-8",
    )
    check = site.cli("check")
    assert (check.returncode, check.stdout) == (0, "")
    site.build(strict=True)
    assert "Wij vieren als je gaat schrijven." in site.page("verhalen/ons-buurtfeest")


def test_values_are_written_as_yaml_and_names_as_the_register_spells_them(site):
    title = 'Koffie: elke dinsdag # om 10 uur, "gratis" en \'s avonds - ook [soms] {ja}'
    result = site.cli(
        "new",
        "--title",
        title,
        "--community",
        "De Buurtgroep: koffie & thee",
        "--neighbourhood",
        "haven",
        "--neighbourhood",
        "LINDEHOEVE",
        "--theme",
        "samen-leven",
        "--slug",
        "koffie-op-dinsdag",
        "--draft",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    data = front_matter(site.stories / "koffie-op-dinsdag" / "index.md")
    assert data["title"] == title
    assert data["community"] == "De Buurtgroep: koffie & thee"
    assert data["neighbourhoods"] == ["Oude Haven", "Lindehoeve"]
    assert data["themes"] == ["Samen leven"]
    assert data["status"] == "draft"
    assert site.cli("check").returncode == 0


def test_without_consent_the_story_waits_as_a_draft(site):
    flags = FLAGS[: FLAGS.index("--consent-date")]
    result = site.cli("new", *flags)
    assert result.returncode == 0, result.stderr
    assert "concept (status: draft)" in result.stdout
    data = front_matter(site.stories / "ons-buurtfeest" / "index.md")
    assert data["status"] == "draft" and "consent" not in data
    assert site.cli("check").returncode == 0


def test_the_slug_comes_from_the_title_by_default(site):
    flags = list(FLAGS)
    flags[flags.index("--title") + 1] = "Één café, twee buurten!"
    assert site.cli("new", *flags).returncode == 0
    assert (site.stories / "een-cafe-twee-buurten" / "index.md").is_file()


def test_the_date_is_today_by_default(site):
    flags = FLAGS[: FLAGS.index("--date")] + FLAGS[FLAGS.index("--date") + 2 :]
    assert site.cli("new", *flags).returncode == 0
    assert front_matter(site.stories / "ons-buurtfeest" / "index.md")["date"] == TODAY


@pytest.mark.parametrize(
    "existing", ["ons-buurtfeest/index.md", "ons-buurtfeest.md", "Ons-Buurtfeest/index.md"]
)
def test_new_refuses_an_existing_slug(site, existing):
    site.write_story(existing.split("/")[0].removesuffix(".md"), "bestaand\n", folder="/" in existing)
    before = sorted(path.relative_to(site.root) for path in site.stories.rglob("*"))
    result = site.cli("new", *FLAGS)
    assert result.returncode == 2
    shown = "stories/" + existing.split("/")[0]
    assert (
        f"Er is al een verhaal met de naam 'ons-buurtfeest' ({shown}). Kies een andere naam" in result.stderr
    )
    assert "er is niets gemaakt" in result.stderr
    assert sorted(path.relative_to(site.root) for path in site.stories.rglob("*")) == before


def test_new_refuses_an_existing_slug_given_by_flag(site):
    site.add_story("bezet")
    result = site.cli("new", *FLAGS, "--slug", "bezet")
    assert result.returncode == 2
    assert "Er is al een verhaal met de naam 'bezet' (stories/bezet)" in result.stderr


def test_every_wrong_value_is_reported_at_once_and_nothing_is_written(site):
    result = site.cli(
        "new",
        "--title",
        "t" * 121,
        "--community",
        "Buren",
        "--neighbourhood",
        "Oude Havn",
        "--theme",
        "Koken",
        "--date",
        "2025-02-30",
        "--slug",
        "Met Spatie",
    )
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0] == "aanhetwoord new: er is niets gemaakt."
    assert "  --title: De titel heeft 121 tekens. Dat mogen er hoogstens 120 zijn." in lines
    assert "  --neighbourhood: Onbekende buurt 'Oude Havn'. Bedoel je 'Oude Haven'?" in lines
    assert (
        "  --theme: Onbekend thema 'Koken'. Kies uit: Samen leven, Sport en bewegen, Taal en meedoen."
        in lines
    )
    assert (
        "  --date: '2025-02-30' is geen datum. Schrijf JJJJ-MM-DD of DD-MM-JJJJ,"
        " bijvoorbeeld 2026-05-01 of 01-05-2026." in lines
    )
    assert (
        "  --slug: 'Met Spatie' kan niet als naam van de map: er staat een hoofdletter in ('M')."
        " Gebruik alleen kleine letters a-z, cijfers en -, hoogstens 80 tekens, bijvoorbeeld 'met-spatie'."
        in lines
    )
    assert not any(site.stories.glob("*/index.md"))


def test_without_flags_and_without_a_terminal_it_says_what_is_missing(site):
    result = site.cli("new")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "  --title ontbreekt" in result.stderr
    assert (
        "  --neighbourhood ontbreekt: kies uit Oude Haven, Marktkwartier, Lindehoeve, Veldrand"
        in result.stderr
    )
    assert "start 'aanhetwoord new' in een terminal" in result.stderr
    assert not any(site.stories.glob("*/index.md"))


def test_a_consent_reference_needs_a_consent_date(site):
    flags = FLAGS[: FLAGS.index("--consent-date")]
    result = site.cli("new", *flags, "--consent-reference", "TOE-1")
    assert result.returncode == 2
    assert "--consent-reference: een kenmerk hoort bij een datum" in result.stderr


# Questions ---------------------------------------------------------------------------------

ANSWERS = [
    "Samen koken op vrijdag",  # title
    "Kookclub Vrijdag",  # community
    "9",  # not on the list: asked again
    "2, 4",  # neighbourhoods
    "Taal en meedoen",  # a theme by name
    "",  # date: today
    "Fatima, Joost",  # storytellers
    "2025-04-01",  # consent date
    "TOE-2025-020",  # consent reference
    "",  # slug: from the title
]


def test_at_a_terminal_it_asks_with_numbered_choices_from_the_registers(site):
    result = run_at_terminal(site, ANSWERS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "  2. Marktkwartier\n" in result.stdout and "  3. Taal en meedoen\n" in result.stdout
    assert "Nummer 9 staat niet in de lijst. Probeer het nog eens." in result.stdout
    data = front_matter(site.stories / "samen-koken-op-vrijdag" / "index.md")
    assert data["neighbourhoods"] == ["Marktkwartier", "Veldrand"]
    assert data["themes"] == ["Taal en meedoen"]
    assert data["storytellers"] == ["Fatima", "Joost"]
    assert data["consent"] == {"date": date(2025, 4, 1), "reference": "TOE-2025-020"}
    assert site.cli("check").returncode == 0


def test_at_a_terminal_only_what_the_flags_leave_open_is_asked(site):
    answers = ["Kookclub Vrijdag", "1", "", "", "", "eigen-naam"]
    result = run_at_terminal(site, answers, "--title", "Samen koken", "--theme", "Samen leven")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Titel van je verhaal" not in result.stdout
    assert "Over welk thema" not in result.stdout
    data = front_matter(site.stories / "eigen-naam" / "index.md")
    assert data["title"] == "Samen koken" and data["status"] == "draft"


def test_questions_can_be_answered_from_piped_input(site):
    result = site.cli("new", "--interactive", input="".join(f"{answer}\n" for answer in ANSWERS))
    assert result.returncode == 0, result.stdout + result.stderr
    assert (site.stories / "samen-koken-op-vrijdag" / "index.md").is_file()


def test_a_taken_slug_is_asked_again(site):
    site.add_story("samen-koken-op-vrijdag")
    answers = [*ANSWERS, "koken-op-vrijdag"]
    result = site.cli("new", "--interactive", input="".join(f"{answer}\n" for answer in answers))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Er is al een verhaal met de naam 'samen-koken-op-vrijdag'" in result.stdout
    assert (site.stories / "koken-op-vrijdag" / "index.md").is_file()


def test_input_that_ends_early_writes_nothing(site):
    result = site.cli("new", "--interactive", input="Alleen een titel\n")
    assert result.returncode == 2
    assert "De invoer stopte voordat alle vragen beantwoord waren" in result.stderr
    assert not any(site.stories.glob("*/index.md"))
