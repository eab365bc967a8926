"""The CI templates: valid YAML, safe for pull requests from forks, and running the commands the
tests run (``tests/test_pr_check.py`` takes its command lines from these very files).

No code of a pull request may run in CI: the guard and the build run the base branch's code,
installed from a separate checkout of the base commit. The last tests run the templates' own
script lines in a shell on real git repositories to show it.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sitefactory import ROOT, Site, make_site, story_text
from test_pr_check import GITHUB_WORKFLOW, GITLAB_CI, Repo, ci_command_lines, git_env, init_repository

GITHUB_CHECK_PR = 'aanhetwoord check-pr --base "origin/$BASE_REF" --format github'
GITLAB_CHECK_PR = 'aanhetwoord check-pr --base "$BASE" --format gitlab --output gl-code-quality-report.json'
BUILD = "mkdocs build --strict"
GITLAB_SCRIPT = [
    'BASE="${CI_MERGE_REQUEST_TARGET_BRANCH_SHA:-$CI_MERGE_REQUEST_DIFF_BASE_SHA}"',
    'GUARD="$(mktemp -d)/guard"',
    'git worktree add --detach "$GUARD" "$BASE"',
    'pip install "$GUARD"',
    GITLAB_CHECK_PR,
    'rm -rf "$GUARD/stories" && cp -R stories "$GUARD/stories"',
    'cd "$GUARD" && mkdocs build --strict --site-dir "$CI_PROJECT_DIR/site"',
]


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    return data


def triggers(workflow: dict) -> dict:
    """GitHub's ``on:`` key, which YAML 1.1 (PyYAML) reads as the boolean True."""
    assert ("on" in workflow) != (True in workflow)
    value = workflow.get("on", workflow.get(True))
    return {value: None} if isinstance(value, str) else dict(value)


def everything_but_comments(data: dict) -> str:
    """Every key and value of a parsed file as one text; the comments may name what is forbidden."""
    return json.dumps(data, default=str)


def steps() -> list[dict]:
    return load(GITHUB_WORKFLOW)["jobs"]["story-check"]["steps"]


def step_index(predicate) -> int:
    (index,) = [number for number, step in enumerate(steps()) if predicate(step)]
    return index


def installed(commands: list[str]) -> list[str]:
    """Every argument of every ``pip install`` in these commands: no option (so no ``-e``), only
    what is installed."""
    found = []
    for command in commands:
        for part in command.split("&&"):
            words = shlex.split(part)
            if words[:2] == ["pip", "install"]:
                found += words[2:]
            else:
                assert "pip" not in words, command
    return found


def checkout(path: str) -> dict:
    (step,) = [
        step
        for step in steps()
        if step.get("uses", "").startswith("actions/checkout@") and step["with"]["path"] == path
    ]
    return step


# GitHub Actions ----------------------------------------------------------------------------


def test_the_workflow_runs_on_pull_requests_only_and_never_on_pull_request_target():
    workflow = load(GITHUB_WORKFLOW)
    assert list(triggers(workflow)) == ["pull_request"]
    assert "pull_request_target" not in everything_but_comments(workflow)


def test_the_workflow_can_only_read_and_uses_no_secrets():
    workflow = load(GITHUB_WORKFLOW)
    assert workflow["permissions"] == {"contents": "read"}
    for job in workflow["jobs"].values():
        assert job.get("permissions", {"contents": "read"}) == {"contents": "read"}
    assert "secrets" not in everything_but_comments(workflow)
    checkouts = [step for step in steps() if step.get("uses", "").startswith("actions/checkout@")]
    assert len(checkouts) == 2
    for step in checkouts:
        assert step["with"]["persist-credentials"] is False  # no token in .git/config


