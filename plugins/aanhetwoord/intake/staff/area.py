"""The staff area's pages: login and logout, the inbox, and for beheerders the accounts and the log.

:func:`staff_routes` gives the routes that :mod:`..app` adds to the service, all under
``/redactie``. Every page but the login page is wrapped in :func:`.guard.staff_only`. Pages are
rendered on the server from ``templates/redactie/`` and need no JavaScript; the service's
strict Content-Security-Policy applies to them as to the public form.
"""

from __future__ import annotations

import asyncio
import ipaddress
from datetime import date
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import Message

from ... import brand
from ...validate import Registers
from .. import wording as intake_wording
from ..abuse import client_address
from . import audit, wording
from .accounts import AccountError, Role, StaffAccounts, StaffMember, check_password
from .audit import AuditLog
from .guard import AREA_PATH, safe_next, staff_only
from .inbox import Inbox, status_of
from .review_pages import review_routes
from .sessions import COOKIE, LOGIN_COOKIE, Sessions
from .throttle import LoginThrottle

if TYPE_CHECKING:
    from ..handlers import Intake

LOGIN_FORM_BYTES = 16 * 1024
ACCOUNT_FORM_BYTES = 64 * 1024
AUDIT_SHOWN = 500


def staff_routes(intake: Intake) -> list[Route]:
    """The staff area's routes; also makes the area known to :func:`staff_only` through ``intake``."""
    area = StaffArea(intake)
    intake.staff_area = area  # type: ignore[attr-defined]
    beheerder = Role.BEHEERDER
    return [
        Route("/redactie", area.to_inbox, methods=["GET"]),
        Route("/redactie/", staff_only(area.inbox), methods=["GET"]),
        Route("/redactie/inloggen", area.login_page, methods=["GET"]),
        Route("/redactie/inloggen", area.login, methods=["POST"]),
        Route("/redactie/uitloggen", staff_only(area.logout), methods=["POST"]),
        Route("/redactie/accounts", staff_only(area.accounts_page, role=beheerder), methods=["GET"]),
        Route("/redactie/accounts", staff_only(area.change_account, role=beheerder), methods=["POST"]),
        Route("/redactie/logboek", staff_only(area.audit_page, role=beheerder), methods=["GET"]),
        Route("/redactie/stijl.css", area.stylesheet, methods=["GET"]),
        # One submission: its preview, editing, accepting and declining (last: its paths catch all).
        *review_routes(intake),
    ]


