"""Story text reaches terminals and CI logs escaped: it cannot colour them or fake an annotation.

A story is untrusted; a YAML key, a title or a consent reference may hold ESC sequences or a
line break followed by ``::notice …``. Every command that prints story text, and the build log,
shows control characters as escapes; ``--format github`` escapes as GitHub's toolkit does.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from aanhetwoord.commands import problem_formats
from aanhetwoord.problems import Problem, Severity
from sitefactory import Site

# C0, DEL, C1, the line and paragraph separators and the bidirectional controls.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
ANNOTATION = re.compile(
    r"^::(?P<kind>error|warning|notice) file=(?P<file>[^:,]*),line=(?P<line>[0-9]+),title=(?P<title>[^:,]*)"
    r"::(?P<message>.*)$"
)
# Text as a story could hold it: every code point, with the dangerous ones made likely.
texts = st.lists(
    st.one_of(
        st.text(max_size=6),
        st.sampled_from(
            ["\x1b[31m", "\r", "\n", "%", "%0A", ":", ",", "::notice ", "::error::", "\x9b", "\u202e"]
        ),
    ),
    max_size=8,
).map("".join)
severities = st.sampled_from(list(Severity))


def decode_data(value: str) -> str:
    return value.replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")


def decode_property(value: str) -> str:
    return decode_data(value.replace("%2C", ",").replace("%3A", ":"))


@settings(max_examples=200, deadline=None)
@given(path=texts, line=st.integers(1, 10**6), field=texts, message=texts, severity=severities)
def test_each_github_annotation_is_one_safe_line(path, line, field, message, severity):
    [annotation] = problem_formats.github([Problem(path, line, field, message, severity)])
    assert len(annotation.splitlines()) == 1 and "\n" not in annotation and "\r" not in annotation
    assert not CONTROL.search(annotation), ascii(annotation)
    match = ANNOTATION.match(annotation)
    assert match, ascii(annotation)
    assert match["kind"] == {"error": "error", "warning": "warning", "info": "notice"}[severity.value]
    # The command is at the start and nowhere else can a property end: ':' and ',' are escaped.
    assert annotation.count("::") >= 2 and not match["file"].count(":")
    assert int(match["line"]) == line
    # GitHub shows the message with its line breaks; ESC is gone.
    shown = decode_data(match["message"])
    assert "\x1b" not in shown
    assert shown.count("\n") == message.count("\n") and shown.count("\r") == message.count("\r")


@settings(max_examples=100, deadline=None)
@given(
    path=st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp", "Cf")), max_size=30),
    field=st.text(
        st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp", "Cf")), min_size=1, max_size=30
    ),
    message=st.text(
        st.characters(blacklist_categories=("Cs", "Cf"), blacklist_characters="\x1b"), max_size=40
    ),
)
def test_github_annotations_keep_text_without_controls_exactly(path, field, message):
    """Escaping loses nothing: GitHub decodes the annotation back to what the problem said."""
    message = CONTROL.sub("", message.replace("\r", "").replace("\n", "")) + "\nnieuwe regel"
    [annotation] = problem_formats.github([Problem(path, 3, field, message)])
    match = ANNOTATION.match(annotation)
    assert match, ascii(annotation)
    assert decode_property(match["file"]) == path
    assert decode_property(match["title"]) == field
    assert decode_data(match["message"]) == message


@settings(max_examples=200, deadline=None)
@given(path=texts, line=st.integers(1, 10**6), field=texts, message=texts, severity=severities)
def test_each_text_line_is_one_line_without_control_characters(path, line, field, message, severity):
    [formatted] = problem_formats.text([Problem(path, line, field, message, severity)])
    assert len(formatted.splitlines()) == 1 and "\n" not in formatted
    assert not CONTROL.search(formatted), ascii(formatted)
    assert f":{line}: " in formatted


def test_control_characters_are_shown_as_escapes():
    problem = Problem(
        "stories/a\x1bb/index.md", 2, "x\ny", "rood\x1b[31m\r\n::notice::nep\u202e\x85\t", Severity.WARNING
    )
    assert problem.format() == (
        "stories/a\\x1bb/index.md:2: x\\ny: waarschuwing: rood\\x1b[31m\\r\\n::notice::nep\\u202e\\x85\\t"
    )
    assert problem_formats.github([problem]) == [
        "::warning file=stories/ab/index.md,line=2,title=x%0Ay::rood[31m%0D%0A::notice::nep\\u202e\\x85\\t"
    ]
    [issue] = json.loads(problem_formats.gitlab([problem]))
    assert issue["description"] == "x\\ny: rood\\x1b[31m\\r\\n::notice::nep\\u202e\\x85\\t"
    assert issue["severity"] == "minor"


def test_a_note_is_a_github_notice_and_gitlab_info():
    note = Problem("stories/a/index.md", 4, "tekst", "een notitie", Severity.INFO)
    assert problem_formats.github([note]) == [
        "::notice file=stories/a/index.md,line=4,title=tekst::een notitie"
    ]
    assert json.loads(problem_formats.gitlab([note]))[0]["severity"] == "info"
    assert note.format() == "stories/a/index.md:4: tekst: opmerking: een notitie"


# Through the real commands ----------------------------------------------------------------------

# A story whose unknown key tries to start a GitHub command and colour the terminal.
INJECTED_KEY = "extra\\n::notice title=x::nep\\e[31mrood\\e[0m"
STORY = f"""\
---
title: Een verhaal
date: 2025-05-01
community: De Buurtgroep
neighbourhoods: [Oude Haven]
themes: [Samen leven]
consent: {{date: 2025-04-01, reference: T-1}}
"{INJECTED_KEY}": ja
---

