"""What one build keeps for the next in the same process, so a rebuild redoes only what changed.

``serve`` builds the site again after every save. Most stories did not change, so their
reading, checking, photo hashing and Markdown rendering are taken from here. Every entry is
keyed by everything its result depends on: a hit is exactly what a clean build would make.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from . import markdown
from .load import STORY_FILE
from .model import Page, Story
from .problems import Problem

# Some file systems keep file times in whole (or even two) seconds.
RECENT_NS = 2_000_000_000


@dataclass(frozen=True)
class RenderedText:
    """A story's body and updates as HTML, with the photo files that HTML shows."""

    body: str
    updates: tuple[str, ...]
    assets: tuple[tuple[str, Path], ...]
    # The same texts for the search index (markdown.search_text)
    body_text: str = ""
    update_texts: tuple[str, ...] = ()


def render_text(story: Story, picture: markdown.PictureRenderer, assets: dict[str, Path]) -> RenderedText:
    """The story's body and updates as HTML; ``picture`` adds the files of each photo it shows
    to ``assets``."""
    # The validator's parse of the body, when the story still has it: rendering leaves it as it is.
    body = markdown.rendered(story.body, picture, story.body_tokens)
    updates = tuple(markdown.rendered(update.text, picture) for update in story.updates)
    return RenderedText(
        body.html,
        tuple(update.html for update in updates),
        tuple(assets.items()),
        body.text,
        tuple(update.text for update in updates),
    )


@dataclass(frozen=True)
class TextEntry:
    key: Hashable  # see ``text_key``
    text: RenderedText


def text_key(story: Story, photos: tuple[tuple[str, Path | None], ...]) -> Hashable:
    """What a story's rendered text depends on: its body, its updates, and the processed photos
    (name, cache folder) it may show."""
    return (story.body, tuple(update.text for update in story.updates), photos)


@dataclass(frozen=True)
class StoryPageEntry:
    key: Hashable  # everything the story's page shows
    page: Page


@dataclass(frozen=True)
class CardEntry:
    """A story's card as made for one link prefix and heading level."""

    story: Story
    communities: tuple[str, ...]  # the names of its communities, and its cover's cache folder
    html: str


@dataclass
class CheckedStory:
    key: Hashable
    shown: str  # the path in messages
    story: Story | None
    problems: list[Problem]


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in memory and, given a folder, on disk for the next build.

    Jinja checks each against its source and Python's version before use, so a stale or
    damaged file is compiled afresh. A folder that cannot be written only costs the speed."""

    def __init__(self, folder: Path | None = None) -> None:
        self.compiled: dict[str, bytes] = {}
        self.disk: jinja2.FileSystemBytecodeCache | None = None
        if folder is not None:
            try:
                folder.mkdir(parents=True, exist_ok=True)
                self.disk = jinja2.FileSystemBytecodeCache(str(folder))
            except OSError:
                pass

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.compiled.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)
        elif self.disk is not None:
            try:
                self.disk.load_bytecode(bucket)
            except OSError:
                bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()
        if self.disk is not None:
            try:
                self.disk.dump_bytecode(bucket)
            except OSError:
                self.disk = None


@dataclass
class Memo:
    # Settings, registers and date the entries below were made with; when they change, all go.
    context: Hashable = None
    checked: dict[Path, CheckedStory] = field(default_factory=dict)
    texts: dict[str, TextEntry] = field(default_factory=dict)  # by slug
    # slug → the story's page and everything it shows: see ``Renderer.story_page``
    story_pages: dict[str, StoryPageEntry] = field(default_factory=dict)
    # feed page → (its stories as shown, Atom, JSON Feed): see ``feeds.feed_files``
    feeds: dict[str, tuple[tuple, bytes, bytes]] = field(default_factory=dict)
    # (slug, link prefix, heading level) → the card, valid while the story and its communities
    # and cover are the same; a story unchanged since the last build is the same object.
    cards: dict[tuple[str, str, int], CardEntry] = field(default_factory=dict)
    # (path, size, mtime, inode) → the photo cache key, so unchanged photos are not hashed again
    photo_keys: dict[tuple[str, int, int, int], str] = field(default_factory=dict)
    # Compiled templates, for every Jinja environment of the session (the engine's too).
    bytecode: CompiledTemplates = field(default_factory=lambda: CompiledTemplates())
    # What a story's check is keyed by: its file's times in one process (quick), its content in
    # a cache kept between builds (see build_cache.py).
    key_of: Callable[[Path], Hashable | None] = field(default_factory=lambda: story_key)

    def start(self, context: Hashable) -> None:
        """Begin a build; forget everything if what all entries depend on has changed."""
        if context != self.context:
            self.context = context
            self.checked.clear()
            self.texts.clear()
            self.story_pages.clear()
            self.feeds.clear()
            self.cards.clear()
            self.photo_keys.clear()  # the keys include the photo settings

    def keep_only(self, paths: set[Path]) -> None:
        """Drop stories that are gone, so the memo does not grow with every rename."""
        for path in set(self.checked) - paths:
            del self.checked[path]


def story_key(path: Path) -> Hashable | None:
    """What checking a story file depends on, as the file system tells it without reading: the
    file's size, time and inode, and for a story folder the folder's time, which changes when
    a photo is added, renamed or removed (checks need only the names of the photos).

    None when the file cannot be found, or changed so recently that a second change might not
    show in its time yet: such a story is checked afresh."""
    try:
        stat = path.stat()
        folder = path.parent.stat().st_mtime_ns if path.name == STORY_FILE else 0
    except OSError:
        return None
    if time.time_ns() - max(stat.st_mtime_ns, stat.st_ctime_ns, folder) < RECENT_NS:
        return None
    return stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns, folder


def content_key(path: Path) -> Hashable | None:
    """What checking a story file depends on, by content: the file's bytes and, for a story
    folder, the names in it (checks need only the names of the photos). The file is read, so
    this is slower than :func:`story_key`, but it holds also for a file changed twice within
    its time's resolution, and so for files written just before a build.

    None when the file cannot be read: such a story is checked afresh."""
    try:
        digest = hashlib.blake2b(path.read_bytes(), digest_size=16).digest()
        names = tuple(sorted(os.listdir(path.parent))) if path.name == STORY_FILE else ()
    except OSError:
        return None
    return digest, names
