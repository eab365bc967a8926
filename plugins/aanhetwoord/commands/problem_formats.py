"""Problems in the shapes that people and CI systems read: plain lines, GitHub annotations, GitLab JSON.

Every format takes the same ``list[Problem]``, so ``check`` and ``check-pr`` report identically
and a resident sees the same message in a terminal, beside a line on GitHub or in a GitLab
merge request.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

from ..model import Severity
from ..problems import Problem, visible

FORMATS = ("text", "github", "gitlab")
_GITHUB_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
_GITLAB_SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}
GITLAB_REPORT = "gl-code-quality-report.json"


def text(problems: list[Problem]) -> list[str]:
    """``path:line: field: message``, one line per problem: the format editors and people read."""
    return [problem.format() for problem in problems]


def github(problems: list[Problem]) -> list[str]:
    """GitHub Actions workflow commands: each problem becomes an annotation on its file and line.

    Every value is escaped as GitHub's own toolkit does, so each problem is exactly one line and
    text from a story can neither end the annotation nor start a command of its own."""
    lines = []
    for problem in problems:
        command = _GITHUB_COMMANDS[problem.severity]
        properties = ",".join(
            f"{name}={_escape_property(value)}"
            for name, value in (
                ("file", problem.path),
                ("line", str(problem.line)),
                ("title", problem.field or "aanhetwoord"),
            )
        )
        lines.append(f"::{command} {properties}::{_escape_data(problem.message)}")
    return lines


def gitlab(problems: list[Problem]) -> str:
    """A GitLab Code Quality report (JSON), shown in the merge request beside the changed lines."""
    seen: Counter[tuple[str, str, str]] = Counter()
    issues = []
    for problem in problems:
        key = (problem.path, problem.field, problem.message)
        # The line is left out of the fingerprint, so a problem keeps its identity when text above
        # it moves; the count keeps two equal problems in one file apart.
        seen[key] += 1
        issues.append(
            {
                "description": visible(
                    f"{problem.field}: {problem.message}" if problem.field else problem.message
                ),
                "check_name": f"aanhetwoord.{visible(_check_name(problem.field))}",
                "fingerprint": _fingerprint(*key, str(seen[key])),
                "severity": _GITLAB_SEVERITIES[problem.severity],
                "location": {"path": problem.path, "lines": {"begin": problem.line}},
            }
        )
    return json.dumps(issues, ensure_ascii=False, indent=2) + "\n"


def emit(problems: list[Problem], style: str, output: Path) -> None:
    """Print problems in ``style``; ``gitlab`` also writes its report to ``output``."""
    if style == "gitlab":
        output.write_text(gitlab(problems), encoding="utf-8")
    for line in github(problems) if style == "github" else text(problems):
        print(line)


def rebase(problems: list[Problem], root: Path, base: Path) -> list[Problem]:
    """Paths from ``base`` instead of the site ``root``, when the site lies inside it.

    Problems name files from the site root, but GitHub and GitLab place annotations by the
    path from the repository root; the two differ when the site lives in a subfolder.
    """
    try:
        prefix = root.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return list(problems)
    return [
        replace(problem, path=f"{prefix}/{problem.path}")
        if prefix != "." and not Path(problem.path).is_absolute()
        else problem
        for problem in problems
    ]


def _escape_data(value: str) -> str:
    # ESC would colour the log; other controls are shown as escapes. Then as GitHub's toolkit does
    # (@actions/core, command.ts): '%' first, so escapes are not escaped again; CR and LF encoded.
    value = visible(value, keep="\r\n", drop="\x1b")
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _check_name(field: str) -> str:
    """``themes[1]`` → ``themes``: one check per field, whatever its position in a list."""
    return field.split("[")[0] or "bestand"


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()