class StaffArea:
    def __init__(self, intake: Intake) -> None:
        self.intake = intake
        self.settings = intake.settings
        path = self.settings.staff_file
        self.accounts = StaffAccounts(path)
        self.audit = AuditLog(path)
        self.sessions = Sessions(path, self.settings.secret)
        self.throttle = LoginThrottle(path, self.settings.secret, self.settings.login_attempts)
        self.inbox_reader = Inbox(intake.store, intake.stories_path, self._site)

    def _site(self) -> tuple[Registers, int, date]:
        site = self.intake.site.current()
        return site.registers, site.settings.max_front_matter_bytes, site.settings.current_date()

    # Rendering ---------------------------------------------------------------------------------

    def base(self, request: Request) -> str:
        return self.intake.pages.base_path(request)

    def page(
        self,
        request: Request,
        template: str,
        status: int = 200,
        *,
        staff: StaffMember | None = None,
        csrf: str = "",
        **context: Any,
    ) -> HTMLResponse:
        staff = staff or getattr(request.state, "staff", None)
        csrf = csrf or getattr(request.state, "csrf", "")
        return self.intake.pages.page(
            request,
            f"redactie/{template}",
            status,
            staff=staff,
            csrf=csrf,
            area=f"{self.base(request)}{AREA_PATH}",
            texts=wording,
            beheerder=bool(staff and staff.role is Role.BEHEERDER),
            **context,
        )

    def message(
        self,
        request: Request,
        status: int,
        notice: intake_wording.Notice,
        staff: StaffMember | None = None,
        csrf: str = "",
    ) -> HTMLResponse:
        return self.page(
            request,
            "message.html",
            status,
            staff=staff,
            csrf=csrf,
            title=notice.title,
            paragraphs=notice.paragraphs,
        )

    # Cookies -----------------------------------------------------------------------------------

    def cookie_path(self, request: Request) -> str:
        return f"{self.base(request)}{AREA_PATH}".rstrip("/")

    def secure(self, request: Request) -> bool:
        """Is the service reached over HTTPS? Then cookies never travel over plain HTTP."""
        if self.settings.public_url.startswith("https://") or request.url.scheme == "https":
            return True
        peer = request.client.host if request.client else ""
        try:
            ip = ipaddress.ip_address(peer)
        except ValueError:
            return False
        trusted = any(ip.version == net.version and ip in net for net in self.settings.trusted_proxies)
        return trusted and request.headers.get("x-forwarded-proto", "").strip().lower() == "https"

    def _set_cookie(
        self, request: Request, response: Response, name: str, value: str, max_age: int | None
    ) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path=self.cookie_path(request),
            secure=self.secure(request),
            httponly=True,
            samesite="strict",
        )

    def _drop_cookie(self, request: Request, response: Response, name: str) -> None:
        response.delete_cookie(
            name,
            path=self.cookie_path(request),
            secure=self.secure(request),
            httponly=True,
            samesite="strict",
        )

    # Login and logout --------------------------------------------------------------------------

    async def to_inbox(self, request: Request) -> Response:
        return RedirectResponse(f"{self.base(request)}{AREA_PATH}", status_code=308)

    async def login_page(self, request: Request) -> Response:
        back = safe_next(request.query_params.get("volgende"), self.base(request))
        session = await run_in_threadpool(self.sessions.find, request.cookies.get(COOKIE))
        if session and await run_in_threadpool(self.accounts.active, session.name):
            return RedirectResponse(back, status_code=303, headers={"Cache-Control": "no-store"})
        if "uitgelogd" in request.query_params:
            notice = wording.LOGGED_OUT
        elif "volgende" in request.query_params:
            notice = wording.SESSION_NEEDED
        else:
            notice = ""
        return self._login_form(request, 200, back=back, notice=notice)

    def _login_form(
        self,
        request: Request,
        status: int,
        *,
        back: str,
        notice: str = "",
        error: str = "",
        username: str = "",
    ) -> Response:
        cookie = request.cookies.get(LOGIN_COOKIE, "")
        if not self.sessions.valid_login_cookie(cookie):
            cookie = self.sessions.login_cookie()
        response = self.page(
            request,
            "login.html",
            status,
            staff=None,
            csrf=self.sessions.login_token(cookie),
            back=back,
            notice=notice,
            error=error,
            username=username,
        )
        self._set_cookie(request, response, LOGIN_COOKIE, cookie, 2 * 3600)
        return response

    async def login(self, request: Request) -> Response:
        form = await small_form(request, LOGIN_FORM_BYTES)
        base = self.base(request)
        if form is None:
            return self._login_form(request, 413, back=safe_next(None, base), error=wording.TOO_BIG)
        username = _field(form, "username").strip()[:200]
        password = _field(form, "password")
        back = safe_next(_field(form, "volgende"), base)
        if not self.sessions.login_token_matches(request.cookies.get(LOGIN_COOKIE), _field(form, "csrf")):
            return self._login_form(request, 403, back=back, error=wording.LOGIN_FORM_OLD, username=username)
        if not username or not password:
            return self._login_form(request, 422, back=back, error=wording.EMPTY_FIELDS, username=username)
        address = client_address(
            request.client.host if request.client else None,
            request.headers.get("x-forwarded-for"),
            self.settings.trusted_proxies,
        )
        verdict = await run_in_threadpool(self.throttle.check, username, address)
        if verdict.blocked:
            minutes = max(1, -(-verdict.retry_after // 60))
            response = self._login_form(
                request, 429, back=back, error=wording.login_blocked(minutes), username=username
            )
            response.headers["Retry-After"] = str(verdict.retry_after)
            return response
        member = await run_in_threadpool(self.accounts.verify, username, password)
        if member is None:
            delay = await run_in_threadpool(self.throttle.failed, username, address)
            known = await run_in_threadpool(self.accounts.get, username)
            # An unknown name is not written down: it may be a password typed in the wrong field.
            subject = known.member.name if known else "onbekende naam"
            await run_in_threadpool(self.audit.record, "-", audit.LOGIN_FAILED, subject)
            await asyncio.sleep(delay)
            return self._login_form(request, 401, back=back, error=wording.LOGIN_FAILED, username=username)
        await run_in_threadpool(self.throttle.succeeded, username)
        # A new session id at every login: a cookie planted before login is worth nothing after.
        await run_in_threadpool(self.sessions.end, request.cookies.get(COOKIE))
        cookie = await run_in_threadpool(self.sessions.start, member.name)
        await run_in_threadpool(self.audit.record, member.name, audit.LOGIN, member.name)
        response = RedirectResponse(back, status_code=303, headers={"Cache-Control": "no-store"})
        self._set_cookie(request, response, COOKIE, cookie, None)
        self._drop_cookie(request, response, LOGIN_COOKIE)
        return response

    async def logout(self, request: Request) -> Response:
        member: StaffMember = request.state.staff
        await run_in_threadpool(self.sessions.end, request.cookies.get(COOKIE))
        await run_in_threadpool(self.audit.record, member.name, audit.LOGOUT, member.name)
        response = RedirectResponse(
            f"{self.base(request)}{AREA_PATH}inloggen?uitgelogd=1",
            status_code=303,
            headers={"Cache-Control": "no-store"},
        )
        self._drop_cookie(request, response, COOKIE)
        return response

    # The inbox ---------------------------------------------------------------------------------

    async def inbox(self, request: Request) -> Response:
        status = request.query_params.get("status", "")
        if status not in wording.STATUSES:
            status = ""
        submissions = await run_in_threadpool(self.intake.register.all)
        counts: dict[str, int] = {}
        for submission in submissions:
            if submission.status != "pending":
                counts[status_of(submission)] = counts.get(status_of(submission), 0) + 1
        entries = await run_in_threadpool(self.inbox_reader.entries, submissions, status)
        return self.page(
            request,
            "inbox.html",
            current="inbox",
            entries=entries,
            chosen=status,
            counts=counts,
            total=sum(counts.values()),
        )

    # Accounts ----------------------------------------------------------------------------------

    async def accounts_page(self, request: Request) -> Response:
        done = wording.DONE.get(request.query_params.get("gedaan", ""), "")
        return await self._accounts(request, 200, done=done)

    async def _accounts(
        self,
        request: Request,
        status: int,
        *,
        done: str = "",
        errors: dict[str, str] | None = None,
        **values: str,
    ) -> Response:
        accounts = await run_in_threadpool(self.accounts.list)
        return self.page(
            request,
            "accounts.html",
            status,
            current="accounts",
            accounts=accounts,
            done=done,
            errors=errors or {},
            values=values,
            roles=wording.ROLES,
        )

    async def change_account(self, request: Request) -> Response:
        member: StaffMember = request.state.staff
        form = await request.form()
        action = _field(form, "action")
        name = _field(form, "name").strip()
        if action == "add":
            return await self._add_account(request, member, form)
        target = await run_in_threadpool(self.accounts.get, name) if name else None
        if target is None or action not in ("role", "disable", "enable", "password"):
            return await self._accounts(request, 422, errors={"": wording.UNKNOWN_ACTION})
        name = target.member.name
        try:
            if action == "role":
                role = Role(_field(form, "role")) if _field(form, "role") in wording.ROLES else None
                if role is None:
                    return await self._accounts(request, 422, errors={"": wording.UNKNOWN_ACTION})
                await run_in_threadpool(self.accounts.set_role, name, role)
                await run_in_threadpool(self.audit.record, member.name, audit.ROLE_CHANGED, name, role.value)
                done = "rol"
            elif action in ("disable", "enable"):
                await run_in_threadpool(self.accounts.set_active, name, action == "enable")
                if action == "disable":
                    await run_in_threadpool(self.sessions.end_all, name)
                entry = audit.ACCOUNT_ENABLED if action == "enable" else audit.ACCOUNT_DISABLED
                await run_in_threadpool(self.audit.record, member.name, entry, name)
                done = "aan" if action == "enable" else "uit"
            else:
                password = _field(form, "password")
                if password != _field(form, "password_again"):
                    raise AccountError(wording.PASSWORDS_DIFFER)
                await run_in_threadpool(self.accounts.set_password, name, password)
                await run_in_threadpool(self.sessions.end_all, name)
                await run_in_threadpool(self.audit.record, member.name, audit.PASSWORD_SET, name)
                done = "wachtwoord"
        except AccountError as error:
            return await self._accounts(request, 422, errors={name: str(error)})
        if name == member.name and action in ("disable", "password"):
            # Their own session ended with it: back to the login page.
            return RedirectResponse(f"{self.base(request)}{AREA_PATH}inloggen", status_code=303)
        return RedirectResponse(f"{self.base(request)}{AREA_PATH}accounts?gedaan={done}", status_code=303)

    async def _add_account(self, request: Request, member: StaffMember, form: FormData) -> Response:
        name = _field(form, "name").strip()
        email = _field(form, "email").strip()
        role_text = _field(form, "role")
        password = _field(form, "password")
        errors: dict[str, str] = {}
        values = {"add_name": name, "add_email": email, "add_role": role_text}
        try:
            check_password(password)
        except AccountError as error:
            errors["add-password"] = str(error)
        if not errors and password != _field(form, "password_again"):
            errors["add-password"] = wording.PASSWORDS_DIFFER
        if role_text not in wording.ROLES:
            errors["add-role"] = wording.UNKNOWN_ACTION
        if not errors:
            try:
                added = await run_in_threadpool(
                    self.accounts.add, name, password, Role(role_text), email or None
                )
            except AccountError as error:
                field = "add-email" if "e-mail" in str(error) else "add-name"
                errors[field] = str(error)
            else:
                await run_in_threadpool(
                    self.audit.record, member.name, audit.ACCOUNT_ADDED, added.name, added.role.value
                )
                return RedirectResponse(
                    f"{self.base(request)}{AREA_PATH}accounts?gedaan=toegevoegd", status_code=303
                )
        return await self._accounts(request, 422, errors=errors, **values)

    # The audit log -----------------------------------------------------------------------------

    async def audit_page(self, request: Request) -> Response:
        entries = await run_in_threadpool(self.audit.entries, AUDIT_SHOWN)
        return self.page(request, "logboek.html", current="logboek", entries=entries, shown=AUDIT_SHOWN)

    # The house style ---------------------------------------------------------------------------

    async def stylesheet(self, request: Request) -> Response:
        from ..handlers import HERE

        css = (HERE / "static" / "intake.css").read_text(encoding="utf-8")
        css += (HERE / "static" / "redactie.css").read_text(encoding="utf-8")
        css += brand.stylesheet(self.intake.site.current().settings.brand, scheme_selectors=False)
        return Response(css, media_type="text/css", headers={"Cache-Control": "max-age=3600"})


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


async def small_form(request: Request, limit: int) -> FormData | None:
    """The posted form, or None when its body is larger than ``limit`` bytes (read no further).

    For pages anybody can post to, like the login: a stranger must not make the service read
    megabytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    data = bytes(body)

    async def replay() -> Message:
        return {"type": "http.request", "body": data, "more_body": False}

    return await Request(request.scope, replay).form(max_files=0, max_fields=20)
