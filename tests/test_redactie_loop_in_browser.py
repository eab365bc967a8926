"""The whole loop in Chromium: a resident sends a story, staff fix, accept or decline it, mail goes out.

The real service runs on 127.0.0.1 against a real git repository, with a real SMTP server
(aiosmtpd) on 127.0.0.1; a real ``mkdocs build`` of the base branch publishes what staff
accepted. axe-core checks the submission, edit and result pages for WCAG 2.2 AA, 2.1 AA included (the test
context bypasses the pages' strict CSP only to inject axe; the pages use no script).
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser_support import WAIT_MS, keep_to_origin, new_context, origin, require_chromium
from intakekit import export_branch, git, make_repo, post, running_service, story_fields
from mailkit import smtp_server
from staffkit import PASSWORD, add_user
from test_accessibility_in_browser import page_violations

pytestmark = [pytest.mark.browser]

SENDER = "formulier@gemeente.example"
STAFF_NAME = "anna.devries"
STAFF_EMAIL = "anna.devries@gemeente.example"
REFERENCE = re.compile(r"INZ-\d{8}-[A-Z0-9]{6}")


@pytest.fixture(scope="module")
def mailbox():
    with smtp_server() as box:
        yield box


@pytest.fixture(scope="module")
def service(tmp_path_factory, mailbox):
    require_chromium()
    root = tmp_path_factory.mktemp("redactie-loop")
    make_repo(root / "repo")
    made = add_user(root / "repo", root / "data", STAFF_NAME, PASSWORD, role="redacteur", email=STAFF_EMAIL)
    assert made.returncode == 0, made.stderr
    settings = {
        "min_seconds": 0,
        "smtp_host": "127.0.0.1",
        "smtp_port": mailbox.port,
        "mail_from": SENDER,
        "mail_retry_seconds": 0.3,
    }
    with running_service(root / "repo", root / "data", **settings) as running:
        yield running


@pytest.fixture
def context(browser, service):
    context = new_context(browser, bypass_csp=True, service_workers="block")
    requests: list[str] = []
    own = origin(service.base)
    keep_to_origin(context, own, requests)
    yield context
    context.close()
    assert [url for url in requests if origin(url) != own] == []


def resident_submits(context, service, title: str, email: str) -> str:
    """Fills in the public form as a resident would; returns the submission's reference."""
    page = context.new_page()
    page.goto(service.base, wait_until="load")
    page.locator("#title").fill(title)
    page.locator("#community").fill("Kookclub Vrijdag")
    page.locator("#neighbourhoods-oude-haven").check()
    page.locator("#themes-samen-leven").check()
    page.locator("#body").fill("Elke vrijdag koken we samen in het buurthuis.\n\nIedereen neemt iets mee.")
    page.locator("#consent").check()
    page.locator("#age_confirm").check()
    page.locator("#email").fill(email)
    with page.expect_navigation():
        page.locator("#formulier button[type=submit]").click()
    page.wait_for_url(re.compile(r"/bedankt/"))
    reference = REFERENCE.search(page.locator("main").inner_text()).group(0)
    page.close()
    return reference


def log_in(context, service):
    page = context.new_page()
    page.goto(service.base + "redactie/", wait_until="load")
    page.wait_for_url(re.compile(r"/redactie/inloggen\?volgende="))
    page.get_by_label("Naam").fill(STAFF_NAME)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(re.compile(r"/redactie/$"))
    return page


def register_row(service, reference: str) -> dict:
    with sqlite3.connect(f"file:{service.data / 'register.sqlite3'}?mode=ro", uri=True) as db:
        db.row_factory = sqlite3.Row
        return dict(db.execute("SELECT * FROM submissions WHERE id = ?", (reference,)).fetchone())


