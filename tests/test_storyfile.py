"""Story files change one field at a time: only that field's lines, the rest byte for byte.

``aanhetwoord withdraw`` runs as staff run it, on story files written in many ways; the module
itself is tested on generated story files with Hypothesis, read back with the site's own loader.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aanhetwoord.intake.gitstore import Author, GitStore
from aanhetwoord.intake.register import SUBMITTED, ConsentRegister, Submission, token_hash
from aanhetwoord.intake.withdrawal import Outcome, withdraw
from aanhetwoord.load import StorySource, parse_story_text
from aanhetwoord.storyfile import StoryFile, StoryFileError
from intakekit import git, make_repo
from sitefactory import Site

LIMIT = 64 * 1024


def read_back(text: str) -> StorySource:
    source = StorySource("x", Path(), "")
    parse_story_text(source, text, LIMIT)
    assert [problem for problem in source.problems if problem.is_error] == []
    return source


# aanhetwoord withdraw ------------------------------------------------------------------------

CONSENT = "consent:\n  date: 2025-04-01\n  reference: T-1\n  photos: true\n"

# (story file as staff left it, the same file after the withdrawal): every other byte stays.
WITHDRAW_CASES = {
    "status in the middle, quoted values and a comment": (
        '---\ntitle: "Ons feest"   # de titel\n# staff: nog nakijken\nstatus: published\n'
        "date: '2025-05-01'\ncommunity: De Buurtgroep\nneighbourhoods: [ Oude Haven ]\n"
        f"themes:\n- Samen leven\n{CONSENT}---\n\nTekst.\n",
        '---\ntitle: "Ons feest"   # de titel\n# staff: nog nakijken\nstatus: withdrawn\n'
        "date: '2025-05-01'\ncommunity: De Buurtgroep\nneighbourhoods: [ Oude Haven ]\n"
        f"themes:\n- Samen leven\n{CONSENT}---\n\nTekst.\n",
    ),
    "no status, block lists indented": (
        "---\ntitle:    Ons feest\ndate: 2025-05-01\ncommunity: De Buurtgroep\n"
        "neighbourhoods:\n    - Oude Haven\nthemes:\n  - Samen leven\n"
        f"{CONSENT}\n# einde\n---\n\nTekst.\n",
        "---\ntitle:    Ons feest\ndate: 2025-05-01\ncommunity: De Buurtgroep\n"
        "neighbourhoods:\n    - Oude Haven\nthemes:\n  - Samen leven\n"
        f"{CONSENT}status: withdrawn\n\n# einde\n---\n\nTekst.\n",
    ),
    "BOM and CRLF, status first with a comment": (
        "\ufeff---\r\nstatus: draft # nog niet\r\ntitle: 'Feest: eindelijk'\r\ndate: 2025-05-01\r\n"
        "community: De Buurtgroep\r\nneighbourhoods: [Oude Haven]\r\nthemes: [Samen leven]\r\n"
        + CONSENT.replace("\n", "\r\n")
        + "---\r\n\r\nTekst met\r\ntwee regels.\r\n",
        "\ufeff---\r\nstatus: withdrawn # nog niet\r\ntitle: 'Feest: eindelijk'\r\ndate: 2025-05-01\r\n"
        "community: De Buurtgroep\r\nneighbourhoods: [Oude Haven]\r\nthemes: [Samen leven]\r\n"
        + CONSENT.replace("\n", "\r\n")
        + "---\r\n\r\nTekst met\r\ntwee regels.\r\n",
    ),
    "status last, a summary as a block of text": (
        "---\ntitle: Ons feest\ndate: 2025-05-01\ncommunity: De Buurtgroep\nneighbourhoods: [Oude Haven]\n"
        f"themes: [Samen leven]\n{CONSENT}summary: |\n  Eerste regel.\n\n  # geen commentaar\n\n"
        "status:   'published'\n---\nTekst.",
        "---\ntitle: Ons feest\ndate: 2025-05-01\ncommunity: De Buurtgroep\nneighbourhoods: [Oude Haven]\n"
        f"themes: [Samen leven]\n{CONSENT}summary: |\n  Eerste regel.\n\n  # geen commentaar\n\n"
        "status: withdrawn\n---\nTekst.",
    ),
}


@pytest.mark.parametrize("case", WITHDRAW_CASES)
def test_withdraw_changes_only_the_status_line(site: Site, case: str):
    original, expected = WITHDRAW_CASES[case]
    path = site.stories / "ons-feest" / "index.md"
    path.parent.mkdir(parents=True)
    path.write_bytes(original.encode())
    result = site.cli("withdraw", "ons-feest")
    assert result.returncode == 0, result.stderr
    assert path.read_bytes() == expected.encode()
    assert read_back(expected).data["status"] == "withdrawn"


def test_withdraw_refuses_front_matter_it_cannot_change_line_by_line(site: Site):
    original = "---\n{title: Ons feest, date: 2025-05-01, community: De Buurtgroep}\n---\n\nTekst.\n"
    path = site.stories / "ons-feest.md"
    path.write_bytes(original.encode())
    result = site.cli("withdraw", "ons-feest")
    assert result.returncode == 1
    assert "'ons-feest' kan niet worden ingetrokken: de gegevens bovenaan staan in een vorm" in result.stderr
    assert "Er is niets veranderd." in result.stderr
    assert path.read_bytes() == original.encode()


# The intake's withdrawal, on a blob in git ------------------------------------------------


def test_the_intake_withdrawal_branch_changes_only_the_status_line(tmp_path: Path):
    site = make_repo(tmp_path / "repo")
    reference = "INZ-20260501-ABC123"
    original = (
        "\ufeff---\r\ntitle: 'Ons feest'\r\n# staff note\r\nstatus: published\r\ndate: 2025-05-01\r\n"
        "community: De Buurtgroep\r\nneighbourhoods:\r\n  - Oude Haven\r\nthemes: [Samen leven]\r\n"
        f"consent:\r\n  date: 2025-04-01\r\n  reference: {reference}\r\n  photos: false\r\n"
        "---\r\n\r\nTekst.\r\n"
    )
    story = site.stories / "ons-feest" / "index.md"
    story.parent.mkdir()
    story.write_bytes(original.encode())
    git(site.root, "add", "-A")
    git(site.root, "commit", "-q", "-m", "Verhaal")
    work = tmp_path / "work"
    work.mkdir()
    store = GitStore(site.root, work, Author("Formulier", "formulier@example.org"))
    register = ConsentRegister(tmp_path / "register.sqlite3")
    submission = Submission(
        id=reference,
        submitted_at="2026-05-01T10:00:00+00:00",
        consent_version="v1",
        photo_consent=False,
        age_confirmed=True,
        email="",
        withdrawal_hash=token_hash("token"),
        status=SUBMITTED,
        decided_at=None,
        slug="ons-feest",
        branch="inzending/20260501-ons-feest",
    )
    register.add(submission)
    result = withdraw(submission, store, register, "stories", LIMIT, date(2026, 5, 12))
    assert result.outcome is Outcome.BRANCH and result.branch is not None
    blob = subprocess.run(
        ["git", "-C", str(site.root), "show", f"{result.branch}:stories/ons-feest/index.md"],
        capture_output=True,
        check=True,
    ).stdout
    assert blob == original.replace("status: published", "status: withdrawn").encode()


# The module ------------------------------------------------------------------------------


def test_a_field_inside_a_mapping_is_set_in_place():
    text = (
        '---\ntitle: Feest\nimage:\n    src: foto.jpg   # de omslag\n    alt: "Een foto"\n'
        "date: 2025-05-01\n---\nT\n"
    )
    story = StoryFile(text, LIMIT)
    assert story.set(("image", "alt"), "Buren: aan tafel")
    assert story.set(("image", "credit"), "Jan")
    assert story.text == (
        "---\ntitle: Feest\nimage:\n    src: foto.jpg   # de omslag\n    alt: 'Buren: aan tafel'\n"
        "    credit: Jan\ndate: 2025-05-01\n---\nT\n"
    )
    flow = StoryFile("---\ntitle: Feest\nimage: {src: foto.jpg}\n---\nT\n", LIMIT)
    flow.set(("image", "alt"), "Een foto")
    assert flow.text == "---\ntitle: Feest\nimage: {src: foto.jpg, alt: Een foto}\n---\nT\n"
    new = StoryFile("---\ntitle: Feest\n---\nT\n", LIMIT)
    new.set(("image", "alt"), "Een foto")
    assert new.text == "---\ntitle: Feest\nimage:\n  alt: Een foto\n---\nT\n"


def test_values_are_written_as_a_resident_would():
    story = StoryFile("---\ntitle: x\nthemes:\n- a\n---\n", LIMIT)
    story.set("title", "yes")
    story.set("date", "2025-05-01")
    story.set("themes", ["Samen leven", "a, b"])
    story.set("neighbourhoods", ["Oude Haven", "Dijkflats"])
    story.set("summary", "Twee\nregels")
    story.set("storytellers", [f"Verteller nummer {n}" for n in range(6)])
    assert story.text == (
        "---\ntitle: 'yes'\nthemes:\n- Samen leven\n- a, b\ndate: 2025-05-01\n"
        "neighbourhoods: [Oude Haven, Dijkflats]\nsummary: |-\n  Twee\n  regels\nstorytellers:\n"
        + "".join(f"  - Verteller nummer {n}\n" for n in range(6))
        + "---\n"
    )
    assert read_back(story.text).data["title"] == "yes"


def test_text_over_lines_is_quoted_where_a_block_would_take_in_the_comment_under_it():
    story = StoryFile("---\ntitle: x\n  # ingesprongen\ndate: 2025-05-01\n---\n", LIMIT)
    story.set("title", "a\nb")
    assert story.text == "---\ntitle: 'a\n\n  b'\n  # ingesprongen\ndate: 2025-05-01\n---\n"
    assert read_back(story.text).data == {"title": "a\nb", "date": "2025-05-01"}


def test_the_body_is_replaced_and_the_front_matter_stays():
    story = StoryFile("---\r\ntitle: x # c\r\n---\r\n\r\nOude tekst.\r\n", LIMIT)
    assert story.body == "Oude tekst.\r\n"
    story.set_body("Nieuwe tekst.\n\nTweede alinea.\n")
    assert story.text == "---\r\ntitle: x # c\r\n---\r\n\r\nNieuwe tekst.\r\n\r\nTweede alinea.\r\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Geen gegevens.\n", "het verhaal begint niet met gegevens tussen twee regels '---'"),
        (
            "---\ntitle: [open\n---\n",
            "de gegevens bovenaan het verhaal kloppen niet (regel 2: fout in de YAML",
        ),
        ("---\na: &x 1\nb: *x\n---\n", "YAML-ankers en -verwijzingen"),
        (b"---\ntitle: \xff\n---\n", "het bestand is geen UTF-8-tekst"),
        ("---\n{title: x}\n---\n", "niet per regel kan worden aangepast (regel 2)"),
    ],
)
def test_front_matter_that_cannot_be_read_is_refused_in_dutch(content: str | bytes, message: str):
    with pytest.raises(StoryFileError) as refused:
        StoryFile(content, LIMIT)
    assert message in str(refused.value)


def test_a_value_the_site_cannot_read_back_is_refused_and_nothing_changes():
    text = "---\ntitle: x\n---\n"
    story = StoryFile(text, LIMIT)
    with pytest.raises(StoryFileError, match=re.escape("niet veilig opnieuw worden geschreven (title)")):
        story.set("title", "een\x00nul")
    with pytest.raises(StoryFileError, match="groter dan 1 KB"):
        StoryFile(text, 1024).set("summary", "x" * 2000)
    assert story.text == text


# Property: any formatting of the same fields ---------------------------------------------------

WORD = st.text(alphabet="abcdeéëoz ZQ'\":#-,[]{}&*!|>%@?0123", min_size=0, max_size=12)
PLAIN = re.compile(r"[A-Za-zéë][A-Za-zéë ]{0,10}[A-Za-zéë]|[A-Za-zéë]")
NOT_PLAIN = {"true", "false", "null", "yes", "no", "on", "off", "y", "n"}


@dataclass
class Generated:
    segments: list[tuple[str, str]]  # (field name or "", text): "" for comments and blank lines
    data: dict[str, Any]
    newline: str
    bom: str
    body: str

    @property
    def text(self) -> str:
        front = "".join(text for _, text in self.segments)
        nl = self.newline
        return f"{self.bom}---{nl}{front}---{nl}{self.body}"

    def around(self, name: str) -> tuple[str, str]:
        """The text before and after a field's lines (after the last field for a new one)."""
        names = [index for index, (field, _) in enumerate(self.segments) if field == name]
        if names:
            index = names[0]
            after = index + 1
        else:
            index = after = max(i for i, (field, _) in enumerate(self.segments) if field) + 1
        text = self.text
        head = self.bom + "---" + self.newline + "".join(text for _, text in self.segments[:index])
        return head, text[len(head) + sum(len(t) for _, t in self.segments[index:after]) :]


