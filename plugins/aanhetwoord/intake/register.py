"""The consent register: what each resident agreed to, kept privately by the municipality.

The repository only holds the submission id (``consent.reference``); this SQLite file holds the
rest: when, which consent text was shown (its SHA-256, so a later change of wording is
visible), whether the photo and the age were confirmed, the optional e-mail address, and the
SHA-256 of the private withdrawal token (the token itself is never stored). E-mail addresses
are deleted a configurable number of days after a decision.

Staff review each submission (:mod:`review`): the columns ``review``, ``decided_by`` and
``reason`` say where it stands (new, being edited, accepted, declined), who decided and, for a
decline, why. Accepting and declining both make the row ``decided``, which starts the countdown
for deleting the e-mail address.

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
# Added later, with ALTER TABLE, so registers made before the review keep working.
_REVIEW_COLUMNS = {
    "review": "TEXT NOT NULL DEFAULT 'nieuw'",
    "decided_by": "TEXT",
    "reason": "TEXT",
}
# The review of a submission as staff see it; a withdrawal is the register's own status.
NEW, EDITING, ACCEPTED, DECLINED = "nieuw", "in_bewerking", "geaccepteerd", "afgewezen"
_COLUMNS = (
    "id, submitted_at, consent_version, photo_consent, age_confirmed, email, withdrawal_hash, "
    "status, decided_at, slug, branch, withdrawal_branch"
)
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
    review: str = NEW  # nieuw, in_bewerking, geaccepteerd or afgewezen
    decided_by: str | None = None  # the staff member who accepted or declined it
    reason: str | None = None  # why it was declined


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
        """A register made before the pending and unknown states gets them (SQLite cannot alter a CHECK),
        and one made before the review gets its columns."""
        self._upgrade_states()
        self._upgrade_review()

    def _upgrade_review(self) -> None:
        with self._connect() as db:
            if set(_REVIEW_COLUMNS) <= _columns(db):
                return
            db.execute("BEGIN IMMEDIATE")
            try:
                present = _columns(db)  # another process may have added them meanwhile
                for name, definition in _REVIEW_COLUMNS.items():
                    if name not in present:
                        db.execute(f"ALTER TABLE submissions ADD COLUMN {name} {definition}")
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def _upgrade_states(self) -> None:
        with self._connect() as db:
            if "'pending'" in _table_sql(db):
                return
            db.execute("BEGIN IMMEDIATE")
            try:
                if "'pending'" not in _table_sql(db):  # another process may have done it meanwhile
                    db.execute(_TABLE.format(name="submissions_new"))
                    db.execute(f"INSERT INTO submissions_new ({_COLUMNS}) SELECT {_COLUMNS} FROM submissions")
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
                f"INSERT INTO submissions ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                        f"INSERT INTO submissions ({_COLUMNS}) "
                        "VALUES (?, ?, '', 0, 0, NULL, ?, ?, NULL, ?, ?, NULL)",
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

    def decide(self, submission_id: str, when: str | None = None, review: str | None = None) -> None:
        """Staff merged or closed it: from now on the e-mail address waits for the purge.

        ``review`` (accepted or declined) when it is known how, as when it was merged by hand."""
        with self._connect() as db:
            db.execute(
                "UPDATE submissions SET status = ?, decided_at = ?, review = COALESCE(?, review) "
                "WHERE id = ? AND status IN (?, ?)",
                (DECIDED, when or now(), review, submission_id, SUBMITTED, UNKNOWN),
            )

    # The review ----------------------------------------------------------------------------------

    def mark_edited(self, submission_id: str, who: str) -> bool:
        """Staff saved an edit: a new submission is now being edited. False when it is no longer
        open (withdrawn or decided meanwhile)."""
        with self._connect() as db:
            cursor = db.execute(
                "UPDATE submissions SET review = ? WHERE id = ? AND status IN (?, ?) AND review IN (?, ?)",
                (EDITING, submission_id, SUBMITTED, UNKNOWN, NEW, EDITING),
            )
            return cursor.rowcount == 1

    def record_decision(
        self, submission_id: str, review: str, who: str, reason: str | None = None, when: str | None = None
    ) -> bool:
        """Record that ``who`` accepted or declined an open submission, in one statement.

        False when it is not open any more (withdrawn, or decided by someone else meanwhile):
        then nothing changes. Both decisions make the row ``decided`` for the e-mail purge."""
        if review not in (ACCEPTED, DECLINED):
            raise ValueError(f"not a decision: {review!r}")
        with self._connect() as db:
            cursor = db.execute(
                "UPDATE submissions SET status = ?, decided_at = ?, review = ?, decided_by = ?, reason = ? "
                "WHERE id = ? AND status IN (?, ?)",
                (DECIDED, when or now(), review, who, reason, submission_id, SUBMITTED, UNKNOWN),
            )
            return cursor.rowcount == 1

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


def _columns(db: sqlite3.Connection) -> set[str]:
    return {str(row[1]) for row in db.execute("PRAGMA table_info(submissions)")}


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
        review=row["review"],
        decided_by=row["decided_by"],
        reason=row["reason"],
    )
