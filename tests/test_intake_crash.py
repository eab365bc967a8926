"""No consent record is ever orphaned: the real service killed (SIGKILL) at every step of a submission.

Each test starts ``aanhetwoord intake`` against a real git repository with the test-only variable
``AANHETWOORD_INTAKE_TEST_CRASH_AT`` naming one step; the process kills itself there with
SIGKILL, as ``kill -9`` would. The test checks that it died at that step (from what is on disk),
starts the service again and checks that the register and the branches form consistent pairs,
and that no photo with its EXIF is left anywhere.
"""

from __future__ import annotations

import http.client
import re
import signal
import sqlite3
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aanhetwoord.intake import crashpoint, recovery
from aanhetwoord.intake import settings as intake_settings
from aanhetwoord.intake.gitstore import Author, GitStore
from aanhetwoord.intake.register import (
    PENDING,
    SUBMITTED,
    UNKNOWN,
    WITHDRAWN,
    ConsentRegister,
    Submission,
    token_hash,
)
from intakekit import (
    PREFIX,
    SECRET,
    branches,
    git,
    has_metadata,
    make_repo,
    phone_photo,
    register_rows,
    running_service,
    story_fields,
)
from sitefactory import quiet_env, run_cli

EMAIL = "bewoner@example.org"
REFERENCE = re.compile(r'class="kenmerk">(INZ-\d{8}-[A-Z0-9]{6})<')

# What is on disk right after the kill at each step: the statuses of the register's rows, the
# number of branches, whether the raw upload and a temporary index file are there.
AT_THE_KILL = {
    "upload-written": ([], 0, True, False),
    "photo-cleaned": ([], 0, True, False),
    "pending-row": ([PENDING], 0, False, False),
    "objects-written": ([PENDING], 0, False, False),
    "index-written": ([PENDING], 0, False, True),
    "commit-written": ([PENDING], 0, False, False),
    "branch-created": ([PENDING], 1, False, False),
    "row-complete": ([SUBMITTED], 1, False, False),
}
# What the restarted service says about it in its log.
REPORTED = {
    "upload-written": "1 foto zoals ze binnenkwamen (nog met hun metadata, zoals de GPS-plek) verwijderd",
    "photo-cleaned": "1 foto zoals ze binnenkwamen (nog met hun metadata, zoals de GPS-plek) verwijderd",
    "pending-row": "nog zonder branch. De bewoner kreeg geen bevestiging",
    "objects-written": "nog zonder branch. De bewoner kreeg geen bevestiging",
    "index-written": "1 tijdelijk indexbestand van git verwijderd",
    "commit-written": "nog zonder branch. De bewoner kreeg geen bevestiging",
    "branch-created": "bestond al; de inzending is nu compleet in het register",
    "row-complete": "",
}


def test_every_step_is_covered():
    assert set(AT_THE_KILL) == set(REPORTED) == set(crashpoint.STEPS)


def running_env(repo: Path, data: Path) -> dict[str, str]:
    return {**quiet_env(), f"{PREFIX}DATA_DIR": str(data), f"{PREFIX}SECRET": SECRET}


