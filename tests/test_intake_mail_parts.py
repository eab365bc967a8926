"""The intake's mail on its own: settings, the messages, the outbox and the digest, against a real
SMTP server (aiosmtpd) on 127.0.0.1; and ``aanhetwoord intake mail``."""

from __future__ import annotations

import email
import logging
import sqlite3
import time
from dataclasses import replace
from email import policy
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from aanhetwoord.intake.mail import Mailer, clean
from aanhetwoord.intake.register import SUBMITTED, Submission
from aanhetwoord.intake.settings import SettingsError, load
from aanhetwoord.intake.sitedata import SiteData
from intakekit import make_repo
from mailkit import smtp_server
from sitefactory import run_cli, unused_port

RESIDENT = "bewoner@example.org"
STAFF = ("redactie@gemeente.example", "hoofdredactie@gemeente.example")


def submission(number: int = 1, email: str | None = RESIDENT) -> Submission:
    return Submission(
        id=f"INZ-20261124-AAAA{number:02d}",
        submitted_at="2026-11-24T10:00:00+00:00",
        consent_version="v",
        photo_consent=False,
        age_confirmed=True,
        email=email,
        withdrawal_hash=f"hash{number}",
        status=SUBMITTED,
        decided_at=None,
        slug=f"verhaal-{number}",
        branch=f"inzending/verhaal-{number}",
    )


def environment(tmp_path: Path, port: int, **more: str) -> dict[str, str]:
    values = {
        "DATA_DIR": str(tmp_path / "data"),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "MAIL_FROM": "formulier@gemeente.example",
        "STAFF_EMAIL": ", ".join(STAFF),
        **more,
    }
    return {f"AANHETWOORD_INTAKE_{key}": value for key, value in values.items()}


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("mailparts") / "repo"
    make_repo(folder)
    return folder


def mailer(repo: Path, tmp_path: Path, port: int, **more: str) -> Mailer:
    settings = load(environment(tmp_path, port, **more), repo / "mkdocs.yml")
    return Mailer(settings, SiteData(settings.config_file))


def outbox(mailer: Mailer) -> list[dict]:
    with sqlite3.connect(mailer.outbox.path) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute("SELECT * FROM outbox ORDER BY id")]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs) -> None:
        self.tags.add(tag)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_parts(html: str) -> tuple[str, set[str]]:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts), parser.tags


# Settings ------------------------------------------------------------------------------------


def test_mail_is_off_without_a_host_and_nothing_is_queued(repo: Path, tmp_path: Path):
    settings = load({"AANHETWOORD_INTAKE_DATA_DIR": str(tmp_path / "data")}, repo / "mkdocs.yml")
    assert settings.mail is None
    quiet = Mailer(settings, SiteData(settings.config_file))
    assert quiet.queue_receipt(submission(), "Titel", "https://x/intrekken/abc") is False
    assert quiet.queue_staff_new(submission(), "Titel") == 0
    assert outbox(quiet) == []


