"""The staff area's pages for one submission: its preview, the edit form, accept and decline.

:func:`review_routes` gives the routes, all behind :func:`.guard.staff_only`; the decisions
themselves are :class:`..review.ReviewDesk`'s, which blocks on git, so every call goes through
the thread pool. Each decision and each edit is written to the audit log with who and when;
after a decision the resident's mail is queued (:mod:`..mail`).

The preview shows the story as the site will: the site's own renderer (through the desk), the
site's stylesheets (Material's from the installed mkdocs-material, ours from the site's theme
folder, the house colours from mkdocs.yml), all served by this service under
``/redactie/site/``, and the photo variants served from the branch. The story is its own
document (``/redactie/<id>/voorbeeld``), shown in two frames of 1280 and 390 pixels wide. Only
those two routes relax the service's frame rules, and only to this same host.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ... import brand
from ...config_file import read_config
from ..form import Errors, form_field
from ..review import (
    DECLINE_REASONS,
    REASON_MAX,
    Preview,
    ReviewDesk,
    ReviewError,
    ReviewStatus,
    StoryEdit,
    review_status,
    staff_author,
)
from ..security_headers import SECURITY_HEADERS
from . import wording
from .accounts import StaffMember
from .guard import AREA_PATH, staff_only

if TYPE_CHECKING:
    from ..handlers import Intake

# What the audit log calls the decisions (the log is read by beheerders, in Dutch).
EDITED = "bewerkt"
ACCEPTED = "geaccepteerd"
DECLINED = "afgewezen"

# A submission id as the register makes them (INZ-…) or a branch found without a row.
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_PHOTO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
_CLOSED = (ReviewStatus.INGETROKKEN, ReviewStatus.AFGEWEZEN, ReviewStatus.GEACCEPTEERD)
EDIT_FIELDS = (
    "title",
    "summary",
    "body",
    "community",
    "neighbourhoods",
    "themes",
    "photo_alt",
    "photo_credit",
)
LABELS = {
    "title": "Titel",
    "summary": "Korte samenvatting",
    "body": "Het verhaal",
    "community": "Groep",
    "neighbourhoods": "Buurten",
    "themes": "Thema's",
    "photo_alt": "Wat is er op de foto te zien?",
    "photo_credit": "Wie maakte de foto?",
    "": "Verhaal",
}


def review_routes(intake: Intake) -> list[Route]:
    pages = ReviewPages(intake)
    return [
        Route("/redactie/site/{name}", pages.site_stylesheet, methods=["GET"]),
        Route("/redactie/{submission_id}", staff_only(pages.submission), methods=["GET"]),
        Route("/redactie/{submission_id}/voorbeeld", staff_only(pages.preview), methods=["GET"]),
        Route("/redactie/{submission_id}/foto/{name}", staff_only(pages.photo), methods=["GET"]),
        Route("/redactie/{submission_id}/bewerken", staff_only(pages.edit_page), methods=["GET"]),
        Route("/redactie/{submission_id}/bewerken", staff_only(pages.edit), methods=["POST"]),
        Route("/redactie/{submission_id}/accept", staff_only(pages.accept), methods=["POST"]),
        Route("/redactie/{submission_id}/decline", staff_only(pages.decline), methods=["POST"]),
    ]


class ReviewPages:
    def __init__(self, intake: Intake) -> None:
        self.intake = intake
        self.desk = ReviewDesk.for_intake(intake)

    @property
    def area(self) -> Any:
        return self.intake.staff_area  # type: ignore[attr-defined]

    def home(self, request: Request) -> str:
        return f"{self.area.base(request)}{AREA_PATH}"

    def _id(self, request: Request) -> str | None:
        value = request.path_params["submission_id"]
        return value if _ID.match(value) else None

    def _missing(self, request: Request, text: str = "") -> Response:
        notice = wording.Notice(
            "Deze inzending is er niet",
            (text or "Er is geen inzending met dit kenmerk. Kies er een in de lijst met inzendingen.",),
            again=False,
        )
        return self.area.message(request, 404, notice)

    # The submission page -----------------------------------------------------------------------

    async def submission(self, request: Request) -> Response:
        submission_id = self._id(request)
        if submission_id is None:
            return self._missing(request)
        notice = wording.REVIEW_DONE.get(request.query_params.get("gedaan", ""), "")
        return await self._submission(request, submission_id, 200, notice=notice)

    async def _submission(
        self,
        request: Request,
        submission_id: str,
        status_code: int,
        *,
        notice: str = "",
        decline_error: str = "",
        decline_chosen: tuple[str, ...] = (),
        decline_text: str = "",
    ) -> Response:
        try:
            row = await run_in_threadpool(self.desk.submission, submission_id)
        except ReviewError as error:
            return self._missing(request, str(error))
        preview: Preview | None = None
        unavailable = ""
        try:
            preview = await run_in_threadpool(self.desk.preview, submission_id, self._photos(request, row.id))
        except ReviewError as error:
            unavailable = str(error)
        state = preview.status if preview else _status(row)
        response = self.area.page(
            request,
            "inzending.html",
            status_code,
            current="inbox",
            submission=row,
            preview=preview,
            review_state=state,
            review_label=wording.STATUSES.get(state.value, state.value),
            closed=state in _CLOSED,
            unavailable=unavailable,
            notice=notice,
            reasons=DECLINE_REASONS,
            reason_max=REASON_MAX,
            decline_error=decline_error,
            decline_chosen=decline_chosen,
            decline_text=decline_text,
            page_title=(preview.title if preview and preview.title else row.id),
        )
        response.headers["Content-Security-Policy"] = _frame_policies()[0]
        return response

    def _photos(self, request: Request, submission_id: str) -> str:
        return f"{self.home(request)}{submission_id}/foto/"

    async def preview(self, request: Request) -> Response:
        """The story alone, as the site will show it, for the frames on the submission page."""
        submission_id = self._id(request)
        if submission_id is None:
            return self._missing(request)
        try:
            preview: Preview | None = await run_in_threadpool(
                self.desk.preview, submission_id, self._photos(request, submission_id)
            )
            unavailable = ""
        except ReviewError as error:
            preview, unavailable = None, str(error)
        theme = await run_in_threadpool(self._theme)
        response = self.intake.pages.page(
            request,
            "redactie/voorbeeld.html",
            200 if preview else 404,
            preview=preview,
            unavailable=unavailable,
            site_css=f"{self.home(request)}site/",
            scheme=theme.get("scheme", "default"),
            primary=theme.get("primary", ""),
            accent=theme.get("accent", ""),
        )
        response.headers["Content-Security-Policy"] = _frame_policies()[1]
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        return response

    async def photo(self, request: Request) -> Response:
        submission_id = self._id(request)
        name = request.path_params["name"]
        if submission_id is None or not _PHOTO.match(name):
            return Response("Deze foto is er niet.", status_code=404, media_type="text/plain")
        found = await run_in_threadpool(self.desk.photo, submission_id, name)
        if found is None:
            return Response("Deze foto is er niet.", status_code=404, media_type="text/plain")
        content, media = found
        return Response(content, media_type=media, headers={"Cache-Control": "private, no-store"})

    # The site's stylesheets --------------------------------------------------------------------

    async def site_stylesheet(self, request: Request) -> Response:
        """Material's and our stylesheet and the house colours, as the built site has them.

        Public, like the site's own: nothing in them is private."""
        name = request.path_params["name"]
        css = await run_in_threadpool(self._stylesheet, name)
        if css is None:
            return Response("Dit bestand is er niet.", status_code=404, media_type="text/plain")
        return Response(css, media_type="text/css", headers={"Cache-Control": "max-age=3600"})

    def _stylesheet(self, name: str) -> bytes | None:
        if name == "huisstijl.css":
            return brand.stylesheet(self.intake.site.current().settings.brand).encode("utf-8")
        if name in ("material.css", "palette.css"):
            folder = _material_stylesheets()
            stem = "main" if name == "material.css" else "palette"
            found = sorted(folder.glob(f"{stem}.*.min.css")) if folder else []
            return found[0].read_bytes() if found else None
        if name == "aanhetwoord.css":
            custom = self._theme().get("custom_dir")
            path = Path(custom) / "assets" / "stylesheets" / "aanhetwoord.css" if custom else None
            return path.read_bytes() if path and path.is_file() else None
        return None

    def _theme(self) -> dict[str, str]:
        """The theme's folder of its own (``custom_dir``) and the first colour palette of mkdocs.yml."""
        config_file = self.intake.settings.config_file
        try:
            config = read_config(config_file.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError, UnicodeDecodeError):
            return {}
        theme = config.get("theme") if isinstance(config, dict) else None
        if not isinstance(theme, dict):
            return {}
        found: dict[str, str] = {}
        custom = theme.get("custom_dir")
        if isinstance(custom, str) and custom:
            found["custom_dir"] = str(config_file.parent / custom)
        palette = theme.get("palette")
        first = palette[0] if isinstance(palette, list) and palette else palette
        if isinstance(first, dict):
            for key in ("scheme", "primary", "accent"):
                value = first.get(key)
                if isinstance(value, str) and re.fullmatch(r"[A-Za-z -]{1,40}", value):
                    found[key] = value.strip().lower().replace(" ", "-")
        return found

    # Editing -----------------------------------------------------------------------------------

    async def edit_page(self, request: Request) -> Response:
        submission_id = self._id(request)
        if submission_id is None:
            return self._missing(request)
        try:
            preview = await run_in_threadpool(self.desk.preview, submission_id)
        except ReviewError as error:
            return self._missing(request, str(error))
        if preview.status in _CLOSED:
            return self._refused(request, submission_id, wording.CLOSED_FOR_EDIT)
        return self._edit_form(request, 200, preview, _values(preview.current), Errors())

    def _edit_form(
        self, request: Request, status_code: int, preview: Preview, values: dict[str, Any], errors: Errors
    ) -> Response:
        registers = self.intake.site.current().registers
        return self.area.page(
            request,
            "bewerken.html",
            status_code,
            current="inbox",
            preview=preview,
            values=values,
            errors=errors,
            labels=LABELS,
            has_photo=preview.has_image,
            neighbourhoods=_choices(registers.neighbourhoods, values["neighbourhoods"]),
            themes=_choices(registers.themes, values["themes"]),
            page_title=preview.title or preview.submission.id,
        )

    async def edit(self, request: Request) -> Response:
        submission_id = self._id(request)
        if submission_id is None:
            return self._missing(request)
        member: StaffMember = request.state.staff
        form = await request.form()
        try:
            preview = await run_in_threadpool(self.desk.preview, submission_id)
        except ReviewError as error:
            return self._missing(request, str(error))
        values = _posted(form, preview.has_image)
        changes = StoryEdit(
            title=values["title"],
            summary=values["summary"],
            body=values["body"],
            community=_communities(values["community"]),
            neighbourhoods=values["neighbourhoods"],
            themes=values["themes"],
            photo_alt=values["photo_alt"] if preview.has_image else None,
            photo_credit=values["photo_credit"] if preview.has_image else None,
        )
        before = preview.commit
        try:
            problems = await run_in_threadpool(
                self.desk.edit, submission_id, changes, staff_author(member.name, member.email)
            )
        except ReviewError as error:
            return self._refused(request, submission_id, str(error), status_code=409)
        errors = Errors()
        for problem in problems:
            if problem.is_error:
                name = form_field(problem.field)
                name = name if name in EDIT_FIELDS else ""
                errors.add(name, _sentence(problem.message if name else str(problem)))
        if errors:
            return self._edit_form(request, 422, preview, values, errors)
        row = await run_in_threadpool(self.desk.submission, submission_id)
        after = await run_in_threadpool(self.intake.store.resolve, f"refs/heads/{row.branch}")
        done = "niets"
        if after != before:
            title = values["title"] or preview.title
            await run_in_threadpool(self.area.audit.record, member.name, EDITED, submission_id, title)
            done = "bewerkt"
        return RedirectResponse(f"{self.home(request)}{submission_id}?gedaan={done}", status_code=303)

    # Deciding ----------------------------------------------------------------------------------

    async def accept(self, request: Request) -> Response:
        submission_id = self._id(request)
        if submission_id is None:
            return self._missing(request)
        member: StaffMember = request.state.staff
        try:
            result = await run_in_threadpool(
                self.desk.accept, submission_id, staff_author(member.name, member.email)
            )
        except ReviewError as error:
            return self._refused(request, submission_id, str(error), status_code=409)
        await run_in_threadpool(self.area.audit.record, member.name, ACCEPTED, submission_id, result.title)
        mailed = await run_in_threadpool(
            self.intake.mail.queue_online, result.submission, result.title, result.url
        )
        return self.area.page(
            request,
            "besluit.html",
            200,
            current="inbox",
            accepted=result,
            declined=None,
            submission=result.submission,
            mail=self._mail_note(result.submission, mailed),
            page_title=wording.ACCEPTED_TITLE,
        )

    async def decline(self, request: Request) -> Response:
        submission_id = self._id(request)
        if submission_id is None:
            return self._missing(request)
        member: StaffMember = request.state.staff
        form = await request.form()
        chosen, text = _reasons(form)
        reason = "\n\n".join(part for part in (*chosen, text) if part)
        try:
            result = await run_in_threadpool(
                self.desk.decline, submission_id, reason, staff_author(member.name, member.email)
            )
        except ReviewError as error:
            row = self.desk.register.get(submission_id)
            if row is not None and _status(row) not in _CLOSED and (not reason or len(reason) > REASON_MAX):
                # The reason is missing or too long: say so beside the field, keep what was typed.
                return await self._submission(
                    request,
                    submission_id,
                    422,
                    decline_error=str(error),
                    decline_chosen=chosen,
                    decline_text=text,
                )
            return self._refused(request, submission_id, str(error), status_code=409)
        await run_in_threadpool(self.area.audit.record, member.name, DECLINED, submission_id, result.reason)
        mailed = await run_in_threadpool(
            self.intake.mail.queue_declined, result.submission, result.title, result.reason
        )
        return self.area.page(
            request,
            "besluit.html",
            200,
            current="inbox",
            accepted=None,
            declined=result,
            submission=result.submission,
            mail=self._mail_note(result.submission, mailed),
            page_title=wording.DECLINED_TITLE,
        )

    def _mail_note(self, submission: Any, mailed: bool) -> str:
        if mailed:
            return wording.MAIL_QUEUED
        if not self.intake.mail.enabled:
            return wording.MAIL_OFF
        if not submission.email:
            return wording.MAIL_NO_ADDRESS
        return wording.MAIL_NOT_QUEUED

    def _refused(self, request: Request, submission_id: str, text: str, status_code: int = 409) -> Response:
        return self.area.page(
            request,
            "besluit.html",
            status_code,
            current="inbox",
            accepted=None,
            declined=None,
            refused=text,
            submission_id=submission_id,
            page_title=wording.REFUSED_TITLE,
        )


