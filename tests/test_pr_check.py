"""``aanhetwoord check-pr`` on real git repositories: a site on ``main``, a clone, a branch.

The command lines come from the CI templates themselves, so what passes here is what CI
runs on a resident's pull request.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from aanhetwoord.commands import prcheck
from sitefactory import ROOT, Site, make_site, quiet_env, story_text

GITHUB_WORKFLOW = ROOT / ".github" / "workflows" / "story-check.yml"
GITLAB_CI = ROOT / ".gitlab-ci.yml"
STAFF_MESSAGE = "Die bestanden verandert alleen de redactie."


def ci_command_lines() -> dict[str, str]:
    """The ``check-pr`` lines as the CI templates run them."""
    workflow = yaml.safe_load(GITHUB_WORKFLOW.read_text(encoding="utf-8"))
    steps = workflow["jobs"]["story-check"]["steps"]
    gitlab = yaml.safe_load(GITLAB_CI.read_text(encoding="utf-8"))
    return {
        "github": next(step["run"] for step in steps if "check-pr" in step.get("run", "")),
        "gitlab": next(line for line in gitlab["story-check"]["script"] if "check-pr" in line),
    }


def cli_arguments(line: str, variables: dict[str, str]) -> list[str]:
    """The arguments of a CI line's ``aanhetwoord`` command, with CI's variables filled in."""
    for name, value in variables.items():
        line = line.replace(name, value)
    words = shlex.split(line)
    assert words[0] == "aanhetwoord", line
    return words[1:]


def git_env(home: Path) -> dict[str, str]:
    """No user or system git configuration: hooks, signing or a default branch must not leak in."""
    env = quiet_env()
    env.update({"GIT_CONFIG_GLOBAL": str(home / "gitconfig"), "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(home)})
    return env


@dataclass
class Repo:
    site: Site
    env: dict[str, str]

    @property
    def root(self) -> Path:
        return self.site.root

    def git(self, *args: str) -> str:
        result = subprocess.run(
            ["git", *args], cwd=self.root, capture_output=True, text=True, env=self.env, timeout=60
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    def commit(self, message: str = "Wijziging") -> None:
        self.git("add", "--all")
        self.git("commit", "--quiet", "--allow-empty", "-m", message)

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def photo(self, relative: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (64, 48), (200, 120, 40)).save(path)
        return path

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return self.site.cli(*args, config=False, env=self.env)

    def run_ci(self, system: str = "github") -> subprocess.CompletedProcess:
        """check-pr exactly as the CI template runs it, with the variables CI would set."""
        variables = {
            "github": {"$BASE_REF": "main"},
            "gitlab": {"$BASE": self.git("merge-base", "origin/main", "HEAD").strip()},
        }[system]
        return self.run(*cli_arguments(ci_command_lines()[system], variables))


def init_repository(root: Path, env: dict[str, str]) -> None:
    for args in (
        ["init", "--quiet", "-b", "main"],
        ["config", "user.name", "Redactie"],
        ["config", "user.email", "redactie@gemeente.example"],
        ["config", "commit.gpgsign", "false"],
        ["add", "--all"],
        ["commit", "--quiet", "-m", "De site"],
    ):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """A resident's clone of the site, on a new branch ``verhaal``; ``origin/main`` is the site."""
    env = git_env(tmp_path)
    upstream = make_site(tmp_path / "gemeente")
    upstream.write_config()
    upstream.add_story("eerste", title="Het eerste verhaal")
    init_repository(upstream.root, env)
    subprocess.run(
        ["git", "clone", "--quiet", str(upstream.root), str(tmp_path / "bewoner")], check=True, env=env
    )
    clone = Repo(Site(tmp_path / "bewoner"), env)
    clone.git("config", "user.name", "Bewoner")
    clone.git("config", "user.email", "bewoner@example.org")
    clone.git("switch", "--quiet", "-c", "verhaal")
    return clone


def add_story(repo: Repo, slug: str, **fields) -> Path:
    return repo.write(f"stories/{slug}/index.md", story_text(**fields))


def upstream_of(repo: Repo) -> Repo:
    """The site's own repository, where the editors work on main."""
    return Repo(Site(repo.root.parent / "gemeente"), repo.env)


def catch_up(repo: Repo) -> None:
    """The resident's branch, rebased on main as the editors left it."""
    repo.git("fetch", "--quiet", "origin")
    repo.git("rebase", "--quiet", "origin/main")


# A good pull request -----------------------------------------------------------------------


