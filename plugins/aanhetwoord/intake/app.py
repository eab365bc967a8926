"""The intake web service: the story form, the confirmation page and the withdrawal link.

``create_app(settings)`` returns a Starlette application; ``aanhetwoord intake`` serves it with
uvicorn. A post goes through these steps, and stops at the first that refuses it:

1. the rate limit for the sender's address (nothing of the post is read before this);
2. reading the post within the size limits (:mod:`upload`);
3. the honeypot and the signed, single-use form token (:mod:`abuse`);
4. the photo, checked and re-encoded without metadata (:mod:`photo`);
5. the fields, through the project's validator (:mod:`form`);
6. a pending row in the consent register, one commit on a new branch, the row completed
   (:mod:`submission`);
7. a redirect to the confirmation page ``/bedankt/<token>``, which can be reloaded.

Until step 6 nothing is written to git or to the register; the photo as it arrived is deleted
in step 4. At start the service puts right what a crash left behind (:mod:`recovery`). Every
page is rendered on the server, works without JavaScript and loads nothing from another host.
"""

from __future__ import annotations

import logging
import mimetypes
import re
import secrets
import shutil
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup, escape
from PIL import Image
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import brand
from ..model import RegisterEntry
from ..photos import PhotoError
from ..settings import PhotoSettings
from . import crashpoint, forge, recovery, wording
from .abuse import AbuseStore, FormTokens, TokenState, client_address, honeypot_filled
from .form import FIELDS, LONG_FIELDS, SERVICE_FIELDS, Errors, Values, check
from .form import Limits as FormLimits
from .gitstore import Author, GitStore
from .photo import FILE_NAME, PreparedPhoto, prepare
from .register import ConsentRegister, Submission
from .settings import IntakeSettings, SettingsError
from .sitedata import SiteData
from .submission import Submitter
from .upload import BadPost, Limits, Post, TooLarge, read_post
from .withdrawal import Outcome, loggable, withdraw, withdrawal_note

