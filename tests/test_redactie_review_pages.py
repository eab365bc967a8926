"""The staff pages for one submission: preview, edit, accept, decline, over real HTTP.

The real service runs on 127.0.0.1 against a real git repository and a real SMTP server
(aiosmtpd); staff log in through the real login form (``staffkit``).
"""

from __future__ import annotations

import re
import sqlite3

import pytest

from aanhetwoord.intake.review import DECLINE_REASONS
from intakekit import get, git, make_repo, phone_photo, post, running_service, story_fields
from mailkit import smtp_server
from sitefactory import ROOT
from staffkit import StaffClient, add_user

SENDER = "formulier@gemeente.example"
REFERENCE = re.compile(r'class="kenmerk">(INZ-\d{8}-[A-Z0-9]{6})<')
PUBLISH = "sh -c 'echo gebouwd en verstuurd; exit 3'"


@pytest.fixture(scope="module")
def mailbox():
    with smtp_server() as box:
        yield box


@pytest.fixture(scope="module")
def site(tmp_path_factory, mailbox):
    root = tmp_path_factory.mktemp("redactie-pages")
    make_repo(root / "repo")
    for name, role in (("rik", "redacteur"), ("bea", "beheerder")):
        made = add_user(root / "repo", root / "data", name, "lang-genoeg-wachtwoord-1", role=role)
        assert made.returncode == 0, made.stderr
    settings = {
        "min_seconds": 0,
        "smtp_host": "127.0.0.1",
        "smtp_port": mailbox.port,
        "mail_from": SENDER,
        "mail_retry_seconds": 0.3,
        "publish_command": PUBLISH,
    }
    with running_service(root / "repo", root / "data", **settings) as running:
        yield running


def submit(site, email: str = "", title: str = "Samen koken op vrijdag", **more) -> tuple[str, str]:
    files = more.pop("files", [])
    reply = site.submit(story_fields(site.token(), title=title, email=email, **more), files)
    assert reply.status == 200, reply.text
    link = re.search(r'href="[^"]*/intrekken/([^"]+)"', reply.text).group(1)
    return REFERENCE.search(reply.text).group(1), link


def staff(site, address: str, name: str = "rik") -> StaffClient:
    client = StaffClient(site, address)
    assert client.login(name).status == 303
    return client


def audit(site) -> list[tuple[str, str, str, str]]:
    with sqlite3.connect(f"file:{site.data / 'staff.sqlite3'}?mode=ro", uri=True) as db:
        return list(db.execute("SELECT who, action, subject, detail FROM audit ORDER BY id"))


def branch_of(site, reference: str) -> str:
    with sqlite3.connect(f"file:{site.data / 'register.sqlite3'}?mode=ro", uri=True) as db:
        return db.execute("SELECT branch FROM submissions WHERE id = ?", (reference,)).fetchone()[0]


def header(answer, name: str) -> str:
    return answer.header(name)


# The submission page -------------------------------------------------------------------------


