"""The inbox: every form submission, newest first, as staff see it at a glance.

The consent register says which submissions there are and their status; each story is read
from its own branch with git plumbing (no working tree) and checked by the project's one
validator, so staff see at once whether it has problems. A branch only changes with a new
commit, so what was read is kept per commit and read again only when the branch moved.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from babel.dates import format_timedelta

from ...load import STORY_FILE, StorySource, parse_story_text
from ...validate import Registers, validate
from ..gitstore import GitError, GitStore
from ..register import NEW, PENDING, UNKNOWN, Submission
from ..review import review_status
from . import wording

log = logging.getLogger("aanhetwoord.intake")

_CACHE_MAX = 5000


@dataclass(frozen=True)
class StoryGlance:
    """What the inbox shows of a story as it is on its branch."""

    title: str
    community: str
    neighbourhoods: tuple[str, ...]
    has_photo: bool
    errors: int
    warnings: int
    found: bool = True


@dataclass(frozen=True)
class InboxEntry:
    submission: Submission
    status: str  # a key of ``wording.STATUSES``
    glance: StoryGlance
    age: str  # "3 dagen geleden"

    @property
    def id(self) -> str:
        return self.submission.id

    @property
    def status_label(self) -> str:
        return wording.STATUSES.get(self.status, self.status)

    @property
    def problems(self) -> str:
        return wording.problems_text(self.glance.errors, self.glance.warnings)


def status_of(submission: Submission) -> str:
    """The inbox status of a submission: the review's (:func:`..review.review_status`), or
    ``onbekend`` for a branch nobody decided on that has no consent on record."""
    if submission.status == UNKNOWN and submission.review == NEW:
        return "onbekend"
    return review_status(submission).value


def age(submitted_at: str, now: datetime | None = None) -> str:
    try:
        when = datetime.fromisoformat(submitted_at)
    except ValueError:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delta = max((now or datetime.now(UTC)) - when, timedelta(0))
    return format_timedelta(-delta, add_direction=True, locale="nl")


class Inbox:
    def __init__(
        self,
        store: GitStore,
        stories_path: str,
        site: Callable[[], tuple[Registers, int, date]],
    ) -> None:
        """``site`` gives the registers, the largest front matter allowed and today, as they are now."""
        self.store = store
        self.stories_path = stories_path
        self.site = site
        self._cache: dict[tuple[str, str], StoryGlance] = {}
        self._lock = threading.Lock()

    def entries(self, submissions: list[Submission], status: str = "") -> list[InboxEntry]:
        """The submissions (not the ones still being written), newest first, of ``status`` if given."""
        shown = [s for s in submissions if s.status != PENDING and (not status or status_of(s) == status)]
        shown.sort(key=lambda s: (s.submitted_at, s.id), reverse=True)
        now = datetime.now(UTC)
        return [InboxEntry(s, status_of(s), self.glance(s), age(s.submitted_at, now)) for s in shown]

    def glance(self, submission: Submission) -> StoryGlance:
        try:
            tip = self.store.resolve(f"refs/heads/{submission.branch}")
        except GitError:
            tip = None
        if tip is None:
            return StoryGlance(wording.NO_TITLE, "", (), False, 0, 0, found=False)
        registers, max_front_matter, today = self.site()
        key = (tip, f"{id(registers)}-{today}")
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        try:
            glance = self._read(tip, submission.slug, registers, max_front_matter, today)
        except (GitError, OSError, UnicodeDecodeError):
            log.exception("could not read submission %s from its branch", submission.id)
            glance = StoryGlance(wording.NO_TITLE, "", (), False, 0, 0, found=False)
        with self._lock:
            if len(self._cache) >= _CACHE_MAX:
                self._cache.clear()
            self._cache[key] = glance
        return glance

    def _read(
        self, tip: str, slug: str, registers: Registers, max_front_matter: int, today: date
    ) -> StoryGlance:
        folder = f"{self.stories_path}/{slug}"
        path = f"{folder}/{STORY_FILE}"
        if not self.store.exists(tip, path):
            return StoryGlance(wording.NO_TITLE, "", (), False, 0, 0, found=False)
        text = self.store.read(tip, path).decode("utf-8")
        with tempfile.TemporaryDirectory(prefix="redactie-") as temporary:
            story_dir = Path(temporary) / slug
            story_dir.mkdir()
            # The validator only asks whether a photo exists: empty stand-ins will do.
            names = set(self.store.names(tip, folder))
            for name in names:
                if name != STORY_FILE and "/" not in name and name not in (".", ".."):
                    (story_dir / name).touch()
            source = StorySource(slug=slug, path=story_dir / STORY_FILE, display_path=path)
            parse_story_text(source, text, max_front_matter)
            story, problems = validate(source, registers, today)
        errors = sum(1 for problem in problems if problem.is_error)
        warnings = sum(1 for problem in problems if problem.is_warning)
        if story is not None and story.title:  # a withdrawn story keeps only its status
            return StoryGlance(
                story.title,
                ", ".join(story.communities),
                tuple(entry.name for entry in story.neighbourhoods),
                story.image is not None,
                errors,
                warnings,
            )
        data = source.data
        return StoryGlance(
            _text(data.get("title")) or wording.NO_TITLE,
            _text(data.get("community")),
            tuple(_text(item) for item in _items(data.get("neighbourhoods"))),
            isinstance(image := data.get("image"), dict) and _text(image.get("src")) in names,
            errors,
            warnings,
        )


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if value is not None else []


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_text(item) for item in value)
    return str(value).strip() if isinstance(value, str | int | float) else ""