def test_a_branch_adding_a_valid_story_passes(repo):
    add_story(repo, "ons-buurtfeest", title="Ons buurtfeest")
    repo.commit()
    result = repo.run_ci()
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert "Het verhaal ons-buurtfeest is in orde" in result.stderr


def test_a_story_with_photos_passes(repo):
    repo.write(
        "stories/met-fotos/index.md",
        story_text(
            body="Wij koken samen.\n\n![Een pan soep op het vuur](soep.jpg)",
            image={"src": "tafel.png", "alt": "Een lange tafel vol borden"},
        ),
    )
    repo.photo("stories/met-fotos/soep.jpg")
    repo.photo("stories/met-fotos/tafel.png")
    repo.photo("stories/met-fotos/extra/later.webp")
    repo.commit()
    result = repo.run("check-pr", "--base", "origin/main")
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_single_story_file_passes(repo):
    repo.write("stories/los-verhaal.md", story_text())
    repo.commit()
    assert repo.run("check-pr", "--base", "origin/main").returncode == 0


def test_changing_an_existing_story_and_replacing_its_photo_passes(repo):
    upstream = upstream_of(repo)
    upstream.photo("stories/eerste/oud.jpg")
    upstream.commit("Een foto")
    catch_up(repo)
    (repo.root / "stories/eerste/oud.jpg").unlink()
    repo.photo("stories/eerste/nieuw.jpg")
    add_story(
        repo, "eerste", title="Het eerste verhaal, aangevuld", body="Nu met foto.\n\n![Buren](nieuw.jpg)"
    )
    repo.commit()
    result = repo.run("check-pr", "--base", "origin/main")
    assert result.returncode == 0, result.stdout + result.stderr


def test_withdrawing_a_story_by_its_status_passes(repo):
    repo.write("stories/eerste/index.md", "---\nstatus: withdrawn\n---\n")
    repo.commit()
    assert repo.run("check-pr", "--base", "origin/main").returncode == 0


def test_a_branch_without_changes_passes_and_says_so(repo):
    repo.commit("Niets")
    result = repo.run("check-pr", "--base", "origin/main")
    assert result.returncode == 0
    assert "verandert geen verhaal" in result.stderr


def test_work_merged_into_main_meanwhile_does_not_count(repo):
    """The branch is compared with where it left main, not with main as it is now."""
    add_story(repo, "ons-buurtfeest")
    repo.commit()
    upstream = upstream_of(repo)
    upstream.write("mkdocs.yml", (upstream.root / "mkdocs.yml").read_text() + "\n# nieuw\n")
    upstream.commit("Redactie past de instellingen aan")
    repo.git("fetch", "--quiet", "origin")
    assert repo.run("check-pr", "--base", "origin/main").returncode == 0


# Pull requests the editors handle ------------------------------------------------------------


def test_a_story_that_also_touches_mkdocs_yml_fails_with_the_staff_message(repo):
    add_story(repo, "ons-buurtfeest")
    config = repo.root / "mkdocs.yml"
    config.write_text(config.read_text() + "\nextra:\n  kleur: rood\n", encoding="utf-8")
    repo.commit()
    result = repo.run_ci()
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "::error file=mkdocs.yml,line=1,title=aanhetwoord::"
        "dit bestand hoort bij de site zelf; alleen de redactie verandert het"
    ]
    assert "  - mkdocs.yml\n" in result.stderr
    assert STAFF_MESSAGE in result.stderr
    assert "de redactie bekijkt je pull request" in result.stderr


def test_a_branch_with_two_story_folders_fails(repo):
    add_story(repo, "verhaal-een")
    add_story(repo, "verhaal-twee")
    repo.commit()
    result = repo.run("check-pr", "--base", "origin/main")
    assert result.returncode == 1
    message = "deze pull request verandert meer dan één verhaal (verhaal-een, verhaal-twee)"
    assert result.stdout.splitlines() == [
        f"stories/verhaal-een/index.md:1: {message}; stuur elk verhaal in een eigen pull request",
        f"stories/verhaal-twee/index.md:1: {message}; stuur elk verhaal in een eigen pull request",
    ]
    assert "De redactie helpt je graag" in result.stderr


def test_a_story_and_a_change_to_another_story_fail(repo):
    add_story(repo, "nieuw")
    add_story(repo, "eerste", title="Iemand anders verandert mijn titel")
    repo.commit()
    result = repo.run("check-pr", "--base", "origin/main")
    assert result.returncode == 1
    assert "meer dan één verhaal (eerste, nieuw)" in result.stdout


