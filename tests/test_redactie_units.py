"""The staff area's parts on their own: accounts, sessions, the login throttle and ``volgende``."""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from argon2 import PasswordHasher
from hypothesis import given, settings
from hypothesis import strategies as st

from aanhetwoord.intake.staff.accounts import AccountError, Role, StaffAccounts, StaffMember
from aanhetwoord.intake.staff.audit import AuditLog
from aanhetwoord.intake.staff.guard import login_url, safe_next
from aanhetwoord.intake.staff.sessions import Sessions
from aanhetwoord.intake.staff.throttle import LoginThrottle
from intakekit import make_repo
from staffkit import PASSWORD, add_user

SECRET = b"s" * 32
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


# Accounts ------------------------------------------------------------------------------------


def test_verify_knows_only_active_accounts_with_the_right_password(tmp_path: Path):
    accounts = StaffAccounts(tmp_path / "staff.sqlite3", FAST)
    assert accounts.add("Anna.Jansen", PASSWORD, Role.BEHEERDER, "anna@gemeente.example") == StaffMember(
        "anna.jansen", Role.BEHEERDER, "anna@gemeente.example"
    )
    accounts.add("bob", PASSWORD)
    assert accounts.verify("anna.jansen", PASSWORD) == StaffMember(
        "anna.jansen", Role.BEHEERDER, "anna@gemeente.example"
    )
    assert accounts.verify(" ANNA.jansen ", PASSWORD) is not None
    assert accounts.verify("anna.jansen", PASSWORD + "x") is None
    assert accounts.verify("niemand", PASSWORD) is None
    accounts.set_active("bob", False)
    assert accounts.verify("bob", PASSWORD) is None
    accounts.set_active("bob", True)
    assert accounts.verify("bob", PASSWORD) == StaffMember("bob", Role.REDACTEUR, None)


def test_a_hash_with_older_parameters_is_renewed_at_login(tmp_path: Path):
    path = tmp_path / "staff.sqlite3"
    StaffAccounts(path, FAST).add("anna", PASSWORD)
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    accounts = StaffAccounts(path, stronger)
    before = _hash(path)
    assert "m=8,t=1" in before
    assert accounts.verify("anna", "verkeerd-wachtwoord") is None
    assert _hash(path) == before  # a wrong password changes nothing
    assert accounts.verify("anna", PASSWORD) is not None
    assert "m=16,t=2" in _hash(path)
    assert accounts.verify("anna", PASSWORD) is not None


def _hash(path: Path) -> str:
    import sqlite3

    with sqlite3.connect(path) as db:
        return str(db.execute("SELECT password_hash FROM staff").fetchone()[0])


@pytest.mark.parametrize(
    ("name", "password", "email", "message"),
    [
        ("a", PASSWORD, None, "Kies een naam van 2 tot 40 tekens"),
        ("anna jansen", PASSWORD, None, "Kies een naam"),
        ("-anna", PASSWORD, None, "Kies een naam"),
        ("anna", "elf-tekens!", None, "Het wachtwoord is te kort. Gebruik minstens 12 tekens."),
        ("anna", "x" * 1025, None, "Het wachtwoord is te lang."),
        ("anna", PASSWORD, "geen-adres", "Dit is geen goed e-mailadres."),
    ],
)
def test_bad_accounts_are_refused_in_plain_dutch(tmp_path: Path, name, password, email, message):
    accounts = StaffAccounts(tmp_path / "staff.sqlite3", FAST)
    with pytest.raises(AccountError, match=message):
        accounts.add(name, password, email=email)
    assert accounts.count() == 0


def test_the_last_beheerder_stays(tmp_path: Path):
    accounts = StaffAccounts(tmp_path / "staff.sqlite3", FAST)
    accounts.add("anna", PASSWORD, Role.BEHEERDER)
    accounts.add("bob", PASSWORD)
    with pytest.raises(AccountError, match="laatste beheerder"):
        accounts.set_role("anna", Role.REDACTEUR)
    with pytest.raises(AccountError, match="laatste beheerder"):
        accounts.set_active("anna", False)
    accounts.set_role("bob", Role.BEHEERDER)
    accounts.set_role("anna", Role.REDACTEUR)
    assert [a.member.role for a in accounts.list()] == [Role.REDACTEUR, Role.BEHEERDER]
    with pytest.raises(AccountError, match="Er is al een account"):
        accounts.add("Bob", PASSWORD)


def test_the_audit_log_masks_addresses(tmp_path: Path):
    log = AuditLog(tmp_path / "staff.sqlite3")
    log.record("anna", "afgewezen", "INZ-20261124-ABCDEF", "verteller piet@example.org wil het niet")
    log.record("anna", "geaccepteerd", "INZ-20261124-GHJKMN")
    entries = log.entries(10)
    assert [entry.action for entry in entries] == ["geaccepteerd", "afgewezen"]
    assert entries[1].detail == "verteller [e-mailadres] wil het niet"
    assert entries[0].at.endswith("+00:00")


# add-user ------------------------------------------------------------------------------------


