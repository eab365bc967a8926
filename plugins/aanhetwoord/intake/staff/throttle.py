"""Failed logins are slowed, then blocked for a while, per account and per client address.

Counted in SQLite (so it holds across restarts and processes) over a window of
``WINDOW_SECONDS``. An account gets ``limit`` failures in the window, an address (IPv4, or the
IPv6 /64 around it) ``ADDRESS_FACTOR`` times as many, since one office may share an address.
Beyond half of either allowance each failure is answered a little later (a second more each
time, at most ``MAX_DELAY_SECONDS``); at the allowance, logins from that address or for that
account are refused until the oldest failure leaves the window, also with the right password.

Names and addresses are stored only as HMACs with the service's secret, the name whether or
not an account has it: the block looks the same for a name that does not exist.
"""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from .. import database
from ..abuse import rate_key

WINDOW_SECONDS = 15 * 60
ADDRESS_FACTOR = 4
MAX_DELAY_SECONDS = 3.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS login_failures (who TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS login_failures_who ON login_failures (who, at);
"""


@dataclass(frozen=True)
class Verdict:
    blocked: bool
    retry_after: int = 0  # seconds until a login may be tried again, when blocked


class LoginThrottle:
    def __init__(self, path: Path, secret: bytes, limit: int = 5, window: float = WINDOW_SECONDS) -> None:
        self.path = path
        self._key = hmac.new(secret, b"aanhetwoord redactie login failures", hashlib.sha256).digest()
        self.limit = limit
        self.window = window
        database.create(path, SCHEMA)

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return database.connect(self.path)

    def check(self, name: str, address: str, now: float | None = None) -> Verdict:
        """May a login for ``name`` from ``address`` be tried now?"""
        now = time.time() if now is None else now
        waits = []
        for who, allowed in self._keys(name, address):
            with self._connect() as db:
                times = [
                    row[0]
                    for row in db.execute(
                        "SELECT at FROM login_failures WHERE who = ? AND at > ? ORDER BY at DESC LIMIT ?",
                        (who, now - self.window, allowed),
                    )
                ]
            if len(times) >= allowed:
                waits.append(times[-1] + self.window - now)
        if waits:
            return Verdict(True, max(1, round(max(waits))))
        return Verdict(False)

    def failed(self, name: str, address: str, now: float | None = None) -> float:
        """Count a failure; returns how many seconds to wait before answering."""
        now = time.time() if now is None else now
        delay = 0.0
        with self._connect() as db:
            db.execute("DELETE FROM login_failures WHERE at <= ?", (now - self.window,))
            for who, allowed in self._keys(name, address):
                db.execute("INSERT INTO login_failures (who, at) VALUES (?, ?)", (who, now))
                (count,) = db.execute(
                    "SELECT COUNT(*) FROM login_failures WHERE who = ? AND at > ?", (who, now - self.window)
                ).fetchone()
                delay = max(delay, float(count - allowed // 2))
        return min(MAX_DELAY_SECONDS, max(0.0, delay))

    def succeeded(self, name: str) -> None:
        """A correct login forgives the account's failures (not the address's)."""
        with self._connect() as db:
            db.execute("DELETE FROM login_failures WHERE who = ?", (self._account(name),))

    def _keys(self, name: str, address: str) -> list[tuple[str, int]]:
        return [(self._account(name), self.limit), (self._address(address), self.limit * ADDRESS_FACTOR)]

    def _account(self, name: str) -> str:
        return self._mac("account " + name.strip().lower()[:200])

    def _address(self, address: str) -> str:
        return self._mac("address " + rate_key(address))

    def _mac(self, text: str) -> str:
        return hmac.new(self._key, text.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:32]