@pytest.mark.parametrize("register", ["stories/_registers/themas.yml", "stories/_registers/buurten.yml"])
def test_a_branch_changing_a_register_fails(repo, register):
    add_story(repo, "ons-buurtfeest")
    path = repo.root / register
    path.write_text(path.read_text() + "- name: Nieuw thema\n", encoding="utf-8")
    repo.commit()
    result = repo.run("check-pr", "--base", "origin/main")
    assert result.returncode == 1
    assert f"{register}:1: dit bestand hoort bij de site zelf" in result.stdout
    assert f"  - {register}\n" in result.stderr and STAFF_MESSAGE in result.stderr


def test_a_py_file_inside_the_story_folder_fails(repo):
    add_story(repo, "ons-buurtfeest")
    repo.write("stories/ons-buurtfeest/hook.py", "import os\n")
    repo.commit()
    result = repo.run_ci()
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "::error file=stories/ons-buurtfeest/hook.py,line=1,title=aanhetwoord::"
        "dit is programmacode; code van de site verandert alleen de redactie"
    ]
    assert "  - stories/ons-buurtfeest/hook.py\n" in result.stderr and STAFF_MESSAGE in result.stderr


@pytest.mark.parametrize(
    "path",
    [
        "plugins/aanhetwoord/extra.py",
        "theme_overrides/main.html",
        ".github/workflows/story-check.yml",
        ".gitlab-ci.yml",
        ".githooks/pre-commit",
        "stories/_nieuw-register.yml",
        "stories/.verborgen/index.md",
        "docs/index.md",
    ],
)
def test_files_outside_the_stories_or_of_the_site_fail(repo, path):
    add_story(repo, "ons-buurtfeest")
    repo.write(path, "iets\n")
    repo.commit()
    result = repo.run("check-pr", "--base", "origin/main")
    assert result.returncode == 1
    assert result.stdout.startswith(f"{path}:1: ")
    assert f"  - {path}\n" in result.stderr and STAFF_MESSAGE in result.stderr


def test_a_symlink_fails_and_is_not_followed(repo):
    add_story(repo, "ons-buurtfeest", body="![Geheim](geheim.jpg)")
    secret = repo.root.parent / "geheim.txt"
    secret.write_text("GEHEIME-INHOUD\n", encoding="utf-8")
    os.symlink(secret, repo.root / "stories/ons-buurtfeest/geheim.jpg")
    repo.commit()
    result = repo.run("check-pr", "--base", "origin/main")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "stories/ons-buurtfeest/geheim.jpg:1: dit is een snelkoppeling (symlink); die kan niet in een verhaal"
    ]
    assert "GEHEIME-INHOUD" not in result.stdout + result.stderr


def test_a_linked_register_stops_the_validation(repo):
    """Suggestions come from the registers: through a link they could show any file on the machine."""
    add_story(repo, "ons-buurtfeest", neighbourhoods=["Geheim"])
    secret = repo.root.parent / "geheim.yml"
    secret.write_text("- name: GeheimX\n", encoding="utf-8")
    register = repo.root / "stories/_registers/buurten.yml"
    register.unlink()
    os.symlink(secret, register)
    repo.commit()
    result = repo.run("check-pr", "--base", "origin/main")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "stories/_registers/buurten.yml:1: dit is een snelkoppeling (symlink); die kan niet in een verhaal"
    ]
    assert "GeheimX" not in result.stdout + result.stderr


def test_a_file_name_cannot_fake_a_ci_command(repo):
    add_story(repo, "ons-buurtfeest")
    repo.write("nep\n::notice::alles goed.txt", "iets\n")
    repo.commit()
    result = repo.run_ci()
    assert result.returncode == 1
    lines = (result.stdout + result.stderr).splitlines()
    assert not any(line.startswith("::notice") for line in lines)
    assert "::error file=nep%0A%3A%3Anotice%3A%3Aalles goed.txt,line=1,title=aanhetwoord::" in result.stdout
    assert "  - nep\\n::notice::alles goed.txt\n" in result.stderr


def test_deleting_a_file_outside_the_story_fails(repo):
    add_story(repo, "ons-buurtfeest")
    (repo.root / "docs/deel-je-verhaal.md").unlink()
    repo.commit()
    result = repo.run("check-pr", "--base", "origin/main")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "docs/deel-je-verhaal.md:1: dit bestand wordt weggehaald; dat doet alleen de redactie"
    ]


