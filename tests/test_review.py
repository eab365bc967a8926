"""Staff decisions on a submission (intake/review.py), against real git repositories.

Submissions are made by the intake's own code (form check, Submitter) in a real repository made
by ``intakekit.make_repo``; the forge route runs against the fake forge, a real HTTP server.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import threading
import unicodedata
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aanhetwoord.intake import review
from aanhetwoord.intake.form import Errors, Limits, Values, check
from aanhetwoord.intake.gitstore import Author, GitStore
from aanhetwoord.intake.register import ConsentRegister
from aanhetwoord.intake.review import (
    DECLINE_REASONS,
    ReviewDesk,
    ReviewError,
    ReviewStatus,
    StoryEdit,
    Worktree,
    staff_author,
)
from aanhetwoord.intake.settings import PREFIX, load
from aanhetwoord.intake.sitedata import SiteData
from aanhetwoord.intake.submission import Submitter
from forgekit import fake_forge
from intakekit import SECRET, branches, git, make_repo, register_rows

TODAY = date(2026, 11, 24)
ANNA = staff_author("Anna de Vries")
ANNA_GIT = "Anna de Vries <anna.de.vries@redactie.invalid>"


def desk_for(repo: Path, data: Path, **env: str) -> ReviewDesk:
    environ = {f"{PREFIX}DATA_DIR": str(data), f"{PREFIX}SECRET": SECRET}
    environ.update({f"{PREFIX}{key.upper()}": value for key, value in env.items()})
    intake = load(environ, repo / "mkdocs.yml")
    site = SiteData(intake.config_file)
    stories = site.current().settings.stories_dir.resolve().relative_to(intake.repository).as_posix()
    store = GitStore(
        intake.repository, intake.work_dir, Author(intake.author_name, intake.author_email), intake.base
    )
    return ReviewDesk(intake, store, ConsentRegister(intake.register_file), site, stories)


def submit(desk: ReviewDesk, title: str = "Samen koken op vrijdag", email: str = "", **values: object) -> str:
    """A submission as the form makes it: checked, committed on its branch, in the register."""
    fields: dict[str, object] = {
        "title": title,
        "community": "Kookclub Vrijdag",
        "neighbourhoods": ["oude-haven"],
        "themes": ["samen-leven"],
        "body": "Elke vrijdag koken we samen in het buurthuis.\n\nIedereen neemt iets mee.",
        "consent": True,
        "age_confirm": True,
        "email": email,
    }
    fields.update(values)
    submitter = Submitter(desk.store, desk.register, desk.stories_path)
    reference, short = submitter.new_reference(TODAY)
    site = desk.site.current()
    errors = Errors()
    accepted = check(
        Values(**fields),  # type: ignore[arg-type]
        photo=None,
        registers=site.registers,
        today=TODAY,
        reference=reference,
        folder=desk.scratch,
        limits=Limits(20_000, site.settings.max_front_matter_bytes),
        errors=errors,
    )
    assert accepted is not None, errors.summary()
    submitter.submit(
        accepted,
        reference=reference,
        short=short,
        today=TODAY,
        consent_version="v1",
        age_confirmed=True,
        email=email,
    )
    return reference


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    make_repo(tmp_path / "repo")
    return tmp_path / "repo"


@pytest.fixture
def desk(repo: Path, tmp_path: Path) -> ReviewDesk:
    return desk_for(repo, tmp_path / "data")


def show(repo: Path, ref: str, path: str) -> str:
    return git(repo, "show", f"{ref}:{path}")


def story_path(desk: ReviewDesk, reference: str) -> str:
    return f"stories/{desk.register.get(reference).slug}/index.md"


# Status -------------------------------------------------------------------------------------


def test_a_new_submission_is_nieuw_and_an_edit_makes_it_in_bewerking(desk: ReviewDesk):
    reference = submit(desk)
    assert review.review_status(desk.register.get(reference)) is ReviewStatus.NIEUW
    assert desk.edit(reference, StoryEdit(title="Samen koken op de vrijdag"), ANNA) == []
    assert review.review_status(desk.register.get(reference)) is ReviewStatus.IN_BEWERKING


def test_an_old_register_gets_the_review_columns_and_keeps_its_rows(tmp_path: Path):
    path = tmp_path / "register.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(
            """
            CREATE TABLE submissions (
                id TEXT PRIMARY KEY, submitted_at TEXT NOT NULL, consent_version TEXT NOT NULL,
                photo_consent INTEGER NOT NULL, age_confirmed INTEGER NOT NULL, email TEXT,
                withdrawal_hash TEXT NOT NULL UNIQUE,
                status TEXT NOT NULL CHECK (status IN ('submitted', 'withdrawn', 'decided')),
                decided_at TEXT, slug TEXT NOT NULL, branch TEXT NOT NULL, withdrawal_branch TEXT
            );
            INSERT INTO submissions VALUES ('INZ-20250101-OLD111', '2025-01-01T10:00:00+00:00', 'v', 1, 1,
                'oud@example.org', 'abc', 'submitted', NULL, 'oud', 'inzending/20250101-oud', NULL);
            """
        )
    register = ConsentRegister(path)
    ConsentRegister(path)  # a second opening changes nothing
    row = register.get("INZ-20250101-OLD111")
    assert (row.status, row.review, row.decided_by, row.reason, row.email) == (
        "submitted",
        "nieuw",
        None,
        None,
        "oud@example.org",
    )
    assert register.record_decision("INZ-20250101-OLD111", "afgewezen", "Anna", "Te kort.") is True
    assert register.record_decision("INZ-20250101-OLD111", "geaccepteerd", "Bert") is False
    row = register.get("INZ-20250101-OLD111")
    decided = (row.status, row.review, row.decided_by, row.reason)
    assert decided == ("decided", "afgewezen", "Anna", "Te kort.")
    assert row.decided_at is not None  # the e-mail purge counts from here


def test_staff_without_an_email_address_get_an_invalid_one():
    assert staff_author("Anna de Vries") == Author("Anna de Vries", "anna.de.vries@redactie.invalid")
    assert staff_author("Bert", "bert@gemeente.example") == Author("Bert", "bert@gemeente.example")


# Preview ------------------------------------------------------------------------------------


def test_the_preview_renders_the_story_and_shows_consent_and_front_matter(desk: ReviewDesk):
    reference = submit(desk, summary="Koken met de buren.")
    preview = desk.preview(reference)
    assert preview.title == "Samen koken op vrijdag"
    assert "<h1" in preview.html and "Samen koken op vrijdag" in preview.html
    assert "Elke vrijdag koken we samen in het buurthuis." in preview.html
    assert "Oude Haven" in preview.html
    assert not preview.has_errors
    assert preview.consent.consent_version == "v1"
    assert preview.consent.age_confirmed is True
    assert preview.consent.photo_consent is False
    assert "title: Samen koken op vrijdag" in preview.front_matter
    assert f"reference: {reference}" in preview.front_matter
    assert preview.current.title == "Samen koken op vrijdag"
    assert preview.current.neighbourhoods == ["Oude Haven"]
    slug = desk.register.get(reference).slug
    assert preview.url == f"https://verhalen.example.org/verhalen/{slug}/"
    assert preview.status is ReviewStatus.NIEUW


def test_the_preview_shows_the_photo_variants_and_serves_them(repo: Path, desk: ReviewDesk):
    from intakekit import phone_photo

    reference = submit(desk)
    # Staff (or a resident with a photo) put a photo on the branch; add it by hand here.
    row = desk.register.get(reference)
    tip = desk.store.resolve(f"refs/heads/{row.branch}")
    folder = f"stories/{row.slug}"
    text = desk.store.read(tip, f"{folder}/index.md").decode()
    text = text.replace("  photos: false\n", "  photos: true\n").replace(
        "---\n\n", "image:\n  src: foto.jpg\n  alt: Koks aan tafel\n---\n\n", 1
    )
    commit = desk.store.commit_files(
        tip, {f"{folder}/index.md": text.encode(), f"{folder}/foto.jpg": phone_photo(400, 300)}, "foto"
    )
    desk.store.move_branch(row.branch, commit, tip, "test")

    preview = desk.preview(reference, photo_prefix="/redactie/x/foto/")
    assert not preview.has_errors, preview.problems
    assert preview.photos, "the renderer made variants"
    shown = re.findall(r'(?:src|srcset)="([^"]+)"', preview.html)
    urls = {part.split()[0] for value in shown for part in value.split(",")}
    assert urls, "the story page shows the photo"
    for url in urls:
        assert url.startswith("/redactie/x/foto/"), url
        name = url.removeprefix("/redactie/x/foto/")
        assert name in preview.photos
        content, media = desk.photo(reference, name)
        assert content[:3] == b"\xff\xd8\xff" or content[:4] == b"RIFF" or content[4:12] == b"ftypavif"
        assert media.startswith("image/")
    assert 'alt="Koks aan tafel"' in preview.html
    # The original as sent, from the branch; nothing outside the story's folder.
    assert desk.photo(reference, "foto.jpg")[0][:3] == b"\xff\xd8\xff"
    assert desk.photo(reference, "index.md") is None
    assert desk.photo(reference, "../../mkdocs.yml") is None


# Edit ---------------------------------------------------------------------------------------


def test_an_edit_is_one_commit_by_the_staff_member_that_changes_only_its_lines(repo: Path, desk: ReviewDesk):
    reference = submit(desk)
    row = desk.register.get(reference)
    before = show(repo, row.branch, story_path(desk, reference))
    problems = desk.edit(reference, StoryEdit(title="Samen koken, elke vrijdag"), ANNA)
    assert problems == []
    after = show(repo, row.branch, story_path(desk, reference))
    assert after == before.replace("title: Samen koken op vrijdag\n", "title: Samen koken, elke vrijdag\n")
    log = git(repo, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%s", row.branch).strip()
    assert log == (
        "Anna de Vries <anna.de.vries@redactie.invalid>|Anna de Vries <anna.de.vries@redactie.invalid>|"
        "Verhaal aangepast door de redactie: Samen koken, elke vrijdag"
    )
    assert git(repo, "rev-list", "--count", f"main..{row.branch}").strip() == "2"


def test_every_editable_field_changes_and_the_rest_stays_byte_identical(repo: Path, desk: ReviewDesk):
    reference = submit(desk, storytellers="Fatima, Joost")
    row = desk.register.get(reference)
    before = show(repo, row.branch, story_path(desk, reference))
    changes = StoryEdit(
        summary="Koken met de buren.",
        body="Elke vrijdag koken we samen.\n\nIedereen neemt iets mee.",
        community="Kookclub De Vrijdag",
        neighbourhoods=["lindehoeve", "Oude Haven"],
        themes=["taal-en-meedoen"],
    )
    assert desk.edit(reference, changes, ANNA) == []
    after = show(repo, row.branch, story_path(desk, reference))
    expected = (
        before.replace("community: Kookclub Vrijdag\n", "community: Kookclub De Vrijdag\n")
        .replace("neighbourhoods:\n- Oude Haven\n", "neighbourhoods:\n- Lindehoeve\n- Oude Haven\n")
        .replace("themes:\n- Samen leven\n", "themes:\n- Taal en meedoen\n")
        .replace("- Joost\n---\n", "- Joost\nsummary: Koken met de buren.\n---\n")
        .replace("Elke vrijdag koken we samen in het buurthuis.", "Elke vrijdag koken we samen.")
    )
    assert after == expected


def test_an_edit_with_a_validator_problem_writes_nothing(repo: Path, desk: ReviewDesk):
    reference = submit(desk)
    row = desk.register.get(reference)
    tip = git(repo, "rev-parse", row.branch).strip()
    problems = desk.edit(reference, StoryEdit(title="", themes=["bestaat-niet"]), ANNA)
    path = story_path(desk, reference)
    assert [(problem.path, problem.line, problem.field, problem.is_error) for problem in problems] == [
        (path, 2, "title", True),
        (path, 8, "themes[0]", True),
    ]
    assert "onbekend thema 'bestaat-niet'" in problems[1].message
    assert git(repo, "rev-parse", row.branch).strip() == tip
    assert review.review_status(desk.register.get(reference)) is ReviewStatus.NIEUW


def test_an_edit_that_changes_nothing_makes_no_commit(repo: Path, desk: ReviewDesk):
    reference = submit(desk)
    row = desk.register.get(reference)
    tip = git(repo, "rev-parse", row.branch).strip()
    same = desk.preview(reference).current
    assert desk.edit(reference, same, ANNA) == []
    assert git(repo, "rev-parse", row.branch).strip() == tip


_SUBMITTED: dict[str, str] = {}  # one submission per repository for all examples


def _cleaned(title: str) -> str:
    """A title as one line: runs of white space one space, control characters gone."""
    kept = "".join(ch for ch in " ".join(title.split()) if unicodedata.category(ch) not in ("Cc", "Cs", "Co"))
    return " ".join(kept.split())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=st.text(min_size=1, max_size=80))
def test_any_title_either_commits_exactly_that_title_or_writes_nothing(
    repo: Path, tmp_path: Path, title: str
):
    desk = desk_for(repo, tmp_path / "data")
    reference = _SUBMITTED.get(str(repo)) or _SUBMITTED.setdefault(str(repo), submit(desk))
    row = desk.register.get(reference)
    tip = desk.store.resolve(f"refs/heads/{row.branch}")
    before = desk.store.read(tip, story_path(desk, reference)).decode()
    problems = desk.edit(reference, StoryEdit(title=title), ANNA)
    after_tip = desk.store.resolve(f"refs/heads/{row.branch}")
    if any(problem.is_error for problem in problems):
        assert after_tip == tip
        return
    after = desk.store.read(after_tip, story_path(desk, reference)).decode()
    old_front, old_rest = before.split("\n---\n", 1)
    new_front, new_rest = after.split("\n---\n", 1)
    assert new_rest == old_rest  # the story text is untouched
    old_fields, new_fields = yaml.safe_load(old_front[4:]), yaml.safe_load(new_front[4:])
    assert new_fields.pop("title") == _cleaned(title)
    old_fields.pop("title")
    assert new_fields == old_fields
    # Every other line is the same: the title stays on its own line.
    assert [line for line in new_front.splitlines() if not line.startswith("title:")] == [
        line for line in old_front.splitlines() if not line.startswith("title:")
    ]


# Accept -------------------------------------------------------------------------------------


def test_accept_publishes_the_story_with_the_fix_by_the_staff_member(repo: Path, desk: ReviewDesk):
    reference = submit(desk, email="bewoner@example.org")
    desk.edit(reference, StoryEdit(title="Samen koken, elke vrijdag"), ANNA)
    main_before = git(repo, "rev-parse", "main").strip()
    accepted = desk.accept(reference, ANNA)

    assert accepted.title == "Samen koken, elke vrijdag"
    assert accepted.submission.email == "bewoner@example.org"
    assert accepted.url.startswith("https://verhalen.example.org/verhalen/")
    assert accepted.worktree is Worktree.UPDATED  # the checkout was clean
    assert accepted.publish is None
    path = story_path(desk, reference)
    assert "title: Samen koken, elke vrijdag" in show(repo, "main", path)
    parents = git(repo, "log", "-1", "--format=%P", "main").split()
    assert parents[0] == main_before and len(parents) == 2
    who = git(repo, "log", "-1", "--format=%an <%ae>|%cn <%ce>", "main").strip()
    assert who == f"{ANNA_GIT}|{ANNA_GIT}"
    edit_author = git(repo, "log", "-1", "--format=%an", "main^2").strip()
    assert edit_author == "Anna de Vries"

    row = desk.register.get(reference)
    assert (row.status, row.review, row.decided_by) == ("decided", "geaccepteerd", "Anna de Vries")
    assert review.review_status(row) is ReviewStatus.GEACCEPTEERD

    # The working tree shows the story, and a real build publishes it.
    assert (repo / path).is_file()
    assert git(repo, "status", "--porcelain", "--untracked-files=no") == ""
    build = subprocess.run(
        [str(Path(sys.executable).parent / "mkdocs"), "build", "-q", "-f", str(repo / "mkdocs.yml")],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stderr
    page = (repo / "site" / "verhalen" / row.slug / "index.html").read_text(encoding="utf-8")
    assert "Samen koken, elke vrijdag" in page

    with pytest.raises(ReviewError, match="al geplaatst"):
        desk.accept(reference, ANNA)


def test_accept_leaves_a_working_tree_with_own_changes_alone_and_says_so(repo: Path, desk: ReviewDesk):
    reference = submit(desk)
    (repo / "docs" / "index.md").write_text("# Welkom, met een wijziging\n", encoding="utf-8")
    accepted = desk.accept(reference, ANNA)
    assert accepted.worktree is Worktree.BEHIND
    assert any("niet bijgewerkt" in note for note in accepted.notes)
    assert (repo / "docs" / "index.md").read_text(encoding="utf-8") == "# Welkom, met een wijziging\n"
    assert not (repo / story_path(desk, reference)).exists()
    assert f"reference: {reference}" in show(repo, "main", story_path(desk, reference))


def test_a_base_that_moved_meanwhile_is_detected_and_never_overwritten(repo: Path, desk: ReviewDesk):
    from aanhetwoord.intake import merge

    reference = submit(desk)
    row = desk.register.get(reference)
    stale = git(repo, "rev-parse", "main").strip()
    commit = merge.merge_commit(desk.store.repo, stale, git(repo, "rev-parse", row.branch).strip(), "m", ANNA)
    # Someone else changes main in between (staff pushing, say).
    (repo / "docs" / "nieuw.md").write_text("# Nieuw\n", encoding="utf-8")
    git(repo, "add", "docs/nieuw.md")
    git(repo, "commit", "-q", "-m", "Een nieuwe pagina")
    moved = git(repo, "rev-parse", "main").strip()
    with pytest.raises(merge.BaseMoved):
        merge.advance(desk.store.repo, "refs/heads/main", commit, stale, "test")
    assert git(repo, "rev-parse", "main").strip() == moved
    # accept itself merges again on top of the new base: both changes are kept.
    desk.accept(reference, ANNA)
    assert git(repo, "log", "-1", "--format=%P", "main").split()[0] == moved
    assert show(repo, "main", "docs/nieuw.md") == "# Nieuw\n"


def test_accepts_at_the_same_time_all_land(repo: Path, desk: ReviewDesk, tmp_path: Path):
    references = [submit(desk, title=f"Verhaal nummer {index}") for index in range(4)]
    other = desk_for(repo, tmp_path / "data")  # a second desk: another thread, its own lock
    errors: list[BaseException] = []

    def accept(one: ReviewDesk, reference: str) -> None:
        try:
            one.accept(reference, ANNA)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [
        threading.Thread(target=accept, args=(desk if index % 2 else other, reference))
        for index, reference in enumerate(references)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    for reference in references:
        assert f"reference: {reference}" in show(repo, "main", story_path(desk, reference))


def test_a_conflict_is_reported_in_dutch_and_changes_nothing(repo: Path, desk: ReviewDesk):
    reference = submit(desk)
    path = story_path(desk, reference)
    (repo / path).parent.mkdir(parents=True)
    (repo / path).write_text("---\ntitle: Iets anders\n---\n\nAnders.\n", encoding="utf-8")
    git(repo, "add", path)
    git(repo, "commit", "-q", "-m", "Een verhaal met dezelfde naam")
    main = git(repo, "rev-parse", "main").strip()
    with pytest.raises(ReviewError, match="botst") as caught:
        desk.accept(reference, ANNA)
    assert path in str(caught.value)
    assert git(repo, "rev-parse", "main").strip() == main
    assert review.review_status(desk.register.get(reference)) is ReviewStatus.NIEUW


def test_a_withdrawn_submission_cannot_be_accepted_edited_or_declined(repo: Path, desk: ReviewDesk):
    from aanhetwoord.intake.withdrawal import withdraw

    reference = submit(desk)
    row = desk.register.get(reference)
    withdraw(row, desk.store, desk.register, desk.stories_path, 64 * 1024, TODAY)
    main = git(repo, "rev-parse", "main").strip()
    assert review.review_status(desk.register.get(reference)) is ReviewStatus.INGETROKKEN
    for attempt in (
        lambda: desk.accept(reference, ANNA),
        lambda: desk.edit(reference, StoryEdit(title="Nieuw"), ANNA),
        lambda: desk.decline(reference, DECLINE_REASONS[0], ANNA),
    ):
        with pytest.raises(ReviewError, match="ingetrokken"):
            attempt()
    assert git(repo, "rev-parse", "main").strip() == main


def test_a_branch_without_consent_on_record_cannot_be_accepted(repo: Path, desk: ReviewDesk):
    reference = submit(desk)
    row = desk.register.get(reference)
    git(repo, "branch", "inzending/20261124-zonder-rij", row.branch)
    desk.register.add_unknown(
        "ONBEKEND-1",
        submitted_at="2026-11-24T10:00:00+00:00",
        slug=row.slug,
        branch="inzending/20261124-zonder-rij",
        withdrawal_hash="x",
    )
    main = git(repo, "rev-parse", "main").strip()
    with pytest.raises(ReviewError, match="geen toestemming"):
        desk.accept("ONBEKEND-1", ANNA)
    assert git(repo, "rev-parse", "main").strip() == main
    assert desk.preview("ONBEKEND-1").consent.known is False
    assert desk.decline("ONBEKEND-1", "Herkomst onbekend.", ANNA).branch_removed


def test_a_story_with_errors_cannot_be_accepted(repo: Path, desk: ReviewDesk):
    reference = submit(desk)
    row = desk.register.get(reference)
    tip = desk.store.resolve(f"refs/heads/{row.branch}")
    path = story_path(desk, reference)
    broken = desk.store.read(tip, path).decode().replace("- Samen leven", "- Bestaat niet")
    commit = desk.store.commit_files(tip, {path: broken.encode()}, "kapot")
    desk.store.move_branch(row.branch, commit, tip, "t")
    with pytest.raises(ReviewError, match="nog 1 probleem. Los die eerst op"):
        desk.accept(reference, ANNA)
    assert desk.preview(reference).has_errors
    assert [(problem.field, problem.is_error) for problem in desk.problems(reference)] == [
        ("themes[0]", True)
    ]


def test_the_publish_command_runs_in_the_repository_and_its_output_is_returned(repo: Path, tmp_path: Path):
    script = tmp_path / "publiceer.py"
    script.write_text(
        "import os, pathlib, sys\n"
        "print('gepubliceerd', os.environ['AANHETWOORD_INTAKE_ACCEPTED'], pathlib.Path.cwd().name)\n"
        "print('let op', file=sys.stderr)\n",
        encoding="utf-8",
    )
    desk = desk_for(repo, tmp_path / "data", publish_command=f"{sys.executable} '{script}'")
    reference = submit(desk)
    accepted = desk.accept(reference, ANNA)
    assert accepted.publish is not None and accepted.publish.ok
    assert accepted.publish.output == f"gepubliceerd {reference} repo\nlet op\n"
    assert accepted.publish.message == "Het publiceren is gelukt."


def test_a_failing_publish_command_is_shown_and_the_story_stays_accepted(repo: Path, tmp_path: Path):
    desk = desk_for(
        repo, tmp_path / "data", publish_command=f"{sys.executable} -c \"print('kapot'); exit(3)\""
    )
    reference = submit(desk)
    accepted = desk.accept(reference, ANNA)
    assert accepted.publish.returncode == 3
    assert accepted.publish.output == "kapot\n"
    assert "mislukt (foutcode 3)" in accepted.publish.message
    assert review.review_status(desk.register.get(reference)) is ReviewStatus.GEACCEPTEERD

    missing = desk_for(repo, tmp_path / "data", publish_command="/bestaat/niet --nu")
    second = submit(missing, title="Nog een verhaal")
    result = missing.accept(second, ANNA).publish
    assert result.returncode is None and "kon niet beginnen" in result.message


def test_a_publish_command_that_runs_too_long_is_stopped(repo: Path, tmp_path: Path):
    desk = desk_for(
        repo,
        tmp_path / "data",
        publish_command=f"{sys.executable} -c \"import time; print('bezig', flush=True); time.sleep(30)\"",
        publish_timeout_seconds="1",
    )
    accepted = desk.accept(submit(desk), ANNA)
    assert accepted.publish.returncode is None
    assert "langer dan 1 seconden" in accepted.publish.message


# Decline ------------------------------------------------------------------------------------


def test_decline_records_the_reason_and_removes_the_branch(repo: Path, desk: ReviewDesk):
    reference = submit(desk, email="bewoner@example.org")
    row = desk.register.get(reference)
    with pytest.raises(ReviewError, match="reden"):
        desk.decline(reference, "   ", ANNA)
    assert row.branch in branches(repo, "inzending/")
    declined = desk.decline(reference, DECLINE_REASONS[1], ANNA)
    assert declined.branch_removed
    assert declined.title == "Samen koken op vrijdag"
    assert declined.reason == DECLINE_REASONS[1]
    assert declined.submission.email == "bewoner@example.org"
    assert row.branch not in branches(repo, "inzending/")
    stored = next(item for item in register_rows(desk.settings.data_dir) if item["id"] == reference)
    assert (stored["status"], stored["review"], stored["decided_by"], stored["reason"]) == (
        "decided",
        "afgewezen",
        "Anna de Vries",
        DECLINE_REASONS[1],
    )
    with pytest.raises(ReviewError, match="al afgewezen"):
        desk.accept(reference, ANNA)


# The forge ----------------------------------------------------------------------------------


MERGE_CALLS = {
    "gitea": ("POST", "/api/v1/repos/gemeente/verhalen/pulls/{}/merge"),
    "github": ("PUT", "/repos/gemeente/verhalen/pulls/{}/merge"),
    "gitlab": ("PUT", "/projects/gemeente%2Fverhalen/merge_requests/{}/merge"),
}


@pytest.mark.parametrize("kind", ["gitea", "github", "gitlab"])
def test_with_a_forge_accept_merges_the_request_and_decline_closes_it(repo: Path, tmp_path: Path, kind: str):
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True, capture_output=True)
    with fake_forge() as gitea:
        desk = desk_for(
            repo,
            tmp_path / "data",
            forge=kind,
            forge_url=gitea.url + ("/api/v1" if kind == "gitea" else ""),
            forge_token="geheim",
            forge_repository="gemeente/verhalen",
            forge_remote=str(remote),
        )
        first, second = submit(desk), submit(desk, title="Een ander verhaal")
        one, two = desk.register.get(first), desk.register.get(second)
        number = gitea.open_request(one.branch)
        other = gitea.open_request(two.branch)
        main = git(repo, "rev-parse", "main").strip()

        desk.edit(first, StoryEdit(title="Samen koken, elke vrijdag"), ANNA)
        accepted = desk.accept(first, ANNA)
        assert accepted.request == number and accepted.commit is None
        assert gitea.requests[number]["state"] == "merged"
        method, path = MERGE_CALLS[kind]
        merges = [(call["method"], call["path"]) for call in gitea.calls if call["path"].endswith("/merge")]
        assert merges == [(method, path.format(number))]
        # The branch on the forge carries the staff member's edit; main here is left to the forge.
        pushed = git(remote, "log", "-1", "--format=%an|%s", one.branch).strip()
        assert pushed == "Anna de Vries|Verhaal aangepast door de redactie: Samen koken, elke vrijdag"
        assert git(repo, "rev-parse", "main").strip() == main

        desk.decline(second, "Dit verhaal gaat niet over de buurt.", ANNA)
        assert gitea.requests[other]["state"] == "closed"
        assert "Reden: Dit verhaal gaat niet over de buurt." in gitea.requests[other]["notes"][0]


def test_a_forge_that_refuses_the_merge_changes_nothing(repo: Path, tmp_path: Path):
    with fake_forge() as github:
        github.refuse_merge = True
        remote = tmp_path / "remote.git"
        subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True, capture_output=True)
        desk = desk_for(
            repo,
            tmp_path / "data",
            forge="github",
            forge_url=github.url,
            forge_token="geheim",
            forge_repository="gemeente/verhalen",
            forge_remote=str(remote),
        )
        reference = submit(desk)
        github.open_request(desk.register.get(reference).branch)
        with pytest.raises(ReviewError, match="forge"):
            desk.accept(reference, ANNA)
        assert review.review_status(desk.register.get(reference)) is ReviewStatus.NIEUW