@st.composite
def scalar_text(draw: st.DrawFn, value: str) -> str:
    styles = ["double", "single"] + (
        ["plain"] if PLAIN.fullmatch(value) and value.lower() not in NOT_PLAIN else []
    )
    style = draw(st.sampled_from(styles))
    if style == "plain":
        return value
    if style == "single":
        return "'" + value.replace("'", "''") + "'"
    return json.dumps(value, ensure_ascii=False)


@st.composite
def story_files(draw: st.DrawFn) -> Generated:
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    title = draw(WORD)
    community = draw(WORD)
    neighbourhoods = draw(st.lists(WORD, min_size=1, max_size=3))
    themes = draw(st.lists(WORD, max_size=3))
    summary = draw(st.lists(st.text(alphabet="abcé#:'", max_size=8), min_size=1, max_size=3))
    image = {"src": "foto.jpg", "alt": draw(WORD)}
    fields: list[tuple[str, Any]] = [
        ("title", title),
        ("date", "2025-05-01"),
        ("community", community),
        ("neighbourhoods", neighbourhoods),
        ("themes", themes),
        ("status", draw(st.sampled_from(["published", "draft"]))),
        ("image", image),
        ("summary", summary),
    ]
    fields = draw(st.permutations(fields))
    segments: list[tuple[str, str]] = []
    for name, value in fields:
        if draw(st.booleans()):
            # An indented line under a block of text would belong to the text.
            after_text = segments and segments[-1][1].startswith("summary: |")
            fillers = ["# opmerking", ""] if after_text else ["# opmerking", "", "  # ingesprongen"]
            segments.append(("", draw(st.sampled_from(fillers)) + nl))
        space = draw(st.sampled_from([" ", "  ", "   "]))
        comment = draw(st.sampled_from(["", "  # klopt", " #x"]))
        if name == "summary":
            if value[-1] and draw(st.booleans()):
                # A block of text, one line of the value a line of the file; blank lines at its end
                # would not belong to it.
                lines = f"{name}: |{nl}" + "".join(f"  {line}{nl}" if line else nl for line in value)
            else:
                lines = f"{name}:{space}{draw(scalar_text(' '.join(value)))}{comment}{nl}"
        elif isinstance(value, list):
            style = draw(st.sampled_from(["flow", "block", "indented"]) if value else st.just("flow"))
            items = [draw(scalar_text(item)) for item in value]
            if style == "flow":
                lines = f"{name}:{space}[{', '.join(items)}]{comment}{nl}"
            else:
                dash = "- " if style == "block" else "  - "
                lines = f"{name}:{nl}" + "".join(f"{dash}{item}{nl}" for item in items)
        elif isinstance(value, dict):
            indent = draw(st.sampled_from(["  ", "    "]))
            lines = f"{name}:{nl}" + "".join(
                f"{indent}{key}: {draw(scalar_text(v))}{nl}" for key, v in value.items()
            )
        elif name == "date":
            written = draw(st.sampled_from(["2025-05-01", "'2025-05-01'"]))
            lines = f"{name}:{space}{written}{comment}{nl}"
        else:
            lines = f"{name}:{space}{draw(scalar_text(value))}{comment}{nl}"
        segments.append((name, lines))
    if draw(st.booleans()):
        segments.append(("", f"# einde{nl}"))
    body = draw(st.sampled_from(["", nl, f"{nl}Tekst.{nl}", f"Tekst{nl}---{nl}meer"]))
    generated = Generated(segments, {}, nl, draw(st.sampled_from(["", "\ufeff"])), body)
    # What the site reads from it; the module under test is not involved.
    generated.data = read_back(generated.text).data
    return generated