def test_mail_settings_are_read_and_checked_without_repeating_an_address(repo: Path, tmp_path: Path):
    config = repo / "mkdocs.yml"
    settings = load(environment(tmp_path, 2525, SMTP_USER="formulier", SMTP_PASSWORD="x y"), config)
    mail = settings.mail
    assert (mail.host, mail.port, mail.user, mail.password) == ("127.0.0.1", 2525, "formulier", "x y")
    assert mail.starttls is True  # a login means STARTTLS unless it is turned off
    assert mail.staff == STAFF and mail.digest_time == ""
    assert "x y" not in repr(settings) and "gemeente.example" not in repr(settings)
    assert load(environment(tmp_path, 25, SMTP_STARTTLS="nee"), config).mail.starttls is False
    defaults = load(environment(tmp_path, 25, SMTP_PORT="", SMTP_STARTTLS="ja"), config).mail
    assert (defaults.port, defaults.starttls) == (587, True)
    assert load(environment(tmp_path, 25, STAFF_DIGEST="1"), config).mail.digest_time == "08:00"
    assert load(environment(tmp_path, 25, STAFF_DIGEST="7:05"), config).mail.digest_time == "07:05"

    wrong = {
        "MAIL_FROM": ("", "AANHETWOORD_INTAKE_MAIL_FROM is ook nodig"),
        "STAFF_EMAIL": ("redactie@gemeente.example, geen adres", "niet elk deel is een e-mailadres"),
        "SMTP_STARTTLS": ("misschien", "kies 1 (aan) of 0 (uit)"),
        "STAFF_DIGEST": ("25:00", "kies 1 (elke dag om 08:00), een tijd zoals 17:30, of 0"),
        "SMTP_PORT": ("99999", "kies een getal van 1 tot en met 65535"),
    }
    for name, (value, message) in wrong.items():
        with pytest.raises(SettingsError, match=f"AANHETWOORD_INTAKE_{name}") as raised:
            load(environment(tmp_path, 25, **{name: value}), config)
        assert message in str(raised.value)
        assert "example" not in str(raised.value)  # the value itself is never repeated
    with pytest.raises(
        SettingsError, match="AANHETWOORD_INTAKE_MAIL_FROM: dit is geen e-mailadres"
    ) as raised:
        load(environment(tmp_path, 25, MAIL_FROM="formulier at gemeente.example"), config)
    assert "example" not in str(raised.value)
    with pytest.raises(SettingsError, match="SMTP_PASSWORD is gezet, maar AANHETWOORD_INTAKE_SMTP_USER niet"):
        load(environment(tmp_path, 25, SMTP_PASSWORD="geheim"), config)


# Messages ------------------------------------------------------------------------------------


def test_online_and_declined_mails_carry_the_address_and_the_reason(repo: Path, tmp_path: Path):
    with smtp_server() as mailbox:
        sender = mailer(repo, tmp_path, mailbox.port)
        story = submission()
        assert sender.queue_online(story, "Markt op zaterdag", "https://verhalen.example.nl/markt/")
        assert sender.queue_online(story, "Markt op zaterdag", "https://verhalen.example.nl/markt/") is False
        reason = (
            "Er staan namen in van mensen die geen toestemming gaven.\n"
            "Stuur het gerust opnieuw <zonder> namen."
        )
        assert sender.queue_declined(submission(2), "Een verhaal & een foto", reason)
        result = sender.send_due()
        assert (result.sent, result.waiting) == (2, 0)

        online, declined = mailbox.wait_for(RESIDENT, 2)
        assert online.message["Subject"] == "Je verhaal staat online – Testgemeente"
        assert "https://verhalen.example.nl/markt/" in online.part("plain")
        assert '<a href="https://verhalen.example.nl/markt/">' in online.part("html")
        assert "Markt op zaterdag" in online.part("plain")

        assert declined.message["Subject"] == "Je verhaal komt niet op de site – Testgemeente"
        assert reason in declined.part("plain")
        html = declined.part("html")
        assert "&lt;zonder&gt;" in html and "<zonder>" not in html
        assert "Een verhaal &amp; een foto" in html
        assert "namen in van mensen die geen toestemming gaven.<br>Stuur het gerust" in html
        assert submission(2).id in declined.part("plain")
        assert [row["state"] for row in outbox(sender)] == ["sent", "sent"]
        assert all(row["recipient"] is None and row["message"] is None for row in outbox(sender))


@examples(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=st.text(max_size=200), reason=st.text(min_size=1, max_size=400))
def test_any_title_and_reason_make_a_sound_message(repo: Path, tmp_path: Path, title: str, reason: str):
    sender = mailer(repo, tmp_path, 25)
    raw = sender.message("declined", RESIDENT, reference="INZ-20261124-ABCDEF", title=title, reason=reason)
    message = email.message_from_bytes(raw, policy=policy.default)
    # One subject, the site's; nothing the resident or staff typed reaches a header.
    assert message.get_all("Subject") == ["Je verhaal komt niet op de site – Testgemeente"]
    assert message.get_all("To") == [RESIDENT]
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    shown, tags = html_parts(html)
    for word in clean(reason).split() + clean(title).split():
        assert word in text
        assert word in shown
    # Only the template's own tags: what staff typed is text, never markup.
    assert tags <= {
        "html",
        "head",
        "meta",
        "title",
        "body",
        "div",
        "p",
        "br",
        "blockquote",
        "strong",
        "hr",
        "a",
    }
    assert html.count("<blockquote") == 1


# The outbox --------------------------------------------------------------------------------


