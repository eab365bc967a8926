"""The staff area's security, against the real service on 127.0.0.1 and a real git repository.

Every test counts its logins against an X-Forwarded-For address of its own (the service trusts
127.0.0.1 as its proxy), and the tests that get an account blocked use an account of their own,
so the tests hold in any order.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from intakekit import make_repo, running_service, story_fields
from staffkit import LOGIN_COOKIE, PASSWORD, SESSION_COOKIE, StaffClient, add_user

LOGIN_FAILED = "De naam of het wachtwoord klopt niet."
BLOCKED = "Er is te vaak een verkeerde naam of een verkeerd wachtwoord gebruikt."
CSRF_REFUSED = "Dit formulier is niet aangenomen"
STAFF_PATHS = ["redactie/", "redactie/accounts", "redactie/logboek", "redactie/?status=nieuw"]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator:
    base = tmp_path_factory.mktemp("redactie")
    repo, data = base / "repo", base / "data"
    make_repo(repo)
    for name, role in (("bea", "beheerder"), ("rik", "redacteur"), ("tim", None), ("uma", None)):
        made = add_user(repo, data, name, PASSWORD, role=role)
        assert made.returncode == 0, made.stderr
    # Three failures per account, twelve per address, then a block.
    with running_service(repo, data, login_attempts=3) as service:
        submitted = service.submit(story_fields(service.token(), title="Een verhaal voor de redactie"))
        assert submitted.status == 200
        yield service


def error_text(answer) -> str:
    start = answer.text.find('id="inloggen-fout">')
    return answer.text[start:].split(">", 1)[1].split("<", 1)[0] if start >= 0 else ""


# Without a session ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", STAFF_PATHS)
def test_pages_without_a_session_go_to_the_login_and_back(site, path: str):
    client = StaffClient(site, "198.51.100.1")
    answer = client.get(path)
    assert answer.status == 303
    assert answer.location == "/redactie/inloggen?volgende=/" + path.replace("?", "%3F").replace("=", "%3D")
    assert client.get(answer.location).status == 200
    logged_in = client.login(
        "rik" if "accounts" not in path and "logboek" not in path else "bea",
        next_path=answer.location.split("=", 1)[1],
    )
    assert logged_in.status == 303
    assert logged_in.location == "/" + path


def test_a_post_without_a_session_goes_to_the_login(site):
    client = StaffClient(site, "198.51.100.2")
    answer = client.post("redactie/uitloggen", {"csrf": "x"})
    assert (answer.status, answer.location) == (303, "/redactie/inloggen")
    answer = client.post("redactie/accounts", {"action": "add", "name": "indringer", "password": "x" * 20})
    assert (answer.status, answer.location) == (303, "/redactie/inloggen")


def test_redactie_without_slash_goes_to_the_inbox(site):
    answer = StaffClient(site, "198.51.100.3").get("redactie")
    assert (answer.status, answer.location) == (308, "/redactie/")


# Login ---------------------------------------------------------------------------------------


def test_login_opens_the_inbox_with_a_strict_session_cookie(site):
    client = StaffClient(site, "198.51.100.4")
    answer = client.login("rik")
    assert (answer.status, answer.location) == (303, "/redactie/")
    cookie = answer.cookies()[SESSION_COOKIE].lower()
    for flag in ("httponly", "samesite=strict", "path=/redactie"):
        assert flag in cookie
    assert "secure" not in cookie  # plain HTTP on 127.0.0.1: a Secure cookie would never come back
    assert "max-age" not in cookie and "expires" not in cookie  # gone when the browser closes
    inbox = client.get("redactie/")
    assert inbox.status == 200
    assert "Een verhaal voor de redactie" in inbox.text
    assert "Ingelogd als <strong>rik</strong>" in inbox.text
    assert inbox.header("cache-control") == "no-store"
    assert "default-src 'none'" in inbox.header("content-security-policy")


def test_cookies_are_secure_behind_an_https_proxy(site):
    client = StaffClient(site, "198.51.100.5", extra_headers={"X-Forwarded-Proto": "https"})
    page = client.get("redactie/inloggen")
    assert "; secure" in page.cookies()[LOGIN_COOKIE].lower()
    answer = client.login("rik")
    assert "; secure" in answer.cookies()[SESSION_COOKIE].lower()


def test_unknown_name_and_wrong_password_get_the_same_answer(site):
    client = StaffClient(site, "198.51.100.6")
    wrong_password = client.login("uma", "niet-het-goede-wachtwoord")
    unknown_name = client.login("niemand-hier", PASSWORD)
    assert wrong_password.status == unknown_name.status == 401
    assert error_text(wrong_password) == error_text(unknown_name)
    assert error_text(wrong_password).startswith(LOGIN_FAILED)
    assert SESSION_COOKIE not in client.jar


def test_wrong_passwords_are_slowed_then_the_account_is_blocked(site):
    client = StaffClient(site, "198.51.100.7")
    times = []
    for _ in range(3):
        started = time.monotonic()
        answer = client.login("tim", "fout-wachtwoord-123")
        times.append(time.monotonic() - started)
        assert answer.status == 401
        assert error_text(answer).startswith(LOGIN_FAILED)
    # The first failure is free; the second waits a second, the third two.
    assert times[1] >= 1.0
    assert times[2] >= 2.0
    # Now even the right password is refused, also from another address.
    for address in ("198.51.100.7", "198.51.100.8"):
        blocked = StaffClient(site, address).login("tim", PASSWORD)
        assert blocked.status == 429
        assert error_text(blocked).startswith(BLOCKED)
        assert 1 <= int(blocked.header("retry-after")) <= 15 * 60
        assert SESSION_COOKIE not in blocked.cookies()
    # Another account from the same address still gets in.
    assert StaffClient(site, "198.51.100.7").login("uma").status == 303


def test_one_address_is_blocked_after_failures_for_many_names(site):
    client = StaffClient(site, "2001:db8:7::1")
    for number in range(12):
        answer = client.login(f"gok-{number}", "fout-wachtwoord-123")
        assert answer.status == 401
    # The whole IPv6 /64 is one address to the throttle.
    neighbour = StaffClient(site, "2001:db8:7::2").login("bea")
    assert neighbour.status == 429
    assert error_text(neighbour).startswith(BLOCKED)
    assert StaffClient(site, "2001:db8:8::1").login("bea").status == 303


# CSRF ----------------------------------------------------------------------------------------


def test_posts_without_the_csrf_token_are_refused(site):
    client = StaffClient(site, "198.51.100.9")
    client.login("bea")
    for fields in ({}, {"csrf": ""}, {"csrf": "nep-token"}, {"csrf": "é" * 43}):
        answer = client.post("redactie/uitloggen", fields)
        assert answer.status == 403
        assert CSRF_REFUSED in answer.text
    assert client.get("redactie/").status == 200  # still logged in
    answer = client.post(
        "redactie/accounts",
        {
            "action": "add",
            "name": "zonder-token",
            "role": "redacteur",
            "password": PASSWORD,
            "password_again": PASSWORD,
        },
    )
    assert answer.status == 403
    assert "zonder-token" not in client.get("redactie/accounts").text


def test_the_login_form_needs_its_own_token(site):
    client = StaffClient(site, "198.51.100.11")
    client.get("redactie/inloggen")
    answer = client.post("redactie/inloggen", {"username": "bea", "password": PASSWORD})
    assert answer.status == 403
    assert SESSION_COOKIE not in client.jar
    # A token from one login page does not go with another visitor's cookie.
    other = StaffClient(site, "198.51.100.11")
    token = other.get("redactie/inloggen").hidden("csrf")
    answer = client.post("redactie/inloggen", {"csrf": token, "username": "bea", "password": PASSWORD})
    assert answer.status == 403


def test_the_public_forms_token_and_links_do_not_open_the_staff_area(site):
    client = StaffClient(site, "198.51.100.12")
    form_token = client.get("").hidden("token")
    assert form_token
    sent = site.submit(story_fields(site.token(), title="Met een privélink"))
    withdrawal = sent.text.split("/intrekken/", 1)[1].split("<", 1)[0].split('"', 1)[0]
    for value in (form_token, withdrawal, f"{withdrawal}.{'0' * 64}", "a" * 43 + "." + "0" * 64):
        client.jar = {SESSION_COOKIE: value}
        answer = client.get("redactie/")
        assert (answer.status, answer.location) == (303, "/redactie/inloggen?volgende=/redactie/")
        client.jar = {SESSION_COOKIE: value, LOGIN_COOKIE: value}
        answer = client.post(
            "redactie/inloggen", {"csrf": form_token, "username": "bea", "password": PASSWORD}
        )
        assert answer.status == 403


# Logout --------------------------------------------------------------------------------------


def test_a_copied_session_cookie_is_dead_after_logout(site):
    bea = StaffClient(site, "198.51.100.13")
    bea.login("bea")
    copied = dict(bea.jar)
    thief = StaffClient(site, "198.51.100.14", jar=dict(copied))
    assert thief.get("redactie/").status == 200  # a stolen live cookie works: that is why logout matters
    answer = bea.post("redactie/uitloggen", {"csrf": bea.csrf()})
    assert (answer.status, answer.location) == (303, "/redactie/inloggen?uitgelogd=1")
    assert "max-age=0" in answer.cookies()[SESSION_COOKIE].lower()
    assert "Je bent uitgelogd." in bea.get(answer.location).text
    for client in (thief, StaffClient(site, "198.51.100.15", jar=dict(copied))):
        answer = client.get("redactie/")
        assert answer.status == 303
        assert answer.location.startswith("/redactie/inloggen")
    # Logging in again gives a new session, not the old one back.
    bea.login("bea")
    assert bea.jar[SESSION_COOKIE] != copied[SESSION_COOKIE]


def test_a_planted_cookie_is_replaced_at_login(site):
    first = StaffClient(site, "198.51.100.16")
    first.login("rik")
    planted = first.jar[SESSION_COOKIE]
    victim = StaffClient(site, "198.51.100.16")
    token = victim.get("redactie/inloggen").hidden("csrf")
    victim.jar[SESSION_COOKIE] = planted
    answer = victim.post("redactie/inloggen", {"csrf": token, "username": "bea", "password": PASSWORD})
    assert answer.status == 303
    assert victim.jar[SESSION_COOKIE] != planted
    assert first.get("redactie/").status == 303  # the planted session ended


# Roles and accounts --------------------------------------------------------------------------


def test_a_redacteur_cannot_open_accounts_or_the_log(site):
    client = StaffClient(site, "198.51.100.17")
    client.login("rik")
    for path in ("redactie/accounts", "redactie/logboek"):
        answer = client.get(path)
        assert answer.status == 403
        assert "Alleen voor beheerders" in answer.text
    token = client.csrf()
    answer = client.post(
        "redactie/accounts", {"csrf": token, "action": "role", "name": "rik", "role": "beheerder"}
    )
    assert answer.status == 403
    inbox = client.get("redactie/")
    assert 'href="/redactie/accounts"' not in inbox.text
    client.login("bea")
    assert ">Redacteur<" in client.get("redactie/accounts").text.split(">rik<", 1)[1].split("</tr>", 1)[0]


def audit_rows(data: Path) -> list[tuple[str, str, str, str]]:
    with sqlite3.connect(f"file:{data / 'staff.sqlite3'}?mode=ro", uri=True) as db:
        return list(db.execute("SELECT who, action, subject, detail FROM audit ORDER BY id"))


def test_account_changes_end_sessions_and_are_in_the_audit_log(site):
    bea = StaffClient(site, "198.51.100.18")
    bea.login("bea")
    before = len(audit_rows(site.data))
    new_password = "een-ander-wachtwoord-2"
    fields = {"action": "add", "name": "Cas", "role": "redacteur", "email": "cas@gemeente.example"}
    answer = bea.post(
        "redactie/accounts", {**fields, "csrf": bea.csrf(), "password": PASSWORD, "password_again": PASSWORD}
    )
    assert (answer.status, answer.location) == (303, "/redactie/accounts?gedaan=toegevoegd")
    assert "Het account is gemaakt." in bea.get(answer.location).text
    cas = StaffClient(site, "198.51.100.19")
    assert cas.login("cas").status == 303
    answer = bea.post(
        "redactie/accounts", {"csrf": bea.csrf(), "action": "role", "name": "cas", "role": "beheerder"}
    )
    assert answer.status == 303
    assert cas.get("redactie/logboek").status == 200  # the role counts from the next page on
    answer = bea.post(
        "redactie/accounts",
        {
            "csrf": bea.csrf(),
            "action": "password",
            "name": "cas",
            "password": new_password,
            "password_again": new_password,
        },
    )
    assert answer.status == 303
    assert cas.get("redactie/").status == 303  # a new password ends the sessions
    assert cas.login("cas", PASSWORD).status == 401
    assert cas.login("cas", new_password).status == 303
    answer = bea.post("redactie/accounts", {"csrf": bea.csrf(), "action": "disable", "name": "cas"})
    assert answer.status == 303
    assert cas.get("redactie/").status == 303  # disabled: logged out at once
    assert cas.login("cas", new_password).status == 401  # and the same answer as a wrong password
    bea.post("redactie/uitloggen", {"csrf": bea.csrf()})

    rows = audit_rows(site.data)[before:]
    assert ("bea", "account gemaakt", "cas", "redacteur") in rows
    assert ("bea", "rol veranderd", "cas", "beheerder") in rows
    assert ("bea", "wachtwoord veranderd", "cas", "") in rows
    assert ("bea", "account uitgezet", "cas", "") in rows
    assert ("cas", "ingelogd", "cas", "") in rows
    assert ("bea", "uitgelogd", "bea", "") in rows
    assert ("-", "inloggen mislukt", "cas", "") in rows
    everything = repr(audit_rows(site.data))
    for secret in (PASSWORD, new_password, "cas@gemeente.example"):
        assert secret not in everything
    # The beheerder reads it on the log page, newest first.
    bea.login("bea")
    page = bea.get("redactie/logboek").text
    assert page.index("account uitgezet") < page.index("account gemaakt")


def test_bad_account_input_is_said_next_to_the_field(site):
    bea = StaffClient(site, "198.51.100.20")
    bea.login("bea")
    answer = bea.post(
        "redactie/accounts",
        {
            "csrf": bea.csrf(),
            "action": "add",
            "name": "x y",
            "role": "redacteur",
            "password": "kort",
            "password_again": "kort",
        },
    )
    assert answer.status == 422
    assert 'id="nieuw-password-fout">Het wachtwoord is te kort. Gebruik minstens 12 tekens.' in answer.text
    answer = bea.post(
        "redactie/accounts",
        {
            "csrf": bea.csrf(),
            "action": "add",
            "name": "x y",
            "role": "redacteur",
            "password": PASSWORD,
            "password_again": PASSWORD,
        },
    )
    assert answer.status == 422
    assert 'id="nieuw-name-fout">Kies een naam van 2 tot 40 tekens' in answer.text
    assert 'value="x y"' in answer.text  # what was typed stays
    answer = bea.post("redactie/accounts", {"csrf": bea.csrf(), "action": "disable", "name": "bea"})
    if answer.status == 422:  # only while bea is the last beheerder
        assert "Dit is de laatste beheerder." in answer.text


def test_volgende_never_leads_off_the_site(site):
    for target in (
        "//evil.example/",
        "https://evil.example/redactie/",
        "/\\evil.example",
        "/redactie//evil.example",
    ):
        client = StaffClient(site, "198.51.100.21")
        answer = client.login("rik", next_path=target)
        assert (answer.status, answer.location) == (303, "/redactie/")


# The inbox -----------------------------------------------------------------------------------


def test_the_inbox_lists_newest_first_and_filters_by_status(site):
    client = StaffClient(site, "198.51.100.22")
    older = site.submit(story_fields(site.token(), title="Het oudere verhaal"))
    newer = site.submit(story_fields(site.token(), title="Het nieuwere verhaal"))
    assert older.status == newer.status == 200
    withdrawn = site.submit(story_fields(site.token(), title="Ingetrokken verhaal"))
    link = withdrawn.text.split("/intrekken/", 1)[1].split("<", 1)[0].split('"', 1)[0]
    from intakekit import post

    assert post(site.base + "intrekken/" + link, []).status == 200
    with sqlite3.connect(site.data / "register.sqlite3") as db:
        db.execute(
            "UPDATE submissions SET submitted_at = '2020-01-02T10:00:00+00:00' WHERE slug LIKE 'het-oudere%'"
        )
    client.login("rik")
    everything = client.get("redactie/").text
    assert everything.index("Het nieuwere verhaal") < everything.index("Het oudere verhaal")
    row = everything.split("Het oudere verhaal", 1)[1].split("</tr>", 1)[0]
    assert "Kookclub Vrijdag" in row and "Oude Haven" in row and "jaar geleden" in row
    assert ">Nee<" in row and ">Geen<" in row
    new = client.get("redactie/?status=nieuw").text
    assert "Het oudere verhaal" in new and "Ingetrokken verhaal" not in new
    gone = client.get("redactie/?status=ingetrokken").text
    assert "Ingetrokken verhaal" in gone and "Het oudere verhaal" not in gone
    assert client.get("redactie/?status=<script>").status == 200  # an unknown status shows all


def test_the_staff_database_is_private_and_holds_no_password(site):
    path = site.data / "staff.sqlite3"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert not str(path).startswith(str(site.repo))
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        hashes = [row[0] for row in db.execute("SELECT password_hash FROM staff")]
    assert hashes and all(value.startswith("$argon2id$") for value in hashes)
    assert PASSWORD.encode() not in path.read_bytes()