Een verhaal uit de buurt.
"""
# The loader already drops ESC (with a warning of its own); the formatter escapes the line break.
SHOWN_KEY = "extra\\n::notice title=x::nep[31mrood[0m"
DROPPED = "stories/nep/index.md:8: waarschuwing: bevat onzichtbare stuurtekens (zoals U+001B)"


def assert_safe(output: str, injected: str = "::notice") -> None:
    assert "\x1b" not in output and "\x9b" not in output
    assert not any(line.startswith(injected) for line in output.splitlines()), output


def test_check_in_every_format_prints_the_injected_key_escaped(site: Site):
    site.write_story("nep", STORY)
    text = site.cli("check")
    assert text.returncode == 0
    assert_safe(text.stdout + text.stderr)
    dropped, unknown = text.stdout.splitlines()
    assert dropped.startswith(DROPPED)
    assert unknown == (
        f"stories/nep/index.md:8: {SHOWN_KEY}: waarschuwing: onbekend veld"
        " 'extra ::notice title=x::nep[31mrood[0m' wordt genegeerd"
    )

    github = site.cli("check", "--format", "github")
    assert_safe(github.stdout + github.stderr)
    [annotation] = [line for line in github.stdout.splitlines() if "onbekend veld" in line]
    assert annotation.startswith("::warning file=stories/nep/index.md,line=8,title=extra%0A%3A%3Anotice")
    assert "::onbekend veld 'extra ::notice title=x::nep[31mrood[0m' wordt genegeerd" in annotation

    gitlab = site.cli("check", "--format", "gitlab", "--output", "cq.json")
    assert_safe(gitlab.stdout + gitlab.stderr)
    report = (site.root / "cq.json").read_text(encoding="utf-8")
    assert "\x1b" not in report
    assert any(issue["description"].startswith(f"{SHOWN_KEY}: onbekend veld") for issue in json.loads(report))


def test_the_build_log_shows_the_injected_key_escaped(site: Site):
    site.write_story("nep", STORY)
    result = site.build(strict=False)
    assert_safe(result.stdout + result.stderr)
    assert f"WARNING -  stories/nep/index.md:8: {SHOWN_KEY}: waarschuwing" in result.stderr


def test_the_report_prints_titles_and_names_escaped(site: Site):
    site.add_story(
        "concept",
        title="Rood\x1b[31m\n::error::nep",
        community="Groep\x1b]0;titel\x07",
        status="draft",
    )
    site.write_story("nep", STORY)
    result = site.cli("report")
    assert result.returncode == 0, result.stderr
    assert_safe(result.stdout + result.stderr, "::")
    assert "\x07" not in result.stdout
    assert f"stories/nep/index.md:8: {SHOWN_KEY}: waarschuwing" in result.stdout
    as_json = site.cli("report", "--format", "json")
    assert_safe(as_json.stdout, "::")
    assert json.loads(as_json.stdout)["drafts"][0]["title"] == "Rood[31m ::error::nep"


def test_withdraw_prints_the_consent_reference_escaped(site: Site):
    site.add_story("weg", consent={"date": "2025-04-01", "reference": "TOE-1\x1b[2J\n::error::nep"})
    result = site.cli("withdraw", "weg")
    assert result.returncode == 0, result.stderr
    assert_safe(result.stdout + result.stderr, "::")
    assert "(toestemming TOE-1[2J\\n::error::nep)." in result.stdout


def test_new_prints_an_unknown_name_escaped(site: Site):
    result = site.cli(
        "new",
        "--title",
        "Een titel",
        "--community",
        "De groep",
        "--neighbourhood",
        "Nergens\x1b[31m\n::error::nep",
        "--theme",
        "Samen leven",
    )
    assert result.returncode == 2
    assert_safe(result.stdout + result.stderr, "::")
    assert "Nergens\\x1b[31m" in result.stderr
    assert not Path(site.stories / "een-titel").exists()
