"""The Nu Html Checker (vnu.jar, from npm's ``vnu-jar``, on Debian's Java) finds nothing in our
markup on any kind of page of the demo site, nor in our stylesheet and the logo's SVG.

One Java start checks every file at once. Material's own markup earns a few messages that are
not ours to change; each is listed in ``MATERIAL`` with why it is harmless. ``tests/run.sh``
installs the checker into ``.venv/npm``; without Java the test is skipped on a developer's
machine, and fails on CI (``CI`` set), so CI never passes by skipping.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from browser_support import DEMO_PAGES
from sitefactory import ROOT, build_demo

VNU_JAR = ROOT / ".venv" / "npm" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# Every kind of page, by the path a visitor opens: the browser tests' list and the overviews.
PAGES = {
    **DEMO_PAGES,
    "themes": "themas/",
    "communities": "gemeenschappen/",
    "about": "over/",
}


@dataclass(frozen=True)
class Allowed:
    message: str  # a regular expression for the checker's message
    extract: str  # a regular expression for the markup it quotes
    why: str


# Material for MkDocs' own markup, the same on every page; not ours to change.
MATERIAL = [
    Allowed(
        r"^Attribute “autocomplete” is only allowed when the input type is",
        r'<input class="md-toggle" data-md-toggle="(?:drawer|search)" type="checkbox"',
        "Material's hidden menu and search toggles are checkboxes with autocomplete=off, so Firefox "
        "does not restore them open after going back; browsers ignore the attribute otherwise.",
    ),
]

# What the checker says when a story's own <article> and <h1> nest inside Material's <article>;
# the story is a <div> with one h1, and a test keeps it so.
NESTED_STORY = [
    r"^Article lacks heading\.",
    r"^Consider using the “h1” element as a top-level heading only",
]
STORY_PAGES = {path for name, path in PAGES.items() if name.startswith("story")}


def java_or_skip() -> str:
    java = shutil.which("java")
    reason = ""
    if java is None:
        reason = "Java is missing; install Debian's default-jre-headless to run the Nu Html Checker"
    elif not VNU_JAR.is_file():
        reason = f"the Nu Html Checker is missing ({VNU_JAR}); 'sh tests/run.sh' installs it with npm"
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"the Nu Html Checker cannot run on CI: {reason}", pytrace=False)
        pytest.skip(reason)
    assert java is not None
    return java


@pytest.fixture(scope="module")
def findings(tmp_path_factory) -> dict[str, list[dict]]:
    """The checker's messages for every page kind, by page path (and by file for the rest)."""
    java = java_or_skip()
    site_dir = tmp_path_factory.mktemp("vnu") / "site"
    result = build_demo(site_dir)
    assert result.returncode == 0, result.stderr
    files = {
        path: site_dir / (path if path.endswith(".html") else f"{path}index.html") for path in PAGES.values()
    }
    for file in files.values():
        assert file.is_file(), file
    others = {
        file.relative_to(site_dir).as_posix(): file
        for pattern in ("assets/stylesheets/aanhetwoord.*.min.css", "assets/*.svg")
        for file in site_dir.glob(pattern)
    }
    assert len(others) >= 2, others
    every = {**files, **others}
    command = [java, "-Xss1m", "-jar", str(VNU_JAR), "--format", "json", "--stdout", "--also-check-css"]
    command += ["--also-check-svg", *map(str, every.values())]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    report = json.loads(done.stdout)
    by_file: dict[str, list[dict]] = {name: [] for name in every}
    # Java writes file:/path for file:///path.
    names = {"file:" + str(file.resolve()): name for name, file in every.items()}
    for message in report["messages"]:
        assert message.get("url") in names, message  # a message about the whole run: no file
        by_file[names[message["url"]]].append(message)
    return by_file


def allowed(message: dict) -> bool:
    text, extract = message.get("message", ""), message.get("extract", "")
    return any(re.search(rule.message, text) and re.search(rule.extract, extract) for rule in MATERIAL)


def describe(messages: list[dict]) -> list[str]:
    return [
        f"{m.get('type')} line {m.get('lastLine')}: {m.get('message')} | {m.get('extract')}" for m in messages
    ]


@pytest.mark.slow
@pytest.mark.parametrize("page", sorted(PAGES.values()))
def test_the_checker_finds_nothing_in_our_markup(findings, page: str):
    left = [message for message in findings[page] if not allowed(message)]
    assert left == [], "\n".join(describe(left))


@pytest.mark.slow
def test_the_checker_finds_nothing_in_our_stylesheet_and_logo(findings):
    checked = [name for name in findings if name.endswith((".css", ".svg"))]
    assert any(name.endswith(".css") for name in checked) and any(name.endswith(".svg") for name in checked)
    for name in checked:
        assert findings[name] == [], "\n".join(describe(findings[name]))


@pytest.mark.slow
def test_the_allowed_material_messages_are_still_the_ones_it_gives(findings):
    # An allowance that no longer matches anything hides nothing and should go.
    for rule in MATERIAL:
        assert any(
            re.search(rule.message, m.get("message", "")) and re.search(rule.extract, m.get("extract", ""))
            for m in findings[""]
        ), rule.why


@pytest.mark.slow
def test_the_checker_reports_a_fault_we_put_in(tmp_path: Path):
    java = java_or_skip()
    page = tmp_path / "kapot.html"
    page.write_text(
        '<!doctype html><html lang="nl"><title>x</title><p><div>blok in een alinea</div><img src="a.png">',
        encoding="utf-8",
    )
    done = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--format", "json", "--stdout", str(page)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = [message["message"] for message in json.loads(done.stdout)["messages"]]
    assert any("alt" in message for message in messages), messages


@pytest.mark.slow
def test_story_pages_nest_no_article_or_heading(findings):
    for page in STORY_PAGES:
        texts = [m.get("message", "") for m in findings[page]]
        assert not any(re.search(pattern, text) for pattern in NESTED_STORY for text in texts), page
