"""The staff area in Chromium: axe-core finds no WCAG 2.2 AA violation, and login works by keyboard.

The real service runs on 127.0.0.1 against a real repository with a submission in it; staff
log in through the real form. axe is injected through Playwright (the page's own strict CSP
forbids scripts, so the test context bypasses it; the pages themselves use none).
"""

from __future__ import annotations

import re

import pytest

from browser_support import keep_to_origin, new_context, origin, require_chromium
from intakekit import make_repo, phone_photo, running_service, story_fields
from staffkit import PASSWORD, add_user
from test_accessibility_in_browser import page_violations

pytestmark = [pytest.mark.browser]


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    require_chromium()
    root = tmp_path_factory.mktemp("redactie-browser")
    make_repo(root / "repo")
    made = add_user(root / "repo", root / "data", "bea", PASSWORD, role="beheerder")
    assert made.returncode == 0, made.stderr
    with running_service(root / "repo", root / "data") as running:
        for fields, files in (
            (story_fields(running.token(), title="Samen koken op vrijdag"), []),
            (
                story_fields(
                    running.token(), title="Met een foto", photo_alt="Een gele vlek", photo_consent="ja"
                ),
                [("photo", "foto.jpg", phone_photo(), "image/jpeg")],
            ),
        ):
            assert running.submit(fields, files).status == 200
        yield running


@pytest.fixture
def page(browser, service):
    context = new_context(browser, bypass_csp=True, service_workers="block")
    requests: list[str] = []
    own = origin(service.base)
    keep_to_origin(context, own, requests)
    page = context.new_page()
    yield page
    context.close()
    assert [url for url in requests if origin(url) != own] == []


def log_in(page, service, password: str = PASSWORD) -> None:
    page.goto(service.base + "redactie/", wait_until="load")
    page.wait_for_url(re.compile(r"/redactie/inloggen\?volgende="))
    page.get_by_label("Naam").fill("bea")
    page.get_by_label("Wachtwoord").fill(password)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_the_login_page_has_no_violations(page, service):
    page.goto(service.base + "redactie/inloggen", wait_until="load")
    assert page_violations(page) == []


def test_a_failed_login_has_no_violations_and_says_why(page, service):
    log_in(page, service, "niet-het-wachtwoord")
    assert page.locator("[role=alert]").inner_text().startswith("De naam of het wachtwoord klopt niet.")
    assert page_violations(page) == []


@pytest.mark.parametrize("path", ["", "?status=nieuw", "accounts", "logboek"])
def test_the_staff_pages_have_no_violations(page, service, path: str):
    log_in(page, service)
    page.wait_for_url(re.compile(r"/redactie/$"))
    assert "Samen koken op vrijdag" in page.content()
    page.goto(service.base + "redactie/" + path, wait_until="load")
    assert page.locator("h1").count() == 1
    assert page_violations(page) == []


def test_logging_out_with_the_keyboard(page, service):
    log_in(page, service)
    page.wait_for_url(re.compile(r"/redactie/$"))
    page.get_by_role("button", name="Uitloggen").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/redactie/inloggen\?uitgelogd=1$"))
    assert "Je bent uitgelogd." in page.content()
    page.goto(service.base + "redactie/", wait_until="load")
    page.wait_for_url(re.compile(r"/redactie/inloggen\?volgende="))
