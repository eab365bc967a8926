"""The intake's private SQLite files: one way to create and open them, for the register and the abuse store.

Each request opens its own connection in autocommit mode; WAL and a busy timeout let
concurrent requests wait for each other instead of failing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def create(path: Path, schema: str) -> None:
    """Create the tables if needed; the file is readable by its owner only (it holds personal data)."""
    with connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(schema)
    path.chmod(0o600)


@contextmanager
def connect(path: Path, rows: bool = False) -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(path, timeout=30, isolation_level=None)
    if rows:
        db.row_factory = sqlite3.Row
    try:
        db.execute("PRAGMA busy_timeout=30000")
        yield db
    finally:
        db.close()