def test_the_submission_page_shows_preview_problems_consent_and_front_matter(site):
    reference, _ = submit(
        site,
        title="Met een foto",
        photo_alt="Een gele vlek",
        photo_consent="ja",
        files=[("photo", "foto.jpg", phone_photo(), "image/jpeg")],
    )
    client = staff(site, "198.51.100.40")
    page = client.get(f"redactie/{reference}")
    assert page.status == 200
    text = page.text
    assert "<h1>Met een foto</h1>" in text
    assert f'<iframe src="/redactie/{reference}/voorbeeld" width="1280"' in text
    assert f'<iframe src="/redactie/{reference}/voorbeeld" width="390"' in text
    assert ">Bewerken</a>" in text and ">Accepteren</button>" in text and ">Afwijzen</button>" in text
    for reason in DECLINE_REASONS:
        assert f'name="reason" value="{reason}"' in text
    assert '<textarea id="reason-eigen" name="reason"' in text
    consent = text.split('id="toestemming-kop"', 1)[1]
    assert "<dt>Toestemming voor de foto</dt><dd>Ja</dd>" in consent
    assert "Leeftijd bevestigd" in consent and "</dt><dd>Ja</dd>" in consent
    assert "title: Met een foto" in text and "alt: Een gele vlek" in text  # the raw front matter
    assert "De controle vond geen problemen." in text
    # Frames of this host only, and only here and on the preview itself.
    assert "frame-src 'self'" in header(page, "content-security-policy")
    assert "frame-ancestors 'none'" in header(page, "content-security-policy")
    assert header(page, "x-frame-options") == "DENY"
    inbox = client.get("redactie/")
    assert "frame-src" not in header(inbox, "content-security-policy")
    assert "frame-ancestors 'none'" in header(inbox, "content-security-policy")
    # Only the frame rules differ from every other page's policy.
    expected = header(inbox, "content-security-policy").replace(
        "frame-ancestors 'none'", "frame-src 'self'; frame-ancestors 'none'"
    )
    assert header(page, "content-security-policy") == expected

    preview = client.get(f"redactie/{reference}/voorbeeld")
    assert preview.status == 200
    assert header(preview, "content-security-policy") == header(inbox, "content-security-policy").replace(
        "frame-ancestors 'none'", "frame-ancestors 'self'"
    )
    assert "script-src" not in header(preview, "content-security-policy")
    assert header(preview, "x-frame-options") == "SAMEORIGIN"
    assert '<article class="md-content__inner md-typeset">' in preview.text
    assert "Met een foto" in preview.text
    photos = re.findall(rf"/redactie/{reference}/foto/([\w.-]+\.(?:webp|jpg|jpeg|avif))", preview.text)
    assert photos, preview.text
    for name in set(photos):
        photo = client.get(f"redactie/{reference}/foto/{name}")
        assert photo.status == 200
        if name.endswith(".webp"):
            assert photo.header("content-type") == "image/webp" and photo.body[8:12] == b"WEBP"
        else:
            assert photo.header("content-type") == "image/jpeg" and photo.body[:2] == b"\xff\xd8"
    # The photos are private: without a session they lead to the login.
    assert get(site.base + f"redactie/{reference}/foto/{photos[0]}").status == 303
    assert get(site.base + f"redactie/{reference}/voorbeeld").status == 303
    assert client.get(f"redactie/{reference}/foto/..%2Findex.md").status == 404


def test_the_site_stylesheets_come_from_material_and_the_theme_on_this_host(site):
    material = get(site.base + "redactie/site/material.css")
    assert material.status == 200 and ".md-typeset" in material.text
    ours = get(site.base + "redactie/site/aanhetwoord.css")
    theme_css = (ROOT / "theme_overrides" / "assets" / "stylesheets" / "aanhetwoord.css").read_text("utf-8")
    assert ours.status == 200 and ours.text == theme_css
    assert get(site.base + "redactie/site/palette.css").status == 200
    assert get(site.base + "redactie/site/../../mkdocs.yml").status == 404
    assert get(site.base + "redactie/site/anders.css").status == 404


def test_an_unknown_submission_is_a_plain_404(site):
    client = staff(site, "198.51.100.41")
    answer = client.get("redactie/INZ-20000101-AAAAAA")
    assert answer.status == 404 and "Deze inzending is er niet" in answer.text


# Editing -------------------------------------------------------------------------------------


