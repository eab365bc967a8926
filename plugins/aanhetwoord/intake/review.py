"""Staff decide on a submission: look at it as the site will show it, correct it, accept or decline it.

Plain Python, no HTTP: the staff pages call a :class:`ReviewDesk`. Every step works on the
submission's branch with git plumbing and never touches a working tree (except bringing a
clean checkout of the base branch up to date after an accept, see :mod:`merge`).

* :meth:`ReviewDesk.preview` reads the story from the branch, checks it with the project's one
  validator and renders it with the site's own renderer, photo variants included.
* :meth:`ReviewDesk.edit` changes fields with the story-file module (only the lines that change),
  checks the result with the validator, and commits it on the branch as the staff member.
* :meth:`ReviewDesk.accept` merges the branch into the base branch (``merge-tree``,
  ``commit-tree``, ``update-ref`` with the old value), or merges the pull/merge request when a
  forge is on, and then runs ``AANHETWOORD_INTAKE_PUBLISH_COMMAND`` if set.
* :meth:`ReviewDesk.decline` records the reason and removes the branch.

The register records every decision with who and when (``review``, ``decided_by``, ``reason``);
the state a submission is in is :func:`review_status`. A withdrawn, accepted or declined
submission is refused with a :class:`ReviewError` whose message is plain Dutch for the page.

After an accept, a working tree with the base branch checked out is updated only when it is
clean; otherwise it is left alone and :attr:`Accepted.worktree` is ``behind``.
"""

from __future__ import annotations

import enum
import logging
import mimetypes
import os
import re
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from ..catalogue import build_catalogue
from ..config_file import plugin_options
from ..gitrepo import Author
from ..load import STORY_FILE, StorySource, parse_story_text
from ..model import Story
from ..photo_urls import PhotoUrls
from ..photos import PhotoCache, process_all
from ..problems import Problem
from ..render import Renderer
from ..storyfile import StoryFile, StoryFileError
from ..text import plural, slugify
from ..urls import Urls
from ..validate import validate, validate_collection
from . import forge, merge
from .form import multi_line, one_line
from .gitstore import GitError, GitStore
from .register import (
    ACCEPTED,
    DECIDED,
    DECLINED,
    EDITING,
    PENDING,
    SUBMITTED,
    UNKNOWN,
    WITHDRAWN,
    ConsentRegister,
    Submission,
)
from .settings import IntakeSettings
from .sitedata import SiteData

__all__ = [
    "DECLINE_REASONS",
    "Accepted",
    "Author",
    "ConsentRecord",
    "Declined",
    "Preview",
    "PublishResult",
    "ReviewDesk",
    "ReviewError",
    "ReviewStatus",
    "StoryEdit",
    "Worktree",
    "review_status",
    "staff_author",
]

log = logging.getLogger("aanhetwoord.intake")
Worktree = merge.Worktree
OUTPUT_MAX = 64 * 1024  # of the publish command's output, kept for the page
REASON_MAX = 2000
_MERGE_ATTEMPTS = 5


class ReviewStatus(enum.StrEnum):
    """Where a submission stands, as the inbox shows it and filters on (``?status=…``)."""

    NIEUW = "nieuw"
    IN_BEWERKING = "in_bewerking"
    GEACCEPTEERD = "geaccepteerd"
    AFGEWEZEN = "afgewezen"
    INGETROKKEN = "ingetrokken"


# Reasons staff can choose from when they decline; they may also write their own. Plain Dutch,
# addressed to the resident, who receives the reason by e-mail.
DECLINE_REASONS: tuple[str, ...] = (
    "Je verhaal gaat niet over het leven in onze buurten.",
    "In je verhaal staan namen of gegevens van mensen die misschien geen toestemming gaven.",
    "Je verhaal lijkt op reclame voor een bedrijf, een product of een partij.",
    "In je verhaal staan woorden die anderen kunnen kwetsen.",
    "Dit verhaal staat al op de site.",
)


class ReviewError(Exception):
    """A decision that cannot be taken; ``str(error)`` is plain Dutch for the page."""


def review_status(submission: Submission) -> ReviewStatus:
    """The review status of a register row."""
    if submission.status == WITHDRAWN:
        return ReviewStatus.INGETROKKEN
    if submission.review == DECLINED:
        return ReviewStatus.AFGEWEZEN
    if submission.review == ACCEPTED or submission.status == DECIDED:
        return ReviewStatus.GEACCEPTEERD
    if submission.review == EDITING:
        return ReviewStatus.IN_BEWERKING
    return ReviewStatus.NIEUW


