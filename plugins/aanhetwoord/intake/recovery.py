"""What a crash left behind, found and put right when the service starts, and by ``intake check``.

A submission writes a pending register row, then the git objects and the branch, then marks the
row complete (:mod:`submission`). After ``kill -9`` or a power cut at any moment, this check
restores the rule "every branch ``inzending/…`` has its consent row":

* a pending row whose branch exists: the submission got that far, the row is completed;
* a pending row without a branch: the resident never got a confirmation, the row is removed;
* a branch ``inzending/…`` without any row (made by hand, or by a version of the service that
  wrote the branch first): a row with status ``unknown`` ("herkomst onbekend") is added, so the
  branch shows in ``intake list`` and staff do not publish it without finding out about consent;
* temporary git index files, raw uploads (which still have their EXIF and GPS position) and
  half-written photo copies are deleted.

Only one process does this without reserve: the one holding the lock file in the data folder
(the service holds it while it runs). Anyone else, such as ``intake check`` run while the service
is up, leaves alone whatever is younger than :data:`BUSY_SECONDS`: it may be a submission being
written at this very moment.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path

from ..text import plural
from .gitstore import INDEX_PREFIX, GitStore
from .photo import FILE_NAME
from .register import UNKNOWN, ConsentRegister, Submission
from .settings import IntakeSettings
from .submission import BRANCH_PREFIX

try:
    import fcntl
except ImportError:  # not on Windows; there nobody can tell whether the service runs
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger("aanhetwoord.intake")

LOCK_FILE = "intake.lock"
BUSY_SECONDS = 3600  # no submission takes this long; younger leftovers may still be in progress
_REFERENCE = re.compile(r"^Kenmerk: (INZ-[0-9]{8}-[A-Z0-9]{6})$", re.MULTILINE)


@dataclass
class Report:
    completed: list[Submission] = field(default_factory=list)
    removed: list[Submission] = field(default_factory=list)
    busy: list[Submission] = field(default_factory=list)
    found: list[tuple[str, str]] = field(default_factory=list)  # (new id, branch) without consent
    waiting: list[Submission] = field(default_factory=list)  # every row with status unknown
    index_files: int = 0
    uploads: int = 0
    photo_copies: int = 0
    alone: bool = True  # False: another process holds the lock, recent leftovers were skipped

    def lines(self) -> list[tuple[int, str]]:
        """The report in plain Dutch, each line with its log level."""
        lines: list[tuple[int, str]] = []

        def say(level: int, *parts: str) -> None:
            lines.append((level, "".join(parts)))

        if not self.alone:
            say(
                logging.WARNING,
                "Het formulier draait al (of een andere controle). Wat jonger is dan een uur, blijft ",
                "daarom liggen: dat kan een inzending zijn die nu wordt opgeslagen.",
            )
        for item in self.completed:
            say(
                logging.WARNING,
                f"Inzending {item.id} was half opgeslagen toen het formulier stopte. De branch ",
                f"{item.branch} bestond al; de inzending is nu compleet in het register.",
            )
        for item in self.removed:
            say(
                logging.WARNING,
                f"Inzending {item.id} was half opgeslagen toen het formulier stopte, nog zonder branch. ",
                "De bewoner kreeg geen bevestiging. De halve rij is uit het register gehaald.",
            )
        for item in self.busy:
            say(logging.WARNING, f"Inzending {item.id} wordt misschien nu opgeslagen; niet aangeraakt.")
        for reference, branch in self.found:
            say(
                logging.ERROR,
                f"LET OP: de branch {branch} stond niet in het toestemmingsregister. Herkomst onbekend: ",
                f"er is geen toestemming vastgelegd. Toegevoegd als {reference} met status unknown.",
            )
        if self.index_files:
            say(
                logging.WARNING,
                plural(self.index_files, "tijdelijk indexbestand", "tijdelijke indexbestanden"),
                " van git verwijderd.",
            )
        if self.uploads:
            say(
                logging.WARNING,
                plural(self.uploads, "foto", "foto’s"),
                " zoals ze binnenkwamen (nog met hun metadata, zoals de GPS-plek) verwijderd.",
            )
        if self.photo_copies:
            say(
                logging.WARNING,
                plural(self.photo_copies, "half geschreven foto", "half geschreven foto’s"),
                " verwijderd.",
            )
        if self.waiting:
            say(
                logging.ERROR,
                plural(len(self.waiting), "inzending", "inzendingen"),
                " zonder vastgelegde toestemming (status unknown): ",
                ", ".join(item.branch for item in self.waiting),
                ". Publiceer zo'n verhaal niet voordat je weet dat de verteller toestemming gaf.",
            )
        if not lines:
            say(logging.INFO, "Controle: register en branches kloppen, er lag niets meer.")
        return lines


def take_lock(data_dir: Path) -> int | None:
    """The lock that says "this process owns the data folder"; None when another holds it."""
    if fcntl is None:
        return None
    handle = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(handle)
        return None
    return handle


@contextmanager
def locked(data_dir: Path) -> Iterator[bool]:
    handle = take_lock(data_dir)
    try:
        yield handle is not None
    finally:
        if handle is not None:
            os.close(handle)


def reconcile(
    settings: IntakeSettings,
    register: ConsentRegister,
    store: GitStore,
    *,
    alone: bool,
    now: float | None = None,
) -> Report:
    """Put right what a crash left behind (see the module's description) and say what was done."""
    now = time.time() if now is None else now
    cutoff = now if alone else now - BUSY_SECONDS
    report = Report(alone=alone)
    # Branches first, then rows: a row is always written before its branch, so every branch seen
    # here already has its row by the time the rows are read.
    branches = set(store.branches(BRANCH_PREFIX))
    known = register.branches()
    for item in register.pending():
        if _timestamp(item.submitted_at) > cutoff:
            report.busy.append(item)
        elif store.resolve(f"refs/heads/{item.branch}") is not None:
            if register.complete(item.id):
                report.completed.append(item)
        elif register.remove_pending(item.id):
            report.removed.append(item)
    for branch in sorted(branches - known):
        added = _add_unknown(register, store, branch)
        if added is not None:
            report.found.append((added, branch))
    report.waiting = [item for item in register.all() if item.status == UNKNOWN]
    report.index_files = _remove(
        (entry for entry in _entries(settings.work_dir) if entry.name.startswith(INDEX_PREFIX)), cutoff
    )
    # The upload folder only ever holds photos as they arrived; none is needed after a restart.
    report.uploads = _remove(_entries(settings.uploads_dir), cutoff)
    copies = [
        scratch
        for attempt in _entries(settings.attempts_dir)
        if attempt.is_dir()
        for scratch in _entries(attempt)
        if scratch.name.startswith(".") and scratch.name.endswith(".tmp")
    ]
    report.photo_copies = _remove(copies, cutoff)
    for attempt in _entries(settings.attempts_dir):
        # A folder whose photo was never finished is of no use to the resident's next attempt.
        if attempt.is_dir() and not (attempt / FILE_NAME).exists():
            _remove([attempt], cutoff)
    return report


def log_report(report: Report) -> None:
    for level, line in report.lines():
        log.log(level, "%s", line)


def _add_unknown(register: ConsentRegister, store: GitStore, branch: str) -> str | None:
    commit = store.resolve(f"refs/heads/{branch}")
    if commit is None:
        return None  # deleted meanwhile
    when, message = store.described(commit)
    found = _REFERENCE.search(message)
    reference = found.group(1) if found else ""
    if not reference or register.get(reference) is not None:
        reference = "ONBEKEND-" + sha256(branch.encode()).hexdigest()[:10].upper()
    rest = branch.removeprefix(BRANCH_PREFIX)
    slug = rest[9:] if re.match(r"^[0-9]{8}-", rest) else rest
    added = register.add_unknown(
        reference,
        submitted_at=when,
        slug=slug,
        branch=branch,
        # No resident has a withdrawal link for it: a value no token's SHA-256 can equal.
        withdrawal_hash=f"geen-link-{secrets.token_hex(16)}",
    )
    return reference if added else None


def _timestamp(text: str) -> float:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return 0.0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _entries(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except OSError:
        return []


def _remove(entries: Iterable[Path], cutoff: float) -> int:
    removed = 0
    for entry in entries:
        try:
            if entry.lstat().st_mtime > cutoff:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        except OSError:
            continue
        removed += 1
    return removed