def test_a_rejected_edit_keeps_what_staff_typed_and_says_what_is_wrong_beside_the_field(site):
    reference, _ = submit(site, title="Een titel om te bewerken")
    client = staff(site, "198.51.100.42")
    form = client.get(f"redactie/{reference}/bewerken")
    assert form.status == 200
    assert 'value="Een titel om te bewerken"' in form.text
    assert 'value="Kookclub Vrijdag"' in form.text
    assert "Elke vrijdag koken we samen in het buurthuis." in form.text
    assert re.search(r'name="neighbourhoods" value="oude-haven" checked', form.text)
    tip = git(site.repo, "rev-parse", branch_of(site, reference)).strip()
    answer = client.post(
        f"redactie/{reference}/bewerken",
        [
            ("csrf", form.hidden("csrf")),
            ("title", ""),
            ("summary", "Een samenvatting die blijft staan"),
            ("community", "Kookclub Vrijdag"),
            ("neighbourhoods", "oude-haven"),
            ("themes", "samen-leven"),
            ("body", "Een nieuwe tekst die blijft staan."),
        ],
    )
    assert answer.status == 422
    title_field = answer.text.split('<label for="title">', 1)[1].split("</div>", 1)[0]
    assert 'class="fout" id="title-fout-1"' in title_field
    assert 'aria-invalid="true"' in title_field
    assert 'value="Een samenvatting die blijft staan"' not in answer.text  # a text area, not an input
    assert ">Een samenvatting die blijft staan</textarea>" in answer.text
    assert ">Een nieuwe tekst die blijft staan.</textarea>" in answer.text
    assert git(site.repo, "rev-parse", branch_of(site, reference)).strip() == tip


def test_an_edit_is_a_commit_by_the_staff_member_and_in_the_audit_log(site):
    reference, _ = submit(site, title="Tittel met een fout")
    client = staff(site, "198.51.100.43")
    form = client.get(f"redactie/{reference}/bewerken")
    answer = client.post(
        f"redactie/{reference}/bewerken",
        [
            ("csrf", form.hidden("csrf")),
            ("title", "Titel zonder fout"),
            ("summary", ""),
            ("community", "Kookclub Vrijdag"),
            ("neighbourhoods", "oude-haven"),
            ("themes", "samen-leven"),
            ("themes", "taal-en-meedoen"),
            ("body", "Elke vrijdag koken we samen in het buurthuis.\n\nIedereen neemt iets mee."),
        ],
    )
    assert (answer.status, answer.location) == (303, f"/redactie/{reference}?gedaan=bewerkt")
    branch = branch_of(site, reference)
    assert git(site.repo, "log", "-1", "--format=%an|%ae", branch).strip() == "rik|rik@redactie.invalid"
    assert "title: Titel zonder fout" in git(
        site.repo, "show", f"{branch}:stories/{_slug(site, reference)}/index.md"
    )
    page = client.get(answer.location)
    assert "Je wijziging is opgeslagen." in page.text and "In bewerking" in page.text
    assert ("rik", "bewerkt", reference, "Titel zonder fout") in audit(site)
    assert "In bewerking" in client.get("redactie/?status=in_bewerking").text


def _slug(site, reference: str) -> str:
    with sqlite3.connect(f"file:{site.data / 'register.sqlite3'}?mode=ro", uri=True) as db:
        return db.execute("SELECT slug FROM submissions WHERE id = ?", (reference,)).fetchone()[0]


# Deciding ------------------------------------------------------------------------------------


def test_accept_merges_shows_the_publish_command_and_mails_the_resident(site, mailbox):
    address = "bewoner.geplaatst@example.org"
    reference, _ = submit(site, email=address, title="Soep voor de hele straat")
    client = staff(site, "198.51.100.44")
    page = client.get(f"redactie/{reference}")
    answer = client.post(f"redactie/{reference}/accept", {"csrf": page.hidden("csrf")})
    assert answer.status == 200, answer.text
    assert "<h1>Het verhaal is geplaatst</h1>" in answer.text
    assert re.search(
        r'href="https://verhalen\.example\.org/verhalen/soep-voor-de-hele-straat[^"]*"', answer.text
    )
    assert "gebouwd en verstuurd" in answer.text  # the publish command's output
    assert "<dt>Foutcode</dt><dd>3</dd>" in answer.text
    assert "De verteller krijgt hierover een e-mail." in answer.text
    log = git(site.repo, "log", "-1", "--format=%an|%s", "main").strip()
    assert log == "rik|Verhaal geplaatst: Soep voor de hele straat"
    assert ("rik", "geaccepteerd", reference, "Soep voor de hele straat") in audit(site)
    kinds = [m.message["Subject"] for m in mailbox.wait_for(address, 2)]
    assert any(subject.startswith("Je verhaal staat online") for subject in kinds)
    # Accepted: no buttons any more, and a second accept is refused.
    again = client.get(f"redactie/{reference}")
    assert ">Accepteren</button>" not in again.text and ">Afwijzen</button>" not in again.text
    refused = client.post(f"redactie/{reference}/accept", {"csrf": page.hidden("csrf")})
    assert refused.status == 409 and "al geplaatst" in refused.text
    assert "Geaccepteerd" in client.get("redactie/?status=geaccepteerd").text


