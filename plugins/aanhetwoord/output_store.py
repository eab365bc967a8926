"""The site's files as the last build made them, linked into the next build where unchanged.

Most of what a build writes is the same as last time: story pages, lists, feeds. Each file
written is a new file on disk, and on some disks making a file costs far more than writing
its bytes: on the two-core virtual machine the benchmarks run on, 0.2 to 0.5 ms each, against
0.01 ms for a hard link. So every file a build writes into the site is also linked here,
under the hash of its content, and a later build that has the same content for a file links
this copy into the site instead of making a new file. A warm build then makes only the files
that changed.

An unchanged file keeps its time on disk, so a web server's validators (Last-Modified, ETag)
for it stay the same from one build to the next.

A copy that was changed after it was made (through its link in the site, by a tool that
rewrites files in place) is not used again: its size and time are recorded when it is made.
Where links cannot be made (the site on another disk), files are written as usual.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

MANIFEST = "manifest.pickle"

Stamp = tuple[int, int]  # a kept copy's size and time when it was made


def link(source: str | Path, target: str | Path) -> bool:
    """``source`` at ``target`` as a hard link, replacing what is there; False when the disk
    cannot link it there."""
    os.makedirs(os.path.dirname(target), exist_ok=True)
    try:
        os.link(source, target)
    except FileExistsError:
        _remove(target)
        try:
            os.link(source, target)
        except OSError:
            return False
    except OSError:
        return False
    return True


def write_file(target: str | Path, content: bytes) -> os.stat_result:
    """``content`` at ``target`` in a new file, never through a link into a kept copy; the
    file's status once written."""
    os.makedirs(os.path.dirname(target), exist_ok=True)
    try:
        file = open(target, "xb")  # noqa: SIM115 - closed below
    except FileExistsError:
        _remove(target)
        file = open(target, "xb")  # noqa: SIM115 - closed below
    with file:
        file.write(content)
        file.flush()
        return os.fstat(file.fileno())


def write_files(site_dir: Path, files: dict[str, bytes]) -> None:
    """Site-relative name → content, each as :func:`write_file` puts it."""
    for name, content in files.items():
        write_file(site_dir / name, content)


def _remove(path: str | Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


class OutputStore:
    """The kept copies in ``folder``: :meth:`write` every file of a build, then :meth:`finish`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: dict[str, Stamp] = {}  # what this build linked: kept by finish()
        self.linking = True
        self.known: dict[str, Stamp] = {}
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            self.linking = False
            return
        try:
            with open(folder / MANIFEST, "rb") as file:
                known = pickle.load(file)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
            return
        if isinstance(known, dict):
            self.known = known

    def write(self, target: str | Path, content: bytes) -> None:
        """``content`` at ``target``: a link to the kept copy, or a new file that is kept."""
        if not self.linking:
            write_file(target, content)
            return
        name = hashlib.blake2b(content, digest_size=20).hexdigest()
        kept = os.path.join(self.folder, name)
        stamp = self.used.get(name) or self._intact(name, kept, len(content))
        if stamp is None:
            # Made in the site, beside the pages it belongs with, and kept by a second link.
            stamp = self._keep(write_file(target, content), target, kept)
        elif not link(kept, target):
            stamp = None
            write_file(target, content)
        if stamp is None:
            self.linking = False  # this disk cannot link: write the rest as usual
        else:
            self.used[name] = stamp

    def write_files(self, site_dir: Path, files: dict[str, bytes]) -> None:
        """Site-relative name → content, as :meth:`write` puts each."""
        for name, content in files.items():
            self.write(site_dir / name, content)

    def finish(self) -> None:
        """Forget the copies this build did not use and record the ones it did."""
        if not self.linking:
            return
        try:
            names = os.listdir(self.folder)
        except OSError:
            return
        for name in names:
            if name not in self.used and name != MANIFEST:
                _remove(self.folder / name)
        try:
            with tempfile.NamedTemporaryFile("wb", dir=self.folder, delete=False) as file:
                pickle.dump(self.used, file, pickle.HIGHEST_PROTOCOL)
            os.replace(file.name, self.folder / MANIFEST)
        except OSError:
            pass

    def _intact(self, name: str, kept: str, size: int) -> Stamp | None:
        """The kept copy's stamp, if it is still as it was made."""
        recorded = self.known.get(name)
        if recorded is None:
            return None
        try:
            stat = os.stat(kept)
        except OSError:
            return None
        stamp = (stat.st_size, stat.st_mtime_ns)
        return stamp if stamp == recorded and stat.st_size == size else None

    @staticmethod
    def _keep(written: os.stat_result, target: str | Path, kept: str) -> Stamp | None:
        """The file just written at ``target`` kept as ``kept`` too. A copy with that name that
        was changed in place may still be linked from an old site: it is unlinked, not
        overwritten, so that file stays as it is."""
        try:
            try:
                os.link(target, kept)
            except FileExistsError:
                _remove(kept)
                os.link(target, kept)
        except OSError:
            return None
        return written.st_size, written.st_mtime_ns