@functools.cache
def _frame_policies() -> tuple[str, str]:
    """The service's Content-Security-Policy with frames of this host allowed: for the submission
    page (it may hold them) and for the preview (it may be held). Nothing else changes."""
    policy = dict(SECURITY_HEADERS)[b"content-security-policy"].decode()
    if "frame-ancestors 'none'" not in policy:
        raise RuntimeError("the service's policy no longer forbids frames; change the preview's policy too")
    holder = policy.replace("frame-ancestors 'none'", "frame-src 'self'; frame-ancestors 'none'")
    return holder, policy.replace("frame-ancestors 'none'", "frame-ancestors 'self'")


def _status(row: Any) -> ReviewStatus:
    return review_status(row)


def _material_stylesheets() -> Path | None:
    """Material for MkDocs' stylesheet folder, found without importing it (it imports MkDocs)."""
    spec = importlib.util.find_spec("material")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        folder = Path(location) / "templates" / "assets" / "stylesheets"
        if folder.is_dir():
            return folder
    return None


def _values(current: StoryEdit) -> dict[str, Any]:
    community = current.community
    return {
        "title": current.title or "",
        "summary": current.summary or "",
        "body": (current.body or "").strip("\n"),
        "community": ", ".join(community) if isinstance(community, list | tuple) else community or "",
        "neighbourhoods": list(current.neighbourhoods or []),
        "themes": list(current.themes or []),
        "photo_alt": current.photo_alt or "",
        "photo_credit": current.photo_credit or "",
    }


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _posted(form: FormData, has_photo: bool) -> dict[str, Any]:
    return {
        "title": _field(form, "title"),
        "summary": _field(form, "summary"),
        "body": _field(form, "body"),
        "community": _field(form, "community"),
        "neighbourhoods": [v for v in form.getlist("neighbourhoods") if isinstance(v, str) and v.strip()],
        "themes": [v for v in form.getlist("themes") if isinstance(v, str) and v.strip()],
        "photo_alt": _field(form, "photo_alt") if has_photo else "",
        "photo_credit": _field(form, "photo_credit") if has_photo else "",
    }