def test_a_refused_address_is_not_tried_again_and_not_logged(repo: Path, tmp_path: Path, caplog):
    unknown = "bestaat.niet@example.org"
    with smtp_server(refuse=frozenset({unknown})) as mailbox:
        sender = mailer(repo, tmp_path, mailbox.port)
        assert sender.queue_receipt(submission(1, unknown), "Titel", "https://x/intrekken/een")
        assert sender.queue_receipt(submission(2), "Titel", "https://x/intrekken/twee")
        with caplog.at_level(logging.DEBUG, logger="aanhetwoord"):
            result = sender.send_due()
        assert (result.sent, result.failed, result.waiting) == (1, 1, 0)
        assert len(mailbox.wait_for(RESIDENT)) == 1
        rows = outbox(sender)
        assert [row["state"] for row in rows] == ["failed", "sent"]
        assert rows[0]["recipient"] is None and rows[0]["message"] is None
        assert rows[0]["last_error"] == "adres geweigerd, code 550"
        assert "receipt for INZ-20261124-AAAA01 refused" in caplog.text
        assert unknown not in caplog.text and RESIDENT not in caplog.text
        assert sender.send_due().sent == 0  # not tried again


def test_an_address_refused_for_now_waits_while_the_others_go(repo: Path, tmp_path: Path, caplog):
    greylisted = "grijs@example.org"
    with smtp_server(later=frozenset({greylisted})) as mailbox:
        sender = mailer(repo, tmp_path, mailbox.port)
        sender.queue_receipt(submission(1, greylisted), "Titel", "https://x/intrekken/een")
        sender.queue_receipt(submission(2), "Titel", "https://x/intrekken/twee")
        with caplog.at_level(logging.DEBUG, logger="aanhetwoord"):
            result = sender.send_due()
        assert (result.sent, result.failed, result.waiting) == (1, 0, 1)
        assert len(mailbox.wait_for(RESIDENT)) == 1
        first, second = outbox(sender)
        assert (first["state"], first["recipient"], first["attempts"]) == ("waiting", greylisted, 1)
        assert first["last_error"] == "adres nu geweigerd, code 450"
        assert second["state"] == "sent"
        assert greylisted not in caplog.text


def test_the_wait_between_tries_doubles(repo: Path, tmp_path: Path):
    sender = mailer(repo, tmp_path, unused_port(), MAIL_RETRY_SECONDS="10")
    sender.queue_withdrawn(submission())
    start = time.time()
    waits = []
    for attempt in range(4):
        now = start + sum(waits) + attempt * 0.001
        result = sender.send_due(now=now)
        assert result.sent == 0 and result.waiting == 1
        assert result.error.startswith("ConnectionRefusedError")
        [row] = outbox(sender)
        waits.append(row["next_attempt"] - now)
        assert sender.send_due(now=row["next_attempt"] - 1).error == ""  # not due yet: not tried
    assert [round(wait) for wait in waits] == [10, 20, 40, 80]
    assert outbox(sender)[0]["recipient"] == RESIDENT  # kept, whatever happens


def test_staff_notices_wait_for_the_daily_digest(repo: Path, tmp_path: Path):
    with smtp_server() as mailbox:
        sender = mailer(repo, tmp_path, mailbox.port, STAFF_DIGEST="08:00")
        assert sender.queue_staff_new(
            submission(1), "Een dag op de markt", "https://x/redactie/INZ-20261124-AAAA01"
        )
        assert sender.queue_staff_withdrawn(submission(2), "intrekking/20261124-verhaal-2-aaaa02")
        assert sender.send_due().sent == 0  # no digest before the next 08:00
        assert mailbox.received == []
        assert all(row["recipient"] is None for row in outbox(sender))  # no address kept for a digest

        tomorrow = time.time() + 86400 + 60
        result = sender.send_due(now=tomorrow)
        assert result.sent == 2  # one digest per staff address
        for address in STAFF:
            [digest] = mailbox.wait_for(address)
            assert digest.message["Subject"] == "Samenvatting van het formulier: 2 meldingen – Testgemeente"
            text = digest.part("plain")
            assert 'nieuw verhaal "Een dag op de markt" (INZ-20261124-AAAA01)' in text
            assert "ingetrokken: INZ-20261124-AAAA02" in text
            assert "intrekking/20261124-verhaal-2-aaaa02" in text
            assert "https://x/redactie/" in text
            assert "Een dag op de markt" in digest.part("html")
        assert sender.send_due(now=tomorrow + 86400).sent == 0  # each notice once