def test_deleting_a_story_fails_and_points_to_withdrawing_it(repo):
    (repo.root / "stories/eerste/index.md").unlink()
    repo.commit()
    result = repo.run("check-pr", "--base", "origin/main")
    assert result.returncode == 1
    assert "stories/eerste/index.md:1: een verhaal weghalen doet de redactie" in result.stdout
    assert "status: withdrawn" in result.stdout


@pytest.mark.parametrize("name", ["folder.pdf", "notities.md", "pagina.html", "film.mp4", "sub/index.md"])
def test_other_file_types_in_a_story_fail(repo, name):
    add_story(repo, "ons-buurtfeest")
    repo.write(f"stories/ons-buurtfeest/{name}", "iets\n")
    repo.commit()
    result = repo.run("check-pr", "--base", "origin/main")
    assert result.returncode == 1
    assert result.stdout.startswith(
        f"stories/ons-buurtfeest/{name}:1: dit soort bestand kan niet in een verhaal; "
        "zet er alleen index.md en foto's in"
    )


def test_files_loose_in_the_stories_folder_fail(repo):
    repo.photo("stories/los.jpg")
    repo.commit()
    result = repo.run("check-pr", "--base", "origin/main")
    assert result.returncode == 1
    assert result.stdout.startswith("stories/los.jpg:1: dit bestand hoort niet in een verhaal")


def test_files_that_are_too_large_fail_and_are_not_read(repo):
    add_story(repo, "groot", body="woord " * 40_000)
    with (repo.root / "stories/groot/foto.jpg").open("wb") as handle:
        handle.truncate(25 * 1024 * 1024 + 1)
    repo.commit()
    result = repo.run("check-pr", "--base", "origin/main")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "stories/groot/foto.jpg:1: de foto is 25,1 MB; dat mag hoogstens 25 MB zijn; "
        "maak de foto kleiner en probeer het opnieuw",
        "stories/groot/index.md:1: het verhaal is 235 KB; dat mag hoogstens 200 KB zijn",
    ]


# A story with mistakes ---------------------------------------------------------------------


def test_a_broken_story_prints_github_annotations_with_file_and_line(repo):
    # Line 1 is '---'; the fields follow in the order of story_text: date on 3, the neighbourhood on 6.
    add_story(repo, "kapot", date="2025-02-30", neighbourhoods=["Oude Havn"])
    repo.commit()
    result = repo.run_ci("github")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "::error file=stories/kapot/index.md,line=3,title=date::'2025-02-30' bestaat niet als datum",
        "::error file=stories/kapot/index.md,line=6,title=neighbourhoods[0]::"
        "onbekende buurt 'Oude Havn'. Bedoel je 'Oude Haven'?",
    ]
    assert "In het verhaal staan 2 fouten" in result.stderr