def staff_author(name: str, email: str | None = None) -> Author:
    """The git author for a staff member: their e-mail address, else ``name@redactie.invalid``."""
    local = slugify(name, fallback="redactie").replace("-", ".")
    return Author(name.strip() or "Redactie", (email or "").strip() or f"{local}@redactie.invalid")


@dataclass(frozen=True)
class StoryEdit:
    """What staff change; a field left at None stays as it is.

    An empty ``summary`` or ``photo_credit`` removes that field. ``community`` is one name or a
    list of names; ``neighbourhoods`` and ``themes`` are names or slugs from the site's registers.
    """

    title: str | None = None
    summary: str | None = None
    body: str | None = None
    community: str | Sequence[str] | None = None
    neighbourhoods: Sequence[str] | None = None
    themes: Sequence[str] | None = None
    photo_alt: str | None = None
    photo_credit: str | None = None


@dataclass(frozen=True)
class ConsentRecord:
    """What the register holds about the resident's consent (never the e-mail address)."""

    submitted_at: str  # ISO 8601, UTC
    consent_version: str  # SHA-256 of the consent text the resident saw
    photo_consent: bool
    age_confirmed: bool
    known: bool  # False for a branch found without a register row ("herkomst onbekend")


@dataclass(frozen=True)
class Preview:
    """A submission as the site will show it, with everything staff need to decide."""

    submission: Submission
    status: ReviewStatus
    title: str  # "" when the front matter has none
    html: str  # the story page's content, rendered as the site renders it ("" when it has errors)
    problems: list[Problem]  # the validator's, errors first
    consent: ConsentRecord
    front_matter: str  # the raw text between the two '---' lines
    current: StoryEdit  # the editable fields as they are now, to fill the edit form
    photos: tuple[str, ...]  # names :meth:`ReviewDesk.photo` serves for this submission
    has_image: bool  # the front matter has an ``image`` (so alt text and credit can be edited)
    url: str  # where the story will be on the site once published
    commit: str  # the branch's commit this preview shows

    @property
    def has_errors(self) -> bool:
        return any(problem.is_error for problem in self.problems)


@dataclass(frozen=True)
class PublishResult:
    """What ``AANHETWOORD_INTAKE_PUBLISH_COMMAND`` did."""

    command: tuple[str, ...]
    returncode: int | None  # None when it could not start or ran too long
    output: str  # standard output and error together, at most 64 KB
    message: str  # plain Dutch for the page

    @property
    def ok(self) -> bool:
        return self.returncode == 0


@dataclass(frozen=True)
class Accepted:
    submission: Submission  # the row after the decision (``email`` for the "online" mail)
    title: str
    url: str  # the story's address on the site
    commit: str | None  # the merge commit on the base branch (None when the forge merged it)
    request: int | None  # the merged pull/merge request's number when the forge is on
    worktree: merge.Worktree
    publish: PublishResult | None  # None when no publish command is set
    notes: tuple[str, ...] = ()  # plain Dutch remarks for staff (a working tree left behind, …)


@dataclass(frozen=True)
class Declined:
    submission: Submission  # the row after the decision (``email`` for the "declined" mail)
    title: str
    reason: str
    branch_removed: bool
    requests_closed: int = 0


@dataclass
class _Story:
    """A submission's story as it is on its branch."""

    submission: Submission
    tip: str
    path: str  # from the top of the repository, e.g. stories/slug/index.md
    text: bytes

    @property
    def folder(self) -> str:
        return str(PurePosixPath(self.path).parent)


@dataclass
class _Checked:
    story: Story | None
    problems: list[Problem]
    assets: dict[str, Path] = field(default_factory=dict)  # file name → processed file
    html: str = ""