NEW_VALUES = st.one_of(
    WORD,
    st.text(alphabet="ab :#'\n-", max_size=15),
    st.lists(WORD, max_size=4),
    st.sampled_from(["2025-05-01", "yes", "0123", "- a", "true", ""]),
)
FIELDS = st.sampled_from(
    ["title", "community", "neighbourhoods", "themes", "status", "summary", "image", "credit"]
)


@settings(max_examples=150, deadline=None)
@given(story_files(), FIELDS, NEW_VALUES)
def test_setting_a_field_changes_only_its_lines(story: Generated, name: str, value: Any):
    original = story.text
    changed = StoryFile(original, LIMIT)
    changed.set(name, value)
    source = read_back(changed.text)
    assert source.data == {**story.data, name: value}
    assert list(source.data)[: len(story.data)] == list(story.data)  # the order stays
    head, tail = story.around(name)
    assert changed.text.startswith(head) and changed.text.endswith(tail)
    assert changed.body == StoryFile(original, LIMIT).body
    # Setting it again to the same value changes nothing.
    again = StoryFile(changed.text, LIMIT)
    assert again.set(name, value) is False and again.text == changed.text


@settings(max_examples=100, deadline=None)
@given(story_files(), FIELDS, st.data())
def test_removing_a_field_removes_only_its_lines_and_adding_it_back_restores_it(
    story: Generated, name: str, data: st.DataObject
):
    changed = StoryFile(story.text, LIMIT)
    assert changed.remove(name) is (name in story.data)
    head, tail = story.around(name)
    if name in story.data:
        # An indented comment right under the field goes with it only where it would otherwise
        # fall into a block of text above.
        assert changed.text in (head + tail, head + re.sub(r"\A(?:[ \t]+#[^\n]*\n)+", "", tail))
    expected = {key: value for key, value in story.data.items() if key != name}
    assert read_back(changed.text).data == expected
    if name in story.data:
        changed.set(name, story.data[name])
        assert read_back(changed.text).data == story.data


@settings(max_examples=100, deadline=None)
@given(story_files(), st.sampled_from(["alt", "credit"]), WORD)
def test_setting_a_field_inside_image_changes_nothing_outside_it(story: Generated, name: str, value: str):
    changed = StoryFile(story.text, LIMIT)
    changed.set(("image", name), value)
    data = read_back(changed.text).data
    assert data == {**story.data, "image": {**story.data["image"], name: value}}
    head, tail = story.around("image")
    assert changed.text.startswith(head) and changed.text.endswith(tail)
    # Inside the mapping, too, the other field keeps its line.
    (src,) = [line for _, text in story.segments for line in text.splitlines(keepends=True) if "src:" in line]
    assert src in changed.text[len(head) : len(changed.text) - len(tail)]