def test_the_gitlab_line_writes_a_code_quality_report(repo):
    add_story(repo, "kapot", neighbourhoods=["Oude Havn"])
    repo.commit()
    result = repo.run_ci("gitlab")
    assert result.returncode == 1
    assert result.stdout.startswith("stories/kapot/index.md:6: neighbourhoods[0]: onbekende buurt")
    (issue,) = json.loads((repo.root / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    assert issue["location"] == {"path": "stories/kapot/index.md", "lines": {"begin": 6}}
    assert issue["severity"] == "major"


def test_only_the_changed_story_is_judged(repo):
    """A mistake that is already on main is not the resident's to fix."""
    upstream = upstream_of(repo)
    upstream.write("stories/oud-en-kapot/index.md", story_text(date="2025-02-30"))
    upstream.commit("Een oud verhaal met een fout")
    catch_up(repo)
    add_story(repo, "nieuw")
    repo.commit()
    assert repo.run("check-pr", "--base", "origin/main").returncode == 0


def test_a_slug_that_is_already_taken_fails(repo):
    repo.write("stories/eerste.md", story_text())
    repo.commit()
    result = repo.run("check-pr", "--base", "origin/main")
    assert result.returncode == 1
    assert "er is al een verhaal met de naam 'eerste'" in result.stdout


def test_a_folder_without_index_md_fails(repo):
    repo.photo("stories/alleen-fotos/foto.jpg")
    repo.commit()
    result = repo.run("check-pr", "--base", "origin/main")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "stories/alleen-fotos:1: in deze map staat geen index.md; een verhaal staat in index.md"
    ]


def test_warnings_alone_pass(repo):
    add_story(repo, "typo", sumary="Kort.")
    repo.commit()
    result = repo.run("check-pr", "--base", "origin/main", "--format", "github")
    assert result.returncode == 0
    assert result.stdout.startswith("::warning file=stories/typo/index.md,line=")


def test_a_site_in_a_subfolder_reports_paths_from_the_repository_root(tmp_path):
    env = git_env(tmp_path)
    site = make_site(tmp_path / "repo" / "website")
    site.write_config()
    init_repository(tmp_path / "repo", env)
    repo = Repo(site, env)
    repo.git("switch", "--quiet", "-c", "verhaal")
    add_story(repo, "kapot", date="2025-02-30")
    repo.write("README.md", "tekst\n")
    repo.commit()
    result = repo.run("check-pr", "--base", "main", "--format", "github")
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == (
        "::error file=website/README.md,line=1,title=aanhetwoord::"
        "dit bestand hoort bij de site zelf; alleen de redactie verandert het"
    )
    assert "::error file=website/stories/kapot/index.md,line=3,title=date::" in result.stdout


# Usage and git errors ----------------------------------------------------------------------


def test_an_unknown_base_exits_with_2(repo):
    result = repo.run("check-pr", "--base", "origin/bestaat-niet")
    assert result.returncode == 2
    assert "'origin/bestaat-niet' is geen commit of branch" in result.stderr
    assert result.stdout == ""


def test_a_base_that_looks_like_an_option_is_a_ref_not_an_option(repo):
    result = repo.run("check-pr", "--base=--output=/tmp/x")
    assert result.returncode == 2
    assert "geen commit of branch" in result.stderr


def test_a_head_that_is_not_checked_out_exits_with_2(repo):
    result = repo.run("check-pr", "--base", "origin/main", "--head", "origin/main~0^{tree}")
    assert result.returncode == 2
    add_story(repo, "nieuw")
    repo.commit()
    result = repo.run("check-pr", "--base", "origin/main", "--head", "origin/main")
    assert result.returncode == 2
    assert "niet de commit die nu is uitgecheckt" in result.stderr


def test_outside_a_git_repository_exits_with_2(site, tmp_path):
    env = {**git_env(tmp_path), "GIT_CEILING_DIRECTORIES": str(tmp_path.parent)}
    result = site.cli("check-pr", "--base", "main", env=env)
    assert result.returncode == 2
    assert result.stderr.startswith("aanhetwoord check-pr: git rev-parse lukt niet")


def test_base_is_required(repo):
    result = repo.run("check-pr")
    assert result.returncode == 2
    assert "--base" in result.stderr


# Every commit, every byte ---------------------------------------------------------------------

ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + bytes(200)
HISTORY_MESSAGE = "dit bestand zit in een eerdere commit en is later weer weggehaald"
NOT_A_PHOTO = "dit is geen foto in een bekend formaat (JPEG, PNG, WebP of HEIC)"


def lines(result: subprocess.CompletedProcess) -> list[str]:
    return result.stdout.splitlines()


def test_a_branch_that_edits_the_guard_a_workflow_and_mkdocs_yml_fails(repo):
    add_story(repo, "ons-buurtfeest")
    guard = repo.root / "plugins/aanhetwoord/commands/prcheck.py"
    repo.write("plugins/aanhetwoord/commands/prcheck.py", "def run(args, config_file):\n    return 0\n")
    repo.write(".github/workflows/story-check.yml", "on: pull_request_target\n")
    repo.write(
        "mkdocs.yml",
        (repo.root / "mkdocs.yml").read_text() + "\nhooks: [plugins/aanhetwoord/commands/prcheck.py]\n",
    )
    repo.commit()
    result = repo.run_ci()
    assert guard.is_file()
    assert result.returncode == 1
    assert sorted(lines(result)) == [
        "::error file=.github/workflows/story-check.yml,line=1,title=aanhetwoord::"
        "dit bestand hoort bij de site zelf; alleen de redactie verandert het",
        "::error file=mkdocs.yml,line=1,title=aanhetwoord::"
        "dit bestand hoort bij de site zelf; alleen de redactie verandert het",
        "::error file=plugins/aanhetwoord/commands/prcheck.py,line=1,title=aanhetwoord::"
        "dit is programmacode; code van de site verandert alleen de redactie",
    ]
    assert STAFF_MESSAGE in result.stderr


def test_a_site_file_changed_and_changed_back_fails(repo):
    """The net change is nothing, but the commit stays in the site's history after a merge."""
    add_story(repo, "ons-buurtfeest")
    original = (repo.root / "mkdocs.yml").read_text()
    repo.write("mkdocs.yml", original + "\nextra_javascript: [https://elders.example/x.js]\n")
    repo.commit("Eerst dit")
    repo.write("mkdocs.yml", original)
    repo.commit("En weer terug")
    result = repo.run("check-pr", "--base", "origin/main")
    assert result.returncode == 1
    assert lines(result) == [
        "mkdocs.yml:1: dit bestand hoort bij de site zelf; alleen de redactie verandert het"
    ]


def test_a_file_added_and_removed_in_a_later_commit_fails(repo):
    add_story(repo, "ons-buurtfeest")
    repo.photo("stories/ons-buurtfeest/buurman-zonder-toestemming.jpg")
    repo.commit("Met foto")
    (repo.root / "stories/ons-buurtfeest/buurman-zonder-toestemming.jpg").unlink()
    repo.commit("Foto weg")
    result = repo.run("check-pr", "--base", "origin/main")
    assert result.returncode == 1
    assert lines(result) == [
        f"stories/ons-buurtfeest/buurman-zonder-toestemming.jpg:1: {HISTORY_MESSAGE}; het blijft dan "
        "toch in de geschiedenis van de site bewaard. Maak een nieuwe branch zonder dit bestand, "
        "of voeg je commits samen tot één"
    ]
    assert "Alles wat in een commit zat, telt mee" in result.stderr


def test_a_program_named_as_a_photo_fails(repo):
    add_story(repo, "ons-buurtfeest", body="![Een feest](b.png)")
    (repo.root / "stories/ons-buurtfeest/b.png").write_bytes(ELF)
    repo.commit()
    result = repo.run_ci("gitlab")
    assert result.returncode == 1
    assert lines(result) == [f"stories/ons-buurtfeest/b.png:1: {NOT_A_PHOTO}"]


def test_a_photo_no_story_shows_is_decoded_too(repo):
    add_story(repo, "ons-buurtfeest")
    (repo.root / "stories/ons-buurtfeest/extra.jpg").write_bytes(ELF)
    repo.commit()
    result = repo.run("check-pr", "--base", "origin/main")
    assert result.returncode == 1
    assert lines(result) == [f"stories/ons-buurtfeest/extra.jpg:1: {NOT_A_PHOTO}"]


def test_an_earlier_version_that_is_no_photo_fails_with_its_commit(repo):
    add_story(repo, "ons-buurtfeest", body="![Een feest](b.png)")
    (repo.root / "stories/ons-buurtfeest/b.png").write_bytes(ELF)
    repo.commit("Eerst een programma")
    first = repo.git("rev-parse", "HEAD").strip()
    repo.photo("stories/ons-buurtfeest/b.png")
    repo.commit("Nu een echte foto")
    result = repo.run("check-pr", "--base", "origin/main")
    assert result.returncode == 1
    assert lines(result) == [
        f"stories/ons-buurtfeest/b.png:1: {NOT_A_PHOTO} (een eerdere versie, in commit {first[:10]})"
    ]


def test_a_truncated_photo_fails(repo):
    add_story(repo, "ons-buurtfeest")
    photo = repo.photo("stories/ons-buurtfeest/half.jpg")
    photo.write_bytes(photo.read_bytes()[:200])
    repo.commit()
    result = repo.run("check-pr", "--base", "origin/main")
    assert result.returncode == 1
    assert lines(result) == [
        "stories/ons-buurtfeest/half.jpg:1: de foto is beschadigd of niet compleet; "
        "kijk of het echt een foto is"
    ]


def test_a_photo_made_executable_in_a_later_commit_fails(repo):
    add_story(repo, "ons-buurtfeest", body="![Een feest](feest.jpg)")
    repo.photo("stories/ons-buurtfeest/feest.jpg")
    repo.commit()
    repo.git("update-index", "--chmod=+x", "stories/ons-buurtfeest/feest.jpg")
    repo.git("commit", "--quiet", "-m", "Uitvoerbaar")
    result = repo.run("check-pr", "--base", "origin/main")
    assert result.returncode == 1
    assert lines(result) == [
        "stories/ons-buurtfeest/feest.jpg:1: dit bestand is 'uitvoerbaar' gemaakt, als een programma; in "
        "een verhaal staan alleen gewone bestanden. Maak het weer gewoon met: git update-index --chmod=-x"
    ]


def test_an_executable_index_md_fails(repo):
    path = add_story(repo, "ons-buurtfeest")
    path.chmod(0o755)
    repo.commit()
    result = repo.run("check-pr", "--base", "origin/main")
    assert result.returncode == 1
    assert lines(result)[0].startswith(
        "stories/ons-buurtfeest/index.md:1: dit bestand is 'uitvoerbaar' gemaakt"
    )


def test_a_symlink_added_and_removed_again_fails(repo):
    add_story(repo, "ons-buurtfeest")
    os.symlink("/etc/passwd", repo.root / "stories/ons-buurtfeest/foto.jpg")
    repo.commit("Link")
    (repo.root / "stories/ons-buurtfeest/foto.jpg").unlink()
    repo.commit("Link weg")
    result = repo.run("check-pr", "--base", "origin/main")
    assert result.returncode == 1
    assert lines(result) == [
        "stories/ons-buurtfeest/foto.jpg:1: dit is een snelkoppeling (symlink); die kan niet in een verhaal"
    ]


def test_a_submodule_fails(repo):
    add_story(repo, "ons-buurtfeest")
    commit = repo.git("rev-parse", "HEAD").strip()
    repo.git("add", "--all")
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{commit},stories/ons-buurtfeest/fotos")
    repo.git("commit", "--quiet", "-m", "Submodule")
    result = repo.run("check-pr", "--base", "origin/main")
    assert result.returncode == 1
    assert lines(result) == [
        "stories/ons-buurtfeest/fotos:1: dit is een andere repository (submodule); "
        "die kan niet in een verhaal"
    ]
    assert STAFF_MESSAGE in result.stderr


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("foto\x1b[31m.jpg", "in de naam staat een onzichtbaar teken of een regeleinde"),
        ("foto\r.jpg", "in de naam staat een onzichtbaar teken of een regeleinde"),
        ("foto\u202egpj.png", "in de naam staat een onzichtbaar teken of een regeleinde"),
        ("-rf.jpg", "een naam mag niet met '-' beginnen"),
        ("a\\b.jpg", "in de naam staat een '\\'"),
    ],
)
def test_unsafe_file_names_in_a_story_fail(repo, name, reason):
    add_story(repo, "ons-buurtfeest")
    repo.photo(f"stories/ons-buurtfeest/{name}")
    repo.commit()
    result = repo.run("check-pr", "--base", "origin/main")
    assert result.returncode == 1
    # Text mode reads a '\r' in the name as a line end: compare the problem, not the raw line.
    assert result.stdout.count(":1: ") == 1
    assert result.stdout.startswith("stories/ons-buurtfeest/")
    assert result.stdout.endswith(
        f":1: {reason}; geef het bestand een gewone naam, met letters, cijfers, '-' en '_'\n"
    )