HERE = Path(__file__).parent
KEPT_ID = re.compile(r"^[0-9a-f]{32}$")
WITHDRAWAL_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
FORBIDDEN_IN_FILENAME = re.compile(r"[/\\\x00-\x1f\x7f]|\.\.")
CLEAN_EVERY_SECONDS = 600
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        b"base-uri 'none'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    # The withdrawal link is a secret in the address: it must never travel on in a Referer.
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]

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
        self.consent_version = wording.consent_version(settings.purge_days)
        self.photo_slots = threading.BoundedSemaphore(settings.photo_workers)
        self.limits = Limits(
            request_bytes=settings.max_request_bytes,
            photo_bytes=settings.photo_max_bytes,
            field_bytes=16 * 1024,
            long_field_bytes=max(64 * 1024, 4 * settings.body_max_chars + 1024),
            long_fields=LONG_FIELDS,
            allowed=frozenset(FIELDS + SERVICE_FIELDS),
            dropped_when_too_long=frozenset(SERVICE_FIELDS),
        )
        self.templates = Environment(
            loader=FileSystemLoader(HERE / "templates"), autoescape=True, trim_blocks=True, lstrip_blocks=True
        )
        self.templates.globals["aria"] = aria
        self._cleaned = 0.0

    # Pages -----------------------------------------------------------------------------------

    def page(self, request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("contact", self.settings.contact)
        site = self.site.current().settings
        context.setdefault("site_name", site.site_name)
        context.setdefault("logo", bool(self.house_file("logo")))
        context.setdefault("favicon", bool(self.house_file("favicon")))
        html = self.templates.get_template(template).render(base=self.base_path(request), **context)
        return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})

    def message(
        self, request: Request, status: int, title: str, *paragraphs: str, again: bool = True
    ) -> HTMLResponse:
        return self.page(request, "message.html", status, title=title, paragraphs=paragraphs, again=again)

    def base_path(self, request: Request) -> str:
        return (self.settings.root_path or request.scope.get("root_path", "")).rstrip("/") + "/"

    def public_base(self, request: Request) -> str:
        if self.settings.public_url:
            return self.settings.public_url
        base = str(request.base_url)
        root = self.settings.root_path
        if root and not base.rstrip("/").endswith(root):
            base = base.rstrip("/") + root + "/"
        return base

    def form_page(
        self,
        request: Request,
        status: int,
        values: Values,
        errors: Errors,
        token: str,
        kept: tuple[str, PreparedPhoto] | None = None,
    ) -> HTMLResponse:
        site = self.site.current()
        return self.page(
            request,
            "form.html",
            status,
            values=values,
            errors=errors,
            token=token,
            kept_id=kept[0] if kept else "",
            kept=kept[1] if kept else None,
            neighbourhoods=site.registers.neighbourhoods.entries,
            themes=site.registers.themes.entries,
            chosen_neighbourhoods=_chosen(values.neighbourhoods, site.registers.neighbourhoods.find),
            chosen_themes=_chosen(values.themes, site.registers.themes.find),
            labels=wording.LABELS,
            texts=wording,
            email_note=wording.email_note(self.settings.purge_days),
            photo_megabytes=self.settings.photo_max_bytes // (1024 * 1024),
            body_max=self.settings.body_max_chars,
        )

    # Routes ----------------------------------------------------------------------------------

    async def show_form(self, request: Request) -> Response:
        await run_in_threadpool(self.clean_up)
        return self.form_page(request, 200, Values(), Errors(), self.tokens.issue())

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
            response = self.message(
                request,
                429,
                "Even wachten",
                "Er zijn vanaf jouw internetadres veel formulieren verstuurd. "
                "Daarom nemen we nu even niets aan.",
                f"Probeer het over {minutes} minuten opnieuw. Je verhaal is niet verstuurd.",
                "Ga terug met de knop Vorige van je browser: meestal staat je tekst er dan nog. "
                "Bewaar je tekst zo nodig even ergens anders.",
            )
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
            return self.message(request, 413, "Dit is te groot", str(error), "Je verhaal is niet verstuurd.")
        except BadPost as error:
            return self.message(
                request,
                400,
                "Dit ging niet goed",
                f"Het formulier kwam niet goed aan: {error}.",
                "Probeer het opnieuw.",
            )
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
            errors.add(
                "",
                "Het veld 'Laat dit veld leeg' is ingevuld. Dat doen alleen computers die spam sturen. "
                "Je verhaal is niet verstuurd. Kijk alles na en verstuur het opnieuw.",
            )
            return self.form_page(request, 400, values, errors, self.tokens.issue(), self._kept(post))
        token = self.tokens.read(post.value("token"))
        if token is None:
            errors = Errors()
            errors.add(
                "", "Het formulier kwam niet goed aan. Je verhaal is niet verstuurd. Verstuur het opnieuw."
            )
            return self.form_page(request, 400, values, errors, self.tokens.issue(), self._kept(post))
        if not self.abuse.use_token(token.id):
            return self.message(
                request,
                409,
                "Dit formulier is al verstuurd",
                "Je hebt dit formulier al een keer verstuurd. "
                "Kreeg je toen een bedankpagina met een kenmerk? "
                "Dan is je verhaal goed aangekomen en hoef je niets meer te doen.",
            )
        state = self.tokens.timing(token)
        if state is not TokenState.OK:
            errors = Errors()
            if state is TokenState.TOO_FAST:
                errors.add(
                    "",
                    "Dat ging heel snel. Kijk alles nog even na en verstuur het formulier dan opnieuw.",
                )
            else:
                errors.add(
                    "",
                    "Het formulier stond lang open. Daarom moet je het nog een keer versturen. "
                    "Je tekst staat er nog.",
                )
            if post.photo_path is not None:
                # Not checked yet, so not kept: checking costs time a robot should not get.
                errors.add("photo", "Kies je foto opnieuw.")
            retry = self.tokens.issue(first=token.first)
            return self.form_page(request, 422, values, errors, retry, self._kept(post))

        errors = Errors()
        kept = self._photo(post, errors)
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
            return self.form_page(request, 422, values, errors, self.tokens.issue(first=token.first), kept)
        receipt = self.submitter.submit(
            accepted,
            reference=reference,
            short=short,
            today=today,
            consent_version=self.consent_version,
            age_confirmed=values.age_confirm,
            email=values.email,
        )
        if kept is not None:
            shutil.rmtree(self.settings.attempts_dir / kept[0], ignore_errors=True)
        # Post/redirect/get: the confirmation has an address of its own, so reloading it shows
        # the withdrawal link again instead of sending the form a second time.
        response = RedirectResponse(
            f"{self.base_path(request)}bedankt/{receipt.withdrawal_token}",
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

    def _photo(self, post: Post, errors: Errors) -> tuple[str, PreparedPhoto] | None:
        """The photo for this attempt: a new upload (checked and cleaned), or the one kept before."""
        if post.photo_filename and FORBIDDEN_IN_FILENAME.search(post.photo_filename):
            # Browsers send only a file's own name; a path here was written by hand.
            errors.add(
                "photo",
                "De naam van het bestand kan niet. Geef je foto een gewone naam, zoals foto.jpg, "
                "en kies hem opnieuw.",
            )
            post.discard()
            return None
        if post.photo_too_large:
            errors.add(
                "photo",
                f"Je foto is groter dan {self.settings.photo_max_bytes // (1024 * 1024)} MB. "
                "Kies een kleinere foto.",
            )
            return None
        if post.photo_path is not None and post.photo_size > 0:
            attempt = secrets.token_hex(16)
            folder = self.settings.attempts_dir / attempt
            folder.mkdir(mode=0o700)
            site = self.site.current()
            try:
                with self.photo_slots:
                    photo = prepare(
                        post.photo_path, folder / FILE_NAME, self._photo_settings(site.settings.photos)
                    )
                crashpoint.reached("photo-cleaned")
            except PhotoError as error:
                shutil.rmtree(folder, ignore_errors=True)
                errors.add("photo", f"{error} Kies een andere foto.")
                return None
            finally:
                post.discard()
            previous = self._kept(post)
            if previous is not None:
                shutil.rmtree(self.settings.attempts_dir / previous[0], ignore_errors=True)
            return attempt, photo
        if post.value("photo_remove"):
            previous = self._kept(post)
            if previous is not None:
                shutil.rmtree(self.settings.attempts_dir / previous[0], ignore_errors=True)
            return None
        return self._kept(post)

    def _kept(self, post: Post) -> tuple[str, PreparedPhoto] | None:
        attempt = post.value("photo_kept").strip()
        if not KEPT_ID.match(attempt):
            return None
        path = self.settings.attempts_dir / attempt / FILE_NAME
        try:
            with Image.open(path) as image:
                width, height = image.size
        except OSError:
            return None
        return attempt, PreparedPhoto(path, width, height)

    def _photo_settings(self, site_photos: PhotoSettings) -> PhotoSettings:
        return replace(site_photos, max_bytes=min(site_photos.max_bytes, self.settings.photo_max_bytes))

    async def thanks(self, request: Request) -> Response:
        """The confirmation page; its address carries the private token, like the withdrawal link."""
        submission = await self._submission(request)
        if submission is None:
            return self._unknown_link(request)
        token = request.path_params["token"]
        return self.page(
            request,
            "thanks.html",
            200,
            reference=submission.id,
            link=f"{self.public_base(request)}intrekken/{token}",
            email=bool(submission.email),
        )

    async def withdraw_page(self, request: Request) -> Response:
        submission = await self._submission(request)
        if submission is None:
            return self._unknown_link(request)
        return self.page(request, "withdraw.html", 200, submission=submission, done=None)

    async def withdraw(self, request: Request) -> Response:
        submission = await self._submission(request)
        if submission is None:
            return self._unknown_link(request)
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
        response = self.page(request, "withdraw.html", 200, submission=submission, done=result.outcome.value)
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

    async def _submission(self, request: Request) -> Submission | None:
        token = request.path_params.get("token", "")
        if not WITHDRAWAL_TOKEN.match(token):
            return None
        return await run_in_threadpool(self.register.by_token, token)

    def _unknown_link(self, request: Request) -> Response:
        return self.message(
            request,
            404,
            "Deze link werkt niet",
            "Kijk of je de hele link hebt gekopieerd. Hij is lang en moet helemaal kloppen.",
            "Lukt het niet? Vraag de redactie om je verhaal in te trekken. "
            "Noem dan het kenmerk van je verhaal.",
            again=False,
        )

    async def stylesheet(self, request: Request) -> Response:
        # The form's own rules, then the municipality's house colours from the site's settings.
        css = (HERE / "static" / "intake.css").read_text(encoding="utf-8")
        css += brand.stylesheet(self.site.current().settings.brand, scheme_selectors=False)
        return Response(css, media_type="text/css", headers={"Cache-Control": "max-age=3600"})

    def house_file(self, kind: str) -> Path | None:
        """The site's logo or favicon (inside its docs folder), or None."""
        settings = self.site.current().settings
        name = settings.brand.logo if kind == "logo" else settings.brand.favicon
        if not name or settings.docs_dir is None or Path(name).suffix.lower() not in brand.IMAGE_SUFFIXES:
            return None
        return brand.resolve(settings.docs_dir, name)

    async def house_image(self, request: Request) -> Response:
        path = self.house_file(request.url.path.rstrip("/").rsplit("/", 1)[-1])
        if path is None:
            return PlainTextResponse("Niet gevonden", status_code=404)
        media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return FileResponse(path, media_type=media, headers={"Cache-Control": "max-age=3600"})

    async def health(self, request: Request) -> Response:
        return PlainTextResponse("ok")

    # Housekeeping ----------------------------------------------------------------------------

    def clean_up(self) -> None:
        """Tidy the data folder now and then, while residents use the form."""
        now = time.time()
        if now - self._cleaned >= CLEAN_EVERY_SECONDS:
            self._cleaned = now
            clean_data_folder(self.settings, self.abuse, now)


def clean_data_folder(settings: IntakeSettings, abuse: AbuseStore, now: float | None = None) -> None:
    """Forget kept photos, stray uploads and used tokens once nobody can use them any more."""
    now = now if now is not None else time.time()
    expired = now - settings.max_age_seconds - 3600
    for folder in (settings.attempts_dir, settings.uploads_dir, settings.work_dir):
        for entry in folder.iterdir():
            try:
                if entry.stat().st_mtime < expired:
                    shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
            except OSError:
                continue
    abuse.forget(expired)


def aria(errors: Errors, name: str, hint: bool = False, invalid: bool = True) -> Markup:
    """``aria-describedby`` (its hint and error messages) and ``aria-invalid`` for a field.

    A fieldset gets only the description: ``aria-invalid`` has no meaning on a group."""
    ids = [f"{name}-uitleg"] if hint else []
    ids += [f"{name}-fout-{number}" for number in range(1, len(errors.by_field.get(name, [])) + 1)]
    attributes = f' aria-describedby="{escape(" ".join(ids))}"' if ids else ""
    if invalid and errors.has(name):
        attributes += ' aria-invalid="true"'
    return Markup(attributes)


def _chosen(values: list[str], find: Any) -> set[str]:
    """Slugs of the register entries among the values (which may be names, slugs or aliases)."""
    found: set[str] = set()
    for value in values:
        entry: RegisterEntry | None = find(value)
        if entry is not None:
            found.add(entry.slug)
    return found


class SecurityHeaders:
    """Adds the same strict headers to every response: no scripts, no frames, no other hosts."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(settings: IntakeSettings) -> Starlette:
    intake = Intake(settings)

    async def not_found(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 404
        if status == 405:
            return intake.message(request, 405, "Dit kan hier niet", "Ga naar het formulier en begin daar.")
        return intake.message(request, 404, "Deze pagina bestaat niet", "Misschien zoek je het formulier.")

    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("error while handling %s", loggable(request.url.path), exc_info=exc)
        return intake.message(
            request,
            500,
            "Er ging iets mis bij ons",
            "Je verhaal is niet verstuurd. Dat ligt niet aan jou. Probeer het later nog een keer.",
        )

    app = Starlette(
        routes=[
            Route("/", intake.show_form, methods=["GET"]),
            Route("/", intake.submit, methods=["POST"]),
            Route("/bedankt/{token}", intake.thanks, methods=["GET"]),
            Route("/intrekken/{token}", intake.withdraw_page, methods=["GET"]),
            Route("/intrekken/{token}", intake.withdraw, methods=["POST"]),
            Route("/stijl.css", intake.stylesheet, methods=["GET"]),
            Route("/logo", intake.house_image, methods=["GET"]),
            Route("/favicon", intake.house_image, methods=["GET"]),
            Route("/gezond", intake.health, methods=["GET"]),
        ],
        exception_handlers={404: not_found, 405: not_found, 500: server_error},
    )
    app.state.intake = intake
    app.add_middleware(SecurityHeaders)
    return app
