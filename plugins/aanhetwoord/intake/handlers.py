"""What the service does for each request; :mod:`app` wires these handlers to their addresses.

:class:`Intake` holds what every request shares: the settings, the stores, the pages
(:mod:`pages`) and the photos kept between tries (:mod:`attempts`). The steps a post goes
through are described in :mod:`app`.
"""

from __future__ import annotations

import logging
import mimetypes
import re
import time
from pathlib import Path

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response

from .. import brand
from . import crashpoint, forge, recovery, wording
from .abuse import AbuseStore, FormTokens, TokenState, client_address, honeypot_filled
from .attempts import Attempts, clean_data_folder
from .form import FIELDS, LONG_FIELDS, SERVICE_FIELDS, Errors, Values, check
from .form import Limits as FormLimits
from .gitstore import Author, GitStore
from .mail import Mailer
from .pages import Pages
from .register import ConsentRegister, Submission
from .settings import IntakeSettings, SettingsError
from .sitedata import SiteData
from .submission import Submitter
from .upload import BadPost, Limits, Post, TooLarge, read_post
from .withdrawal import Outcome, loggable, withdraw, withdrawal_note

HERE = Path(__file__).parent
WITHDRAWAL_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
CLEAN_EVERY_SECONDS = 600

log = logging.getLogger("aanhetwoord.intake")