def test_more_than_twenty_files_fail(repo):
    add_story(repo, "veel-fotos")
    for number in range(20):
        repo.photo(f"stories/veel-fotos/foto-{number}.jpg")
    repo.commit()
    result = repo.run("check-pr", "--base", "origin/main")
    assert result.returncode == 1
    assert lines(result) == [
        "stories:1: deze pull request verandert 21 bestanden; dat mogen er hoogstens 20 zijn. "
        "Stuur minder foto's mee, of vraag de redactie om hulp"
    ]


def test_more_than_40_mb_in_all_fails_counting_earlier_versions(repo):
    """Two versions of one photo, each within the limit per photo; history keeps both."""
    add_story(repo, "grote-foto")
    photo = repo.root / "stories/grote-foto/foto.jpg"
    photo.write_bytes(b"\xff\xd8" + bytes(21 * 1024 * 1024))
    repo.commit("Foto")
    photo.write_bytes(b"\xff\xd8" + bytes(21 * 1024 * 1024 - 1) + b"\x01")
    repo.commit("Andere foto")
    result = repo.run("check-pr", "--base", "origin/main")
    assert result.returncode == 1
    assert lines(result) == [
        "stories:1: de bestanden in deze pull request zijn samen 42,1 MB; dat mag hoogstens 40 MB zijn "
        "(ook wat in eerdere commits zat, telt mee). Maak de foto's kleiner of stuur er minder mee"
    ]


