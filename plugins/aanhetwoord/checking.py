"""Checking story files: each one read and validated, on more than one core when there are many.

A site's first build, and a check of a whole site, reads every story. Stories do not depend on
each other until the collection is checked, so a share of them goes to worker processes while
this process checks the rest. The result is the same as checking them one by one, in order.
"""

from __future__ import annotations

import dataclasses
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .load import read_story
from .memo import RenderedText, render_text
from .model import Status, Story
from .problems import Problem, display_path
from .settings import Settings
from .validate import Registers, validate
from .workers import worker_count

# A story takes about a millisecond to check, and a worker tens of milliseconds to start and
# to hand its stories back: below this many stories for each process, one process is quicker.
STORIES_PER_WORKER = 100


@dataclass(frozen=True)
class CheckedFile:
    shown: str  # the path in messages
    story: Story | None  # None when the story has errors
    problems: list[Problem]
    # A story checked in a worker comes back without its parse (which costs more to send than to
    # make again), and with its text rendered there when that text shows no photo.
    text: RenderedText | None = None


def check_file(slug: str, path: Path, settings: Settings, registers: Registers, today: date) -> CheckedFile:
    shown = display_path(path, settings.root)
    source = read_story(slug, path, shown, settings.max_front_matter_bytes)
    story, problems = validate(source, registers, today)
    return CheckedFile(shown, story, problems)


def check_files(
    files: list[tuple[str, Path]],
    settings: Settings,
    registers: Registers,
    today: date,
    render: bool = False,
    parallel: bool = True,
) -> list[CheckedFile]:
    """Each (slug, path) checked, in the same order; with ``parallel``, on all cores when there
    are many. With ``render``, a story checked in a worker comes back with its text when it shows
    no photo (see ``CheckedFile.text``)."""
    count = worker_count(len(files), STORIES_PER_WORKER) if parallel else 1
    if count <= 1:
        return [check_file(slug, path, settings, registers, today) for slug, path in files]
    size = -(-len(files) // count)
    shares = [files[start : start + size] for start in range(0, len(files), size)]
    with ProcessPoolExecutor(max_workers=len(shares) - 1) as pool:
        futures = [
            pool.submit(_check_in_worker, share, settings, registers, today, render) for share in shares[1:]
        ]
        # Meanwhile this process checks the first share, and keeps its parse for rendering.
        checked = [check_file(slug, path, settings, registers, today) for slug, path in shares[0]]
        for share, future in zip(shares[1:], futures, strict=True):
            try:
                checked.extend(future.result())
            except Exception:  # noqa: BLE001 - a worker that died: its share is checked here
                checked.extend(check_file(slug, path, settings, registers, today) for slug, path in share)
    return checked


def _check_in_worker(
    files: list[tuple[str, Path]], settings: Settings, registers: Registers, today: date, render: bool
) -> list[CheckedFile]:
    """Runs in a worker process."""
    checked: list[CheckedFile] = []
    for slug, path in files:
        found = check_file(slug, path, settings, registers, today)
        story, text = found.story, None
        if story is not None:
            if render and not story.assets and story.status is not Status.WITHDRAWN:
                text = _text_without_photos(story)
            story = dataclasses.replace(story, body_tokens=None)
        checked.append(CheckedFile(found.shown, story, found.problems, text))
    return checked


def _text_without_photos(story: Story) -> RenderedText | None:
    """The story's text as the build renders it, or None when it shows a photo (which only the
    build knows how to show)."""
    shows_photo = False

    def picture(src: str, alt: str) -> str:
        nonlocal shows_photo
        shows_photo = True
        return ""

    text = render_text(story, picture, {})
    return None if shows_photo else text