def test_decline_needs_a_reason_then_mails_it_and_removes_the_branch(site, mailbox):
    address = "bewoner.afgewezen@example.org"
    reference, _ = submit(site, email=address, title="Koop nu bij ons")
    branch = branch_of(site, reference)
    client = staff(site, "198.51.100.45")
    csrf = client.csrf()
    empty = client.post(f"redactie/{reference}/decline", [("csrf", csrf), ("reason", "")])
    assert empty.status == 422 and "Kies of schrijf een reden" in empty.text
    assert branch in git(site.repo, "branch", "--list", branch)
    reason = DECLINE_REASONS[2]
    answer = client.post(
        f"redactie/{reference}/decline",
        [("csrf", csrf), ("reason", reason), ("reason", "Haal de prijzen eruit en stuur het opnieuw.")],
    )
    assert answer.status == 200, answer.text
    assert "<h1>De inzending is afgewezen</h1>" in answer.text
    assert git(site.repo, "branch", "--list", branch).strip() == ""
    declined = [m for m in mailbox.wait_for(address, 2) if "niet op de site" in m.message["Subject"]]
    assert declined
    text = declined[0].part("plain")
    assert reason in text and "Haal de prijzen eruit en stuur het opnieuw." in text
    entry = next(row for row in audit(site) if row[1] == "afgewezen" and row[2] == reference)
    assert entry[0] == "rik" and reason in entry[3]
    page = client.get(f"redactie/{reference}")
    assert page.status == 200 and "Deze inzending is afgewezen door rik" in page.text
    assert "Afgewezen" in client.get("redactie/?status=afgewezen").text


def test_a_withdrawn_submission_has_no_accept_button_and_a_forged_accept_is_refused(site):
    reference, link = submit(site, title="Toch maar niet")
    assert post(site.base + "intrekken/" + link, []).status == 200
    client = staff(site, "198.51.100.46")
    page = client.get(f"redactie/{reference}")
    assert page.status == 200
    assert ">Accepteren</button>" not in page.text and "/accept" not in page.text
    assert "ingetrokken" in page.text
    main_before = git(site.repo, "rev-parse", "main").strip()
    forged = client.post(f"redactie/{reference}/accept", {"csrf": page.hidden("csrf")})
    assert forged.status == 409
    assert "De verteller heeft deze inzending ingetrokken." in forged.text
    assert git(site.repo, "rev-parse", "main").strip() == main_before
    assert not any(row[1] == "geaccepteerd" and row[2] == reference for row in audit(site))
    assert "Toch maar niet" in client.get("redactie/?status=ingetrokken").text


def test_decisions_need_the_csrf_token(site):
    reference, _ = submit(site, title="Zonder code geen besluit")
    client = staff(site, "198.51.100.47")
    for path, fields in (
        ("accept", {}),
        ("decline", {"reason": DECLINE_REASONS[0]}),
        ("bewerken", {"title": "Een titel zonder code"}),
    ):
        answer = client.post(f"redactie/{reference}/{path}", fields)
        assert answer.status == 403, path
    assert "Een titel zonder code" not in client.get(f"redactie/{reference}").text


def test_the_inbox_links_each_submission_to_its_page(site):
    reference, _ = submit(site, title="Een verhaal in de lijst")
    client = staff(site, "198.51.100.48")
    inbox = client.get("redactie/?status=nieuw").text
    assert f'<a href="/redactie/{reference}">Een verhaal in de lijst</a>' in inbox
    assert "Besloten" not in inbox
