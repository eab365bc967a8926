"""The outbox: every e-mail waits in the register's SQLite file until the mail server took it.

A mail is written here first, complete, and sent later by the sender task in the service or by
``aanhetwoord intake mail`` (for cron). A mail server that is down loses nothing: the mail stays
and is tried again after a wait that doubles each time (up to an hour). Once the server accepted
it, the address and the message are deleted; the row keeps only its kind, the submission id and
when it went, so staff can see that it was sent. A recipient the server refuses for good (5xx) is
not tried again: that row is marked ``failed`` and its address deleted too.

Two senders at once (the service and a cron job) never send a mail twice: each claims a row
before sending it. Logs name the kind of mail and the submission id, never an address: the
server's answer to a refused address often repeats it, so only its code is kept.

Staff notices in a daily digest wait here as ``digest`` rows, without an address, until the
time of day for the digest has passed; then they are folded into one mail per staff address.
"""

from __future__ import annotations

import json
import logging
import smtplib
import ssl
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from sqlite3 import Connection

from . import database
from .settings import MailSettings

log = logging.getLogger("aanhetwoord.intake.mail")

WAITING, DIGEST, SENT, FAILED, FOLDED = "waiting", "digest", "sent", "failed", "folded"
CLAIM_SECONDS = 300  # a sender that died while sending gives its rows back after this
MAX_WAIT_SECONDS = 3600
SMTP_TIMEOUT = 30

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    submission_id TEXT NOT NULL DEFAULT '',
    recipient TEXT,
    message BLOB,
    state TEXT NOT NULL CHECK (state IN ('waiting', 'digest', 'sent', 'failed', 'folded')),
    queued REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt REAL NOT NULL DEFAULT 0,
    claimed_until REAL NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    done_at REAL,
    once TEXT UNIQUE
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_attempt);
"""


@dataclass(frozen=True)
class Sent:
    """What one round of sending did."""

    sent: int = 0
    failed: int = 0  # refused for good; not tried again
    waiting: int = 0  # still in the outbox, to be tried again
    error: str = ""  # the last temporary error, without addresses


@dataclass(frozen=True)
class DigestEvent:
    kind: str
    submission_id: str
    queued: float
    details: dict[str, str]


class PermanentError(Exception):
    """The server refused this recipient for good (5xx): trying again will not help."""


class RecipientLater(Exception):
    """The server refused this recipient for now (4xx, e.g. greylisting); the others can go."""


class Outbox:
    def __init__(self, path: Path) -> None:
        self.path = path
        database.create(path, _SCHEMA)

    def _connect(self) -> AbstractContextManager[Connection]:
        return database.connect(self.path, rows=True)

    def add(self, kind: str, submission_id: str, recipient: str, message: bytes, once: str | None) -> bool:
        """Queue a mail; False when one with the same ``once`` key was queued before."""
        with self._connect() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO outbox (kind, submission_id, recipient, message, state, queued, once) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (kind, submission_id, recipient, message, WAITING, time.time(), once),
            )
            return cursor.rowcount == 1

    def add_event(self, kind: str, submission_id: str, details: dict[str, str], once: str | None) -> bool:
        """A staff notice for the next digest: no address, only what the digest lists."""
        with self._connect() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO outbox (kind, submission_id, message, state, queued, once) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (kind, submission_id, json.dumps(details).encode(), DIGEST, time.time(), once),
            )
            return cursor.rowcount == 1

    def counts(self) -> dict[str, int]:
        with self._connect() as db:
            rows = db.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall()
        return {row[0]: int(row[1]) for row in rows}

    def fold_digest(
        self,
        digest_time: str,
        build: Callable[[list[DigestEvent]], list[tuple[str, bytes]]],
        now: float,
        at_once: bool = False,
    ) -> int:
        """When the day's digest time has passed and notices from before it wait (or ``at_once``),
        queue the digest with every notice that waits.

        ``build`` makes one (recipient, message) per staff address from the notices. Returns how
        many notices were folded in."""
        if not digest_time:
            return 0
        cutoff = now if at_once else last_digest_time(digest_time, now)
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")  # two senders fold the same notices only once
            try:
                first = db.execute("SELECT MIN(queued) FROM outbox WHERE state = ?", (DIGEST,)).fetchone()[0]
                if first is None or first > cutoff:
                    db.execute("COMMIT")
                    return 0
                rows = db.execute(
                    "SELECT id, kind, submission_id, queued, message FROM outbox "
                    "WHERE state = ? ORDER BY queued, id",
                    (DIGEST,),
                ).fetchall()
                events = [
                    DigestEvent(row["kind"], row["submission_id"], row["queued"], json.loads(row["message"]))
                    for row in rows
                ]
                for recipient, message in build(events):
                    db.execute(
                        "INSERT INTO outbox (kind, recipient, message, state, queued) VALUES (?, ?, ?, ?, ?)",
                        ("staff_digest", recipient, message, WAITING, now),
                    )
                db.executemany(
                    "UPDATE outbox SET state = ?, message = NULL, done_at = ? WHERE id = ?",
                    [(FOLDED, now, row["id"]) for row in rows],
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        log.info("staff digest queued with %d notices", len(events))
        return len(events)

    def send_due(self, settings: MailSettings, *, everything: bool = False, now: float | None = None) -> Sent:
        """Send what is due (or, with ``everything``, all that waits, whatever its back-off)."""
        now = time.time() if now is None else now
        with self._connect() as db:
            ids = [
                row[0]
                for row in db.execute(
                    "SELECT id FROM outbox WHERE state = ? AND claimed_until < ? "
                    "AND (? OR next_attempt <= ?) ORDER BY id",
                    (WAITING, now, everything, now),
                )
            ]
        sent = failed = 0
        error = ""
        connection: smtplib.SMTP | None = None
        try:
            for row_id in ids:
                row = self._claim(row_id, now)
                if row is None:
                    continue  # another sender has it
                try:
                    if connection is None:
                        connection = open_connection(settings)
                    deliver(connection, settings.sender, row["recipient"], row["message"])
                except PermanentError as refused:
                    self._finish(row_id, FAILED, str(refused))
                    log.warning(
                        "mail %s for %s refused by the mail server (%s); not tried again",
                        row["kind"],
                        row["submission_id"] or "-",
                        refused,
                    )
                    failed += 1
                except RecipientLater as later:
                    error = str(later)
                    self._retry(row_id, row["attempts"], settings.retry_seconds, error, now)
                    log.warning(
                        "mail %s for %s not taken yet, tried again later: %s",
                        row["kind"],
                        row["submission_id"] or "-",
                        error,
                    )
                except (OSError, smtplib.SMTPException) as problem:
                    error = describe(problem)
                    self._retry(row_id, row["attempts"], settings.retry_seconds, error, now)
                    log.warning(
                        "mail %s for %s not sent, tried again later: %s",
                        row["kind"],
                        row["submission_id"] or "-",
                        error,
                    )
                    break  # the server or the connection is the trouble: the rest waits too
                else:
                    self._finish(row_id, SENT, "")
                    log.info("mail %s for %s sent", row["kind"], row["submission_id"] or "-")
                    sent += 1
        finally:
            if connection is not None:
                try:
                    connection.quit()
                except (OSError, smtplib.SMTPException):
                    connection.close()
        return Sent(sent, failed, self.counts().get(WAITING, 0), error)

    def _claim(self, row_id: int, now: float) -> dict | None:
        with self._connect() as db:
            cursor = db.execute(
                "UPDATE outbox SET claimed_until = ? WHERE id = ? AND state = ? AND claimed_until < ?",
                (now + CLAIM_SECONDS, row_id, WAITING, now),
            )
            if cursor.rowcount != 1:
                return None
            row = db.execute("SELECT * FROM outbox WHERE id = ?", (row_id,)).fetchone()
        return dict(row)

    def _finish(self, row_id: int, state: str, error: str) -> None:
        """Sent or refused for good: the address and the message go, the trace stays."""
        with self._connect() as db:
            db.execute(
                "UPDATE outbox SET state = ?, recipient = NULL, message = NULL, done_at = ?, "
                "last_error = ?, claimed_until = 0, attempts = attempts + 1 WHERE id = ?",
                (state, time.time(), error, row_id),
            )

    def _retry(self, row_id: int, attempts: int, first_wait: float, error: str, now: float) -> None:
        wait = min(first_wait * 2**attempts, MAX_WAIT_SECONDS)
        with self._connect() as db:
            db.execute(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt = ?, claimed_until = 0, "
                "last_error = ? WHERE id = ?",
                (now + wait, error, row_id),
            )

    def forget_done(self, days: int, now: float | None = None) -> int:
        """Delete the traces of mails sent or refused ``days`` ago or longer."""
        cutoff = (time.time() if now is None else now) - days * 86400
        with self._connect() as db:
            cursor = db.execute(
                "DELETE FROM outbox WHERE state IN (?, ?, ?) AND done_at <= ?", (SENT, FAILED, FOLDED, cutoff)
            )
            return cursor.rowcount


def last_digest_time(digest_time: str, now: float) -> float:
    """The most recent moment (server local time) at ``digest_time``, at or before ``now``."""
    hours, minutes = (int(part) for part in digest_time.split(":"))
    local = datetime.fromtimestamp(now).astimezone()
    moment = local.replace(hour=hours, minute=minutes, second=0, microsecond=0)
    if moment > local:
        moment -= timedelta(days=1)
    return moment.timestamp()


def open_connection(settings: MailSettings) -> smtplib.SMTP:
    connection = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT)
    try:
        connection.ehlo()
        if settings.starttls:
            # The system's trusted certificates (SSL_CERT_FILE can point elsewhere), host name checked.
            connection.starttls(context=ssl.create_default_context())
            connection.ehlo()
        if settings.user:
            connection.login(settings.user, settings.password)
    except BaseException:
        connection.close()
        raise
    return connection


def deliver(connection: smtplib.SMTP, sender: str, recipient: str, message: bytes) -> None:
    try:
        connection.sendmail(sender, [recipient], message)
    except smtplib.SMTPRecipientsRefused as refused:
        codes = sorted({code for code, _ in refused.recipients.values()})
        if codes and all(code >= 500 for code in codes):
            raise PermanentError(f"adres geweigerd, code {', '.join(map(str, codes))}") from None
        raise RecipientLater(f"adres nu geweigerd, code {', '.join(map(str, codes))}") from None


def describe(error: BaseException) -> str:
    """The error for a log, without what the server said: that may repeat an address."""
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{type(error).__name__} {error.smtp_code}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return type(error).__name__
    return f"{type(error).__name__}: {error}"
