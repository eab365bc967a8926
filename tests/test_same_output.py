"""The byte-identity tool (tests/benchmarks/same_output.py) says "identical" when nothing changed
and finds a changed story or a changed plugin when something did."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "tests" / "benchmarks" / "same_output.py"

pytestmark = pytest.mark.slow


def same_output(repo: Path, base: str, stories: int) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [sys.executable, str(TOOL), "--base", base, "--stories", str(stories), "--repo", str(repo)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def worktrees(repo: Path) -> str:
    return subprocess.run(
        ["git", "worktree", "list", "--porcelain"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A clone of this repository's HEAD: changes to it never touch the real one."""
    target = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(target)], check=True, capture_output=True)
    return target


def test_the_working_tree_builds_the_same_bytes_as_head():
    before = worktrees(ROOT)
    result = same_output(ROOT, "HEAD", stories=30)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "demo: identical" in result.stdout
    assert "synthetic (30 stories): identical" in result.stdout
    assert result.stdout.rstrip().endswith("identical: the working tree builds the same bytes as HEAD")
    # The temporary worktree of HEAD is gone again.
    assert worktrees(ROOT) == before


def test_a_changed_story_in_the_working_tree_is_reported_with_its_diff(clone: Path):
    story = clone / "stories" / "kookclub-vrijdag" / "index.md"
    text = story.read_text(encoding="utf-8")
    story.write_text(text.rstrip("\n") + "\n\nEen zin die er eerst niet stond.\n", encoding="utf-8")
    result = same_output(clone, "HEAD", stories=0)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert "  verhalen/kookclub-vrijdag/index.html" in lines
    assert any(line.startswith("+") and "Een zin die er eerst niet stond." in line for line in lines)
    assert "synthetic" not in result.stdout  # --stories 0 builds the demo only
    assert lines[-1] == "different: the working tree's output differs from HEAD's"
    # The real repository is untouched.
    assert "Een zin die er eerst niet stond." not in (ROOT / story.relative_to(clone)).read_text("utf-8")


def test_a_changed_plugin_is_found_on_the_synthetic_site_too(clone: Path):
    """The base builds with its own plugin (PYTHONPATH), not the installed one, or this change
    would show up on both sides."""
    templates = clone / "plugins" / "aanhetwoord" / "templates"
    story_template = templates / "story.html"
    assert story_template.exists(), sorted(p.name for p in templates.iterdir())
    story_template.write_text(
        story_template.read_text(encoding="utf-8") + "\n<!-- gewijzigd -->\n", encoding="utf-8"
    )
    result = same_output(clone, "HEAD", stories=10)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "<!-- gewijzigd -->" in result.stdout
    assert re.search(r"^synthetic \(10 stories\): \d+ file\(s\) differ$", result.stdout, re.MULTILINE)


def test_an_unknown_revision_is_an_error_not_a_verdict(clone: Path):
    result = same_output(clone, "no-such-revision", stories=0)
    assert result.returncode == 2
    assert "no-such-revision" in result.stderr
    assert "identical" not in result.stdout