class Intake:
    """The service's state: settings, stores and templates, shared by every request."""

    def __init__(self, settings: IntakeSettings) -> None:
        self.settings = settings
        self.site = SiteData(settings.config_file)
        stories_dir = self.site.current().settings.stories_dir.resolve()
        try:
            self.stories_path = stories_dir.relative_to(settings.repository).as_posix()
        except ValueError:
            raise SettingsError(f"de verhalen ({stories_dir}) staan niet in {settings.repository}") from None
        self.tokens = FormTokens(settings.secret, settings.min_seconds, settings.max_age_seconds)
        self.abuse = AbuseStore(settings.abuse_file, settings.secret)
        self.register = ConsentRegister(settings.register_file)
        self.store = GitStore(
            settings.repository,
            settings.work_dir,
            Author(settings.author_name, settings.author_email),
            settings.base,
        )
        self.store.base_commit()  # fail at start, not at the first resident, when there is no base
        # Held while the service runs (the kernel lets go when the process dies, also on kill -9):
        # a second process then knows that recent pending rows and files may still be in use.
        self.lock = recovery.take_lock(settings.data_dir)
        self.recovered = recovery.reconcile(settings, self.register, self.store, alone=self.lock is not None)
        recovery.log_report(self.recovered)
        self.submitter = Submitter(self.store, self.register, self.stories_path)
        self.consent_version = wording.consent_version(settings.purge_days, settings.mail is not None)
        self.attempts = Attempts(settings, self.site)
        self.pages = Pages(settings, self.site)
        self.mail = Mailer(settings, self.site)
        self.limits = Limits(
            request_bytes=settings.max_request_bytes,
            photo_bytes=settings.photo_max_bytes,
            field_bytes=16 * 1024,
            long_field_bytes=max(64 * 1024, 4 * settings.body_max_chars + 1024),
            long_fields=LONG_FIELDS,
            allowed=frozenset(FIELDS + SERVICE_FIELDS),
            dropped_when_too_long=frozenset(SERVICE_FIELDS),
        )
        self._cleaned = 0.0

    # The form ----------------------------------------------------------------------------------

    async def show_form(self, request: Request) -> Response:
        await run_in_threadpool(self.clean_up)
        return self.pages.form(request, 200, Values(), Errors(), self.tokens.issue())

    async def submit(self, request: Request) -> Response:
        address = client_address(
            request.client.host if request.client else None,
            request.headers.get("x-forwarded-for"),
            self.settings.trusted_proxies,
        )
        allowed = await run_in_threadpool(
            self.abuse.allow, address, self.settings.rate_limit, self.settings.rate_window_seconds
        )
        if not allowed:
            minutes = max(1, round(self.settings.rate_window_seconds / 60))
            response = self.pages.message(request, 429, wording.too_many_posts(minutes))
            response.headers["Retry-After"] = str(self.settings.rate_window_seconds)
            return response
        try:
            post = await read_post(
                request.headers.get("content-type", ""),
                request.headers.get("content-length"),
                request.stream(),
                self.limits,
                self.settings.uploads_dir,
            )
        except TooLarge as error:
            return self.pages.message(request, 413, wording.too_large(str(error)))
        except BadPost as error:
            return self.pages.message(request, 400, wording.bad_post(str(error)))
        except ClientDisconnect:
            return Response(status_code=400)
        crashpoint.reached("upload-written")
        try:
            return await run_in_threadpool(self._handle, request, post)
        finally:
            post.discard()

    def _handle(self, request: Request, post: Post) -> Response:
        values = Values.from_post(post)
        values.website = ""  # never shown again, whatever was in it
        if honeypot_filled(post.value("website")):
            log.info("refused a post with the honeypot filled in")
            errors = Errors()
            errors.add("", wording.HONEYPOT_FILLED)
            return self.pages.form(
                request, 400, values, errors, self.tokens.issue(), self.attempts.kept(post)
            )
        token = self.tokens.read(post.value("token"))
        if token is None:
            errors = Errors()
            errors.add("", wording.BAD_TOKEN)
            return self.pages.form(
                request, 400, values, errors, self.tokens.issue(), self.attempts.kept(post)
            )
        if not self.abuse.use_token(token.id):
            return self.pages.message(request, 409, wording.ALREADY_SENT)
        state = self.tokens.timing(token)
        if state is not TokenState.OK:
            errors = Errors()
            errors.add("", wording.TOO_FAST if state is TokenState.TOO_FAST else wording.TOO_OLD)
            if post.photo_path is not None:
                # Not checked yet, so not kept: checking costs time a robot should not get.
                errors.add("photo", wording.CHOOSE_PHOTO_AGAIN)
            retry = self.tokens.issue(first=token.first)
            return self.pages.form(request, 422, values, errors, retry, self.attempts.kept(post))

        errors = Errors()
        kept = self.attempts.photo(post, errors)
        photo = kept[1] if kept else None
        site = self.site.current()
        today = site.settings.current_date()
        reference, short = self.submitter.new_reference(today)
        accepted = check(
            values,
            photo=photo,
            registers=site.registers,
            today=today,
            reference=reference,
            folder=photo.path.parent if photo else self.settings.attempts_dir / "geen-foto",
            limits=FormLimits(self.settings.body_max_chars, site.settings.max_front_matter_bytes),
            errors=errors,
        )
        if accepted is None:
            return self.pages.form(request, 422, values, errors, self.tokens.issue(first=token.first), kept)
        receipt = self.submitter.submit(
            accepted,
            reference=reference,
            short=short,
            today=today,
            consent_version=self.consent_version,
            age_confirmed=values.age_confirm,
            email=values.email,
        )
        self.attempts.forget(kept)
        self._mail_receipt(request, receipt.submission_id, receipt.withdrawal_token, accepted.story.title)
        # Post/redirect/get: the confirmation has an address of its own, so reloading it shows
        # the withdrawal link again instead of sending the form a second time.
        response = RedirectResponse(
            f"{self.pages.base_path(request)}bedankt/{receipt.withdrawal_token}",
            status_code=303,
            headers={"Cache-Control": "no-store"},
        )
        if self.settings.forge is not None:
            change = forge.Change(
                receipt.branch,
                f"Verhaal: {accepted.story.title}",
                f"Ingestuurd via het formulier. Kenmerk: {receipt.submission_id}.\n\n"
                "De toestemming staat in het toestemmingsregister van het formulier.",
            )
            response.background = BackgroundTask(forge.publish, self.settings.forge, self.store, change)
        return response

    # The confirmation and the withdrawal link --------------------------------------------------

    async def thanks(self, request: Request) -> Response:
        """The confirmation page; its address carries the private token, like the withdrawal link."""
        submission = await self._submission(request)
        if submission is None:
            return self.pages.message(request, 404, wording.UNKNOWN_LINK)
        token = request.path_params["token"]
        return self.pages.page(
            request,
            "thanks.html",
            200,
            reference=submission.id,
            link=f"{self.pages.public_base(request)}intrekken/{token}",
            email=bool(submission.email),
            mailed=bool(submission.email) and self.mail.enabled,
        )

    async def withdraw_page(self, request: Request) -> Response:
        submission = await self._submission(request)
        if submission is None:
            return self.pages.message(request, 404, wording.UNKNOWN_LINK)
        return self.pages.page(request, "withdraw.html", 200, submission=submission, done=None)

    async def withdraw(self, request: Request) -> Response:
        submission = await self._submission(request)
        if submission is None:
            return self.pages.message(request, 404, wording.UNKNOWN_LINK)
        site = self.site.current()
        result = await run_in_threadpool(
            withdraw,
            submission,
            self.store,
            self.register,
            self.stories_path,
            site.settings.max_front_matter_bytes,
            site.settings.current_date(),
        )
        if result.outcome is not Outcome.ALREADY:
            published = result.outcome is Outcome.BRANCH
            await run_in_threadpool(self._mail_withdrawal, request, submission, result.branch, published)
        response = self.pages.page(
            request, "withdraw.html", 200, submission=submission, done=result.outcome.value
        )
        if result.outcome is Outcome.BRANCH and result.branch and self.settings.forge is not None:
            change = forge.Change(
                result.branch,
                f"Intrekking: {submission.slug}",
                f"De verteller heeft het verhaal ingetrokken via de privélink. Kenmerk: {submission.id}.",
            )
            response.background = BackgroundTask(forge.publish, self.settings.forge, self.store, change)
        elif result.closed and self.settings.forge is not None:
            response.background = BackgroundTask(
                forge.close, self.settings.forge, self.store, result.closed, withdrawal_note(submission.id)
            )
        return response

    # Mail (queued only; the sender task delivers it, and trouble never fails the resident) ------

    def _mail_receipt(self, request: Request, submission_id: str, token: str, title: str) -> None:
        if not self.mail.enabled:
            return
        try:
            submission = self.register.get(submission_id)
        except Exception:  # the story is in; a mail that cannot be queued must not undo that
            log.exception("could not read submission %s for its mail", submission_id)
            return
        if submission is None:
            return
        base = self.pages.public_base(request)
        self.mail.queue_receipt(submission, title, f"{base}intrekken/{token}")
        self.mail.queue_staff_new(submission, title, f"{base}redactie/{submission_id}")

    def _mail_withdrawal(
        self, request: Request, submission: Submission, branch: str | None, published: bool
    ) -> None:
        if not self.mail.enabled:
            return
        self.mail.queue_withdrawn(submission)
        base = self.pages.public_base(request)
        self.mail.queue_staff_withdrawn(submission, branch, f"{base}redactie/{submission.id}", published)

    async def _submission(self, request: Request) -> Submission | None:
        token = request.path_params.get("token", "")
        if not WITHDRAWAL_TOKEN.match(token):
            return None
        return await run_in_threadpool(self.register.by_token, token)

    # The house style, health and errors ----------------------------------------------------------

    async def stylesheet(self, request: Request) -> Response:
        # The form's own rules, then the municipality's house colours from the site's settings.
        css = (HERE / "static" / "intake.css").read_text(encoding="utf-8")
        css += brand.stylesheet(self.site.current().settings.brand, scheme_selectors=False)
        return Response(css, media_type="text/css", headers={"Cache-Control": "max-age=3600"})

    async def house_image(self, request: Request) -> Response:
        path = self.pages.house_file(request.url.path.rstrip("/").rsplit("/", 1)[-1])
        if path is None:
            return PlainTextResponse(wording.FILE_NOT_FOUND, status_code=404)
        media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return FileResponse(path, media_type=media, headers={"Cache-Control": "max-age=3600"})

    async def health(self, request: Request) -> Response:
        return PlainTextResponse("ok")

    async def not_found(self, request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 404
        if status == 405:
            return self.pages.message(request, 405, wording.NOT_ALLOWED)
        return self.pages.message(request, 404, wording.NOT_FOUND)

    async def server_error(self, request: Request, exc: Exception) -> Response:
        log.exception("error while handling %s", loggable(request.url.path), exc_info=exc)
        return self.pages.message(request, 500, wording.SERVER_ERROR)

    # Housekeeping ------------------------------------------------------------------------------

    def clean_up(self) -> None:
        """Tidy the data folder now and then, while residents use the form."""
        now = time.time()
        if now - self._cleaned >= CLEAN_EVERY_SECONDS:
            self._cleaned = now
            clean_data_folder(self.settings, self.abuse, now)
