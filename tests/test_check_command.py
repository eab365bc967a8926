"""``aanhetwoord check``, run as a real command in a real site folder.

Every problem is one line ``path:line: field: message`` on standard output; the exit code
is 1 when there is an error and 0 when there are only warnings.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from sitefactory import FRONT, story_file

# One problem line: a path, a line number, then (usually) a field, then a message.
PROBLEM_LINE = re.compile(r"^(?P<path>[^:\n]+):(?P<line>[1-9]\d*): (?P<rest>.+)$")


def changed(old: str, new: str, front: str = FRONT) -> str:
    assert front.count(old) == 1, old
    return front.replace(old, new)


def put(site, relative: str, text: str) -> None:
    path = site.stories / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def put_image(site, relative: str) -> None:
    path = site.stories / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    shade = sum(relative.encode()) % 256  # each file its own pixels, so no two share a cache entry
    Image.new("RGB", (64, 48), (shade, 128, 128)).save(path, "PNG")


def check(site, *paths: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return site.cli("check", *paths, cwd=cwd)


def output_lines(result: subprocess.CompletedProcess) -> list[str]:
    return result.stdout.splitlines()


# Exit codes and output -------------------------------------------------------------------


def test_a_site_without_problems_passes_quietly(site):
    put(site, "goed/index.md", story_file())
    put(site, "ook-goed.md", story_file())
    result = check(site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert result.stderr.strip() == "2 verhalen in orde, 0 fouten, 0 waarschuwingen"


def test_warnings_alone_exit_with_0(site):
    put(site, "typo/index.md", story_file(FRONT + "sumary: Kort.\n"))
    result = check(site)
    assert result.returncode == 0
    assert output_lines(result) == [
        "stories/typo/index.md:12: sumary: waarschuwing: onbekend veld 'sumary' wordt genegeerd; "
        "bedoel je 'summary'?"
    ]
    assert "0 fouten, 1 waarschuwing" in result.stderr


def test_one_error_exits_with_1(site):
    put(site, "goed/index.md", story_file())
    put(site, "datum/index.md", story_file(changed("date: 2025-05-01", "date: 2025-02-30")))
    result = check(site)
    assert result.returncode == 1
    assert output_lines(result) == ["stories/datum/index.md:3: date: '2025-02-30' bestaat niet als datum"]
    assert result.stderr.strip() == "1 verhaal in orde, 1 fout, 0 waarschuwingen"


def test_problems_of_all_stories_are_reported_at_once_sorted_by_path_and_line(site):
    front = changed("  - Samen leven", "  - Samen lven", changed("title: Een verhaal", "title:"))
    put(site, "b/index.md", story_file(front))
    put(site, "a/index.md", story_file(changed("  - Oude Haven", "  - Oude Havn")))
    put(site, "c.md", story_file(FRONT + "kleur: blauw\n"))
    result = check(site)
    assert result.returncode == 1
    assert output_lines(result) == [
        "stories/a/index.md:6: neighbourhoods[0]: onbekende buurt 'Oude Havn'. Bedoel je 'Oude Haven'?",
        "stories/b/index.md:2: title: is verplicht en mag niet leeg zijn",
        "stories/b/index.md:8: themes[0]: onbekend thema 'Samen lven'. Bedoel je 'Samen leven'?",
        "stories/c.md:12: kleur: waarschuwing: onbekend veld 'kleur' wordt genegeerd",
    ]
    assert "1 verhaal in orde, 3 fouten, 1 waarschuwing" in result.stderr


def test_a_broken_register_is_reported_and_fails_the_check(site):
    (site.stories / "_registers" / "themas.yml").write_text("- name: Samen leven\n- slug: zonder-naam\n")
    put(site, "goed/index.md", story_file())
    result = check(site)
    assert result.returncode == 1
    assert output_lines(result) == ["stories/_registers/themas.yml:2: name: een naam is verplicht"]


# Paths on the command line -----------------------------------------------------------------


def test_only_the_stories_named_on_the_command_line_are_checked(site):
    put(site, "kapot/index.md", story_file(changed("date: 2025-05-01", "date: 2025-02-30")))
    put(site, "goed/index.md", story_file())
    put(site, "los.md", story_file())
    assert check(site, "stories/goed").returncode == 0
    assert check(site, "stories/goed/index.md", "stories/los.md").returncode == 0
    result = check(site, "stories/kapot", "stories/los.md")
    assert result.returncode == 1
    assert output_lines(result) == ["stories/kapot/index.md:3: date: '2025-02-30' bestaat niet als datum"]


def test_a_path_that_does_not_exist_is_an_error(site):
    put(site, "goed/index.md", story_file())
    result = check(site, "stories/weg", "stories/goed")
    assert result.returncode == 1
    assert output_lines(result) == ["stories/weg:1: dit bestand of deze map bestaat niet"]


def test_the_stories_folder_itself_can_be_named(site):
    put(site, "goed/index.md", story_file())
    put(site, "kapot/index.md", story_file(changed("date: 2025-05-01", "date: 2025-02-30")))
    result = check(site, "stories")
    assert output_lines(result) == ["stories/kapot/index.md:3: date: '2025-02-30' bestaat niet als datum"]


def test_the_same_slug_twice_on_the_command_line_is_a_duplicate(site):
    put(site, "a.md", story_file())
    put(site, "a/index.md", story_file())
    result = check(site, "stories/a/index.md", "stories/a.md")
    assert result.returncode == 1
    assert output_lines(result) == [
        "stories/a.md:1: er is al een verhaal met de naam 'a' (stories/a/index.md)"
    ]


def test_from_a_subfolder_the_config_is_found_and_paths_are_shown_from_the_site_root(site):
    put(site, "kapot/index.md", story_file(changed("date: 2025-05-01", "date: 2025-02-30")))
    site.write_config()
    result = check(site, "kapot", cwd=site.stories)
    assert result.returncode == 1
    assert output_lines(result) == ["stories/kapot/index.md:3: date: '2025-02-30' bestaat niet als datum"]
    everything = check(site, cwd=site.stories / "kapot")
    assert output_lines(everything) == output_lines(result)


def test_a_config_file_can_be_named_from_anywhere(site, tmp_path_factory):
    put(site, "kapot/index.md", story_file(changed("date: 2025-05-01", "date: 2025-02-30")))
    config = site.write_config()
    elsewhere = tmp_path_factory.mktemp("elders")
    result = site.cli("-f", str(config), "check", cwd=elsewhere)
    assert result.returncode == 1
    assert output_lines(result) == ["stories/kapot/index.md:3: date: '2025-02-30' bestaat niet als datum"]


def test_without_a_site_config_the_command_says_so_and_exits_with_2(site, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("leeg")
    result = site.cli("check", cwd=elsewhere, config=False)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "geen mkdocs.yml gevonden" in result.stderr


def test_the_config_may_use_mkdocs_tags(site):
    put(site, "goed/index.md", story_file())
    site.write_config()
    config = site.root / "mkdocs.yml"
    config.write_text(config.read_text() + "extra:\n  sleutel: !ENV [GEHEIM, leeg]\n", encoding="utf-8")
    result = site.cli("check", config=False)
    assert result.returncode == 0, result.stdout + result.stderr


# A folder full of mistakes -----------------------------------------------------------------

BODY_LINE = 14  # the first body line of a story built from FRONT
WITHOUT_CONSENT = changed("consent:\n  date: 2025-04-01\n  reference: T-1\n", "")
LONG_SLUG = "a" * 81


def broken_stories() -> list[tuple[str, str, str]]:
    """(file under stories/, its text, how its line in the output goes on after the path), one per kind."""
    return [
        ("zonder-titel/index.md", story_file(changed("title: Een verhaal\n", "")), ":1: title: is verplicht"),
        (
            "lege-gemeenschap/index.md",
            story_file(changed("community: De Buurtgroep", "community: ''")),
            ":4: community: is verplicht",
        ),
        (
            "zonder-buurt/index.md",
            story_file(changed("neighbourhoods:\n  - Oude Haven\n", "")),
            ":1: neighbourhoods: is verplicht",
        ),
        (
            "lege-themas/index.md",
            story_file(changed("themes:\n  - Samen leven", "themes: []")),
            ":7: themes: is verplicht",
        ),
        ("zonder-toestemming/index.md", story_file(WITHOUT_CONSENT), ":1: consent: toestemming ontbreekt"),
        (
            "verkeerde-soort/index.md",
            story_file(changed("title: Een verhaal", "title: [Een, verhaal]")),
            ":2: title: moet tekst zijn",
        ),
        (
            "geen-datum/index.md",
            story_file(changed("date: 2025-05-01", "date: 2025-02-30")),
            ":3: date: '2025-02-30' bestaat niet als datum",
        ),
        (
            "yaml-fout/index.md",
            story_file(changed("community: De Buurtgroep", "community: De: Buurtgroep")),
            ":4: fout in de YAML-opmaak",
        ),
        (
            "onbekende-buurt/index.md",
            story_file(changed("  - Oude Haven", "  - Oude Havn")),
            ":6: neighbourhoods[0]: onbekende buurt 'Oude Havn'. Bedoel je 'Oude Haven'?",
        ),
        (
            "onbekend-thema/index.md",
            story_file(changed("  - Samen leven", "  - Samen Lven")),
            ":8: themes[0]: onbekend thema 'Samen Lven'. Bedoel je 'Samen leven'?",
        ),
        (
            "onbekend-veld/index.md",
            story_file(changed("neighbourhoods:", "neighborhoods:")),
            ":5: neighborhoods: waarschuwing: onbekend veld 'neighborhoods' wordt genegeerd; "
            "bedoel je 'neighbourhoods'?",
        ),
        (
            "dubbel.md",
            story_file(),
            ":1: er is al een verhaal met de naam 'dubbel' (stories/dubbel/index.md)",
        ),
        ("dubbel/index.md", story_file(), ""),
        ("Hoofdletters/index.md", story_file(), ":1: 'Hoofdletters' is geen goede naam"),
        ("met spatie/index.md", story_file(), ":1: 'met spatie' is geen goede naam"),
        (f"{LONG_SLUG}/index.md", story_file(), f":1: '{LONG_SLUG}' is geen goede naam"),
        (
            "omslag-weg/index.md",
            story_file(FRONT + "image:\n  src: omslag.jpg\n  alt: Het plein\n"),
            ":13: image.src: de foto 'omslag.jpg' bestaat niet",
        ),
        (
            "omslag-zonder-alt/index.md",
            story_file(FRONT + "image:\n  src: omslag.jpg\n"),
            ":12: image.alt: beschrijf wat er op de foto te zien is",
        ),
        (
            "foto-weg/index.md",
            story_file(body="Eerst tekst.\n\n![Het plein](plein.jpg)"),
            f":{BODY_LINE + 2}: tekst: de foto 'plein.jpg' bestaat niet",
        ),
        (
            "lange-titel/index.md",
            story_file(changed("title: Een verhaal", "title: " + "t" * 121)),
            ":2: title: is 121 tekens lang; het mag hoogstens 120 tekens zijn",
        ),
        (
            "lange-samenvatting/index.md",
            story_file(FRONT + "summary: " + "s" * 301 + "\n"),
            ":12: summary: is 301 tekens lang; het mag hoogstens 300 tekens zijn",
        ),
        (
            "te-groot/index.md",
            story_file(FRONT + "storytellers:\n" + "  - Een vertellersnaam\n" * 3200),
            ":1: de gegevens bovenaan zijn groter dan 64 KB",
        ),
        (
            "anker/index.md",
            story_file(changed("community: De Buurtgroep", "community: &c Buurt") + "x: *c\n"),
            ":4: YAML-ankers en -verwijzingen (& en *) zijn niet toegestaan",
        ),
    ]


def expected_prefixes() -> list[str]:
    return [f"stories/{relative}{expected}" for relative, _, expected in broken_stories() if expected]


@pytest.fixture
def broken_site(site):
    for relative, text, _ in broken_stories():
        put(site, relative, text)
    put_image(site, "omslag-zonder-alt/omslag.jpg")
    put(
        site,
        "goed/index.md",
        story_file(
            FRONT + "  photos: true\nimage:\n  src: omslag.jpg\n  alt: Het plein vol mensen\n",
            body="Het goede verhaal.\n\n![Het café](café.jpg)\n\n![Het plein, groter](omslag.jpg?v=2)",
        ),
    )
    put_image(site, "goed/omslag.jpg")
    put_image(site, "goed/café.jpg")
    put(site, "concept/index.md", story_file(WITHOUT_CONSENT + "status: draft\n"))
    put(site, "ingetrokken/index.md", "---\nstatus: withdrawn\n---\n")
    return site


def test_a_folder_of_broken_stories_reports_every_problem_and_fails(broken_site):
    result = check(broken_site)
    assert result.returncode == 1
    lines = output_lines(result)
    for line in lines:
        assert PROBLEM_LINE.match(line), line
    for expected in expected_prefixes():
        assert any(line.startswith(expected) for line in lines), f"{expected!r} missing:\n" + "\n".join(lines)
    reported = {PROBLEM_LINE.match(line)["path"] for line in lines}
    assert not reported & {f"stories/{slug}/index.md" for slug in ("goed", "concept", "ingetrokken")}
    # One line per broken story, and 'onbekend-veld' also misses its neighbourhoods.
    assert len(lines) == len(expected_prefixes()) + 1, "\n".join(lines)


def test_the_site_still_builds_the_good_stories_but_not_in_strict_mode(broken_site):
    result = broken_site.build(strict=False)
    built = {path.name for path in (broken_site.site_dir / "verhalen").iterdir() if path.is_dir()}
    # 'dubbel' is built once, from the folder; the withdrawn story leaves its notice.
    assert {"goed", "dubbel", "ingetrokken"} <= built
    for relative, _, expected in broken_stories():
        slug = relative.split("/")[0]
        if expected and not relative.startswith("dubbel"):
            assert slug not in built, slug
    # Photos are published as processed variants, never as the original files.
    published = {path.name for path in (broken_site.site_dir / "verhalen/goed").iterdir()}
    assert "omslag.jpg" not in published and "café.jpg" not in published
    assert any(name.endswith("-omslag-64.webp") for name in published)
    assert any(name.endswith("-cafe-64.webp") for name in published)
    assert broken_site.page("verhalen/goed").count("<picture>") >= 2
    assert "stories/geen-datum/index.md:3: date:" in result.stderr

    strict = broken_site.build(strict=True, check=False)
    assert strict.returncode != 0
