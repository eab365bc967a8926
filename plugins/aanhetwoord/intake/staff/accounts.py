"""Staff accounts: a name, a role, an optional e-mail address and an argon2id password hash.

Stored in ``staff.sqlite3`` in the intake's private data folder (readable by its owner only),
never in the repository. Names are short login names (lower case letters, digits, ``.``, ``_``
and ``-``): they also name the staff member in git history and in the audit log.

A beheerder also manages accounts and reads the audit log; the last active beheerder can be
neither demoted nor disabled, so somebody can always manage the accounts.
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import AbstractContextManager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from .. import database
from ..register import now

PASSWORD_MIN = 12
# argon2 hashes anything, but a megabyte "password" would only cost the server time.
PASSWORD_MAX = 1024
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")

SCHEMA = """
CREATE TABLE IF NOT EXISTS staff (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('redacteur', 'beheerder')),
    email TEXT,
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    changed_at TEXT NOT NULL
);
"""


class Role(StrEnum):
    REDACTEUR = "redacteur"
    BEHEERDER = "beheerder"

    def allows(self, needed: Role) -> bool:
        """A beheerder may do all a redacteur may."""
        return self is Role.BEHEERDER or needed is Role.REDACTEUR


@dataclass(frozen=True)
class StaffMember:
    name: str
    role: Role
    email: str | None


@dataclass(frozen=True)
class Account:
    """An account as the accounts page lists it."""

    member: StaffMember
    active: bool
    created_at: str
    changed_at: str


class AccountError(Exception):
    """A change that cannot be made; the message says why, in plain Dutch."""


def check_name(name: str) -> str:
    """The login name as stored (lower case), or :class:`AccountError`."""
    clean = name.strip().lower()
    if not NAME.match(clean):
        raise AccountError(
            "Kies een naam van 2 tot 40 tekens: kleine letters a-z, cijfers, punt, - of _. "
            "Begin met een letter of cijfer. Bijvoorbeeld: anna.jansen"
        )
    return clean


def check_password(password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise AccountError(f"Het wachtwoord is te kort. Gebruik minstens {PASSWORD_MIN} tekens.")
    if len(password) > PASSWORD_MAX:
        raise AccountError(f"Het wachtwoord is te lang. Gebruik hoogstens {PASSWORD_MAX} tekens.")


def check_email(email: str | None) -> str | None:
    if email is None or not email.strip():
        return None
    clean = email.strip()
    if len(clean) > 254 or not re.fullmatch(r"[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+", clean):
        raise AccountError("Dit is geen goed e-mailadres. Bijvoorbeeld: anna.jansen@gemeente.nl")
    return clean


class StaffAccounts:
    def __init__(self, path: Path, hasher: PasswordHasher | None = None) -> None:
        self.path = path
        # RFC 9106's second recommended profile (argon2id, 64 MiB, 3 passes), argon2-cffi's default.
        self.hasher = hasher or PasswordHasher()
        database.create(path, SCHEMA)
        # Checked against when the name is unknown, so that takes as long as a wrong password.
        self._dummy = self.hasher.hash("aanhetwoord: geen account met deze naam")

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return database.connect(self.path, rows=True)

    def add(
        self, name: str, password: str, role: Role = Role.REDACTEUR, email: str | None = None
    ) -> StaffMember:
        name = check_name(name)
        check_password(password)
        member = StaffMember(name, Role(role), check_email(email))
        hashed = self.hasher.hash(password)
        stamp = now()
        with self._connect() as db:
            try:
                db.execute(
                    "INSERT INTO staff (name, role, email, password_hash, active, created_at, changed_at) "
                    "VALUES (?, ?, ?, ?, 1, ?, ?)",
                    (member.name, member.role.value, member.email, hashed, stamp, stamp),
                )
            except sqlite3.IntegrityError:
                raise AccountError(f"Er is al een account met de naam {name}.") from None
        return member

    def get(self, name: str) -> Account | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM staff WHERE name = ?", (name.strip().lower(),)).fetchone()
        return _account(row) if row else None

    def active(self, name: str) -> StaffMember | None:
        """The member, if the account exists and is not disabled."""
        account = self.get(name)
        return account.member if account and account.active else None

    def list(self) -> list[Account]:
        with self._connect() as db:
            rows = db.execute("SELECT * FROM staff ORDER BY name").fetchall()
        return [_account(row) for row in rows]

    def count(self) -> int:
        with self._connect() as db:
            return int(db.execute("SELECT COUNT(*) FROM staff").fetchone()[0])

    def verify(self, name: str, password: str) -> StaffMember | None:
        """The member when the name and password match an active account, else None.

        Unknown names, wrong passwords and disabled accounts all take about as long and give
        the same answer. A hash made with older parameters is renewed on a correct password."""
        clean = name.strip().lower()
        with self._connect() as db:
            row = db.execute("SELECT * FROM staff WHERE name = ?", (clean,)).fetchone()
        if len(password) > PASSWORD_MAX:
            return None
        stored = row["password_hash"] if row else self._dummy
        try:
            self.hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if row is None or not row["active"]:
            return None
        if self.hasher.check_needs_rehash(stored):
            with self._connect() as db:
                db.execute(
                    "UPDATE staff SET password_hash = ? WHERE name = ? AND password_hash = ?",
                    (self.hasher.hash(password), clean, stored),
                )
        return _account(row).member

    def set_password(self, name: str, password: str) -> None:
        check_password(password)
        self._update(name, "password_hash = ?", self.hasher.hash(password))

    def set_role(self, name: str, role: Role) -> None:
        role = Role(role)
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                self._keep_a_beheerder(db, name, demoted=role is not Role.BEHEERDER)
                self._change(db, name, "role = ?", role.value)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def set_active(self, name: str, active: bool) -> None:
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                if not active:
                    self._keep_a_beheerder(db, name, demoted=True)
                self._change(db, name, "active = ?", int(active))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def _update(self, name: str, assignment: str, value: object) -> None:
        with self._connect() as db:
            self._change(db, name, assignment, value)

    def _change(self, db: sqlite3.Connection, name: str, assignment: str, value: object) -> None:
        cursor = db.execute(
            f"UPDATE staff SET {assignment}, changed_at = ? WHERE name = ?",
            (value, now(), name.strip().lower()),
        )
        if cursor.rowcount != 1:
            raise AccountError(f"Er is geen account met de naam {name}.")

    def _keep_a_beheerder(self, db: sqlite3.Connection, name: str, *, demoted: bool) -> None:
        if not demoted:
            return
        others = db.execute(
            "SELECT COUNT(*) FROM staff WHERE role = ? AND active = 1 AND name != ?",
            (Role.BEHEERDER.value, name.strip().lower()),
        ).fetchone()[0]
        row = db.execute("SELECT role, active FROM staff WHERE name = ?", (name.strip().lower(),)).fetchone()
        if row and row["role"] == Role.BEHEERDER.value and row["active"] and others == 0:
            raise AccountError(
                "Dit is de laatste beheerder. Maak eerst iemand anders beheerder, "
                "anders kan niemand de accounts nog beheren."
            )


def _account(row: sqlite3.Row) -> Account:
    return Account(
        member=StaffMember(row["name"], Role(row["role"]), row["email"]),
        active=bool(row["active"]),
        created_at=row["created_at"],
        changed_at=row["changed_at"],
    )