def test_add_user_reads_the_password_from_standard_input(tmp_path: Path):
    repo, data = tmp_path / "repo", tmp_path / "data"
    make_repo(repo)
    made = add_user(repo, data, "Anna", PASSWORD, role="beheerder", email="anna@gemeente.example")
    assert made.returncode == 0, made.stderr
    assert "Account anna gemaakt (beheerder)" in made.stdout
    accounts = StaffAccounts(data / "staff.sqlite3")
    assert accounts.verify("anna", PASSWORD) == StaffMember("anna", Role.BEHEERDER, "anna@gemeente.example")
    again = add_user(repo, data, "anna", PASSWORD)
    assert again.returncode == 1
    assert "Er is al een account met de naam anna." in again.stderr
    short = add_user(repo, data, "bob", "kort")
    assert short.returncode == 1
    assert "Het wachtwoord is te kort. Gebruik minstens 12 tekens." in short.stderr
    assert "Traceback" not in short.stderr
    bad = add_user(repo, data, "bob en co", PASSWORD)
    assert bad.returncode == 2
    assert "Kies een naam" in bad.stderr
    assert accounts.get("bob") is None
    # The repository never sees the accounts.
    status = subprocess.run(["git", "-C", str(repo), "status", "--porcelain"], capture_output=True, text=True)
    assert status.stdout == ""


# Sessions ------------------------------------------------------------------------------------


def test_sessions_end_when_idle_too_long_or_too_old(tmp_path: Path):
    sessions = Sessions(tmp_path / "staff.sqlite3", SECRET, idle_seconds=100, absolute_seconds=1000)
    cookie = sessions.start("anna", now=0)
    assert sessions.find(cookie, now=90).name == "anna"
    assert sessions.find(cookie, now=180) is not None  # used at 90, so idle for 90 only
    assert sessions.find(cookie, now=300) is None  # idle for 120
    assert sessions.find(cookie, now=90) is None  # and gone for good
    busy = sessions.start("anna", now=0)
    for moment in range(60, 1000, 60):
        assert sessions.find(busy, now=moment) is not None
    assert sessions.find(busy, now=1001) is None  # used all day, yet too old


def test_a_session_cookie_must_carry_its_signature(tmp_path: Path):
    sessions = Sessions(tmp_path / "staff.sqlite3", SECRET)
    cookie = sessions.start("anna")
    session_id, signature = cookie.split(".")
    assert sessions.find(cookie) is not None
    assert sessions.find(f"{session_id}.{'0' * 64}") is None
    assert sessions.find(session_id) is None
    other = Sessions(tmp_path / "staff.sqlite3", b"t" * 32)  # another secret signs differently
    assert other.find(cookie) is None
    sessions.end_all("anna")
    assert sessions.find(cookie) is None


@pytest.fixture(scope="module")
def sessions(tmp_path_factory) -> Sessions:
    store = Sessions(tmp_path_factory.mktemp("sessies") / "staff.sqlite3", SECRET)
    store.start("anna")
    return store


@given(text=st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_no_cookie_text_breaks_the_session_lookup(sessions: Sessions, text: str):
    assert sessions.find(text) is None
    assert not sessions.login_token_matches(text, text)


# Throttle ------------------------------------------------------------------------------------


def test_failures_are_slowed_then_blocked_and_forgotten_after_the_window(tmp_path: Path):
    throttle = LoginThrottle(tmp_path / "staff.sqlite3", SECRET, limit=4, window=600)
    delays = [throttle.failed("anna", "192.0.2.1", now=100 + n) for n in range(4)]
    assert delays == [0.0, 0.0, 1.0, 2.0]
    assert throttle.check("anna", "192.0.2.9", now=110).blocked
    assert throttle.check("ANNA", "192.0.2.9", now=110).retry_after == 590
    assert not throttle.check("bob", "192.0.2.9", now=110).blocked
    assert not throttle.check("anna", "192.0.2.9", now=704).blocked  # the oldest left the window


def test_a_correct_login_forgives_the_account_not_the_address(tmp_path: Path):
    throttle = LoginThrottle(tmp_path / "staff.sqlite3", SECRET, limit=2, window=600)
    for number in range(7):
        throttle.failed(f"naam-{number}", "192.0.2.1", now=100)
    throttle.failed("anna", "192.0.2.1", now=100)
    throttle.succeeded("anna")
    assert not throttle.check("anna", "192.0.2.2", now=101).blocked
    assert throttle.check("anna", "192.0.2.1", now=101).blocked  # eight failures from this address


# volgende ------------------------------------------------------------------------------------

HOSTILE = [
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example/redactie/",
    "javascript:alert(1)",
    "/redactie//evil.example",
    "/redactie/../../evil",
    "/redactie/%2e%2e/x",
    "/redactie/\t/evil",
    " /redactie/",
    "/redactie/\r\nLocation: //evil.example",
    "redactie/",
    "/stijl.css",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_volgende_goes_to_the_inbox(value: str):
    assert safe_next(value) == "/redactie/"
    assert safe_next(value, "/formulier/") == "/formulier/redactie/"


def test_a_page_of_the_staff_area_is_kept():
    assert safe_next("/redactie/INZ-20261124-ABCDEF?tab=1") == "/redactie/INZ-20261124-ABCDEF?tab=1"
    assert login_url("/", "/redactie/accounts") == "/redactie/inloggen?volgende=/redactie/accounts"
    assert login_url("/", "//evil.example") == "/redactie/inloggen"


@given(st.text(max_size=120) | st.from_regex(r"\A/redactie/[ -~]{0,40}\Z"))
@settings(max_examples=300, deadline=None)
def test_no_volgende_leads_off_the_site(value: str):
    for base in ("/", "/formulier/"):
        target = safe_next(value, base)
        resolved = urlsplit(urljoin("https://verhalen.gemeente.example/", target))
        assert (resolved.scheme, resolved.netloc) == ("https", "verhalen.gemeente.example")
        assert resolved.path.startswith(f"{base}redactie/")
        assert not any(ord(char) < 33 or char == "\\" for char in target)
