"""An accepted story becomes one commit on a new branch, and one row in the consent register.

The writes are ordered so that a crash (``kill -9``, a power cut) at any moment leaves either
nothing that matters or a consistent pair of row and branch:

1. a *pending* row in the register (one SQLite statement, so it is there or it is not);
2. the blobs, the tree and the commit (unreferenced objects harm nothing);
3. the branch, with one atomic ``update-ref``;
4. the row marked complete (``submitted``); only then is the resident thanked.

After a crash the service's check at start (:mod:`recovery`) completes a pending row whose
branch exists and removes one whose branch does not.

The slug is made here, by the server, from the title: the resident's words never become a path.
When the slug is taken (on the base branch, by a submission waiting for review, or by one
being committed at this very moment) a short id is added. The repository gets the story and
the clean photo, never the e-mail address or anything else that identifies the resident.
"""

from __future__ import annotations

import logging
import secrets
import threading
from dataclasses import dataclass
from datetime import date

from ..text import slugify
from . import crashpoint
from .form import Accepted
from .gitstore import GitError, GitStore
from .photo import FILE_NAME
from .register import PENDING, ConsentRegister, Submission, now, token_hash

BRANCH_PREFIX = "inzending/"
WITHDRAWAL_PREFIX = "intrekking/"
SLUG_MAX = 80
# No characters that are easily confused when a resident reads the id out on the phone.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
SHORT_ID_LENGTH = 6

log = logging.getLogger("aanhetwoord.intake")


class RegisterError(Exception):
    pass


@dataclass(frozen=True)
class Receipt:
    submission_id: str
    slug: str
    branch: str
    commit: str
    withdrawal_token: str


def short_id() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(SHORT_ID_LENGTH))


def submission_id(today: date, short: str) -> str:
    return f"INZ-{today:%Y%m%d}-{short.upper()}"


class Submitter:
    def __init__(self, store: GitStore, register: ConsentRegister, stories_path: str) -> None:
        self.store = store
        self.register = register
        self.stories_path = stories_path  # from the top of the repository, e.g. "stories"
        self._lock = threading.Lock()
        self._reserved: set[str] = set()

    def new_reference(self, today: date) -> tuple[str, str]:
        """A fresh (submission id, short id) that the register does not know yet."""
        while True:
            short = short_id()
            reference = submission_id(today, short)
            if self.register.get(reference) is None:
                return reference, short

    def submit(
        self,
        accepted: Accepted,
        *,
        reference: str,
        short: str,
        today: date,
        consent_version: str,
        age_confirmed: bool,
        email: str,
    ) -> Receipt:
        with self._lock:
            base = self.store.base_commit()
            slug = self._free_slug(accepted.story.title, short, base)
            self._reserved.add(slug)
        try:
            branch = f"{BRANCH_PREFIX}{today:%Y%m%d}-{slug}"
            if not slug.endswith(f"-{short}"):
                branch += f"-{short}"
            token = secrets.token_urlsafe(32)
            # 1. The consent, as a pending row: from here on the branch can never lack its row.
            self.register.add(
                Submission(
                    id=reference,
                    submitted_at=now(),
                    consent_version=consent_version,
                    photo_consent=bool(accepted.story.consent and accepted.story.consent.photos),
                    age_confirmed=age_confirmed,
                    email=email or None,
                    withdrawal_hash=token_hash(token),
                    status=PENDING,
                    decided_at=None,
                    slug=slug,
                    branch=branch,
                )
            )
            crashpoint.reached("pending-row")
            # 2. The objects and the commit, then the branch (one atomic ref update).
            commit = ""
            try:
                files = {f"{self.stories_path}/{slug}/index.md": accepted.text.encode("utf-8")}
                if accepted.photo is not None:
                    files[f"{self.stories_path}/{slug}/{FILE_NAME}"] = accepted.photo.path.read_bytes()
                message = (
                    f"Verhaal via het formulier: {accepted.story.title}\n\n"
                    f"Kenmerk: {reference}\n"
                    "De toestemming staat in het toestemmingsregister van het formulier.\n"
                )
                commit = self.store.commit_files(base, files, message)
                crashpoint.reached("commit-written")
                self.store.create_branch(branch, commit, f"aanhetwoord intake: {reference}")
            except BaseException:
                self._undo(reference, branch, commit)
                raise
            crashpoint.reached("branch-created")
            # 3. The row is complete: only now is the resident thanked.
            try:
                if not self.register.complete(reference):
                    raise RegisterError(f"de rij van {reference} staat niet meer klaar in het register")
            except BaseException:
                # Without its consent on record, the story must not wait for review.
                self._undo(reference, branch, commit)
                raise
            crashpoint.reached("row-complete")
        finally:
            with self._lock:
                self._reserved.discard(slug)
        log.info("submission %s on branch %s", reference, branch)
        return Receipt(reference, slug, branch, commit, token)

    def _undo(self, reference: str, branch: str, commit: str) -> None:
        """Take back a submission that failed half-way: first its branch, then its pending row.

        In that order, so that a failure here leaves at worst a pending row, which the check at
        start resolves; never a branch without a row."""
        try:
            if commit and self.store.resolve(f"refs/heads/{branch}") == commit:
                self.store.delete_branch(branch, commit)
        except GitError:
            log.exception("could not remove branch %s after a failed submission", branch)
            return  # keep the row: the branch must not be left without one
        try:
            self.register.remove_pending(reference)
        except Exception:
            log.exception("could not remove the pending row of %s", reference)

    def _free_slug(self, title: str, short: str, base: str) -> str:
        wanted = slugify(title, fallback="verhaal")[: SLUG_MAX - SHORT_ID_LENGTH - 1].rstrip("-")
        taken = {name.casefold().removesuffix(".md") for name in self.store.names(base, self.stories_path)}
        taken |= self._reserved
        for branch in self.store.branches(BRANCH_PREFIX):
            rest = branch.removeprefix(BRANCH_PREFIX)[9:]  # after "YYYYMMDD-"
            taken |= {rest, rest[: -(SHORT_ID_LENGTH + 1)]}
        return wanted if wanted not in taken else f"{wanted}-{short}"
