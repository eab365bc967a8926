"""Staff sessions: a random id in a signed cookie, the rest on the server.

The cookie ``redactie_sessie`` holds ``<id>.<signature>``; the id is signed with a key derived
from the service's secret, so a cookie made up or changed by hand is turned away before the
database is asked. The server keeps only the SHA-256 of the id, with the staff member's name,
the session's CSRF token and two times: a session ends after ``IDLE_SECONDS`` without use and
``ABSOLUTE_SECONDS`` after login, whichever comes first. Logging out deletes the row, so a
copy of the cookie is dead from then on; so does a new password or a disabled account.

The cookie is HttpOnly, SameSite=Strict, limited to the staff area's path, and Secure when the
service is reached over HTTPS. The public form's signed tokens use another key and another
format, so nothing the public form hands out opens a staff session.

Before login there is no session, yet the login form needs a CSRF token too: a random
``redactie_inlog`` cookie and, in the form, its HMAC (a signed double-submit token).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import sqlite3
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from .. import database

COOKIE = "redactie_sessie"
LOGIN_COOKIE = "redactie_inlog"
IDLE_SECONDS = 2 * 3600
ABSOLUTE_SECONDS = 12 * 3600
# Writing the last-seen time on every request would make each page a database write.
TOUCH_EVERY_SECONDS = 60

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    csrf TEXT NOT NULL,
    created REAL NOT NULL,
    seen REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_name ON sessions (name);
"""
_COOKIE_VALUE = re.compile(r"^[A-Za-z0-9_-]{43}\.[0-9a-f]{64}$")
_LOGIN_VALUE = re.compile(r"^[A-Za-z0-9_-]{43}$")


@dataclass(frozen=True)
class Session:
    name: str
    csrf: str
    created: float
    seen: float


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("ascii")).hexdigest()


class Sessions:
    def __init__(
        self,
        path: Path,
        secret: bytes,
        idle_seconds: float = IDLE_SECONDS,
        absolute_seconds: float = ABSOLUTE_SECONDS,
    ) -> None:
        self.path = path
        self._key = hmac.new(secret, b"aanhetwoord redactie session", hashlib.sha256).digest()
        self._login_key = hmac.new(secret, b"aanhetwoord redactie login form", hashlib.sha256).digest()
        self.idle_seconds = idle_seconds
        self.absolute_seconds = absolute_seconds
        database.create(path, SCHEMA)

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return database.connect(self.path, rows=True)

    # Sessions ----------------------------------------------------------------------------------

    def start(self, name: str, now: float | None = None) -> str:
        """A new session for ``name``; returns the cookie value."""
        now = time.time() if now is None else now
        session_id = secrets.token_urlsafe(32)
        with self._connect() as db:
            db.execute("DELETE FROM sessions WHERE seen < ? OR created < ?", self._cutoffs(now))
            db.execute(
                "INSERT INTO sessions (id_hash, name, csrf, created, seen) VALUES (?, ?, ?, ?, ?)",
                (_hash(session_id), name, secrets.token_urlsafe(32), now, now),
            )
        return f"{session_id}.{self._sign(session_id)}"

    def find(self, cookie: str | None, now: float | None = None) -> Session | None:
        """The live session the cookie names, or None (unsigned, unknown, expired or ended)."""
        session_id = self._verified(cookie)
        if session_id is None:
            return None
        now = time.time() if now is None else now
        with self._connect() as db:
            row = db.execute("SELECT * FROM sessions WHERE id_hash = ?", (_hash(session_id),)).fetchone()
            if row is None:
                return None
            idle_cutoff, absolute_cutoff = self._cutoffs(now)
            if row["seen"] < idle_cutoff or row["created"] < absolute_cutoff:
                db.execute("DELETE FROM sessions WHERE id_hash = ?", (row["id_hash"],))
                return None
            if now - row["seen"] >= TOUCH_EVERY_SECONDS:
                db.execute("UPDATE sessions SET seen = ? WHERE id_hash = ?", (now, row["id_hash"]))
        return Session(row["name"], row["csrf"], row["created"], row["seen"])

    def end(self, cookie: str | None) -> None:
        session_id = self._verified(cookie)
        if session_id is not None:
            with self._connect() as db:
                db.execute("DELETE FROM sessions WHERE id_hash = ?", (_hash(session_id),))

    def end_all(self, name: str) -> int:
        """End every session of ``name`` (a new password, a disabled account)."""
        with self._connect() as db:
            return db.execute("DELETE FROM sessions WHERE name = ?", (name,)).rowcount

    def _cutoffs(self, now: float) -> tuple[float, float]:
        return now - self.idle_seconds, now - self.absolute_seconds

    def _verified(self, cookie: str | None) -> str | None:
        if not cookie or not _COOKIE_VALUE.match(cookie):
            return None
        session_id, signature = cookie.split(".")
        if not hmac.compare_digest(self._sign(session_id), signature):
            return None
        return session_id

    def _sign(self, value: str) -> str:
        return hmac.new(self._key, value.encode("ascii"), hashlib.sha256).hexdigest()

    # The login form's token --------------------------------------------------------------------

    def login_cookie(self) -> str:
        return secrets.token_urlsafe(32)

    def login_token(self, login_cookie: str) -> str:
        return hmac.new(self._login_key, login_cookie.encode("ascii"), hashlib.sha256).hexdigest()

    def valid_login_cookie(self, login_cookie: str | None) -> bool:
        return bool(login_cookie) and bool(_LOGIN_VALUE.match(login_cookie or ""))

    def login_token_matches(self, login_cookie: str | None, token: str) -> bool:
        if not login_cookie or not self.valid_login_cookie(login_cookie):
            return False
        return tokens_match(self.login_token(login_cookie), token)


def tokens_match(expected: str, given: str) -> bool:
    """Constant-time comparison of a CSRF token with what a form sent (any text at all)."""
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8", "surrogatepass"))
