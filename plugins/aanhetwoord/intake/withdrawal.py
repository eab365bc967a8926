"""A resident withdraws a story with the private link from the confirmation page.

Is the story on the base branch (staff merged it, perhaps renamed its folder)? Then a branch
``intrekking/…`` sets ``status: withdrawn`` on it, changing nothing else, for staff to merge
like any other change. The story is found by its submission id in ``consent.reference``.
Was it never merged? Then the register marks the submission withdrawn, so staff know not to
merge it. In both cases the register records the withdrawal, which starts the countdown
for deleting the e-mail address.
"""

from __future__ import annotations

import enum
import logging
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath

import yaml

from ..load import STORY_FILE, StorySource, parse_story_text
from ..model import Status
from ..validate import Registers, validate
from .gitstore import BranchExists, GitStore
from .register import WITHDRAWN, Register, Submission
from .submission import WITHDRAWAL_PREFIX

log = logging.getLogger("aanhetwoord.intake")
_STATUS_LINE = re.compile(r"^status\s*:.*$")


class Outcome(enum.Enum):
    BRANCH = "branch"  # the story was on the base branch: a withdrawal branch waits for staff
    REGISTER = "register"  # never merged: marked withdrawn in the register
    ALREADY = "already"


@dataclass(frozen=True)
class Withdrawn:
    outcome: Outcome
    branch: str | None = None


def withdraw(
    submission: Submission,
    store: GitStore,
    register: Register,
    stories_path: str,
    registers: Registers,
    today: date,
) -> Withdrawn:
    if submission.status == WITHDRAWN:
        return Withdrawn(Outcome.ALREADY, submission.withdrawal_branch)
    base = store.base_commit()
    found = _published_story(submission.id, store, base, stories_path)
    if found is None:
        if not register.withdraw(submission.id, None):
            return Withdrawn(Outcome.ALREADY)
        log.info("submission %s withdrawn before it was merged", submission.id)
        return Withdrawn(Outcome.REGISTER)
    path, text = found
    changed = with_status_withdrawn(text, registers, today)
    short = submission.id.rsplit("-", 1)[-1].lower()
    folder = PurePosixPath(path).parent.name if path.endswith(f"/{STORY_FILE}") else PurePosixPath(path).stem
    branch = f"{WITHDRAWAL_PREFIX}{today:%Y%m%d}-{folder}-{short}"
    # The photos go too: a withdrawn story shows none, and they should not stay in the tree.
    photos = [
        f"{PurePosixPath(path).parent}/{name}"
        for name in store.names(base, str(PurePosixPath(path).parent))
        if path.endswith(f"/{STORY_FILE}") and name != STORY_FILE
    ]
    if changed == text and not photos:
        register.withdraw(submission.id, None)  # staff withdrew it on the base branch already
        return Withdrawn(Outcome.ALREADY)
    commit = store.commit_files(
        base,
        {path: changed.encode("utf-8")},
        f"Verhaal ingetrokken door de verteller: {folder}\n\nKenmerk: {submission.id}\n",
        remove=photos,
    )
    try:
        store.create_branch(branch, commit, f"aanhetwoord intake: intrekking {submission.id}")
    except BranchExists:
        return Withdrawn(Outcome.ALREADY, branch)
    register.withdraw(submission.id, branch)
    log.info("submission %s withdrawn on branch %s", submission.id, branch)
    return Withdrawn(Outcome.BRANCH, branch)


def _published_story(reference: str, store: GitStore, base: str, stories_path: str) -> tuple[str, str] | None:
    """The story file on the base branch whose ``consent.reference`` is this submission's id."""
    for path in store.grep(base, reference, stories_path):
        if not path.endswith(".md"):
            continue
        text = store.read(base, path).decode("utf-8", "replace")
        source = StorySource(slug="x", path=Path(path), display_path=path)
        parse_story_text(source, text, 1024 * 1024)
        consent = source.data.get("consent")
        if isinstance(consent, dict) and str(consent.get("reference", "")).strip() == reference:
            return path, text
    return None


def with_status_withdrawn(text: str, registers: Registers, today: date) -> str:
    """The story with ``status: withdrawn``, touching only that one line of the front matter."""
    lines = text.replace("\r\n", "\n").split("\n")
    closing = next((index for index in range(1, len(lines)) if lines[index].rstrip() == "---"), None)
    if lines and lines[0].rstrip() == "---" and closing is not None:
        status = next((i for i in range(1, closing) if _STATUS_LINE.match(lines[i])), None)
        if status is not None:
            lines[status] = "status: withdrawn"
        else:
            lines.insert(1, "status: withdrawn")
        changed = "\n".join(lines)
        if _is_withdrawn(changed, registers, today):
            return changed
    # Front matter laid out in an unusual way: write it again with the safe dumper instead.
    source = StorySource(slug="x", path=Path(STORY_FILE), display_path=STORY_FILE)
    parse_story_text(source, text, 1024 * 1024)
    data = dict(source.data)
    data["status"] = "withdrawn"
    dumped = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{dumped}---\n\n{source.body}"


def _is_withdrawn(text: str, registers: Registers, today: date) -> bool:
    source = StorySource(slug="x", path=Path(STORY_FILE), display_path=STORY_FILE)
    parse_story_text(source, text, 1024 * 1024)
    story, _ = validate(source, registers, today)
    return story is not None and story.status is Status.WITHDRAWN
