"""E-mail from the intake: real form posts, the real service, a real SMTP server (aiosmtpd) on 127.0.0.1.

Residents who give an address get a receipt with the private withdrawal link and a confirmation
when they withdraw; staff get a notice of each; every mail is plain text plus HTML. Mail waits in
an outbox in the register, so a mail server that is down loses nothing, and no address is ever
written to a log or to the repository.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from intakekit import get, git, make_repo, post, register_rows, running_service, story_fields
from mailkit import make_certificate, smtp_server
from sitefactory import unused_port

SENDER = "formulier@gemeente.example"
STAFF = "redactie@gemeente.example"
SITE_NAME = "Testgemeente"  # site_name of the test site


def mail_settings(port: int, **more: object) -> dict[str, object]:
    return {
        "min_seconds": 0,
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "mail_from": SENDER,
        "staff_email": STAFF,
        "mail_retry_seconds": 0.3,
        "log_level": "debug",  # the most the log ever says: still no address in it
        **more,
    }


def outbox_rows(data: Path) -> list[dict]:
    with sqlite3.connect(f"file:{data / 'register.sqlite3'}?mode=ro", uri=True) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute("SELECT * FROM outbox ORDER BY id")]


def submit(service, email: str, title: str) -> tuple[str, str]:
    reply = service.submit(story_fields(service.token(), title=title, email=email))
    assert reply.status == 200, reply.text
    reference = re.search(r'class="kenmerk">(INZ-\d{8}-[A-Z0-9]{6})<', reply.text).group(1)
    link = re.search(r'href="([^"]+/intrekken/[^"]+)"', reply.text).group(1)
    return reference, link


def wait_until(condition, timeout: float = 30, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout}s")
        time.sleep(0.05)
    return result


@pytest.fixture(scope="module")
def mailbox():
    with smtp_server() as box:
        yield box


@pytest.fixture(scope="module")
def service(tmp_path_factory, mailbox):
    root = tmp_path_factory.mktemp("mail")
    make_repo(root / "repo")
    with running_service(root / "repo", root / "data", **mail_settings(mailbox.port)) as running:
        yield running


def test_a_resident_gets_a_receipt_with_the_withdrawal_link_in_text_and_html(service, mailbox):
    address = "bewoner.ontvangst@example.org"
    reference, link = submit(service, address, "Soep voor de hele straat")

    [mail] = mailbox.wait_for(address)
    message = mail.message
    assert mail.sender == SENDER and mail.recipients == [address]
    assert message["To"] == address
    assert message["From"].addresses[0].addr_spec == SENDER
    assert message["Subject"] == "We hebben je verhaal ontvangen – Testgemeente"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    text, html = mail.part("plain"), mail.part("html")
    for body in (text, html):
        assert reference in body
        assert link in body
        assert "Soep voor de hele straat" in body
        assert SITE_NAME in body
        assert "Stuur hem niet door" in body
    assert f'<a href="{link}">' in html
    assert '<html lang="nl">' in html
    assert "<" not in text  # the plain part is plain


def test_the_form_and_the_thanks_page_say_what_mail_the_resident_gets(service, mailbox):
    from aanhetwoord.intake import wording

    form = get(service.base)
    assert "Dan mailen we je over je verhaal: dat het is aangekomen" in form.text
    with_address = service.submit(
        story_fields(service.token(), title="Met adres", email="bewoner.bedankt@example.org")
    )
    assert "We sturen je ook een e-mail met deze link en je kenmerk." in with_address.text
    without = service.submit(story_fields(service.token(), title="Zonder adres", email=""))
    assert without.status == 200 and "We sturen je ook een e-mail" not in without.text
    # The consent register records the wording that was shown, which names the mail.
    reference = re.search(r'class="kenmerk">(INZ-\d{8}-[A-Z0-9]{6})<', without.text).group(1)
    row = next(row for row in register_rows(service.data) if row["id"] == reference)
    assert row["consent_version"] == wording.consent_version(30, mail=True) != wording.consent_version(30)


def test_staff_hear_of_a_new_submission_without_the_residents_address(service, mailbox):
    address = "bewoner.melding@example.org"
    reference, _ = submit(service, address, "Een tuin op het dak")

    notices = wait_until(
        lambda: [mail for mail in mailbox.to(STAFF) if reference in mail.part("plain")], what="staff notice"
    )
    assert len(notices) == 1
    mail = notices[0]
    assert mail.message["Subject"] == f"Nieuw verhaal via het formulier: {reference} – Testgemeente"
    text, html = mail.part("plain"), mail.part("html")
    assert "Titel: Een tuin op het dak" in text
    assert f"{service.base}redactie/{reference}" in text
    assert f'href="{service.base}redactie/{reference}"' in html
    assert address not in mail.raw.decode()


def test_a_withdrawal_is_confirmed_to_the_resident_and_told_to_staff(service, mailbox):
    address = "bewoner.intrekken@example.org"
    reference, link = submit(service, address, "Toch liever niet")
    mailbox.wait_for(address)  # the receipt

    assert post(link, []).status == 200
    mails = mailbox.wait_for(address, 2)
    confirmation = mails[1].message
    assert confirmation["Subject"] == "Je verhaal is ingetrokken – Testgemeente"
    assert reference in mails[1].part("plain") and reference in mails[1].part("html")
    assert "Je hoeft niets meer te doen" in mails[1].part("plain")
    notice = wait_until(
        lambda: [
            m
            for m in mailbox.to(STAFF)
            if m.message["Subject"].startswith(f"Verhaal ingetrokken: {reference}")
        ],
        what="staff withdrawal notice",
    )
    assert "stond nog niet op de site en komt er ook niet op" in notice[0].part("plain")

    post(link, [])  # withdrawing again sends nothing again
    time.sleep(1)
    assert len(mailbox.to(address)) == 2


def test_staff_hear_which_branch_takes_a_published_story_off_the_site(service, mailbox):
    address = "bewoner.gepubliceerd@example.org"
    reference, link = submit(service, address, "Al online gezet")
    branch = next(row for row in register_rows(service.data) if row["id"] == reference)["branch"]
    git(service.repo, "merge", "--no-ff", "-q", "-m", "Verhaal erbij", branch)

    assert post(link, []).status == 200
    notice = wait_until(
        lambda: [
            m
            for m in mailbox.to(STAFF)
            if m.message["Subject"].startswith(f"Verhaal ingetrokken: {reference}")
        ],
        what="staff withdrawal notice",
    )[0]
    withdrawal = next(row for row in register_rows(service.data) if row["id"] == reference)[
        "withdrawal_branch"
    ]
    assert withdrawal.startswith("intrekking/")
    text = " ".join(notice.part("plain").split())
    assert f"Het verhaal stond al op de site. De branch {withdrawal} zet het op ingetrokken." in text
    assert f"<code>{withdrawal}</code>" in notice.part("html")
    assert len(mailbox.wait_for(address, 2)) == 2  # the receipt and the confirmation


def test_no_address_reaches_the_log_the_repository_or_stays_in_the_outbox(service, mailbox):
    address = "bewoner.geheim@example.org"
    reference, link = submit(service, address, "Wat niemand mag lezen")
    mailbox.wait_for(address)
    post(link, [])
    mailbox.wait_for(address, 2)

    def all_sent() -> bool:
        rows = [row for row in outbox_rows(service.data) if row["submission_id"] == reference]
        return len(rows) == 4 and all(row["state"] == "sent" for row in rows)

    wait_until(all_sent, what="all four mails marked sent")
    for row in outbox_rows(service.data):
        if row["state"] == "sent":
            assert row["recipient"] is None and row["message"] is None
    logs = service.logs()
    assert f"mail receipt for {reference} sent" in logs  # the log does say what happened
    for secret in (address, STAFF, SENDER, "example.org", "gemeente.example"):
        assert secret not in logs
    history = git(service.repo, "log", "--all", "-p", "--format=%an %ae %cn %ce %B")
    assert address not in history and reference in history
    tracked = subprocess.run(
        ["grep", "-r", "-l", address, str(service.repo)], capture_output=True, text=True, check=False
    )
    assert tracked.stdout == ""


def test_a_mail_server_that_is_down_loses_nothing_and_gets_it_when_back(tmp_path):
    make_repo(tmp_path / "repo")
    port = unused_port()  # nothing listens here yet: the mail server is down
    address = "bewoner.geduld@example.org"
    with running_service(tmp_path / "repo", tmp_path / "data", **mail_settings(port)) as service:
        reference, link = submit(service, address, "Wachten op de post")  # the form works all the same

        def tried_twice() -> list[dict]:
            return [
                row for row in outbox_rows(service.data) if row["kind"] == "receipt" and row["attempts"] >= 2
            ]

        [waiting] = wait_until(tried_twice, what="two failed attempts")
        assert waiting["state"] == "waiting" and waiting["recipient"] == address
        assert waiting["last_error"].startswith("ConnectionRefusedError")
        assert "ConnectionRefusedError" in service.logs()

        with smtp_server(port) as mailbox:
            [receipt] = mailbox.wait_for(address, timeout=60)
            [notice] = mailbox.wait_for(STAFF, timeout=60)
            assert link in receipt.part("plain") and reference in notice.part("plain")

            def delivered() -> bool:
                rows = outbox_rows(service.data)
                return len(rows) == 2 and all(
                    row["state"] == "sent" and row["recipient"] is None for row in rows
                )

            wait_until(delivered, what="the outbox emptied of addresses")
            time.sleep(1)
            assert len(mailbox.to(address)) == 1  # sent once, not once per attempt
        assert address not in service.logs()


def test_starttls_and_the_login_reach_the_mail_server(tmp_path, monkeypatch):
    make_repo(tmp_path / "repo")
    certificate = make_certificate(tmp_path)
    address = "bewoner.veilig@example.org"
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # trust the test's own certificate
    with smtp_server(certificate=certificate, login=("formulier", "geheim-wachtwoord")) as mailbox:
        settings = mail_settings(
            mailbox.port, smtp_user="formulier", smtp_password="geheim-wachtwoord", smtp_starttls="1"
        )
        with running_service(tmp_path / "repo", tmp_path / "data", **settings) as service:
            reference, _ = submit(service, address, "Over een veilige lijn")
            [mail] = mailbox.wait_for(address)
            assert mail.tls is True and mail.login == "formulier"
            assert mailbox.logins and all(accepted for _, accepted in mailbox.logins)
            assert "geheim-wachtwoord" not in service.logs()


def test_a_wrong_password_keeps_the_mail_waiting(tmp_path):
    make_repo(tmp_path / "repo")
    address = "bewoner.wachtwoord@example.org"
    with smtp_server(login=("formulier", "goed")) as mailbox:
        settings = mail_settings(
            mailbox.port, smtp_user="formulier", smtp_password="verkeerd-wachtwoord-123", smtp_starttls="0"
        )
        with running_service(tmp_path / "repo", tmp_path / "data", **settings) as service:
            submit(service, address, "Verkeerd wachtwoord")
            wait_until(lambda: ("formulier", False) in mailbox.logins, what="a refused login")
            wait_until(
                lambda: any(
                    row["last_error"] == "SMTPAuthenticationError 535" for row in outbox_rows(service.data)
                ),
                what="the refusal noted in the outbox",
            )
            assert mailbox.received == []
            assert all(row["state"] == "waiting" for row in outbox_rows(service.data))
            assert "verkeerd-wachtwoord-123" not in service.logs()