def test_the_base_commit_and_the_pull_request_are_checked_out_apart():
    base, pull_request = checkout("guard"), checkout("pr")
    assert base["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"
    assert pull_request["with"]["ref"] == "${{ github.event.pull_request.head.sha }}"
    assert pull_request["with"]["fetch-depth"] == 0  # check-pr reads every commit of the branch


def test_the_workflow_installs_the_base_checkout_and_never_the_pull_request():
    runs = [step["run"] for step in steps() if "run" in step]
    assert runs == [
        "pip install ./guard",
        GITHUB_CHECK_PR,
        "rm -rf guard/stories && cp -R pr/stories guard/stories",
        BUILD,
    ]
    assert installed([step["run"] for step in steps() if "run" in step]) == ["./guard"]
    assert "python -m" not in everything_but_comments(load(GITHUB_WORKFLOW))  # imports from the cwd


def test_the_guard_runs_in_the_pull_request_and_the_build_in_the_base_checkout():
    all_steps = steps()
    install = step_index(lambda step: step.get("run", "").startswith("pip install"))
    guard = step_index(lambda step: "check-pr" in step.get("run", ""))
    copy = step_index(lambda step: "cp -R" in step.get("run", ""))
    build = step_index(lambda step: step.get("run") == BUILD)
    upload = step_index(lambda step: step.get("uses", "").startswith("actions/upload-artifact@"))
    assert install < guard < copy < build < upload
    assert all_steps[guard]["working-directory"] == "pr"
    assert all_steps[guard]["env"] == {"BASE_REF": "${{ github.base_ref }}"}
    assert all_steps[build]["working-directory"] == "guard"
    assert all_steps[upload]["with"]["path"] == "guard/site/"
    # Nothing but the guard works inside the pull request's checkout.
    assert [step.get("working-directory") for step in all_steps if "run" in step] == [
        None,
        "pr",
        None,
        "guard",
    ]
    setup = step_index(lambda step: step.get("uses", "").startswith("actions/setup-python@"))
    assert max(all_steps.index(checkout("guard")), all_steps.index(checkout("pr"))) < setup < install


def test_the_workflow_calls_check_pr_as_the_tests_do():
    assert ci_command_lines()["github"] == GITHUB_CHECK_PR


# GitLab CI ---------------------------------------------------------------------------------


def test_gitlab_runs_on_merge_requests_from_the_base_commit():
    ci = load(GITLAB_CI)
    job = ci["story-check"]
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert job["variables"]["GIT_DEPTH"] == "0"
    assert job["script"] == GITLAB_SCRIPT
    assert ci_command_lines()["gitlab"] == GITLAB_CHECK_PR
    assert "-slim" not in job["image"]  # check-pr needs git in the image
    assert installed(job["script"]) == ["$GUARD"]
    assert "python -m" not in everything_but_comments(ci)


def test_gitlab_keeps_the_preview_and_the_code_quality_report():
    artifacts = load(GITLAB_CI)["story-check"]["artifacts"]
    assert artifacts["paths"] == ["site/"]
    assert artifacts["reports"]["codequality"] == "gl-code-quality-report.json"
    assert artifacts["when"] == "always"
    assert "gl-code-quality-report.json" in GITLAB_CHECK_PR


def test_both_templates_build_strictly_with_the_base_code():
    github = [step["run"] for step in steps() if "run" in step]
    gitlab = load(GITLAB_CI)["story-check"]["script"]
    assert github[-1] == BUILD and gitlab[-1].startswith(f'cd "$GUARD" && {BUILD} ')


# The templates at work, on real repositories -----------------------------------------------

BASE_MARK = "(basis)"
OPEN_TITLE = "{% block htmltitle %}"
STAFF = "Die bestanden verandert alleen de redactie."
DISABLED_GUARD = """import sys


def run(args, config_file):
    print("GUARD-VAN-DE-PR", file=sys.stderr)
    return 0
"""


def project_site(tmp_path: Path) -> Repo:
    """The site's repository with this project's code in it, and a resident's clone on a branch.

    The base's code says BASE_MARK in its staff message and its pages, so the tests can tell it
    from the pull request's code and from the code that runs the tests.
    """
    env = git_env(tmp_path)
    root = tmp_path / "gemeente"
    site = make_site(root)
    site.add_story("eerste", title="Het eerste verhaal")
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    shutil.copytree(ROOT / "plugins", root / "plugins", ignore=ignore)
    shutil.copytree(ROOT / "theme_overrides", root / "theme_overrides", ignore=ignore)
    for name in ("pyproject.toml", "README.md", ".gitlab-ci.yml"):
        shutil.copy(ROOT / name, root / name)
    guard = root / "plugins/aanhetwoord/commands/prcheck.py"
    guard.write_text(
        guard.read_text(encoding="utf-8").replace(STAFF, f"{STAFF} {BASE_MARK}"), encoding="utf-8"
    )
    main = root / "theme_overrides/main.html"
    text = main.read_text(encoding="utf-8")
    main.write_text(text.replace(OPEN_TITLE, f"{OPEN_TITLE}<!-- basis -->", 1), encoding="utf-8")
    config = yaml.safe_load(site.write_config().read_text(encoding="utf-8"))
    config["theme"]["custom_dir"] = "theme_overrides"
    (root / "mkdocs.yml").write_text(
        yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    init_repository(root, env)
    clone = tmp_path / "bewoner"
    subprocess.run(["git", "clone", "--quiet", str(root), str(clone)], check=True, env=env)
    repo = Repo(Site(clone), env)
    repo.git("config", "user.name", "Bewoner")
    repo.git("config", "user.email", "bewoner@example.org")
    repo.git("switch", "--quiet", "-c", "verhaal")
    return repo


def ci_environment(repo: Repo, tmp_path: Path) -> dict[str, str]:
    """CI's shell: ``pip`` installs into a folder of its own (this test's Python keeps its own
    installation), and what it installs comes first on the path."""
    library, tools, scratch = tmp_path / "ci-lib", tmp_path / "ci-bin", tmp_path / "ci-tmp"
    for folder in (tools, scratch):
        folder.mkdir(exist_ok=True)
    pip = tools / "pip"
    pip.write_text(
        "#!/bin/sh\n"
        '[ "$1" = install ] || exit 64\n'
        "shift\n"
        f'exec "{sys.executable}" -m pip install --quiet --no-deps --target "{library}" "$@"\n',
        encoding="utf-8",
    )
    pip.chmod(0o755)
    env = dict(repo.env)
    for name in list(env):
        if name.startswith(("CI_", "GITHUB_")):
            del env[name]
    env.update(
        {
            "PATH": os.pathsep.join(
                [str(library / "bin"), str(tools), str(Path(sys.executable).parent), env["PATH"]]
            ),
            "PYTHONPATH": str(library),
            "TMPDIR": str(scratch),
            "CI_PROJECT_DIR": str(repo.root),
        }
    )
    return env


def run_gitlab(repo: Repo, tmp_path: Path, script: list[str]) -> subprocess.CompletedProcess:
    """The job's script lines in one shell that stops at the first failing line, as GitLab runs them."""
    env = ci_environment(repo, tmp_path)
    env["CI_MERGE_REQUEST_DIFF_BASE_SHA"] = repo.git("merge-base", "origin/main", "HEAD").strip()
    return subprocess.run(
        ["sh", "-e", "-c", "\n".join(script)],
        cwd=repo.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def edit_the_guard_and_the_build(repo: Repo) -> None:
    repo.write("plugins/aanhetwoord/commands/prcheck.py", DISABLED_GUARD)
    plugin = repo.root / "plugins/aanhetwoord/adapters/mkdocs_plugin.py"
    plugin.write_text(plugin.read_text(encoding="utf-8") + "\nraise SystemExit('PLUGIN-VAN-DE-PR')\n")
    repo.write(
        "theme_overrides/main.html", '{% extends "base.html" %}' + OPEN_TITLE + "<!-- pr -->{% endblock %}"
    )
    repo.write(".gitlab-ci.yml", "story-check:\n  script: [pip install -e ., true]\n")
    config = repo.root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("Testgemeente", "PR-NAAM"), encoding="utf-8")


@pytest.mark.slow
def test_gitlab_a_merge_request_that_edits_the_guard_is_refused_by_the_base_code(tmp_path):
    repo = project_site(tmp_path)
    repo.write("stories/ons-buurtfeest/index.md", story_text())
    edit_the_guard_and_the_build(repo)
    repo.commit()
    result = run_gitlab(repo, tmp_path, load(GITLAB_CI)["story-check"]["script"])
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "GUARD-VAN-DE-PR" not in output
    assert f"{STAFF} {BASE_MARK}" in result.stderr
    assert "plugins/aanhetwoord/commands/prcheck.py:1: dit is programmacode" in result.stdout
    assert "plugins/aanhetwoord/adapters/mkdocs_plugin.py:1: dit is programmacode" in result.stdout
    for path in ("mkdocs.yml", ".gitlab-ci.yml", "theme_overrides/main.html"):
        assert f"{path}:1: dit bestand hoort bij de site zelf" in result.stdout
    assert not (repo.root / "site").exists()  # the job stopped at the guard


@pytest.mark.slow
def test_gitlab_builds_with_the_base_code_even_past_the_guard(tmp_path):
    """Without the guard line, the build still runs none of the merge request's code or settings."""
    repo = project_site(tmp_path)
    repo.write("stories/ons-buurtfeest/index.md", story_text(title="Ons buurtfeest"))
    edit_the_guard_and_the_build(repo)
    repo.commit()
    script = [line for line in load(GITLAB_CI)["story-check"]["script"] if "check-pr" not in line]
    result = run_gitlab(repo, tmp_path, script)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PLUGIN-VAN-DE-PR" not in result.stdout + result.stderr
    home = (repo.root / "site/index.html").read_text(encoding="utf-8")
    assert "<!-- basis -->" in home and "<!-- pr -->" not in home
    assert "Testgemeente" in home and "PR-NAAM" not in home
    assert "Ons buurtfeest" in (repo.root / "site/verhalen/ons-buurtfeest/index.html").read_text(
        encoding="utf-8"
    )


@pytest.mark.slow
def test_gitlab_a_story_over_several_commits_passes_and_is_previewed(tmp_path):
    repo = project_site(tmp_path)
    repo.write("stories/ons-buurtfeest/index.md", story_text(title="Ons buurtfeest"))
    repo.commit("Het verhaal")
    repo.photo("stories/ons-buurtfeest/feest.jpg")
    body = "Met foto.\n\n![Buren aan tafel](feest.jpg)"
    repo.write("stories/ons-buurtfeest/index.md", story_text(body=body, title="Ons buurtfeest"))
    repo.commit("De foto")
    result = run_gitlab(repo, tmp_path, load(GITLAB_CI)["story-check"]["script"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Het verhaal ons-buurtfeest is in orde" in result.stderr
    page = (repo.root / "site/verhalen/ons-buurtfeest/index.html").read_text(encoding="utf-8")
    assert "Buren aan tafel" in page
    assert json.loads((repo.root / "gl-code-quality-report.json").read_text(encoding="utf-8")) == []


@pytest.mark.slow
def test_github_steps_refuse_a_pull_request_that_edits_the_guard_with_the_base_code(tmp_path):
    """The workflow's steps in order: the two checkouts as actions/checkout makes them, then each
    ``run`` in its working directory, stopping at the first that fails."""
    repo = project_site(tmp_path)
    repo.write("stories/ons-buurtfeest/index.md", story_text())
    edit_the_guard_and_the_build(repo)
    repo.commit()
    upstream = repo.root.parent / "gemeente"
    workspace = tmp_path / "workspace"
    for path, ref in (("guard", "main"), ("pr", None)):
        subprocess.run(
            ["git", "clone", "--quiet", str(upstream), str(workspace / path)], check=True, env=repo.env
        )
        if ref is None:
            target = Repo(Site(workspace / path), repo.env)
            target.git("fetch", "--quiet", str(repo.root), "verhaal")
            target.git("checkout", "--quiet", "--detach", "FETCH_HEAD")
    env = ci_environment(repo, tmp_path)
    results = []
    for step in steps():
        if "run" not in step:
            continue
        result = subprocess.run(
            ["sh", "-e", "-c", step["run"]],
            cwd=workspace / step.get("working-directory", "."),
            env={
                **env,
                "BASE_REF": "main",
                **{k: str(v) for k, v in step.get("env", {}).items() if k != "BASE_REF"},
            },
            capture_output=True,
            text=True,
            timeout=600,
        )
        results.append(result)
        if result.returncode != 0:
            break
    assert len(results) == 2  # install, then the guard, which fails
    guard = results[-1]
    assert guard.returncode == 1
    assert "GUARD-VAN-DE-PR" not in guard.stdout + guard.stderr
    assert f"{STAFF} {BASE_MARK}" in guard.stderr
    assert (
        "::error file=plugins/aanhetwoord/commands/prcheck.py,line=1,title=aanhetwoord::dit is programmacode"
        in guard.stdout
    )


# Pull request template and code owners -----------------------------------------------------


def test_the_pull_request_template_asks_about_consent_in_dutch():
    text = (ROOT / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    checklist = re.findall(r"^- \[ \] (.+)$", text, flags=re.MULTILINE)
    assert len(checklist) >= 4
    assert any("herkenbaar" in item and "goed" in item for item in checklist)
    assert any("foto" in item for item in checklist)
    assert any("alt-tekst" in item for item in checklist)
    assert any("weghalen" in item for item in checklist)
    assert "Toestemming" in text


def code_owners(path: str) -> list[str]:
    """Owners of a file by GitHub's rule: the last matching line wins (a small subset of it)."""
    owners: list[str] = []
    for line in (ROOT / ".github" / "CODEOWNERS").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        pattern, *names = line.split()
        if _matches(pattern, path):
            owners = names
    return owners


def _matches(pattern: str, path: str) -> bool:
    folder_only = pattern.endswith("/")
    core = pattern.strip("/")
    anchored = pattern.startswith("/") or "/" in core
    parts = path.split("/")
    for depth in range(1, len(parts) + 1):
        if folder_only and depth == len(parts):
            continue  # a pattern ending in '/' names folders, and so everything inside them
        candidate = "/".join(parts[:depth]) if anchored else parts[depth - 1]
        if fnmatch.fnmatchcase(candidate, core):
            return True
    return False


def test_code_owners_give_the_site_to_staff_and_the_story_folders_to_nobody():
    staff = ["@gemeente/redactie"]
    for path in (
        "mkdocs.yml",
        "plugins/aanhetwoord/commands/cli.py",
        "theme_overrides/main.html",
        ".github/workflows/story-check.yml",
        ".gitlab-ci.yml",
        "docs/deel-je-verhaal.md",
        "stories/_registers/buurten.yml",
        "stories/_registers/themas.yml",
        "stories/ons-verhaal/hook.py",
    ):
        assert code_owners(path) == staff, path
    for path in ("stories/ons-verhaal/index.md", "stories/ons-verhaal/foto.jpg", "stories/los-verhaal.md"):
        assert code_owners(path) == [], path
