"""The consent register: what each resident agreed to, kept privately by the municipality.

The repository only holds the submission id (``consent.reference``); this SQLite file holds the
rest: when, which consent text was shown (its SHA-256, so a later change of wording is
visible), whether the photo and the age were confirmed, the optional e-mail address, and the
SHA-256 of the private withdrawal token (the token itself is never stored). E-mail addresses
are deleted a configurable number of days after a decision.

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

_SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    id TEXT PRIMARY KEY,
    submitted_at TEXT NOT NULL,
    consent_version TEXT NOT NULL,
    photo_consent INTEGER NOT NULL,
    age_confirmed INTEGER NOT NULL,
    email TEXT,
    withdrawal_hash TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('submitted', 'withdrawn', 'decided')),
    decided_at TEXT,
    slug TEXT NOT NULL,
    branch TEXT NOT NULL,
    withdrawal_branch TEXT
);
CREATE INDEX IF NOT EXISTS submissions_status ON submissions (status, decided_at);
"""


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


class Register:
    def __init__(self, path: Path) -> None:
        self.path = path
        database.create(path, _SCHEMA)

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
                "UPDATE submissions SET status = ?, decided_at = ? WHERE id = ? AND status = ?",
                (DECIDED, when or now(), submission_id, SUBMITTED),
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