def test_a_story_goes_from_the_form_through_the_redactie_onto_the_site(context, service, mailbox, tmp_path):
    resident = "bewoner.kookclub@example.org"
    reference = resident_submits(context, service, "Samen kokken op vrijdag", resident)
    receipt = mailbox.wait_for(resident, 1)[0]
    assert receipt.message["Subject"].startswith("We hebben je verhaal ontvangen")

    # Staff log in and find it in the inbox.
    page = log_in(context, service)
    row = page.locator("tbody tr", has_text="Samen kokken op vrijdag")
    expect(row).to_contain_text("Nieuw")
    expect(row).to_contain_text("Kookclub Vrijdag")
    with page.expect_navigation():
        row.get_by_role("link", name="Samen kokken op vrijdag").click()
    page.wait_for_url(re.compile(rf"/redactie/{reference}$"))

    # The preview, at desktop and at phone width, as the site will show it.
    for title, width in (("Voorbeeld op een computer", 1280), ("Voorbeeld op een telefoon", 390)):
        frame = page.frame_locator(f'iframe[title="{title}"]')
        expect(frame.locator("article h1")).to_have_text("Samen kokken op vrijdag", timeout=WAIT_MS)
        assert frame.locator("body").evaluate("body => body.clientWidth") == width
        # Material's stylesheet (its grid) and ours (the story's facts) apply inside the frame.
        sheets = frame.locator("body").evaluate("b => [...document.styleSheets].map(s => s.href)")
        assert [sheet.rsplit("/", 1)[1] for sheet in sheets] == [
            "material.css",
            "palette.css",
            "aanhetwoord.css",
            "huisstijl.css",
        ]
        assert frame.locator(".md-grid").evaluate("e => getComputedStyle(e).maxWidth") == "1220px"
        assert frame.locator(".ahw-story__facts").evaluate("e => getComputedStyle(e).display") == "flex"
    expect(page.get_by_role("heading", name="Toestemming")).to_be_visible()
    expect(page.locator("pre.voorwerk")).to_contain_text("title: Samen kokken op vrijdag")
    assert page_violations(page) == []

    # They fix the title.
    with page.expect_navigation():
        page.get_by_role("link", name="Bewerken").click()
    page.wait_for_url(re.compile(rf"/redactie/{reference}/bewerken$"))
    assert page_violations(page) == []
    page.get_by_label("Titel", exact=True).fill("")
    with page.expect_navigation():
        page.get_by_role("button", name="Opslaan").click()
    expect(page.locator("[role=alert]")).to_contain_text("Niet opgeslagen.")
    expect(page.locator("#body")).to_have_value(re.compile("Elke vrijdag koken we samen"))
    assert page_violations(page) == []
    page.get_by_label("Titel", exact=True).fill("Samen koken op vrijdag")
    with page.expect_navigation():
        page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url(re.compile(rf"/redactie/{reference}\?gedaan=bewerkt$"))
    expect(page.locator("[role=status]")).to_contain_text("Je wijziging is opgeslagen.")
    frame = page.frame_locator('iframe[title="Voorbeeld op een telefoon"]')
    expect(frame.locator("article h1")).to_have_text("Samen koken op vrijdag", timeout=WAIT_MS)

    # They accept it.
    with page.expect_navigation():
        page.get_by_role("button", name="Accepteren").click()
    expect(page.locator("h1")).to_have_text("Het verhaal is geplaatst")
    expect(page.locator("main")).to_contain_text("De verteller krijgt hierover een e-mail.")
    assert page_violations(page) == []

    # The base branch has the story with the fix, committed by that staff member…
    slug = register_row(service, reference)["slug"]
    story = git(service.repo, "show", f"main:stories/{slug}/index.md")
    assert "title: Samen koken op vrijdag" in story
    who = git(service.repo, "log", "-1", "--format=%an <%ae>|%cn <%ce>", "main").strip()
    assert who == f"{STAFF_NAME} <{STAFF_EMAIL}>|{STAFF_NAME} <{STAFF_EMAIL}>"
    fix = git(service.repo, "log", "-1", "--format=%an|%s", "main^2").strip()
    assert fix.startswith(f"{STAFF_NAME}|Verhaal aangepast door de redactie: Samen koken op vrijdag")
    # …and a build of it publishes the story.
    checkout = export_branch(service.repo, "main", tmp_path / "main")
    build = subprocess.run(
        [str(Path(sys.executable).parent / "mkdocs"), "build", "-q", "-f", str(checkout / "mkdocs.yml")],
        cwd=checkout,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stderr
    published = (checkout / "site" / "verhalen" / slug / "index.html").read_text(encoding="utf-8")
    assert "Samen koken op vrijdag" in published and "Samen kokken op vrijdag" not in published

    # The resident has the receipt and the "online" mail with the story's address.
    mails = mailbox.wait_for(resident, 2)
    online = next(mail for mail in mails if mail.message["Subject"].startswith("Je verhaal staat online"))
    assert f"https://verhalen.example.org/verhalen/{slug}/" in online.part("plain")
    assert "Samen koken op vrijdag" in online.part("html")


def test_a_declined_story_mails_its_reason(context, service, mailbox):
    resident = "bewoner.reclame@example.org"
    reference = resident_submits(context, service, "Koop onze soep", resident)
    page = log_in(context, service)
    page.goto(service.base + f"redactie/{reference}", wait_until="load")
    # Without a reason the page says so beside the field and keeps what was typed.
    page.get_by_label("Eigen reden of toelichting").fill("")
    with page.expect_navigation():
        page.get_by_role("button", name="Afwijzen").click()
    expect(page.locator("#reason-fout")).to_contain_text("Kies of schrijf een reden.")
    assert page_violations(page) == []
    page.get_by_label("Je verhaal lijkt op reclame voor een bedrijf, een product of een partij.").check()
    page.get_by_label("Eigen reden of toelichting").fill("Vertel liever over de mensen die koken.")
    with page.expect_navigation():
        page.get_by_role("button", name="Afwijzen").click()
    expect(page.locator("h1")).to_have_text("De inzending is afgewezen")
    assert page_violations(page) == []
    mails = mailbox.wait_for(resident, 2)
    declined = next(
        mail for mail in mails if mail.message["Subject"].startswith("Je verhaal komt niet op de site")
    )
    text = declined.part("plain")
    assert "Je verhaal lijkt op reclame voor een bedrijf, een product of een partij." in text
    assert "Vertel liever over de mensen die koken." in text
    assert register_row(service, reference)["review"] == "afgewezen"


def test_a_withdrawn_story_cannot_be_accepted_even_with_a_forged_post(context, service):
    reply = service.submit(story_fields(service.token(), title="Liever toch niet"))
    assert reply.status == 200
    reference = REFERENCE.search(reply.text).group(0)
    link = re.search(r'href="[^"]*(/intrekken/[^"]+)"', reply.text).group(1)
    assert post(service.base + link.lstrip("/"), []).status == 200

    page = log_in(context, service)
    page.goto(service.base + f"redactie/{reference}", wait_until="load")
    expect(page.locator("main")).to_contain_text("De verteller heeft deze inzending ingetrokken.")
    expect(page.get_by_role("button", name="Accepteren")).to_have_count(0)
    assert page_violations(page) == []
    main_before = git(service.repo, "rev-parse", "main").strip()
    csrf = page.locator("input[name=csrf]").first.get_attribute("value")
    assert csrf
    forged = context.request.post(service.base + f"redactie/{reference}/accept", form={"csrf": csrf})
    assert forged.status == 409
    assert "De verteller heeft deze inzending ingetrokken." in forged.text()
    assert git(service.repo, "rev-parse", "main").strip() == main_before
    assert register_row(service, reference)["review"] != "geaccepteerd"
