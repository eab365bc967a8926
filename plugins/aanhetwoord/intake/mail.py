"""E-mail to residents and staff: plain text plus HTML in plain Dutch, sent through the outbox.

:class:`Mailer` is the one way to send mail. Its ``queue_*`` methods build a complete message
from the templates in ``templates/mail/`` (naming the site, ``site_name`` in mkdocs.yml) and
put it in the outbox (:mod:`outbox`); they never raise and never block on the mail server, so
mail trouble never fails a submission. The sender task (:meth:`Mailer.run`, started with the
service) and ``aanhetwoord intake mail`` deliver what waits.

Mail is off when ``AANHETWOORD_INTAKE_SMTP_HOST`` is not set: then nothing is queued. A
resident gets mail only when they gave an address; staff get notices when
``AANHETWOORD_INTAKE_STAFF_EMAIL`` is set, at once or in a daily digest
(``AANHETWOORD_INTAKE_STAFF_DIGEST``). No address is ever logged: logs name the kind of mail and
the submission id.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from .outbox import DigestEvent, Outbox, Sent
from .register import Submission
from .settings import IntakeSettings
from .sitedata import SiteData

HERE = Path(__file__).parent
log = logging.getLogger("aanhetwoord.intake.mail")

# Subjects name the site; they never carry what a resident typed (a title could be anything).
SUBJECTS = {
    "receipt": "We hebben je verhaal ontvangen",
    "online": "Je verhaal staat online",
    "declined": "Je verhaal komt niet op de site",
    "withdrawn": "Je verhaal is ingetrokken",
    "staff_new": "Nieuw verhaal via het formulier: {reference}",
    "staff_withdrawn": "Verhaal ingetrokken: {reference}",
    "staff_digest": "Samenvatting van het formulier: {count}",
}
POLL_SECONDS = 30.0
# Control characters (and lone surrogates) have no place in a mail; line ends become plain \n.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean(text: str) -> str:
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


class Mailer:
    """Queues mail for residents and staff, and sends what waits in the outbox."""

    def __init__(self, settings: IntakeSettings, site: SiteData) -> None:
        self.settings = settings
        self.mail = settings.mail
        self.site = site
        self.outbox = Outbox(settings.register_file)
        self.templates = Environment(
            loader=FileSystemLoader(HERE / "templates" / "mail"),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            keep_trailing_newline=True,
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None

    @property
    def enabled(self) -> bool:
        return self.mail is not None

    # To residents (only when they gave an address) ------------------------------------------

    def queue_receipt(self, submission: Submission, title: str, withdrawal_url: str) -> bool:
        """ "We hebben je verhaal ontvangen", with the private withdrawal link."""
        return self._to_resident("receipt", submission, title=title, withdrawal_url=withdrawal_url)

    def queue_online(self, submission: Submission, title: str, url: str) -> bool:
        """ "Je verhaal staat online", with its address on the site."""
        return self._to_resident("online", submission, title=title, url=url)

    def queue_declined(self, submission: Submission, title: str, reason: str) -> bool:
        """ "Je verhaal komt niet op de site", with the reason staff gave."""
        return self._to_resident("declined", submission, title=title, reason=reason)

    def queue_withdrawn(self, submission: Submission) -> bool:
        """The confirmation that the resident withdrew their story."""
        return self._to_resident("withdrawn", submission)

    # To staff (at once, or folded into the daily digest) -------------------------------------

    def queue_staff_new(self, submission: Submission, title: str, review_url: str = "") -> int:
        """A new submission; ``review_url`` is its page in the staff area. Returns mails queued."""
        return self._to_staff("staff_new", submission, title=title, review_url=review_url)

    def queue_staff_withdrawn(
        self,
        submission: Submission,
        withdrawal_branch: str | None = None,
        review_url: str = "",
        published: bool = False,
    ) -> int:
        """A withdrawal. ``withdrawal_branch``: the story was on the site and that branch takes it off;
        ``published`` without a branch: it is on the site and staff must take it off by hand."""
        return self._to_staff(
            "staff_withdrawn",
            submission,
            branch=withdrawal_branch or "",
            review_url=review_url,
            published="ja" if published or withdrawal_branch else "",
        )

    # Sending ---------------------------------------------------------------------------------

    def send_due(
        self, *, everything: bool = False, digest_now: bool = False, now: float | None = None
    ) -> Sent:
        """Fold the digest when its time has come, then send what is due. Blocking: run it in a thread."""
        if self.mail is None:
            return Sent()
        now = time.time() if now is None else now
        self.outbox.fold_digest(self.mail.digest_time, self._digest, now, at_once=digest_now)
        return self.outbox.send_due(self.mail, everything=everything, now=now)

    async def run(self) -> None:
        """The sender task: sends at once when something is queued, else looks every little while."""
        if self.mail is None:
            return
        from starlette.concurrency import run_in_threadpool

        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        poll = max(0.2, min(POLL_SECONDS, self.mail.retry_seconds))
        while True:
            self._wake.clear()
            try:
                await run_in_threadpool(self.send_due)
            except Exception as error:  # the task must live on; the outbox keeps the mail
                log.error("sending mail failed: %s", type(error).__name__)
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=poll)
            except TimeoutError:
                pass

    def wake(self) -> None:
        """Called from any thread after queueing: the sender task starts at once."""
        loop, event = self._loop, self._wake
        if loop is not None and event is not None:
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:
                pass  # the loop has stopped: the next start sends it

    # Building messages -----------------------------------------------------------------------

    def _to_resident(self, kind: str, submission: Submission, **context: str) -> bool:
        if self.mail is None or not submission.email:
            return False
        try:
            message = self.message(kind, submission.email, reference=submission.id, **context)
            queued = self.outbox.add(
                kind, submission.id, submission.email, message, f"{kind}:{submission.id}"
            )
        except Exception as error:  # never fails what the resident did; never logs the address
            log.error("could not queue mail %s for %s: %s", kind, submission.id, type(error).__name__)
            return False
        if queued:
            log.info("mail %s for %s queued", kind, submission.id)
            self.wake()
        return queued

    def _to_staff(self, kind: str, submission: Submission, **context: str) -> int:
        if self.mail is None or not self.mail.staff:
            return 0
        queued = 0
        try:
            if self.mail.digest_time:
                details = {"reference": submission.id, **context}
                queued = int(self.outbox.add_event(kind, submission.id, details, f"{kind}:{submission.id}"))
            else:
                for number, address in enumerate(self.mail.staff):
                    message = self.message(kind, address, reference=submission.id, **context)
                    once = f"{kind}:{submission.id}:{number}"
                    queued += self.outbox.add(kind, submission.id, address, message, once)
        except Exception as error:
            log.error("could not queue mail %s for %s: %s", kind, submission.id, type(error).__name__)
        if queued:
            log.info("mail %s for %s queued", kind, submission.id)
            self.wake()
        return queued

    def _digest(self, events: list[DigestEvent]) -> list[tuple[str, bytes]]:
        assert self.mail is not None
        shown = [
            {
                "kind": event.kind,
                "when": datetime.fromtimestamp(event.queued).strftime("%d-%m-%Y %H:%M"),
                "reference": event.details.get("reference", event.submission_id),
                "title": event.details.get("title", ""),
                "branch": event.details.get("branch", ""),
                "published": event.details.get("published", ""),
            }
            for event in events
        ]
        review = next(
            (event.details["review_url"] for event in events if event.details.get("review_url")), ""
        )
        inbox = review.rsplit("/", 1)[0] + "/" if review else ""
        count = f"{len(events)} {'melding' if len(events) == 1 else 'meldingen'}"
        return [
            (address, self.message("staff_digest", address, events=shown, review_url=inbox, count=count))
            for address in self.mail.staff
        ]

    def message(self, kind: str, recipient: str, **context: Any) -> bytes:
        """The complete message, as the mail server receives it."""
        assert self.mail is not None
        site_name = self.site.current().settings.site_name or "Aan het woord"
        context = {key: clean(value) if isinstance(value, str) else value for key, value in context.items()}
        context.update(
            site_name=site_name,
            contact=self.settings.contact,
            purge_days=self.settings.purge_days,
        )
        subject = SUBJECTS[kind].format(**context)
        context["subject"] = subject
        message = EmailMessage(policy=policy.SMTP)
        message["Subject"] = f"{subject} – {site_name}"
        message["From"] = Address(display_name=site_name, addr_spec=self.mail.sender)
        message["To"] = recipient
        if self.settings.contact:
            message["Reply-To"] = self.settings.contact
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = make_msgid(domain=self.mail.sender.rpartition("@")[2])
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
        message["Content-Language"] = "nl"
        message.set_content(self.templates.get_template(f"{kind}.txt").render(**context))
        message.add_alternative(self.templates.get_template(f"{kind}.html").render(**context), subtype="html")
        return message.as_bytes()
