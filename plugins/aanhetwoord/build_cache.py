"""What one build keeps on disk for the next: checked stories and their rendered text.

A warm build then reads, parses and renders only the stories that changed since the last
build, as ``serve`` does within one process (see memo.py). A checked story is keyed by its
file's content and the names in its folder (so a file written just before a build can be
trusted too), a rendering by the text and photos it is made from; the whole file is set aside
when the code, Python, the settings, the registers or the date differ.

Like the photo cache, the folder is the build's own: it is never filled from anywhere else.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

from .memo import Memo, content_key
from .model import Status

FILE_NAME = "stories.pickle"
_PACKAGE = Path(__file__).parent


def code_version(*folders: Path) -> str:
    """This package's files (code and templates) and those in ``folders`` (a site's own
    templates) as the file system sees them, and Python's version: a cache made by other code
    or templates is not read."""
    digest = hashlib.blake2b(sys.version.encode(), digest_size=16)
    for root in (_PACKAGE, *folders):
        for folder, dirs, names in sorted(os.walk(root)):
            dirs[:] = sorted(name for name in dirs if name != "__pycache__")
            for name in sorted(names):
                try:
                    stat = os.stat(os.path.join(folder, name))
                except OSError:
                    continue
                digest.update(f"{folder}/{name}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()


class BuildCache:
    """The cache in ``folder`` for a site with its own ``templates`` (if any): :meth:`load`
    before a build, :meth:`save` after it."""

    def __init__(self, folder: Path, templates: Path | None = None) -> None:
        self.folder = folder
        self.version = code_version(*([templates] if templates else []))
        self.loaded: tuple[object, ...] | None = None

    def load(self) -> Memo:
        """A memo with what the last build kept; empty when there is nothing usable."""
        memo = Memo(key_of=content_key)
        try:
            with open(self.folder / FILE_NAME, "rb") as file:
                version, context, checked, texts = pickle.load(file)
        except Exception:  # missing, damaged or written by other code: only a cold start
            return memo
        if version == self.version:
            memo.context, memo.checked, memo.texts = context, checked, texts
            self.loaded = _entries(memo)
        return memo

    def save(self, memo: Memo) -> None:
        """Keep the memo's checked stories (without their parse, which is quicker to make again
        than to read) and rendered texts; nothing is written when the build used them all as
        they were. A folder that cannot be written only costs the next build its speed."""
        if self.loaded is not None and self.loaded == _entries(memo):
            return
        checked = {
            path: dataclasses.replace(
                entry, story=dataclasses.replace(entry.story, body_tokens=None) if entry.story else None
            )
            for path, entry in memo.checked.items()
        }
        # A withdrawn story's rendered text is not kept: a withdrawal leaves nothing behind here.
        slugs = {
            entry.story.slug
            for entry in checked.values()
            if entry.story is not None and entry.story.status is not Status.WITHDRAWN
        }
        texts = {slug: entry for slug, entry in memo.texts.items() if slug in slugs}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".stories-")
        except OSError:
            return
        try:
            with os.fdopen(handle, "wb") as file:
                pickle.dump((self.version, memo.context, checked, texts), file, pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.folder / FILE_NAME)  # whole or not at all, for a build beside it
        except OSError:
            Path(temporary).unlink(missing_ok=True)


def _entries(memo: Memo) -> tuple[object, ...]:
    """Which entries the memo holds, by identity: a build that checked or rendered anything
    anew put new objects in."""
    return (
        memo.context,
        frozenset((path, id(entry)) for path, entry in memo.checked.items()),
        frozenset((slug, id(entry)) for slug, entry in memo.texts.items()),
    )