def test_more_than_a_hundred_commits_fail(repo):
    add_story(repo, "ons-buurtfeest")
    for _ in range(101):
        repo.commit("Nog een")
    result = repo.run("check-pr", "--base", "origin/main")
    assert result.returncode == 1
    assert lines(result) == [
        "stories:1: deze pull request heeft 101 commits; dat mogen er hoogstens 100 zijn. "
        "Voeg je commits samen tot één, of vraag de redactie om hulp"
    ]


def test_a_story_with_a_photo_over_several_commits_and_a_merge_of_main_passes(repo):
    add_story(repo, "ons-buurtfeest", title="Ons buurtfeest")
    repo.commit("Het verhaal")
    repo.photo("stories/ons-buurtfeest/feest.jpg")
    repo.commit("Een foto")
    upstream = upstream_of(repo)
    upstream.write("mkdocs.yml", (upstream.root / "mkdocs.yml").read_text() + "\n# nieuw\n")
    upstream.write("stories/van-de-redactie/index.md", story_text(title="Van de redactie"))
    upstream.commit("Redactie past de instellingen aan")
    repo.git("fetch", "--quiet", "origin")
    repo.git("merge", "--quiet", "--no-edit", "origin/main")
    add_story(
        repo, "ons-buurtfeest", title="Ons buurtfeest", body="Met foto.\n\n![Buren aan tafel](feest.jpg)"
    )
    repo.commit("De foto in het verhaal")
    for system in ("github", "gitlab"):
        result = repo.run_ci(system)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Het verhaal ons-buurtfeest is in orde" in result.stderr


