"""The CI templates: valid YAML, safe for pull requests from forks, and running the commands the
tests run (``tests/test_pr_check.py`` takes its command lines from these very files)."""

from __future__ import annotations

import fnmatch
import json
import re
from pathlib import Path

import yaml

from sitefactory import ROOT
from test_pr_check import GITHUB_WORKFLOW, GITLAB_CI, ci_command_lines

GITHUB_CHECK_PR = 'aanhetwoord check-pr --base "origin/${{ github.base_ref }}" --format github'
GITLAB_CHECK_PR = (
    'aanhetwoord check-pr --base "$CI_MERGE_REQUEST_DIFF_BASE_SHA" --format gitlab '
    "--output gl-code-quality-report.json"
)
BUILD = "mkdocs build --strict"


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
    checkout = next(step for step in steps() if step.get("uses", "").startswith("actions/checkout@"))
    # The pull request's code runs next; it must not find the token in .git/config.
    assert checkout["with"]["persist-credentials"] is False


def test_the_workflow_fetches_the_history_installs_checks_builds_and_keeps_the_preview():
    all_steps = steps()
    uses = [step.get("uses", "").split("@")[0] for step in all_steps]
    runs = [step.get("run") for step in all_steps if "run" in step]
    checkout = all_steps[uses.index("actions/checkout")]
    assert checkout["with"]["fetch-depth"] == 0
    assert "actions/setup-python" in uses
    assert runs == ["pip install -e .", GITHUB_CHECK_PR, BUILD]
    upload = all_steps[uses.index("actions/upload-artifact")]
    assert upload["with"]["path"] == "site/"
    # Order: install, check, build, then the preview.
    order = [index for index, step in enumerate(all_steps) if "run" in step]
    assert order == sorted(order) and order[-1] < uses.index("actions/upload-artifact")
    assert uses.index("actions/checkout") < uses.index("actions/setup-python") < order[0]


def test_the_workflow_calls_check_pr_as_the_tests_do():
    assert ci_command_lines()["github"] == GITHUB_CHECK_PR


# GitLab CI ---------------------------------------------------------------------------------


def test_gitlab_runs_the_same_on_merge_requests():
    ci = load(GITLAB_CI)
    job = ci["story-check"]
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert job["variables"]["GIT_DEPTH"] == "0"
    assert job["script"] == ["pip install -e .", GITLAB_CHECK_PR, BUILD]
    assert ci_command_lines()["gitlab"] == GITLAB_CHECK_PR
    assert "-slim" not in job["image"]  # check-pr needs git in the image


def test_gitlab_keeps_the_preview_and_the_code_quality_report():
    artifacts = load(GITLAB_CI)["story-check"]["artifacts"]
    assert artifacts["paths"] == ["site/"]
    assert artifacts["reports"]["codequality"] == "gl-code-quality-report.json"
    assert artifacts["when"] == "always"
    assert "gl-code-quality-report.json" in GITLAB_CHECK_PR


def test_both_templates_build_the_same_way():
    github = [step["run"] for step in steps() if "run" in step]
    gitlab = load(GITLAB_CI)["story-check"]["script"]
    assert github[0] == gitlab[0] and github[-1] == gitlab[-1] == BUILD


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
        "plugins/aanhetwoord/cli.py",
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
