"""Problems as GitHub annotations and as a GitLab Code Quality report, and ``check --format``.

The text format is the one ``tests/test_check_command.py`` pins down; here the other two are
checked against what GitHub and GitLab document, and through the real command.
"""

from __future__ import annotations

import json
import re

from aanhetwoord.commands import problem_formats
from aanhetwoord.problems import Problem, Severity
from sitefactory import make_site

ERROR = Problem("stories/kapot/index.md", 6, "neighbourhoods[0]", "onbekende buurt 'Oude Havn'.")
WARNING = Problem("stories/typo/index.md", 12, "sumary", "onbekend veld 'sumary'", Severity.WARNING)
ANNOTATION = re.compile(r"^::(?P<kind>error|warning) (?P<properties>[^:]*)::(?P<message>.*)$")


# GitHub ------------------------------------------------------------------------------------


def test_github_annotations_name_file_line_and_field():
    assert problem_formats.github([ERROR, WARNING]) == [
        "::error file=stories/kapot/index.md,line=6,title=neighbourhoods[0]::onbekende buurt 'Oude Havn'.",
        "::warning file=stories/typo/index.md,line=12,title=sumary::onbekend veld 'sumary'",
    ]


def test_github_escapes_what_would_end_a_property_or_the_command():
    problem = Problem("stories/a,b:c/index.md", 3, "title", "100% zeker\r\nof niet: toch, wel")
    (line,) = problem_formats.github([problem])
    assert line == (
        "::error file=stories/a%2Cb%3Ac/index.md,line=3,title=title::100%25 zeker%0D%0Aof niet: toch, wel"
    )
    assert "\n" not in line and "\r" not in line


def test_github_escapes_percent_first_so_escapes_are_not_doubled():
    (line,) = problem_formats.github([Problem("a.md", 1, "x:%", "%0A")])
    assert line == "::error file=a.md,line=1,title=x%3A%25::%250A"


def test_a_problem_without_a_field_gets_a_title_all_the_same():
    (line,) = problem_formats.github([Problem("mkdocs.yml", 1, "", "hoort bij de site")])
    assert ANNOTATION.match(line)["properties"] == "file=mkdocs.yml,line=1,title=aanhetwoord"


# GitLab ------------------------------------------------------------------------------------


def test_gitlab_report_has_the_code_quality_keys():
    report = json.loads(problem_formats.gitlab([ERROR, WARNING]))
    assert [issue["severity"] for issue in report] == ["major", "minor"]
    for issue, problem in zip(report, [ERROR, WARNING], strict=True):
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["location"] == {"path": problem.path, "lines": {"begin": problem.line}}
        assert problem.message in issue["description"]
        assert re.fullmatch(r"[0-9a-f]{64}", issue["fingerprint"])
    assert report[0]["check_name"] == "aanhetwoord.neighbourhoods"


def test_gitlab_fingerprints_are_stable_and_tell_equal_problems_apart():
    first = json.loads(problem_formats.gitlab([ERROR, ERROR, WARNING]))
    again = json.loads(problem_formats.gitlab([ERROR, ERROR, WARNING]))
    assert [issue["fingerprint"] for issue in first] == [issue["fingerprint"] for issue in again]
    assert len({issue["fingerprint"] for issue in first}) == 3
    # A problem keeps its fingerprint when the text above it moves it down a line.
    moved = Problem(ERROR.path, ERROR.line + 2, ERROR.field, ERROR.message)
    assert json.loads(problem_formats.gitlab([moved]))[0]["fingerprint"] == first[0]["fingerprint"]


def test_an_empty_gitlab_report_is_an_empty_list():
    assert json.loads(problem_formats.gitlab([])) == []


def test_rebase_adds_the_site_folder_for_paths_from_the_repository_root(tmp_path):
    site_root = tmp_path / "site-map"
    site_root.mkdir()
    (rebased,) = problem_formats.rebase([ERROR], site_root, tmp_path)
    assert rebased.path == "site-map/stories/kapot/index.md"
    assert problem_formats.rebase([ERROR], tmp_path, tmp_path) == [ERROR]
    assert problem_formats.rebase([ERROR], tmp_path, site_root) == [ERROR]


# Through the command -----------------------------------------------------------------------


def test_check_prints_github_annotations(site):
    site.add_story("goed")
    site.add_story("kapot", neighbourhoods=["Oude Havn"])
    result = site.cli("check", "--format", "github")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "::error file=stories/kapot/index.md,line=6,title=neighbourhoods[0]::"
        "onbekende buurt 'Oude Havn'. Bedoel je 'Oude Haven'?"
    ]
    assert result.stderr.strip() == "1 verhaal in orde, 1 fout, 0 waarschuwingen"


def test_check_writes_a_gitlab_report_and_prints_the_text_lines(site):
    site.add_story("kapot", neighbourhoods=["Oude Havn"])
    result = site.cli("check", "--format", "gitlab", "--output", "rapport.json")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "stories/kapot/index.md:6: neighbourhoods[0]: onbekende buurt 'Oude Havn'. Bedoel je 'Oude Haven'?"
    ]
    (issue,) = json.loads((site.root / "rapport.json").read_text(encoding="utf-8"))
    assert issue["location"] == {"path": "stories/kapot/index.md", "lines": {"begin": 6}}
    assert issue["severity"] == "major"


def test_check_writes_the_gitlab_report_by_its_default_name_also_without_problems(site):
    site.add_story("goed")
    result = site.cli("check", "--format", "gitlab")
    assert result.returncode == 0
    assert json.loads((site.root / problem_formats.GITLAB_REPORT).read_text(encoding="utf-8")) == []


def test_machine_formats_give_paths_from_where_ci_runs(site):
    """CI runs from the repository root; a site in a subfolder still gets its annotations."""
    nested = make_site(site.root / "website")
    nested.add_story("kapot", date="2025-02-30")
    result = nested.cli("-f", "website/mkdocs.yml", "check", "--format", "github", cwd=site.root)
    assert result.stdout.startswith("::error file=website/stories/kapot/index.md,line=3,title=date::")
    text = nested.cli("-f", "website/mkdocs.yml", "check", cwd=site.root)
    assert text.stdout.startswith("stories/kapot/index.md:3: date:")


def test_missing_paths_are_problems_in_every_format(site):
    site.add_story("goed")
    result = site.cli("check", "--format", "github", "stories/weg", "stories/goed")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "::error file=stories/weg,line=1,title=aanhetwoord::dit bestand of deze map bestaat niet"
    ]


def test_an_unknown_format_is_refused_by_the_command_line(site):
    result = site.cli("check", "--format", "xml")
    assert result.returncode == 2
    assert "--format" in result.stderr