def test_a_merge_that_changes_a_site_file_itself_fails(repo):
    add_story(repo, "ons-buurtfeest")
    repo.commit("Het verhaal")
    upstream = upstream_of(repo)
    upstream.write("docs/index.md", "# Welkom terug\n")
    upstream.commit("Redactie")
    repo.git("fetch", "--quiet", "origin")
    repo.git("merge", "--quiet", "--no-commit", "origin/main")
    repo.write("mkdocs.yml", (repo.root / "mkdocs.yml").read_text() + "\nhooks: [x.py]\n")
    repo.commit("Samengevoegd")
    result = repo.run("check-pr", "--base", "origin/main")
    assert result.returncode == 1
    assert lines(result) == [
        "mkdocs.yml:1: dit bestand hoort bij de site zelf; alleen de redactie verandert het"
    ]


def test_a_merge_that_brings_back_an_older_site_file_fails(repo):
    """The merge takes mkdocs.yml from an old commit of main: no commit changes it, the branch does."""
    first = repo.git("rev-parse", "origin/main").strip()
    upstream = upstream_of(repo)
    upstream.write("mkdocs.yml", (upstream.root / "mkdocs.yml").read_text() + "\n# beter\n")
    upstream.commit("Redactie verbetert de instellingen")
    catch_up(repo)
    add_story(repo, "ons-buurtfeest")
    repo.commit("Het verhaal")
    repo.git("merge", "--quiet", "--no-commit", "-s", "ours", first)
    repo.git("checkout", first, "--", "mkdocs.yml")
    repo.commit("Samengevoegd")
    result = repo.run("check-pr", "--base", "origin/main")
    assert result.returncode == 1
    assert lines(result) == [
        "mkdocs.yml:1: dit bestand hoort bij de site zelf; alleen de redactie verandert het"
    ]


# Names and bytes, at random ------------------------------------------------------------------

SAFE_PART = st.from_regex(r"[A-Za-z0-9À-ÿ][A-Za-z0-9À-ÿ _.-]{0,15}", fullmatch=True)
CONTROL = st.characters(categories=["Cc", "Cf", "Zl", "Zp"])


@settings(max_examples=150, deadline=None)
@given(st.lists(SAFE_PART, min_size=1, max_size=4))
def test_plain_names_are_safe(parts):
    assert prcheck.unsafe_name("/".join(parts)) is None


@settings(max_examples=150, deadline=None)
@given(st.lists(SAFE_PART, min_size=1, max_size=4), CONTROL, st.integers(min_value=0))
def test_a_name_with_a_control_or_invisible_character_is_unsafe(parts, character, where):
    name = "/".join(parts)
    spot = where % (len(name) + 1)
    assert prcheck.unsafe_name(name[:spot] + character + name[spot:]) == (
        "in de naam staat een onzichtbaar teken of een regeleinde"
    )


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=2048), st.sampled_from(prcheck.PHOTO_SUFFIXES))
def test_bytes_that_are_no_photo_get_a_message_and_never_a_crash(data, suffix):
    message = prcheck.photo_problem(b"\x7fELF" + data, suffix, prcheck.Layout("stories"))
    assert message in (
        "dit is geen foto in een bekend formaat (JPEG, PNG, WebP of HEIC)",
        "de foto is beschadigd of niet compleet; kijk of het echt een foto is",
    )
