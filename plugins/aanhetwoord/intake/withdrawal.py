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
from pathlib import PurePosixPath

from ..load import STORY_FILE
from ..model import Status
from ..storyfile import StoryFile, StoryFileError
from .gitstore import BranchExists, GitError, GitStore
from .register import WITHDRAWN, ConsentRegister, Submission
from .submission import WITHDRAWAL_PREFIX

log = logging.getLogger("aanhetwoord.intake")
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
    register: ConsentRegister,
    stories_path: str,
    max_front_matter: int,
    today: date,
) -> Withdrawn:
    if submission.status == WITHDRAWN:
        if submission.withdrawal_branch is None:
            _withdraw_submission_branch(submission, store, stories_path, max_front_matter)
        return Withdrawn(Outcome.ALREADY, submission.withdrawal_branch)
    base = store.base_commit()
    found = _published_story(submission.id, store, base, stories_path, max_front_matter)
    if found is None:
        closed = _withdraw_submission_branch(submission, store, stories_path, max_front_matter)
        if not register.withdraw(submission.id, None):
            return Withdrawn(Outcome.ALREADY)
        log.info("submission %s withdrawn before it was merged", submission.id)
        return Withdrawn(Outcome.REGISTER, closed=closed)
    path, story = found
    short = submission.id.rsplit("-", 1)[-1].lower()
    folder = PurePosixPath(path).parent.name if path.endswith(f"/{STORY_FILE}") else PurePosixPath(path).stem
    branch = f"{WITHDRAWAL_PREFIX}{today:%Y%m%d}-{folder}-{short}"
    try:
        commit = _withdrawal_commit(
            store,
            base,
            path,
            story,
            f"Verhaal ingetrokken door de verteller: {folder}\n\nKenmerk: {submission.id}\n",
        )
    except StoryFileError as error:
        # Staff take it off the site by hand; the resident is told it is being taken off.
        log.error("submission %s: cannot set status withdrawn in %s: %s", submission.id, path, error)
        register.withdraw(submission.id, None)
        return Withdrawn(Outcome.BRANCH)
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
    submission: Submission, store: GitStore, stories_path: str, max_front_matter: int
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
            found = _published_story(submission.id, store, tip, stories_path, max_front_matter)
            if found is None:
                log.warning("submission %s: no story with its id on branch %s", submission.id, branch)
                return None
            path, story = found
            commit = _withdrawal_commit(
                store,
                tip,
                path,
                story,
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
    except (GitError, StoryFileError):
        log.exception("could not withdraw submission %s on its branch %s", submission.id, branch)
        return None


def _withdrawal_commit(store: GitStore, parent: str, path: str, story: StoryFile, message: str) -> str | None:
    """A commit on ``parent`` with ``status: withdrawn`` in the story at ``path``, changing no
    other line, and without the story's photos (a withdrawn story shows none, and they should
    not stay in the tree); None when there is nothing left to change."""
    changed = story.set("status", Status.WITHDRAWN.value)
    folder = str(PurePosixPath(path).parent)
    photos = (
        [f"{folder}/{name}" for name in store.names(parent, folder) if name != STORY_FILE]
        if path.endswith(f"/{STORY_FILE}")
        else []
    )
    if not changed and not photos:
        return None
    return store.commit_files(parent, {path: story.encode()}, message, remove=photos)


def _published_story(
    reference: str, store: GitStore, base: str, stories_path: str, max_front_matter: int
) -> tuple[str, StoryFile] | None:
    """The story file on the base branch whose ``consent.reference`` is this submission's id."""
    for path in store.grep(base, reference, stories_path):
        if not path.endswith(".md"):
            continue
        try:
            story = StoryFile(store.read(base, path), max_front_matter)
        except StoryFileError:
            continue
        consent = story.get("consent")
        if isinstance(consent, dict) and str(consent.get("reference", "")).strip() == reference:
            return path, story
    return None
