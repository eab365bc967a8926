"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the mail tests, and a certificate for STARTTLS.

``smtp_server()`` starts one on a free port (or the port given, to play a mail server that was
down and comes back), collects what it receives, and stops it afterwards. It can require
STARTTLS and a login, and refuse chosen recipients for good (550) or for now (450).
"""

from __future__ import annotations

import email
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from sitefactory import unused_port


@dataclass
class Received:
    sender: str
    recipients: list[str]
    raw: bytes
    login: str | None  # the user name it was sent with, None without a login
    tls: bool

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.raw, policy=policy.default)  # type: ignore[return-value]

    def part(self, subtype: str) -> str:
        body = self.message.get_body(preferencelist=(subtype,))
        assert body is not None and body.get_content_subtype() == subtype, f"no text/{subtype} part"
        return body.get_content().replace("\r\n", "\n")  # as written, not as sent on the wire


@dataclass
class Mailbox:
    port: int
    received: list[Received] = field(default_factory=list)
    logins: list[tuple[str, bool]] = field(default_factory=list)  # (user, accepted)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def to(self, recipient: str) -> list[Received]:
        with self.lock:
            return [item for item in self.received if recipient in item.recipients]

    def wait_for(self, recipient: str, count: int = 1, timeout: float = 30) -> list[Received]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.to(recipient)
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(found)} of {count} mails arrived for a recipient in {timeout}s")
            time.sleep(0.05)


class _Handler:
    def __init__(self, mailbox: Mailbox, refuse: frozenset[str], later: frozenset[str]) -> None:
        self.mailbox = mailbox
        self.refuse = refuse
        self.later = later

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        if address in self.later:
            return f"450 4.7.1 <{address}>: Recipient address rejected: Greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        login = session.auth_data if session.authenticated else None  # what the authenticator accepted
        with self.mailbox.lock:
            self.mailbox.received.append(
                Received(
                    envelope.mail_from,
                    list(envelope.rcpt_tos),
                    envelope.original_content or envelope.content,
                    login,
                    session.ssl is not None,
                )
            )
        return "250 Message accepted for delivery"


def _authenticator(mailbox: Mailbox, user: str, password: str):
    def check(server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        name = auth_data.login.decode()
        accepted = name == user and auth_data.password.decode() == password
        mailbox.logins.append((name, accepted))
        if not accepted:
            return AuthResult(success=False, handled=False)  # aiosmtpd answers 535
        return AuthResult(success=True, auth_data=name)

    return check


@contextmanager
def smtp_server(
    port: int | None = None,
    *,
    certificate: tuple[Path, Path] | None = None,
    login: tuple[str, str] | None = None,
    refuse: frozenset[str] = frozenset(),
    later: frozenset[str] = frozenset(),
) -> Iterator[Mailbox]:
    """``certificate`` (cert, key) turns STARTTLS on and requires it; ``login`` (user, password)
    requires a login. ``refuse`` get 550 (for good), ``later`` 450 (greylisting) when named as recipients."""
    mailbox = Mailbox(port or unused_port())
    parameters: dict[str, object] = {}
    if certificate is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*certificate)
        parameters.update(tls_context=context, require_starttls=True)
    if login is not None:
        parameters.update(
            authenticator=_authenticator(mailbox, *login),
            auth_required=True,
            auth_require_tls=certificate is not None,
        )
    controller = Controller(
        _Handler(mailbox, refuse, later), hostname="127.0.0.1", port=mailbox.port, **parameters
    )
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1; point SSL_CERT_FILE at it to trust it."""
    cert, key = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key
