"""A resident withdraws a story with the private link from the confirmation page.

Is the story on the base branch (staff merged it, perhaps renamed its folder)? Then a branch
``intrekking/…`` sets ``status: withdrawn`` on it, changing nothing else, for staff to merge
like any other change. The story is found by its submission id in ``consent.reference``.

Was it never merged? Then its own ``inzending/…`` branch gets one more commit that sets
``status: withdrawn`` and removes its photos, and the register marks it withdrawn. A commit
rather than deleting the branch: staff keep the trace (what was sent, and that the resident
took it back), and a merge of the branch by mistake, or of the pull request on the forge,
publishes nothing: ``check`` accepts a withdrawn story and the build shows only the notice
that it was withdrawn. With the forge on, the branch is pushed again and its pull or merge
request is closed with a note (:func:`forge.close`).

In both cases the register records the withdrawal, which starts the countdown for deleting
the e-mail address. Withdrawing again is harmless, and repairs a submission branch that a
failure left as it was.
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
from .gitstore import BranchExists, GitError, GitStore
from .register import WITHDRAWN, Register, Submission
from .submission import WITHDRAWAL_PREFIX

log = logging.getLogger("aanhetwoord.intake")
_STATUS_LINE = re.compile(r"^status\s*:.*$")
_ATTEMPTS = 3
# The addresses that carry a private token; only their first part may go into a log.
_PRIVATE_PATH = re.compile(r"/(bedankt|intrekken)/[^/]*")


class Outcome(enum.Enum):
    BRANCH = "branch"  # the story was on the base branch: a withdrawal branch waits for staff
    REGISTER = "register"  # never merged: withdrawn on its own branch and in the register
    ALREADY = "already"


@dataclass(frozen=True)
class Withdrawn:
    outcome: Outcome
    branch: str | None = None  # the new ``intrekking/…`` branch (outcome BRANCH)
    closed: str | None = None  # the ``inzending/…`` branch that now carries the withdrawal


def withdrawal_note(submission_id: str) -> str:
    """The note on the pull or merge request that a withdrawal closes (Dutch, for staff)."""
    return (
        f"De verteller heeft dit verhaal ingetrokken met de privélink van het formulier (kenmerk "
        f"{submission_id}). Niet samenvoegen: de laatste commit op deze branch zet "
        "`status: withdrawn` en haalt de foto weg. Daarom is dit verzoek gesloten."
    )


def loggable(path: str) -> str:
    """``path`` without the private token of a confirmation or withdrawal address."""
    return _PRIVATE_PATH.sub(lambda match: f"/{match.group(1)}/…", path)


def withdraw(
    submission: Submission,
    store: GitStore,
    register: Register,
    stories_path: str,
    registers: Registers,
    today: date,
) -> Withdrawn:
    if submission.status == WITHDRAWN:
        if submission.withdrawal_branch is None:
            _withdraw_submission_branch(submission, store, stories_path, registers, today)
        return Withdrawn(Outcome.ALREADY, submission.withdrawal_branch)
    base = store.base_commit()
    found = _published_story(submission.id, store, base, stories_path)
    if found is None:
        closed = _withdraw_submission_branch(submission, store, stories_path, registers, today)
        if not register.withdraw(submission.id, None):
            return Withdrawn(Outcome.ALREADY)
        log.info("submission %s withdrawn before it was merged", submission.id)
        return Withdrawn(Outcome.REGISTER, closed=closed)
    path, text = found
    short = submission.id.rsplit("-", 1)[-1].lower()
    folder = PurePosixPath(path).parent.name if path.endswith(f"/{STORY_FILE}") else PurePosixPath(path).stem
    branch = f"{WITHDRAWAL_PREFIX}{today:%Y%m%d}-{folder}-{short}"
    commit = _withdrawal_commit(
        store,
        base,
        path,
        text,
        registers,
        today,
        f"Verhaal ingetrokken door de verteller: {folder}\n\nKenmerk: {submission.id}\n",
    )
    if commit is None:
        register.withdraw(submission.id, None)  # staff withdrew it on the base branch already
        return Withdrawn(Outcome.ALREADY)
    try:
        store.create_branch(branch, commit, f"aanhetwoord intake: intrekking {submission.id}")
    except BranchExists:
        return Withdrawn(Outcome.ALREADY, branch)
    register.withdraw(submission.id, branch)
    log.info("submission %s withdrawn on branch %s", submission.id, branch)
    return Withdrawn(Outcome.BRANCH, branch)


def _withdraw_submission_branch(
    submission: Submission, store: GitStore, stories_path: str, registers: Registers, today: date
) -> str | None:
    """One commit on the submission's own branch: ``status: withdrawn``, photos gone.

    Returns the branch when it now carries the withdrawal, None when there is no such branch
    (staff deleted it) or the commit could not be made (logged for staff; the register still
    records the withdrawal, and the next click on the link tries again)."""
    branch = submission.branch
    try:
        for _ in range(_ATTEMPTS):
            tip = store.resolve(f"refs/heads/{branch}")
            if tip is None:
                return None
            found = _published_story(submission.id, store, tip, stories_path)
            if found is None:
                log.warning("submission %s: no story with its id on branch %s", submission.id, branch)
                return None
            path, text = found
            commit = _withdrawal_commit(
                store,
                tip,
                path,
                text,
                registers,
                today,
                f"Inzending ingetrokken door de verteller: niet samenvoegen\n\nKenmerk: {submission.id}\n",
            )
            if commit is None:
                return branch  # withdrawn on this branch already
            try:
                store.move_branch(branch, commit, tip, f"aanhetwoord intake: intrekking {submission.id}")
            except GitError:
                continue  # the branch moved meanwhile (a second click, staff): look again
            log.info("submission %s withdrawn on its branch %s", submission.id, branch)
            return branch
        raise GitError(f"de branch {branch} bleef veranderen")
    except GitError:
        log.exception("could not withdraw submission %s on its branch %s", submission.id, branch)
        return None


def _withdrawal_commit(
    store: GitStore, parent: str, path: str, text: str, registers: Registers, today: date, message: str
) -> str | None:
    """A commit on ``parent`` with ``status: withdrawn`` in the story at ``path`` and without the
    story's photos (a withdrawn story shows none, and they should not stay in the tree); None
    when there is nothing left to change."""
    changed = with_status_withdrawn(text, registers, today)
    folder = str(PurePosixPath(path).parent)
    photos = (
        [f"{folder}/{name}" for name in store.names(parent, folder) if name != STORY_FILE]
        if path.endswith(f"/{STORY_FILE}")
        else []
    )
    if changed == text and not photos:
        return None
    return store.commit_files(parent, {path: changed.encode("utf-8")}, message, remove=photos)


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
