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
7. with mail on, the receipt and the staff notice queued in the outbox (:mod:`mail`);
8. a redirect to the confirmation page ``/bedankt/<token>``, which can be reloaded.

Until step 6 nothing is written to git or to the register; the photo as it arrived is deleted
in step 4. At start the service puts right what a crash left behind (:mod:`recovery`). Every
page is rendered on the server, works without JavaScript and loads nothing from another host.

The handlers are in :mod:`handlers`, the pages in :mod:`pages`, the photos kept between tries in
:mod:`attempts`, and every text a resident reads in :mod:`wording`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.routing import Route

from .handlers import Intake
from .security_headers import SecurityHeaders
from .settings import IntakeSettings
from .staff.area import staff_routes


def create_app(settings: IntakeSettings) -> Starlette:
    intake = Intake(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # The mail sender runs beside the requests for as long as the service does.
        sender = asyncio.create_task(intake.mail.run()) if intake.mail.enabled else None
        try:
            yield
        finally:
            if sender is not None:
                sender.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sender

    app = Starlette(
        lifespan=lifespan,
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
            # The staff area ("redactie"), with sessions of its own: see :mod:`staff`.
            *staff_routes(intake),
        ],
        exception_handlers={404: intake.not_found, 405: intake.not_found, 500: intake.server_error},
    )
    app.state.intake = intake
    app.add_middleware(SecurityHeaders)
    return app