def cli(env: dict[str, str], repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(repo, "-f", str(repo / "mkdocs.yml"), "intake", *args, env=env)


def with_photo(service, **overrides) -> tuple[list, list]:
    fields = story_fields(
        service.token(), email=EMAIL, photo_alt="Pannen op het fornuis", photo_consent="ja", **overrides
    )
    return fields, [("photo", "IMG_0001.jpg", phone_photo(), "image/jpeg")]


def unreachable_commits(repo: Path) -> list[str]:
    output = git(repo, "fsck", "--no-reflogs", "--unreachable", "--no-progress")
    return [line.split()[2] for line in output.splitlines() if line.startswith("unreachable commit")]


def loose_objects(repo: Path) -> int:
    return int(re.search(r"^count: (\d+)$", git(repo, "count-objects", "-v"), re.MULTILINE).group(1))


def leftovers(data: Path) -> list[str]:
    """Temporary files the service must not leave: raw uploads, temporary indexes, half photos."""
    found = [path.name for path in (data / "upload").iterdir()]
    found += [path.name for path in (data / "git").iterdir()]
    found += [path.name for path in (data / "pogingen").rglob("*.tmp")]
    return found


def assert_consistent(repo: Path, data: Path) -> list[dict]:
    rows = register_rows(data)
    assert [row["id"] for row in rows if row["status"] == PENDING] == []
    made = branches(repo, "inzending/")
    assert sorted(row["branch"] for row in rows) == sorted(made)
    assert leftovers(data) == []
    for path in data.rglob("*"):
        if path.is_file() and path.suffix in (".jpg", ".upload", ".tmp"):
            assert has_metadata(path.read_bytes()) == [], path
    return rows


@pytest.mark.parametrize("step", crashpoint.STEPS)
def test_a_kill_at_any_step_leaves_nothing_or_a_consistent_pair(tmp_path: Path, step: str):
    repo, data = tmp_path / "repo", tmp_path / "data"
    make_repo(repo)
    objects_before = loose_objects(repo)

    with running_service(repo, data, min_seconds=0, test_crash_at=step) as service:
        fields, files = with_photo(service)
        with pytest.raises((OSError, http.client.HTTPException)):
            service.submit(fields, files)
        assert service.process.wait(timeout=30) == -signal.SIGKILL

    # It died at that step, and not elsewhere.
    statuses, branch_count, raw_upload, temporary_index = AT_THE_KILL[step]
    assert [row["status"] for row in register_rows(data)] == statuses
    assert len(branches(repo, "inzending/")) == branch_count
    assert any(path.suffix == ".upload" for path in (data / "upload").iterdir()) is raw_upload
    assert any(path.name.startswith("index-") for path in (data / "git").iterdir()) is temporary_index
    if step == "photo-cleaned":
        assert [has_metadata(path.read_bytes()) for path in (data / "pogingen").rglob("foto.jpg")] == [[]]
    if step in ("objects-written", "index-written"):
        assert loose_objects(repo) >= objects_before + 2  # the story and the photo
        assert unreachable_commits(repo) == []
    if step == "commit-written":
        [commit] = unreachable_commits(repo)
        assert f"Kenmerk: {register_rows(data)[0]['id']}" in git(repo, "log", "-1", "--format=%B", commit)

    with running_service(repo, data, min_seconds=0) as service:
        rows = assert_consistent(repo, data)
        if step in ("branch-created", "row-complete"):
            [row] = rows
            assert (row["status"], row["email"], row["photo_consent"]) == (SUBMITTED, EMAIL, 1)
            story = git(repo, "show", f"{row['branch']}:stories/{row['slug']}/index.md")
            front = yaml.safe_load(story.split("---\n")[1])
            assert front["consent"]["reference"] == row["id"]
            photo = subprocess.run(
                ["git", "-C", str(repo), "show", f"{row['branch']}:stories/{row['slug']}/foto.jpg"],
                capture_output=True,
                check=True,
            ).stdout
            assert has_metadata(photo) == []
        else:
            assert rows == []
            assert branches(repo, "inzending/") == []
        log = service.logs()
        if REPORTED[step]:
            assert REPORTED[step] in log, log
        assert "LET OP" not in log and "Traceback" not in log, log

        listed = cli(service.env, repo, "list")
        assert listed.returncode == 0, listed.stderr
        assert [line.split()[3] for line in listed.stdout.splitlines()] == [row["branch"] for row in rows]
        assert "Let op" not in listed.stderr
        checked = cli(service.env, repo, "check")
        assert checked.returncode == 0, checked.stdout + checked.stderr

        # And the service takes the next story as if nothing happened.
        fields, files = with_photo(service, title="Na de storing")
        reply = service.submit(fields, files)
        assert reply.status == 200, reply.text
        after = assert_consistent(repo, data)
        assert len(after) == len(rows) + 1
        assert REFERENCE.search(reply.text).group(1) in {row["id"] for row in after}


def test_a_branch_without_consent_is_reported_and_listed_not_hidden(tmp_path: Path):
    """A branch ``inzending/…`` with no register row: as an older version left it after a kill."""
    repo, data = tmp_path / "repo", tmp_path / "data"
    make_repo(repo)
    store = GitStore(repo, tmp_path / "work", Author("Formulier", "formulier@example.org"))
    (tmp_path / "work").mkdir()
    commit = store.commit_files(
        store.base_commit(),
        {"stories/weesje/index.md": b"---\ntitle: Weesje\n---\n\nTekst.\n"},
        "Verhaal via het formulier: Weesje\n\nKenmerk: INZ-20260101-ABCDEF\n",
    )
    store.create_branch("inzending/20260101-weesje-abcdef", commit, "test")
    store.create_branch("inzending/20260102-zonder-kenmerk", store.base_commit(), "test")
    data.mkdir()
    env = running_env(repo, data)

    # Before anything has checked: intake list shows both branches all the same.
    listed = cli(env, repo, "list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split("\n")[:2] == [
        f"{'-':<19}  {'-':<25}  unknown    inzending/20260101-weesje-abcdef  -",
        f"{'-':<19}  {'-':<25}  unknown    inzending/20260102-zonder-kenmerk  -",
    ]
    assert "Let op: 2 inzendingen zonder vastgelegde toestemming" in listed.stderr

    with running_service(repo, data) as service:
        log = service.logs()
        assert (
            "LET OP: de branch inzending/20260101-weesje-abcdef stond niet in het toestemmingsregister. "
            "Herkomst onbekend: er is geen toestemming vastgelegd. Toegevoegd als INZ-20260101-ABCDEF "
            "met status unknown." in log
        ), log
        assert "ERROR" in log
        rows = {row["branch"]: row for row in register_rows(data)}
        assert set(rows) == {"inzending/20260101-weesje-abcdef", "inzending/20260102-zonder-kenmerk"}
        weesje = rows["inzending/20260101-weesje-abcdef"]
        assert (weesje["id"], weesje["status"], weesje["email"], weesje["consent_version"]) == (
            "INZ-20260101-ABCDEF",
            UNKNOWN,
            None,
            "",
        )
        assert rows["inzending/20260102-zonder-kenmerk"]["id"].startswith("ONBEKEND-")
        # Nobody has a withdrawal link for it.
        assert not re.fullmatch(r"[0-9a-f]{64}", weesje["withdrawal_hash"])

        listed = cli(service.env, repo, "list")
        assert "INZ-20260101-ABCDEF" in listed.stdout and "unknown" in listed.stdout
        assert "Let op: 2 inzendingen zonder vastgelegde toestemming" in listed.stderr
        checked = cli(service.env, repo, "check")
        assert checked.returncode == 1
        assert "2 inzendingen zonder vastgelegde toestemming (status unknown)" in checked.stdout
        assert "inzending/20260101-weesje-abcdef" in checked.stdout

    # Staff delete the branches: the purge marks the rows decided, check is content again.
    git(repo, "branch", "-D", "inzending/20260101-weesje-abcdef", "inzending/20260102-zonder-kenmerk")
    assert cli(env, repo, "purge").returncode == 0
    assert {row["status"] for row in register_rows(data)} == {"decided"}
    checked = cli(env, repo, "check")
    assert (checked.returncode, checked.stdout.strip()) == (
        0,
        "Controle: register en branches kloppen, er lag niets meer.",
    )


def test_check_while_the_service_runs_leaves_recent_work_alone(tmp_path: Path):
    repo, data = tmp_path / "repo", tmp_path / "data"
    make_repo(repo)
    with running_service(repo, data) as service:
        # As if a submission were being written right now, by the running service.
        ConsentRegister(data / "register.sqlite3").add(
            pending("INZ-20260101-BUSY22", "inzending/20260101-bezig")
        )
        (data / "upload" / "0123abcd.upload").write_bytes(phone_photo(64, 48))
        (data / "git" / "index-0123abcd").write_bytes(b"DIRC")
        checked = cli(service.env, repo, "check")
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "Het formulier draait al" in checked.stdout
        assert (
            "Inzending INZ-20260101-BUSY22 wordt misschien nu opgeslagen; niet aangeraakt." in checked.stdout
        )
        assert [row["status"] for row in register_rows(data)] == [PENDING]
        assert (data / "upload" / "0123abcd.upload").exists() and (data / "git" / "index-0123abcd").exists()
        env = service.env

    # The service has stopped: now nothing can be in progress, and check puts it right.
    checked = cli(env, repo, "check")
    assert checked.returncode == 0
    assert "Het formulier draait al" not in checked.stdout
    assert "Inzending INZ-20260101-BUSY22 was half opgeslagen" in checked.stdout
    assert "1 foto zoals ze binnenkwamen" in checked.stdout
    assert "1 tijdelijk indexbestand van git verwijderd" in checked.stdout
    assert register_rows(data) == []
    assert leftovers(data) == []


def pending(reference: str, branch: str, when: str = "") -> Submission:
    return Submission(
        id=reference,
        submitted_at=when or time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
        consent_version="v",
        photo_consent=False,
        age_confirmed=True,
        email=EMAIL,
        withdrawal_hash=reference.lower().ljust(64, "0"),
        status=PENDING,
        decided_at=None,
        slug=branch.rsplit("-", 1)[-1],
        branch=branch,
    )


def test_a_kill_during_a_burst_leaves_only_consistent_pairs(tmp_path: Path):
    repo, data = tmp_path / "repo", tmp_path / "data"
    make_repo(repo)
    photo = phone_photo(96, 64)
    replies: list[tuple[int, str]] = []
    with running_service(repo, data, rate_limit=10_000, min_seconds=0) as service:
        stop = threading.Event()

        def send(number: int) -> None:
            if stop.is_set():
                return
            files = [("photo", f"foto-{number}.jpg", photo, "image/jpeg")] if number % 2 else []
            extra = {"photo_alt": f"Foto {number}", "photo_consent": "ja"} if files else {}
            try:
                # Not followed: the 303 to /bedankt/<token> is the service's word that it has the
                # story, whether or not the confirmation page could still be fetched.
                reply = service.submit(
                    story_fields(service.token(), title=f"Verhaal {number}", email=EMAIL, **extra),
                    files,
                    address=f"10.1.0.{number}",
                    follow=False,
                )
            except (OSError, http.client.HTTPException):
                return
            token = reply.headers.get("location", "").rpartition("/bedankt/")[2]
            replies.append((reply.status, token_hash(token) if token else ""))

        with ThreadPoolExecutor(max_workers=10) as pool:
            futures = [pool.submit(send, number) for number in range(60)]
            deadline = time.monotonic() + 120
            # In the middle: some branches made and at least one resident thanked (a busy machine
            # may make several branches before the first answer is out).
            while time.monotonic() < deadline and not (
                len(branches(repo, "inzending/")) >= 8 and any(status == 303 for status, _ in replies)
            ):
                time.sleep(0.02)
            service.process.send_signal(signal.SIGKILL)  # kill -9, in the middle of the burst
            stop.set()
            for future in futures:
                future.result()
        assert service.process.wait(timeout=30) == -signal.SIGKILL

    thanked = {hashed for status, hashed in replies if status == 303}
    assert 1 <= len(thanked) < 60  # killed in the middle
    with running_service(repo, data, min_seconds=0):
        rows = assert_consistent(repo, data)
        assert {row["status"] for row in rows} <= {SUBMITTED}
        # Every resident who was sent to a confirmation has their row and branch.
        assert thanked <= {row["withdrawal_hash"] for row in rows}


# The check itself, on many mixtures of leftovers ----------------------------------------------

KINDS = ("pending+branch", "pending", "pair", "branch", "withdrawn")


@pytest.fixture(scope="module")
def shared_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("gedeeld") / "repo"
    make_repo(repo)
    return repo


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(KINDS), max_size=6))
def test_the_check_restores_one_row_per_branch_whatever_was_left(
    shared_repo: Path, tmp_path: Path, kinds: list[str]
):
    repo, data = shared_repo, tmp_path / f"data-{time.monotonic_ns()}"
    for branch in branches(repo, "inzending/"):
        git(repo, "update-ref", "-d", f"refs/heads/{branch}")
    config = intake_settings.load(running_env(repo, data), repo / "mkdocs.yml")
    register = ConsentRegister(config.register_file)
    store = GitStore(repo, config.work_dir, Author("Formulier", "formulier@example.org"))
    base = store.base_commit()
    expected_branches = set()
    for number, kind in enumerate(kinds):
        reference = f"INZ-20260101-AAAA{number:02d}"
        branch = f"inzending/20260101-verhaal-{number}"
        if kind in ("pending+branch", "pair", "branch"):
            commit = store.commit_files(
                base, {f"stories/v{number}/index.md": b"x\n"}, f"Kenmerk: {reference}\n"
            )
            store.create_branch(branch, commit, "test")
            expected_branches.add(branch)
        if kind != "branch":
            register.add(pending(reference, branch, when="2026-01-01T10:00:00+00:00"))
        if kind == "pair":
            register.complete(reference)
        if kind == "withdrawn":
            register.complete(reference)
            register.withdraw(reference, None)  # withdrawn and its branch deleted by staff

    with recovery.locked(data) as alone:
        assert alone
        report = recovery.reconcile(config, register, store, alone=alone)

    assert len(report.completed) == kinds.count("pending+branch")
    assert len(report.removed) == kinds.count("pending")
    assert len(report.found) == len(report.waiting) == kinds.count("branch")
    rows = register.all()
    assert [row.id for row in rows if row.status == PENDING] == []
    assert set(store.branches("inzending/")) == expected_branches
    by_branch = {row.branch: row for row in rows}
    assert len(by_branch) == len(rows)  # one row per branch
    assert expected_branches <= set(by_branch)
    for number, kind in enumerate(kinds):
        branch = f"inzending/20260101-verhaal-{number}"
        status = {"pending+branch": SUBMITTED, "pair": SUBMITTED, "branch": UNKNOWN, "withdrawn": WITHDRAWN}
        if kind == "pending":
            assert branch not in by_branch
        else:
            assert by_branch[branch].status == status[kind]
        if kind == "branch":
            assert by_branch[branch].id == f"INZ-20260101-AAAA{number:02d}"
    # A second check finds nothing new.
    again = recovery.reconcile(config, register, store, alone=True)
    assert (again.completed, again.removed, again.found) == ([], [], [])


def test_a_register_from_before_the_pending_state_is_upgraded_in_place(tmp_path: Path):
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
            CREATE INDEX submissions_status ON submissions (status, decided_at);
            INSERT INTO submissions VALUES ('INZ-20250101-OLD111', '2025-01-01T10:00:00+00:00', 'v', 1, 1,
                'oud@example.org', 'abc', 'submitted', NULL, 'oud', 'inzending/20250101-oud', NULL);
            """
        )
    register = ConsentRegister(path)
    register.add(pending("INZ-20260101-NEW222", "inzending/20260101-nieuw"))
    assert [(row.id, row.status, row.email) for row in register.all()] == [
        ("INZ-20250101-OLD111", SUBMITTED, "oud@example.org"),
        ("INZ-20260101-NEW222", PENDING, EMAIL),
    ]
    assert register.complete("INZ-20260101-NEW222") is True
    assert register.complete("INZ-20260101-NEW222") is False
    assert register.remove_pending("INZ-20260101-NEW222") is False  # complete rows are never removed
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall() == [
            ("sqlite_autoindex_submissions_1",),
            ("sqlite_autoindex_submissions_2",),
            ("submissions_status",),
        ]
    ConsentRegister(path)  # opening it again changes nothing
    assert len(register.all()) == 2
