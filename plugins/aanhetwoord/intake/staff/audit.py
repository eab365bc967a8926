"""The audit log: every decision and every account change, with who and when (UTC).

Kept in the same private SQLite file as the accounts. It never holds a password, a token or
a resident's e-mail address: an address that slips into a subject or detail is masked before
it is written.

Actions are short Dutch words a beheerder reads as they are; the ones of this package are
named below, the review pages add their own (``bewerkt``, ``geaccepteerd``, ``afgewezen``).
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from .. import database
from ..register import now

LOGIN = "ingelogd"
LOGOUT = "uitgelogd"
LOGIN_FAILED = "inloggen mislukt"
LOGIN_BLOCKED = "inloggen geblokkeerd"
ACCOUNT_ADDED = "account gemaakt"
ROLE_CHANGED = "rol veranderd"
ACCOUNT_DISABLED = "account uitgezet"
ACCOUNT_ENABLED = "account aangezet"
PASSWORD_SET = "wachtwoord veranderd"

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    who TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL
);
"""
_EMAIL = re.compile(r"[^\s@<>()\"',;:]+@[^\s@<>()\"',;:]+")
_LONGEST = 2000


@dataclass(frozen=True)
class AuditEntry:
    at: str
    who: str
    action: str
    subject: str
    detail: str


def masked(text: str) -> str:
    """``text`` without e-mail addresses and cut to a sane length."""
    return _EMAIL.sub("[e-mailadres]", text)[:_LONGEST]


class AuditLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        database.create(path, SCHEMA)

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return database.connect(self.path, rows=True)

    def record(self, who: str, action: str, subject: str, detail: str = "") -> None:
        with self._connect() as db:
            db.execute(
                "INSERT INTO audit (at, who, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
                (now(), masked(who), masked(action), masked(subject), masked(detail)),
            )

    def entries(self, limit: int = 200) -> list[AuditEntry]:
        """The newest ``limit`` entries, newest first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT at, who, action, subject, detail FROM audit ORDER BY id DESC LIMIT ?", (limit,)
            ).fetchall()
        return [AuditEntry(*row) for row in rows]
