"""One story never stops the site: stories that once crashed ``check`` or the build, or made
every feed invalid XML, are reported on their line and left out, and the other stories build.

Every command runs for real, as a subprocess: ``check``, the MkDocs build, ``serve``,
``report``, ``new``, ``withdraw`` and ``check-pr``.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from aanhetwoord import feeds, pipeline
from aanhetwoord.config_file import load_settings
from sitefactory import CLI, Site, make_site, quiet_env, running_server

ATOM = "{http://www.w3.org/2005/Atom}"
BASE = {
    "title": "Een verhaal",  # line 2
    "date": "2025-05-01",  # line 3
    "community": "De Buurtgroep",  # line 4
    "neighbourhoods": "[Oude Haven]",  # line 5
    "themes": "[Samen leven]",  # line 6
    "consent": "{date: 2025-01-01}",  # line 7
}
UNFIT = "bevat onzichtbare stuurtekens (zoals U+000B) die niet op een webpagina passen; die zijn weggelaten"
NOT_A_DATE = "'2025-05-01 10:00:00' is geen datum; schrijf JJJJ-MM-DD, bijvoorbeeld 2026-05-01"
TAG = (
    "is niet toegestaan; schrijf de waarde zonder label"
    " (tekst, een datum als JJJJ-MM-DD, true of false, of een lijst)"
)
TOO_DEEP = "de gegevens zitten te diep in elkaar"
COMMUNITIES = "[" + ", ".join(f"Groep {number}" for number in range(2000)) + "]"


def story(extra: str = "", body: str = "Een verhaal uit de buurt.", **fields: str) -> str:
    """A story file with raw YAML values: ``fields`` replace lines 2-7, ``extra`` starts at line 8."""
    lines = [f"{key}: {value}" for key, value in {**BASE, **fields}.items()]
    return "---\n" + "\n".join(lines) + "\n" + extra + "---\n\n" + body + "\n"


# slug → (story text, the messages `check` must print for it, exactly)
ATTACKS: dict[str, tuple[str, list[str]]] = {
    "tijdstempel": (
        story(date="!!timestamp 2025-05-01 10:00:00"),
        [f"stories/tijdstempel/index.md:3: date: {NOT_A_DATE}"],
    ),
    "tijdstempel-vervolg": (
        story("updates:\n  - date: !!timestamp 2025-05-01 10:00:00\n    text: Later meer.\n"),
        [f"stories/tijdstempel-vervolg/index.md:9: updates[0].date: {NOT_A_DATE}"],
    ),
    "groot-getal": (
        story(title="1" + "0" * 5000),
        ["stories/groot-getal/index.md:2: title: is 5001 tekens lang; het mag hoogstens 120 tekens zijn"],
    ),
    "groot-getal-datum": (
        story(date="9" * 5000),
        [
            "stories/groot-getal-datum/index.md:3: date: "
            f"'{'9' * 39}…' is geen datum; schrijf JJJJ-MM-DD, bijvoorbeeld 2026-05-01"
        ],
    ),
    "binair": (
        story("image: !!binary aGVsbG8=\n"),
        [f"stories/binair/index.md:8: het YAML-label '!!binary' {TAG}"],
    ),
    "python": (
        story(title='!!python/object/apply:os.system ["echo gehackt"]'),
        [f"stories/python/index.md:2: het YAML-label '!!python/object/apply:os.system' {TAG}"],
    ),
    "verzameling": (
        story(themes="!!set {Samen leven}"),
        [f"stories/verzameling/index.md:6: het YAML-label '!!set' {TAG}"],
    ),
    "gemeenschappen": (
        story(community=COMMUNITIES),
        ["stories/gemeenschappen/index.md:4: community: noemt er 2000; dat mogen er hoogstens 10 zijn"],
    ),
    "lange-tekst": (
        story(body="Woord " * 100_000),
        [
            "stories/lange-tekst/index.md:9: tekst: het verhaal is 599.999 tekens lang;"
            " het mag hoogstens 500.000 tekens zijn"
        ],
    ),
    "veld-als-lijst": (
        story("? [title, date]\n: x\n"),
        [
            "stories/veld-als-lijst/index.md:8: fout in de YAML-opmaak: de naam van een veld moet gewone"
            " tekst zijn, geen lijst of groep"
        ],
    ),
}
# Deep nesting: where exactly libyaml stops differs from PyYAML's own parser, so the test looks for
# the message on the right line.
DEEP = {
    "diep-genest": story("extra: " + "[" * 10_000 + "]" * 10_000 + "\n"),
    "diep-groepen": story("extra: " + "{a: " * 10_000 + "b" + "}" * 10_000 + "\n"),
}
# Characters XML 1.0 forbids, from YAML escapes and straight in the file: dropped with a warning,
# and the story is published.
CONTROLS = story(
    'summary: "Kort\\x0bverhaal"\nupdates:\n  - date: 2025-06-01\n    text: "Later\\x0bmeer"\n',
    body="Koffie\x0bdrinken op het plein.",
    title='"Koffie\\x0bdrinken"',
    community='["De\\x0bBuurtgroep"]',
)
CONTROL_WARNINGS = [
    f"stories/stuurtekens/index.md:2: title: waarschuwing: {UNFIT}",
    f"stories/stuurtekens/index.md:4: community[0]: waarschuwing: {UNFIT}",
    f"stories/stuurtekens/index.md:8: summary: waarschuwing: {UNFIT}",
    f"stories/stuurtekens/index.md:11: updates[0].text: waarschuwing: {UNFIT}",
    f"stories/stuurtekens/index.md:14: waarschuwing: {UNFIT}",  # the body
]
BROKEN = [*ATTACKS, *DEEP]


def write_attacks(site: Site) -> None:
    site.add_story("goed", title="Het goede verhaal", community="De Vaste Groep")
    for slug, (text, _) in ATTACKS.items():
        site.write_story(slug, text)
    for slug, text in DEEP.items():
        site.write_story(slug, text)
    site.write_story("stuurtekens", CONTROLS)
    site.write_config()


def assert_no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr


@pytest.fixture(scope="module")
def attacked(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """One site with every attack, a story with control characters and one good story."""
    site = make_site(tmp_path_factory.mktemp("aanvallen"))
    write_attacks(site)
    return site


@pytest.fixture(scope="module")
def checked(attacked: Site) -> subprocess.CompletedProcess:
    return attacked.cli("check")


# check ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", list(ATTACKS))
def test_check_reports_the_attack_on_its_line_and_goes_on(checked, slug):
    assert_no_traceback(checked)
    printed = checked.stdout.splitlines()
    for message in ATTACKS[slug][1]:
        assert message in printed
    assert [line for line in printed if line.startswith(f"stories/{slug}/")] == ATTACKS[slug][1]


@pytest.mark.parametrize("slug", list(DEEP))
def test_check_refuses_nesting_ten_thousand_deep_on_its_line(checked, slug):
    assert_no_traceback(checked)
    [line] = [line for line in checked.stdout.splitlines() if line.startswith(f"stories/{slug}/")]
    assert line.startswith(f"stories/{slug}/index.md:8: ")
    assert TOO_DEEP in line


def test_check_drops_control_characters_with_a_warning_on_each_line(checked):
    printed = [line for line in checked.stdout.splitlines() if line.startswith("stories/stuurtekens/")]
    assert printed == CONTROL_WARNINGS


def test_check_counts_the_good_stories_and_fails_for_the_broken_ones(checked):
    assert checked.returncode == 1
    # The good story and the one with control characters (warnings only) are in order.
    assert checked.stderr.strip().splitlines()[-1] == (
        f"2 verhalen in orde, {len(BROKEN)} fouten, {len(CONTROL_WARNINGS)} waarschuwingen"
    )


def test_check_of_one_broken_story_names_only_that_story(attacked):
    result = attacked.cli("check", "stories/tijdstempel")
    assert_no_traceback(result)
    assert result.returncode == 1
    assert result.stdout.splitlines() == ATTACKS["tijdstempel"][1]


# The build -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(attacked: Site) -> subprocess.CompletedProcess:
    return attacked.build(strict=False)


def test_the_build_leaves_the_broken_stories_out_and_builds_the_others(attacked, built):
    assert_no_traceback(built)
    site_dir = attacked.site_dir
    assert "Het goede verhaal" in attacked.page("verhalen/goed")
    for slug in BROKEN:
        assert not (site_dir / "verhalen" / slug / "index.html").exists(), slug
        assert f"stories/{slug}/index.md:" in built.stderr
    page = attacked.page("verhalen/stuurtekens")
    assert "Koffie drinken" in page and "Later meer" in page
    assert "\x0b" not in page


def test_every_feed_of_the_attacked_site_is_valid_xml_and_json(attacked, built):
    feeds = sorted(attacked.site_dir.rglob("feed.xml"))
    assert len(feeds) >= 5
    titles = set()
    for feed in feeds:
        root = ET.parse(feed).getroot()
        titles |= {title.text for title in root.iter("{http://www.w3.org/2005/Atom}title")}
    assert {"Het goede verhaal", "Koffie drinken"} <= titles
    for feed in attacked.site_dir.rglob("feed.json"):
        json.loads(feed.read_text(encoding="utf-8"))
    stories = json.loads((attacked.site_dir / "api" / "stories.json").read_text(encoding="utf-8"))
    assert "\x0b" not in json.dumps(stories, ensure_ascii=False)


def test_a_story_naming_two_thousand_communities_adds_no_pages(attacked, built):
    communities = attacked.site_dir / "gemeenschappen"
    pages = sorted(path.parent.name for path in communities.glob("*/index.html"))
    assert pages == ["de-buurtgroep", "de-vaste-groep"]
    size = sum(path.stat().st_size for path in attacked.site_dir.rglob("*") if path.is_file())
    assert size < 20 * 1024 * 1024, size  # before the maximum: about 400 MB


def test_a_strict_build_fails_with_the_messages_and_no_traceback(attacked, built):
    strict = attacked.build(strict=True, check=False)
    assert strict.returncode != 0
    assert_no_traceback(strict)
    assert f"stories/tijdstempel/index.md:3: date: {NOT_A_DATE}" in strict.stderr


# Other commands, with broken stories in the same folder ---------------------------------------


@pytest.fixture
def broken_site(tmp_path: Path) -> Site:
    site = make_site(tmp_path)
    write_attacks(site)
    return site


def test_report_lists_the_problems_and_counts_the_good_stories(broken_site):
    result = broken_site.cli("report", "--format", "json")
    assert_no_traceback(result)
    assert result.returncode == 0
    report = json.loads(result.stdout)
    assert report["totals"]["published"] == 2
    assert report["totals"]["errors"] == len(BROKEN)
    assert {row["name"] for row in report["communities"]} == {"De Vaste Groep", "De Buurtgroep"}
    problem = {"path": "stories/tijdstempel/index.md", "line": 3, "field": "date", "message": NOT_A_DATE}
    assert {**problem, "severity": "error"} in report["problems"]


def test_report_as_text_and_html_goes_on_too(broken_site):
    result = broken_site.cli("report", "--html", "overzicht.html")
    assert_no_traceback(result)
    assert result.returncode == 0
    assert f"stories/tijdstempel/index.md:3: date: {NOT_A_DATE}" in result.stdout
    assert (broken_site.root / "overzicht.html").read_text(encoding="utf-8").startswith("<!doctype html>")


def test_new_writes_a_story_beside_broken_ones(broken_site):
    result = broken_site.cli(
        "new",
        "--title",
        "Een nieuw verhaal",
        "--community",
        "Nieuwe groep",
        "--neighbourhood",
        "Oude Haven",
        "--theme",
        "Samen leven",
        "--date",
        "2025-06-01",
        "--consent-date",
        "2025-05-01",
        "--consent-reference",
        "T-9",
    )
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert "title: Een nieuw verhaal" in (broken_site.stories / "een-nieuw-verhaal" / "index.md").read_text()


def test_withdraw_works_beside_broken_stories(broken_site):
    result = broken_site.cli("withdraw", "goed")
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert "status: withdrawn" in (broken_site.stories / "goed" / "index.md").read_text()


def test_withdraw_of_a_story_with_control_characters_succeeds(broken_site):
    result = broken_site.cli("withdraw", "stuurtekens")
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    text = (broken_site.stories / "stuurtekens" / "index.md").read_text()
    assert "status: withdrawn" in text


@pytest.mark.parametrize("slug", ["diep-genest", "binair", "veld-als-lijst"])
def test_withdraw_of_an_unreadable_story_says_why_and_changes_nothing(broken_site, slug):
    path = broken_site.stories / slug / "index.md"
    before = path.read_bytes()
    result = broken_site.cli("withdraw", slug)
    assert_no_traceback(result)
    assert result.returncode == 1
    assert f"aanhetwoord withdraw: '{slug}' kan niet worden ingetrokken:" in result.stderr
    assert path.read_bytes() == before


def test_serve_shows_the_good_story_beside_broken_ones(broken_site):
    config = broken_site.root / "mkdocs.yml"
    # Port 0: the system picks a free port, and the command says which.
    command = [*CLI, "-f", str(config), "serve", "-a", "127.0.0.1:0"]
    with running_server(command, broken_site.root, "verhalen/goed/") as server:
        with urllib.request.urlopen(server.base + "verhalen/stuurtekens/", timeout=30) as response:
            assert "Koffie drinken" in response.read().decode("utf-8")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(server.base + "verhalen/tijdstempel/", timeout=30)
        assert refused.value.code == 404


# check-pr ------------------------------------------------------------------------------------


def git(root: Path, env: dict[str, str], *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env, timeout=60)


@pytest.fixture
def pr_site(tmp_path: Path) -> tuple[Site, dict[str, str]]:
    """A site in git with a broken story already on main, and a branch for a pull request."""
    env = {**quiet_env(), "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"), "GIT_CONFIG_NOSYSTEM": "1"}
    site = make_site(tmp_path / "site")
    site.add_story("goed")
    site.write_story("diep-genest", DEEP["diep-genest"])
    site.write_config()
    git(site.root, env, "init", "--quiet", "-b", "main")
    git(site.root, env, "config", "user.name", "Redactie")
    git(site.root, env, "config", "user.email", "redactie@gemeente.example")
    git(site.root, env, "config", "commit.gpgsign", "false")
    git(site.root, env, "add", "--all")
    git(site.root, env, "commit", "--quiet", "-m", "De site")
    git(site.root, env, "switch", "--quiet", "-c", "verhaal")
    return site, env


def check_pr(site: Site, env: dict[str, str]) -> subprocess.CompletedProcess:
    git(site.root, env, "add", "--all")
    git(site.root, env, "commit", "--quiet", "-m", "Een verhaal")
    return site.cli("check-pr", "--base", "main", config=False, env=env)


@pytest.mark.parametrize("slug", ["tijdstempel", "groot-getal", "gemeenschappen"])
def test_check_pr_refuses_an_attacking_story_with_its_line(pr_site, slug):
    site, env = pr_site
    text, messages = ATTACKS[slug]
    site.write_story(slug, text)
    result = check_pr(site, env)
    assert_no_traceback(result)
    assert result.returncode == 1
    assert messages[0] in result.stdout.splitlines()


def test_check_pr_passes_a_good_story_while_a_broken_one_is_on_main(pr_site):
    site, env = pr_site
    site.add_story("nieuw", title="Een nieuw verhaal")
    result = check_pr(site, env)
    assert_no_traceback(result)
    assert result.returncode == 0, result.stdout + result.stderr


# The feed writer, a second wall behind the loader ----------------------------------------------


def test_the_feed_writer_drops_characters_xml_forbids_by_itself(site):
    site.add_story("goed", title="Goed", summary="Kort")
    built = pipeline.build(load_settings(site.write_config()))
    [story] = built.catalogue.stories
    # As if a story came past the loader with characters XML 1.0 forbids.
    odd = dataclasses.replace(story, title="Koffie\x0bdrinken\ud800", summary="Kort\x00verhaal\ufffe")
    feed = feeds.Feed("", "Site\x01", [odd], "nl")

    root = ET.fromstring(feeds.atom(feed, built.catalogue, built.renderer.urls, lambda _: ""))
    assert root.find(f"{ATOM}title").text == "Site"
    entry = root.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "Koffie drinken"
    assert entry.find(f"{ATOM}summary").text == "Kortverhaal"

    document = json.loads(feeds.json_feed(feed, built.catalogue, built.renderer.urls, lambda _: ""))
    assert document["title"] == "Site"
    assert document["items"][0]["title"] == "Koffie drinken"
    assert document["items"][0]["summary"] == "Kortverhaal"
