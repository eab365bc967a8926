"""The consent register: what each resident agreed to, kept privately by the municipality.

The repository only holds the submission id (``consent.reference``); this SQLite file holds the
rest: when, which consent text was shown (its SHA-256, so a later change of wording is
visible), whether the photo and the age were confirmed, the optional e-mail address, and the
SHA-256 of the private withdrawal token (the token itself is never stored). E-mail addresses
are deleted a configurable number of days after a decision.

A submission's row is written *before* its branch, as ``pending``, and marked ``submitted`` once
the branch exists, so a crash never leaves a branch whose consent is not on record; see
:mod:`recovery` for what the service does at start with what a crash left behind.

Each call opens its own connection: SQLite in WAL mode lets readers and one writer work at
the same time, and the busy timeout makes concurrent writers wait their turn instead of failing.
"""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from . import database

SUBMITTED, WITHDRAWN, DECIDED = "submitted", "withdrawn", "decided"
# PENDING: written before the branch, completed after it; a crash in between leaves it for the
# check at start (:mod:`recovery`). UNKNOWN: a branch ``inzending/…`` found without any row, so
# without recorded consent ("herkomst onbekend"): staff must look before anything is published.
PENDING, UNKNOWN = "pending", "unknown"
STATUSES = (PENDING, SUBMITTED, WITHDRAWN, DECIDED, UNKNOWN)

_TABLE = """
CREATE TABLE {name} (
    id TEXT PRIMARY KEY,
    submitted_at TEXT NOT NULL,
    consent_version TEXT NOT NULL,
    photo_consent INTEGER NOT NULL,
    age_confirmed INTEGER NOT NULL,
    email TEXT,
    withdrawal_hash TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('pending', 'submitted', 'withdrawn', 'decided', 'unknown')),
    decided_at TEXT,
    slug TEXT NOT NULL,
    branch TEXT NOT NULL,
    withdrawal_branch TEXT
);
"""
_INDEX = "CREATE INDEX IF NOT EXISTS submissions_status ON submissions (status, decided_at);"
_SCHEMA = _TABLE.format(name="IF NOT EXISTS submissions") + _INDEX