def test_staff_notices_at_once_go_to_every_staff_address(repo: Path, tmp_path: Path):
    with smtp_server() as mailbox:
        sender = mailer(repo, tmp_path, mailbox.port)
        assert sender.queue_staff_new(submission(3, email=None), "Zonder e-mail") == 2
        assert sender.queue_receipt(submission(3, email=None), "Zonder e-mail", "https://x/i/t") is False
        assert sender.send_due().sent == 2
        for address in STAFF:
            [notice] = mailbox.wait_for(address)
            assert "Titel: Zonder e-mail" in notice.part("plain")


# aanhetwoord intake mail -------------------------------------------------------------------


def test_the_mail_command_sends_what_waits_and_says_what_it_could_not(repo: Path, tmp_path: Path):
    port = unused_port()
    env = environment(tmp_path, port, MAIL_RETRY_SECONDS="3600")
    settings = load(env, repo / "mkdocs.yml")
    sender = Mailer(settings, SiteData(settings.config_file))
    sender.queue_receipt(submission(), "Een titel", "https://x/intrekken/abc")

    down = run_cli(repo, "intake", "mail", env=env)
    assert down.returncode == 1, down.stderr
    assert "0 e-mails verstuurd." in down.stdout
    assert "1 e-mail wacht nog: de mailserver nam hem niet aan (ConnectionRefusedError" in down.stderr
    assert RESIDENT not in down.stdout + down.stderr

    with smtp_server(port) as mailbox:
        up = run_cli(repo, "intake", "mail", env=env)  # also what waits an hour for its next try
        assert up.returncode == 0, up.stderr
        assert up.stdout == "1 e-mail verstuurd.\n"
        assert len(mailbox.wait_for(RESIDENT)) == 1
    assert outbox(sender)[0]["recipient"] is None


def test_the_mail_command_says_when_mail_is_off(repo: Path, tmp_path: Path):
    result = run_cli(repo, "intake", "mail", env={"AANHETWOORD_INTAKE_DATA_DIR": str(tmp_path / "data")})
    assert result.returncode == 2
    assert "e-mail staat uit. Zet AANHETWOORD_INTAKE_SMTP_HOST" in result.stderr


def test_the_digest_can_be_sent_now_by_hand(repo: Path, tmp_path: Path):
    with smtp_server() as mailbox:
        env = environment(tmp_path, mailbox.port, STAFF_DIGEST="1")
        settings = load(env, repo / "mkdocs.yml")
        Mailer(settings, SiteData(settings.config_file)).queue_staff_new(submission(), "Vandaag al")
        assert run_cli(repo, "intake", "mail", env=env).stdout == "0 e-mails verstuurd.\n"
        result = run_cli(repo, "intake", "mail", "--digest-now", env=env)
        assert result.stdout == "2 e-mails verstuurd.\n", result.stderr
        assert "Vandaag al" in mailbox.wait_for(STAFF[0])[0].part("plain")


def test_no_replace_of_settings_leaks_the_password():
    from aanhetwoord.intake.settings import MailSettings

    mail = MailSettings(host="h", port=25, sender="a@b.example", user="u", password="wachtwoord123")
    assert "wachtwoord123" not in repr(replace(mail, port=26))


def test_traces_of_sent_mail_are_forgotten_after_the_purge_period_but_waiting_mail_is_kept(
    repo: Path, tmp_path: Path
):
    with smtp_server() as mailbox:
        sender = mailer(repo, tmp_path, mailbox.port)
        sender.queue_withdrawn(submission(1))
        assert sender.send_due().sent == 1
    sender.queue_withdrawn(submission(2))  # the server is gone now: this one waits
    assert sender.outbox.forget_done(30) == 0  # sent just now: kept for 30 days
    assert sender.outbox.forget_done(30, now=time.time() + 31 * 86400) == 1
    [waiting] = outbox(sender)
    assert waiting["state"] == "waiting" and waiting["recipient"] == RESIDENT
