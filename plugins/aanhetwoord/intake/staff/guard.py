"""``staff_only``: the one way a page of the staff area is protected.

Wrap every staff handler with it::

    Route("/redactie/{submission_id}", staff_only(review.page), methods=["GET"])
    Route("/redactie/accounts", staff_only(area.change_account, role=Role.BEHEERDER), methods=["POST"])

Without a live session a GET goes to the login page, which brings the member back afterwards
(``?volgende=<path>``, only ever a path inside the staff area); any other method goes to the
login page too. A POST must carry the session's CSRF token in the form field ``csrf``, or it
is refused with 403 before the handler runs. A redacteur asking for a beheerder's page gets
403. The handler then finds the signed-in member in ``request.state.staff`` (a
:class:`StaffMember`) and the token for its forms' hidden ``csrf`` field in
``request.state.csrf``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from . import wording
from .accounts import Role
from .sessions import COOKIE, tokens_match

Handler = Callable[[Request], Awaitable[Response]]
SAFE_METHODS = ("GET", "HEAD")
AREA_PATH = "redactie/"
# A path as the staff area makes them: no spaces, quotes, backslashes or controls.
_PATH_CHARACTERS = re.compile(r"^[A-Za-z0-9/_.~%!$&'()*+,;=:@?-]*$")


def area_of(request: Request) -> Any:
    """The :class:`.area.StaffArea` the service made (typed loosely: that module imports this one)."""
    return request.app.state.intake.staff_area


def staff_only(handler: Handler, *, role: Role = Role.REDACTEUR) -> Handler:
    @functools.wraps(handler)
    async def guarded(request: Request) -> Response:
        area = area_of(request)
        session = await run_in_threadpool(area.sessions.find, request.cookies.get(COOKIE))
        member = await run_in_threadpool(area.accounts.active, session.name) if session else None
        if session is None or member is None:
            wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            back = wanted if request.method in SAFE_METHODS else ""
            return RedirectResponse(
                login_url(area.base(request), back), status_code=303, headers={"Cache-Control": "no-store"}
            )
        if not member.role.allows(role):
            return area.message(request, 403, wording.ROLE_REFUSED, member, session.csrf)
        if request.method not in SAFE_METHODS:
            form = await request.form()
            given = form.get("csrf")
            if not isinstance(given, str) or not tokens_match(session.csrf, given):
                return area.message(request, 403, wording.CSRF_REFUSED, member, session.csrf)
        request.state.staff = member
        request.state.csrf = session.csrf
        return await handler(request)

    return guarded


def login_url(base: str, back: str = "") -> str:
    """The login page, with ``volgende`` when there is a page of the staff area to return to."""
    url = f"{base}{AREA_PATH}inloggen"
    if back and safe_next(back, base) == back:
        url += "?volgende=" + quote(back, safe="/")
    return url


def safe_next(value: str | None, base: str = "/") -> str:
    """Where to go after login: ``value`` when it is a path inside the staff area of this site,
    else the inbox. Nothing a visitor puts in ``volgende`` may lead to another site."""
    home = f"{base}{AREA_PATH}"
    if not value or len(value) > 2000 or not _PATH_CHARACTERS.match(value):
        return home
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path.startswith(home) or "//" in value:
        return home
    segments = parts.path.split("/")
    if any(
        segment in (".", "..") or segment.lower() in ("%2e", "%2e%2e", ".%2e", "%2e.") for segment in segments
    ):
        return home
    return value