class ReviewDesk:
    """The decisions on submissions, for the staff pages.

    Make one per service with :meth:`for_intake` (or the constructor) and share it; it is safe
    to use from several threads. Every method may block on git: call it in a thread pool.
    """

    def __init__(
        self,
        settings: IntakeSettings,
        store: GitStore,
        register: ConsentRegister,
        site: SiteData,
        stories_path: str,
    ) -> None:
        self.settings = settings
        self.store = store
        self.register = register
        self.site = site
        self.stories_path = stories_path
        self.scratch = settings.data_dir / "redactie"
        self.scratch.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._accepting = threading.Lock()
        self._photos: dict[str, dict[str, Path]] = {}
        self._photos_lock = threading.Lock()

    @classmethod
    def for_intake(cls, intake: Any) -> ReviewDesk:
        """A desk sharing the stores of the running service (:class:`handlers.Intake`)."""
        return cls(intake.settings, intake.store, intake.register, intake.site, intake.stories_path)

    # Reading -----------------------------------------------------------------------------------

    def submission(self, submission_id: str) -> Submission:
        """The register row; :class:`ReviewError` when there is none."""
        found = self.register.get(submission_id)
        if found is None or found.status == PENDING:
            raise ReviewError(f"Er is geen inzending met kenmerk {submission_id}.")
        return found

    def preview(self, submission_id: str, photo_prefix: str = "") -> Preview:
        """The story on the submission's branch, checked and rendered as the site would show it.

        Photos in ``html`` are named relative to the story's page (``abc123def456-800.webp``);
        ``photo_prefix`` is put before each of those names, e.g. ``/redactie/INZ-…/foto/``, for
        a page served at another address. :meth:`photo` returns their bytes."""
        submission = self.submission(submission_id)
        story = self._read(submission)
        checked = self._check(story, story.text, render=True)
        with self._photos_lock:
            self._photos[submission.id] = checked.assets
        html = checked.html
        if photo_prefix:
            for name in sorted(checked.assets, key=len, reverse=True):
                html = re.sub(rf'(?<=["\s,]){re.escape(name)}(?=[\s",])', photo_prefix + name, html)
        try:
            front, fields, has_image = _front_matter(story.text, self._max_front_matter())
        except StoryFileError:
            front, fields = "", StoryEdit()
        title = fields.title or ""
        return Preview(
            submission=submission,
            status=review_status(submission),
            title=title,
            html=html,
            problems=sorted(checked.problems, key=lambda p: (not p.is_error, p.line, p.field)),
            consent=ConsentRecord(
                submission.submitted_at,
                submission.consent_version,
                submission.photo_consent,
                submission.age_confirmed,
                submission.status != UNKNOWN and bool(submission.consent_version),
            ),
            front_matter=front,
            current=fields,
            photos=tuple(sorted(checked.assets)),
            has_image=has_image,
            url=self.story_url(submission.slug),
            commit=story.tip,
        )

    def problems(self, submission_id: str) -> list[Problem]:
        """The validator's problems with the story on the submission's branch (for the inbox).

        Raises :class:`ReviewError` when the submission or its branch is gone."""
        story = self._read(self.submission(submission_id))
        return self._check(story, story.text, render=False).problems

    def photo(self, submission_id: str, name: str) -> tuple[bytes, str] | None:
        """A photo of the preview (a processed variant) or of the story's folder on the branch,
        with its media type; None when there is no such photo."""
        if not name or "/" in name or name.startswith("."):
            return None
        with self._photos_lock:
            known = self._photos.get(submission_id, {}).get(name)
        media = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if known is not None and known.is_file():
            return known.read_bytes(), media
        submission = self.register.get(submission_id)
        if submission is None or name == STORY_FILE:
            return None
        try:
            story = self._read(submission)
            if not self.store.exists(story.tip, f"{story.folder}/{name}"):
                return None
            return self.store.read(story.tip, f"{story.folder}/{name}"), media
        except (ReviewError, GitError):
            return None

    def story_url(self, slug: str) -> str:
        """A story's address on the site: ``site_url`` from mkdocs.yml and the story's URL."""
        settings = self.site.current().settings
        urls = Urls(settings.urls, settings.site_url)
        return urls.absolute(urls.story(slug))

    # Deciding ----------------------------------------------------------------------------------

    def edit(self, submission_id: str, changes: StoryEdit, staff: Author) -> list[Problem]:
        """Change the story on its branch as ``staff``: one commit, only the lines that change.

        Returns the validator's problems with the changes. When one of them is an error, nothing
        was written. Nothing to change writes nothing either. Raises :class:`ReviewError` when
        the submission is not open any more, or its branch changed meanwhile."""
        submission = self.submission(submission_id)
        _refuse_closed(submission)
        story = self._read(submission)
        limit = self._max_front_matter()
        try:
            file = StoryFile(story.text, limit)
            _apply(file, changes, self.site.current().registers)
        except StoryFileError as error:
            return [Problem(story.path, 1, "", str(error))]
        new = file.encode()
        checked = self._check(story, new, render=False)
        if any(problem.is_error for problem in checked.problems) or new == story.text:
            return checked.problems
        message = (
            f"Verhaal aangepast door de redactie: {file.get('title') or submission.slug}\n\n"
            f"Kenmerk: {submission.id}\n"
        )
        commit = self.store.commit_files(story.tip, {story.path: new}, message, author=staff)
        try:
            self.store.move_branch(submission.branch, commit, story.tip, f"redactie: {submission.id}")
        except GitError:
            raise ReviewError(
                "De inzending veranderde terwijl je haar aanpaste. Open haar opnieuw en probeer het nog eens."
            ) from None
        if not self.register.mark_edited(submission.id, staff.name):
            log.warning("submission %s was closed while it was edited", submission.id)
        if self.settings.forge is not None:
            try:
                self.store.push(self.settings.forge.remote, submission.branch)
            except GitError as error:
                log.error("could not push the edit of %s: %s", submission.id, error)
        log.info("submission %s edited by %s", submission.id, staff.name)
        return checked.problems

    def accept(self, submission_id: str, staff: Author) -> Accepted:
        """Publish the submission: merge its branch into the base branch as ``staff``.

        Refuses (:class:`ReviewError`) a withdrawn, accepted or declined submission, one without
        consent on record, one whose story has errors, and a merge with a conflict; then nothing
        changed. With a forge, its pull/merge request is merged through the forge's API instead.
        Afterwards the publish command runs, if one is set."""
        with self._accepting:  # one merge at a time in this process; other writers are detected
            submission = self.submission(submission_id)
            _refuse_closed(submission)
            if submission.status == UNKNOWN:
                raise ReviewError(
                    "Van deze inzending staat geen toestemming in het register (herkomst onbekend). "
                    "Plaats haar niet; vraag de beheerder om uit te zoeken waar ze vandaan komt."
                )
            story = self._read(submission)
            checked = self._check(story, story.text, render=False)
            errors = [problem for problem in checked.problems if problem.is_error]
            if errors or checked.story is None:
                raise ReviewError(
                    f"Het verhaal heeft nog {plural(len(errors), 'probleem', 'problemen')}. "
                    "Los die eerst op, "
                    "dan kun je het plaatsen."
                )
            title = checked.story.title
            notes: list[str] = []
            commit: str | None = None
            request: int | None = None
            worktree = merge.Worktree.NONE
            if self.settings.forge is not None:
                request = self._merge_on_forge(submission, story, title, staff)
            else:
                commit, worktree = self._merge(submission, story, title, staff)
            if not self.register.record_decision(submission.id, ACCEPTED, staff.name):
                log.error("submission %s was withdrawn while it was accepted", submission.id)
                notes.append(
                    "Let op: de verteller trok dit verhaal in terwijl je het plaatste. Haal het van de "
                    f"site met: aanhetwoord withdraw {submission.slug}"
                )
            if worktree is merge.Worktree.BEHIND:
                notes.append(
                    "De map met de site op de server heeft eigen wijzigingen en is niet bijgewerkt. "
                    "Het verhaal staat wel in de hoofdbranch."
                )
        log.info("submission %s accepted by %s", submission.id, staff.name)
        publish = self._publish(submission.id)
        return Accepted(
            submission=self.submission(submission.id),
            title=title,
            url=self.story_url(submission.slug),
            commit=commit,
            request=request,
            worktree=worktree,
            publish=publish,
            notes=tuple(notes),
        )

    def decline(self, submission_id: str, reason: str, staff: Author) -> Declined:
        """Decline the submission with ``reason`` (plain Dutch, for the resident), as ``staff``.

        The register records the decision first, then the branch is removed (and its pull/merge
        request closed with the reason when the forge is on). Refuses (:class:`ReviewError`) an
        empty reason and a submission that is withdrawn, accepted or declined already."""
        reason = multi_line(reason)
        if not reason:
            raise ReviewError("Kies of schrijf een reden. De verteller krijgt die te lezen.")
        if len(reason) > REASON_MAX:
            raise ReviewError(f"De reden mag hoogstens {REASON_MAX} tekens zijn.")
        submission = self.submission(submission_id)
        _refuse_closed(submission)
        tip = self.store.resolve(f"refs/heads/{submission.branch}")
        title = ""
        if tip is not None:
            try:
                title = _title(self._read(submission).text, self._max_front_matter())
            except (ReviewError, StoryFileError, GitError):
                title = ""
        if not self.register.record_decision(submission.id, DECLINED, staff.name, reason):
            raise ReviewError(_closed_message(self.submission(submission.id)))
        removed = False
        if tip is not None:
            try:
                self.store.delete_branch(submission.branch, tip)
                removed = True
            except GitError as error:
                log.error("could not remove branch %s: %s", submission.branch, error)
        closed = 0
        if self.settings.forge is not None:
            try:
                closed = forge.decline(
                    self.settings.forge, submission.branch, decline_note(submission.id, reason)
                )
            except forge.ForgeError as error:
                log.error("could not close the request for %s: %s", submission.branch, error)
        log.info("submission %s declined by %s", submission.id, staff.name)
        return Declined(self.submission(submission.id), title, reason, removed, closed)

    # The steps ---------------------------------------------------------------------------------

    def _merge(
        self, submission: Submission, story: _Story, title: str, staff: Author
    ) -> tuple[str, merge.Worktree]:
        repo = self.store.repo
        ref = merge.branch_ref(repo, self.store.base_ref())
        message = f"Verhaal geplaatst: {title}\n\nKenmerk: {submission.id}\nGeaccepteerd door: {staff.name}\n"
        for _ in range(_MERGE_ATTEMPTS):
            old = repo.resolve(ref)
            if old is None:
                raise ReviewError(f"De hoofdbranch {ref} bestaat niet.")
            if repo.is_ancestor(story.tip, old):
                return old, merge.Worktree.NONE  # merged by hand already
            try:
                commit = merge.merge_commit(repo, old, story.tip, message, staff)
            except merge.MergeConflict as conflict:
                raise ReviewError(
                    "Dit verhaal botst met wat al op de site staat ("
                    + ", ".join(conflict.paths)
                    + "). Er is niets veranderd. Vraag de beheerder om het met git samen te voegen."
                ) from None
            # The resident may withdraw at this moment: merge only what was checked, while open.
            if self.store.resolve(f"refs/heads/{submission.branch}") != story.tip:
                raise ReviewError("De inzending veranderde net. Open haar opnieuw en kijk wat er anders is.")
            current = self.register.get(submission.id)
            if current is None or current.status not in (SUBMITTED, UNKNOWN):
                raise ReviewError(_closed_message(current or submission))
            try:
                merge.advance(repo, ref, commit, old, f"redactie: {submission.id} geplaatst")
            except merge.BaseMoved:
                log.info("the base branch moved while %s was merged; merging again", submission.id)
                continue
            return commit, merge.update_worktrees(repo, ref, old, commit)
        raise ReviewError("De hoofdbranch bleef veranderen. Probeer het over een minuut opnieuw.")

    def _merge_on_forge(self, submission: Submission, story: _Story, title: str, staff: Author) -> int:
        assert self.settings.forge is not None
        change = forge.Change(
            submission.branch,
            f"Verhaal: {title}",
            f"Ingestuurd via het formulier. Kenmerk: {submission.id}.",
        )
        try:
            return forge.merge(
                self.settings.forge, self.store, change, f"Verhaal geplaatst: {title} ({staff.name})"
            )
        except (forge.ForgeError, GitError) as error:
            log.error("could not merge %s on %s: %s", submission.branch, self.settings.forge.kind, error)
            raise ReviewError(
                "Samenvoegen op de forge lukte niet. Er is niets veranderd. Kijk op de forge of het "
                "verzoek open staat en geen conflict heeft, of vraag de beheerder."
            ) from None

    def _publish(self, submission_id: str) -> PublishResult | None:
        command = self.settings.publish_command
        if not command:
            return None
        environment = {**os.environ, "AANHETWOORD_INTAKE_ACCEPTED": submission_id}
        try:
            result = subprocess.run(
                list(command),
                cwd=self.settings.repository,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                timeout=self.settings.publish_timeout_seconds,
                env=environment,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            output = _output(error.stdout or b"")
            seconds = round(self.settings.publish_timeout_seconds)
            message = f"Het publiceren duurde langer dan {seconds} seconden en is gestopt."
            log.error("publish command for %s timed out", submission_id)
            return PublishResult(command, None, output, message)
        except OSError as error:
            message = f"Het publiceren kon niet beginnen: {error.strerror or error}."
            log.error("publish command for %s could not start: %s", submission_id, error)
            return PublishResult(command, None, "", message)
        if result.returncode == 0:
            message = "Het publiceren is gelukt."
        else:
            message = (
                f"Het publiceren is mislukt (foutcode {result.returncode}). Lees hieronder wat er misging."
            )
            log.error("publish command for %s ended with %d", submission_id, result.returncode)
        return PublishResult(command, result.returncode, _output(result.stdout), message)

    def _read(self, submission: Submission) -> _Story:
        tip = self.store.resolve(f"refs/heads/{submission.branch}")
        if tip is None:
            raise ReviewError(f"De branch {submission.branch} van deze inzending bestaat niet meer.")
        path = f"{self.stories_path}/{submission.slug}/{STORY_FILE}"
        if not self.store.exists(tip, path):
            found = [
                name
                for name in self.store.grep(tip, submission.id, self.stories_path)
                if name.endswith(f"/{STORY_FILE}")
            ]
            if not found:
                raise ReviewError(f"Op de branch {submission.branch} staat geen verhaal met dit kenmerk.")
            path = found[0]
        return _Story(submission, tip, path, self.store.read(tip, path))

    def _max_front_matter(self) -> int:
        return self.site.current().settings.max_front_matter_bytes

    def _check(self, story: _Story, text: bytes, *, render: bool) -> _Checked:
        """Validate ``text`` as the story's file, with its photos from the branch beside it; and
        render it as the site would when ``render``."""
        site = self.site.current()
        settings = site.settings
        folder_name = PurePosixPath(story.folder).name
        with tempfile.TemporaryDirectory(dir=self.scratch, prefix="verhaal-") as scratch:
            folder = Path(scratch) / folder_name
            folder.mkdir()
            for name in self.store.names(story.tip, story.folder):
                if name != STORY_FILE and _safe_name(name):
                    try:
                        content = self.store.read(story.tip, f"{story.folder}/{name}")
                    except GitError:
                        continue  # a folder, not a file
                    (folder / name).write_bytes(content)
            index = folder / STORY_FILE
            index.write_bytes(text)
            source = StorySource(slug=folder_name, path=index, display_path=story.path)
            try:
                decoded = text.decode("utf-8")
            except UnicodeDecodeError:
                return _Checked(None, [Problem(story.path, 1, "", "het bestand is geen UTF-8-tekst")])
            parse_story_text(source, decoded, settings.max_front_matter_bytes)
            checked, problems = validate(source, site.registers, settings.current_date())
            if checked is not None:
                kept, more = validate_collection([checked], {index: story.path})
                problems = problems + more
                checked = kept[0] if kept else None
            result = _Checked(checked, problems)
            if render and checked is not None:
                self._render(checked, settings, site.registers, result, story.path)
        return result

    def _render(self, story: Story, settings: Any, registers: Any, result: _Checked, shown: str) -> None:
        cache = PhotoCache(self.scratch / "fotos", settings.photos)
        photos = process_all([story.folder / name for name in story.assets], cache, prune=False)
        for name in story.assets:
            message = photos.errors.get(story.folder / name)
            if message is not None:
                result.problems.append(Problem(shown, 1, "foto", message))
                return
        catalogue = build_catalogue(
            [story],
            registers.neighbourhoods,
            registers.themes,
            settings.current_date(),
            preview=True,
            home_count=settings.home_count,
            related_min=settings.related_min,
            related_max=settings.related_max,
        )
        urls = PhotoUrls(Urls(settings.urls, settings.site_url), photos.photos, {})
        renderer = Renderer(settings, catalogue, [], urls, self._templates())
        page = renderer.stories.story_page(story, preview=story not in catalogue.stories)
        content = page.content
        for key, html in page.deferred.items():
            content = content.replace(key, html)
        result.html = content
        result.assets = {PurePosixPath(url).name: path for url, path in page.assets.items()}

    def _templates(self) -> Path | None:
        """The site's own templates folder (the plugin's ``templates`` option), if it has one."""
        config_file = self.settings.config_file
        try:
            config = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506
        except (OSError, yaml.YAMLError, UnicodeDecodeError):
            return None
        options = plugin_options(config) if isinstance(config, dict) else None
        name = options.get("templates") if isinstance(options, dict) else None
        return config_file.parent / name if isinstance(name, str) and name else None


class _Loader(yaml.SafeLoader):
    """Reads mkdocs.yml, leaving its ``!!python/name`` and ``!ENV`` tags as plain values."""


_Loader.add_multi_constructor("", lambda loader, suffix, node: None)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def decline_note(submission_id: str, reason: str) -> str:
    """The note on a pull/merge request that staff declined (Dutch, for staff on the forge)."""
    return f"De redactie heeft deze inzending (kenmerk {submission_id}) niet geplaatst.\n\nReden: {reason}"


def _refuse_closed(submission: Submission) -> None:
    if submission.status not in (SUBMITTED, UNKNOWN):
        raise ReviewError(_closed_message(submission))


def _closed_message(submission: Submission) -> str:
    status = review_status(submission)
    if status is ReviewStatus.INGETROKKEN:
        return "De verteller heeft deze inzending ingetrokken. Je kunt haar niet meer plaatsen of aanpassen."
    if status is ReviewStatus.AFGEWEZEN:
        return "Deze inzending is al afgewezen."
    return "Deze inzending is al geplaatst."


def _apply(file: StoryFile, changes: StoryEdit, registers: Any) -> None:
    """Put ``changes`` in ``file``, only where they differ from what it holds."""
    if changes.title is not None:
        file.set("title", one_line(changes.title))
    if changes.summary is not None:
        summary = one_line(changes.summary)
        if summary:
            file.set("summary", summary)
        else:
            file.remove("summary")
    if changes.community is not None:
        names = [changes.community] if isinstance(changes.community, str) else list(changes.community)
        names = list(dict.fromkeys(name for name in (one_line(n) for n in names) if name))
        current = file.get("community")
        if not (isinstance(current, str) and names == [current]) and names != current:
            file.set("community", names[0] if len(names) == 1 and not isinstance(current, list) else names)
    for key, chosen, register in (
        ("neighbourhoods", changes.neighbourhoods, registers.neighbourhoods),
        ("themes", changes.themes, registers.themes),
    ):
        if chosen is not None:
            names = [one_line(value) for value in chosen if one_line(value)]
            names = list(dict.fromkeys((entry.name if (entry := register.find(n)) else n) for n in names))
            if names != file.get(key):
                file.set(key, names)
    if changes.photo_alt is not None or changes.photo_credit is not None:
        if not isinstance(file.get("image"), dict):
            raise StoryFileError("dit verhaal heeft geen foto; een beschrijving of maker kan er niet bij")
        if changes.photo_alt is not None:
            file.set(("image", "alt"), one_line(changes.photo_alt))
        if changes.photo_credit is not None:
            credit = one_line(changes.photo_credit)
            if credit:
                file.set(("image", "credit"), credit)
            else:
                file.remove(("image", "credit"))
    if changes.body is not None:
        body = multi_line(changes.body)
        if body != multi_line(file.body):
            file.set_body(body + "\n" if body else "")


def _front_matter(text: bytes, limit: int) -> tuple[str, StoryEdit, bool]:
    """The raw front matter, the editable fields of a story file, and whether it has an image."""
    file = StoryFile(text, limit)
    lines = file.text.splitlines(keepends=True)
    closing = next(index for index in range(1, len(lines)) if lines[index].strip().startswith("---"))
    image = file.get("image")
    community = file.get("community")
    return (
        "".join(lines[1:closing]),
        StoryEdit(
            title=_as_text(file.get("title")),
            summary=_as_text(file.get("summary")),
            body=file.body,
            community=community if isinstance(community, list) else _as_text(community),
            neighbourhoods=[str(item) for item in file.get("neighbourhoods") or [] if item is not None],
            themes=[str(item) for item in file.get("themes") or [] if item is not None],
            photo_alt=_as_text(image.get("alt")) if isinstance(image, dict) else None,
            photo_credit=_as_text(image.get("credit")) if isinstance(image, dict) else None,
        ),
        isinstance(image, dict),
    )


def _title(text: bytes, limit: int) -> str:
    return _as_text(StoryFile(text, limit).get("title")) or ""


def _as_text(value: Any) -> str | None:
    return None if value is None else str(value)


def _safe_name(name: str) -> bool:
    return bool(name) and not name.startswith(".") and "/" not in name and name == os.path.basename(name)


def _output(data: bytes | str) -> str:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return text[-OUTPUT_MAX:]
