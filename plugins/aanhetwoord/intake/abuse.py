"""Keeping spam and floods out without a third-party captcha and without tracking residents.

* A honeypot field that people never see and simple bots fill in.
* A form token signed with the service's secret (HMAC-SHA256), carrying its own id and the
  time the form was first shown. A post sooner than ``min_seconds`` after that is too fast for a
  person; a token older than ``max_age_seconds`` has expired; each token is accepted once, so a
  recorded post cannot be replayed. Used token ids are kept in SQLite until they expire anyway.
* A limit on posts per address per time window, in SQLite, so it survives restarts. The
  address is stored only as an HMAC with the service's secret, and forgotten after the window.

Request and photo sizes are limited while the post is read, in :mod:`upload`.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import ipaddress
import re
import secrets
import sqlite3
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from . import database

_SCHEMA = """
CREATE TABLE IF NOT EXISTS used_tokens (id TEXT PRIMARY KEY, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS hits (who TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS hits_who ON hits (who, at);
CREATE INDEX IF NOT EXISTS hits_at ON hits (at);
CREATE INDEX IF NOT EXISTS used_tokens_at ON used_tokens (at);
"""

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# What ``FormTokens.issue`` makes: id, two times in whole seconds, signature. ASCII only, so
# ``str.isdigit`` surprises (``"²"``, Arabic digits) never reach ``int``.
_TOKEN = re.compile(r"[0-9a-f]{1,64}\.[0-9]{1,12}\.[0-9]{1,12}\.[0-9a-f]{1,64}", re.ASCII)
# Posts are counted per address; IPv6 per /64, the block one household or server usually gets.
IPV6_PREFIX = 64


def honeypot_filled(value: str) -> bool:
    return bool(value.strip())


# Form tokens ---------------------------------------------------------------------------------


class TokenState(enum.Enum):
    OK = "ok"
    INVALID = "invalid"  # not made by this service, or damaged
    USED = "used"  # accepted once already: a replay or a second click
    TOO_FAST = "too_fast"
    TOO_OLD = "too_old"


@dataclass(frozen=True)
class Token:
    id: str
    issued: int  # when this token was made
    first: int  # when the resident first saw the form; kept across attempts


class FormTokens:
    def __init__(self, secret: bytes, min_seconds: float, max_age_seconds: float) -> None:
        self._key = hmac.new(secret, b"aanhetwoord intake form token", hashlib.sha256).digest()
        self.min_seconds = min_seconds
        self.max_age_seconds = max_age_seconds

    def issue(self, first: int | None = None, now: float | None = None) -> str:
        """A new token; ``first`` carries the time of the first form over to a form shown again."""
        issued = int(now if now is not None else time.time())
        payload = f"{secrets.token_hex(12)}.{issued}.{first if first is not None else issued}"
        return f"{payload}.{self._sign(payload)}"

    def read(self, text: str) -> Token | None:
        """The token, if this service made it and nobody changed it; None for anything else.

        Whatever arrives in the field is untrusted: any length, any characters."""
        if len(text) > 200 or not _TOKEN.fullmatch(text.strip()):
            return None
        parts = text.strip().split(".")
        payload, signature = ".".join(parts[:3]), parts[3]
        # Both sides are plain ASCII here; compare_digest refuses str with other characters.
        if not hmac.compare_digest(self._sign(payload).encode("ascii"), signature.encode("ascii")):
            return None
        token_id, issued, first = parts[:3]
        return Token(token_id, int(issued), int(first))

    def timing(self, token: Token, now: float | None = None) -> TokenState:
        now = now if now is not None else time.time()
        if now - token.issued > self.max_age_seconds:
            return TokenState.TOO_OLD
        if now - token.first < self.min_seconds:
            return TokenState.TOO_FAST
        return TokenState.OK

    def _sign(self, payload: str) -> str:
        return hmac.new(self._key, payload.encode(), hashlib.sha256).hexdigest()[:40]


# The store: used tokens and the rate limit ----------------------------------------------------


class AbuseStore:
    def __init__(self, path: Path, secret: bytes) -> None:
        self.path = path
        self._key = hmac.new(secret, b"aanhetwoord intake address", hashlib.sha256).digest()
        database.create(path, _SCHEMA)

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return database.connect(self.path)

    def use_token(self, token_id: str, now: float | None = None) -> bool:
        """Record the token as used; False when it was used before."""
        with self._connect() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO used_tokens (id, at) VALUES (?, ?)", (token_id, now or time.time())
            )
            return cursor.rowcount == 1

    def allow(self, address: str, limit: int, window: float, now: float | None = None) -> bool:
        """Count one post from ``address``; False (and not counted) when it is over the limit."""
        now = now if now is not None else time.time()
        who = hmac.new(self._key, rate_key(address).encode(), hashlib.sha256).hexdigest()[:32]
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")  # count and insert as one step, also across processes
            try:
                db.execute("DELETE FROM hits WHERE at <= ?", (now - window,))
                (count,) = db.execute(
                    "SELECT COUNT(*) FROM hits WHERE who = ? AND at > ?", (who, now - window)
                ).fetchone()
                allowed = count < limit
                if allowed:
                    db.execute("INSERT INTO hits (who, at) VALUES (?, ?)", (who, now))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return allowed

    def forget(self, tokens_before: float) -> int:
        """Drop used-token ids older than any token that could still be accepted."""
        with self._connect() as db:
            return db.execute("DELETE FROM used_tokens WHERE at < ?", (tokens_before,)).rowcount


# Addresses -----------------------------------------------------------------------------------


def client_address(peer: str | None, forwarded_for: str | None, trusted: Sequence[Network]) -> str:
    """The address to count posts against.

    ``X-Forwarded-For`` is believed only when the connection comes from a trusted proxy, and
    then read from the right: the last address that is not a trusted proxy is the client (the
    addresses to its left were written by the client itself and prove nothing).
    """
    peer = peer or "unknown"
    if not forwarded_for or not _is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # a damaged header: count against the proxy rather than a made-up name
        if not _is_trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer


def rate_key(address: str) -> str:
    """What the rate limit counts against: the IPv4 address, or the IPv6 /64 around the address.

    One IPv6 connection gets a whole /64 (2^64 addresses), so counting exact addresses would
    give it unlimited posts. ``::ffff:192.0.2.1`` (an IPv4 client on a dual-stack socket) is
    the IPv4 address ``192.0.2.1``."""
    ip = _ip(address)
    if ip is None:
        return address
    if isinstance(ip, ipaddress.IPv4Address):
        return str(ip)
    block = ipaddress.IPv6Network((int(ip) >> (128 - IPV6_PREFIX) << (128 - IPV6_PREFIX), IPV6_PREFIX))
    return str(block)


def _ip(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address, with an IPv4-mapped IPv6 address as plain IPv4; None when it is no address."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.scope_id:
            ip = ipaddress.IPv6Address(int(ip))  # "fe80::1%eth0": the zone names no other host
    return ip


def _is_trusted(address: str, trusted: Sequence[Network]) -> bool:
    ip = _ip(address)
    if ip is None:
        return False
    return any(ip.version == network.version and ip in network for network in trusted)