def _communities(text: str) -> str | list[str]:
    """One group, or several with commas between them."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    return names[0] if len(names) == 1 else names if names else ""


def _choices(register: Any, chosen: list[str]) -> list[tuple[str, str, bool]]:
    """(value, label, checked) for every entry of the register, then the chosen values it lacks."""
    picked = {entry.slug for value in chosen if (entry := register.find(value)) is not None}
    shown = [(entry.slug, entry.name, entry.slug in picked) for entry in register.entries]
    unknown = [value for value in chosen if register.find(value) is None]
    return shown + [(value, f"{value} (onbekend)", True) for value in dict.fromkeys(unknown)]


def _reasons(form: FormData) -> tuple[tuple[str, ...], str]:
    """The reasons chosen from the list, and what staff wrote, both from fields named ``reason``.

    The list's options are radio buttons and the text a text area, all named ``reason``, so a
    plain post of ``reason=…`` (the contract) works as well."""
    chosen: list[str] = []
    written = ""
    for value in form.getlist("reason"):
        if not isinstance(value, str) or not value.strip():
            continue
        if value in DECLINE_REASONS:
            chosen.append(value)
        else:
            written = f"{written}\n\n{value}".strip() if written else value.strip()
    return tuple(dict.fromkeys(chosen)), written


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else f"{text}."