@dataclass(frozen=True)
class Submission:
    id: str
    submitted_at: str
    consent_version: str
    photo_consent: bool
    age_confirmed: bool
    email: str | None
    withdrawal_hash: str
    status: str
    decided_at: str | None
    slug: str
    branch: str
    withdrawal_branch: str | None = None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class ConsentRegister:
    """The intake's SQLite store of submissions and the consent given for each (not a site register)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        database.create(path, _SCHEMA)
        self._upgrade()

    def _upgrade(self) -> None:
        """A register made before the pending and unknown states gets them (SQLite cannot alter a CHECK)."""
        with self._connect() as db:
            if "'pending'" in _table_sql(db):
                return
            db.execute("BEGIN IMMEDIATE")
            try:
                if "'pending'" not in _table_sql(db):  # another process may have done it meanwhile
                    db.execute(_TABLE.format(name="submissions_new"))
                    db.execute("INSERT INTO submissions_new SELECT * FROM submissions")
                    db.execute("DROP TABLE submissions")
                    db.execute("ALTER TABLE submissions_new RENAME TO submissions")
                    db.execute(_INDEX)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return database.connect(self.path, rows=True)

    def add(self, submission: Submission) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT INTO submissions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    submission.id,
                    submission.submitted_at,
                    submission.consent_version,
                    int(submission.photo_consent),
                    int(submission.age_confirmed),
                    submission.email,
                    submission.withdrawal_hash,
                    submission.status,
                    submission.decided_at,
                    submission.slug,
                    submission.branch,
                    submission.withdrawal_branch,
                ),
            )

    def complete(self, submission_id: str) -> bool:
        """The branch exists: the pending row becomes an ordinary submission. False if it was not pending."""
        with self._connect() as db:
            cursor = db.execute(
                "UPDATE submissions SET status = ? WHERE id = ? AND status = ?",
                (SUBMITTED, submission_id, PENDING),
            )
            return cursor.rowcount == 1

    def remove_pending(self, submission_id: str) -> bool:
        """Forget a pending row whose branch was never made (the resident was never thanked)."""
        with self._connect() as db:
            cursor = db.execute(
                "DELETE FROM submissions WHERE id = ? AND status = ?", (submission_id, PENDING)
            )
            return cursor.rowcount == 1

    def add_unknown(
        self, submission_id: str, *, submitted_at: str, slug: str, branch: str, withdrawal_hash: str
    ) -> bool:
        """A row for a branch found without one: no consent on record, so status ``unknown``.

        False when a row with this id or branch appeared meanwhile."""
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                taken = db.execute(
                    "SELECT 1 FROM submissions WHERE id = ? OR branch = ?", (submission_id, branch)
                ).fetchone()
                if not taken:
                    db.execute(
                        "INSERT INTO submissions VALUES (?, ?, '', 0, 0, NULL, ?, ?, NULL, ?, ?, NULL)",
                        (submission_id, submitted_at, withdrawal_hash, UNKNOWN, slug, branch),
                    )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return not taken

    def pending(self) -> list[Submission]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT * FROM submissions WHERE status = ? ORDER BY submitted_at, id", (PENDING,)
            ).fetchall()
        return [_submission(row) for row in rows]

    def branches(self) -> set[str]:
        """Every branch the register knows, whatever the state of its row."""
        with self._connect() as db:
            return {row[0] for row in db.execute("SELECT branch FROM submissions")}

    def by_token(self, token: str) -> Submission | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT * FROM submissions WHERE withdrawal_hash = ?", (token_hash(token),)
            ).fetchone()
        return _submission(row) if row else None

    def get(self, submission_id: str) -> Submission | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM submissions WHERE id = ?", (submission_id,)).fetchone()
        return _submission(row) if row else None

    def all(self) -> list[Submission]:
        with self._connect() as db:
            rows = db.execute("SELECT * FROM submissions ORDER BY submitted_at, id").fetchall()
        return [_submission(row) for row in rows]

    def count(self) -> int:
        with self._connect() as db:
            return int(db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0])

    def withdraw(self, submission_id: str, withdrawal_branch: str | None) -> bool:
        """Mark a submission withdrawn; False when it already was."""
        with self._connect() as db:
            cursor = db.execute(
                "UPDATE submissions SET status = ?, decided_at = ?, withdrawal_branch = ? "
                "WHERE id = ? AND status != ?",
                (WITHDRAWN, now(), withdrawal_branch, submission_id, WITHDRAWN),
            )
            return cursor.rowcount == 1

    def decide(self, submission_id: str, when: str | None = None) -> None:
        """Staff merged or closed it: from now on the e-mail address waits for the purge."""
        with self._connect() as db:
            db.execute(
                "UPDATE submissions SET status = ?, decided_at = ? WHERE id = ? AND status IN (?, ?)",
                (DECIDED, when or now(), submission_id, SUBMITTED, UNKNOWN),
            )

    def purge(self, days: int, today: datetime | None = None) -> int:
        """Delete the e-mail addresses of submissions decided (or withdrawn) ``days`` ago or longer."""
        cutoff = ((today or datetime.now(UTC)) - timedelta(days=days)).isoformat(timespec="seconds")
        with self._connect() as db:
            cursor = db.execute(
                "UPDATE submissions SET email = NULL "
                "WHERE email IS NOT NULL AND decided_at IS NOT NULL AND decided_at <= ?",
                (cutoff,),
            )
            return cursor.rowcount


def _table_sql(db: sqlite3.Connection) -> str:
    row = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'submissions'").fetchone()
    return str(row[0]) if row else ""


def _submission(row: sqlite3.Row) -> Submission:
    return Submission(
        id=row["id"],
        submitted_at=row["submitted_at"],
        consent_version=row["consent_version"],
        photo_consent=bool(row["photo_consent"]),
        age_confirmed=bool(row["age_confirmed"]),
        email=row["email"],
        withdrawal_hash=row["withdrawal_hash"],
        status=row["status"],
        decided_at=row["decided_at"],
        slug=row["slug"],
        branch=row["branch"],
        withdrawal_branch=row["withdrawal_branch"],
    )
