"""The intake service, started for real: a post becomes a branch that passes ``check`` and builds."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import time

import pytest
import yaml
from PIL import Image

from aanhetwoord.intake import wording
from intakekit import (
    FORM_FIELDS,
    branches,
    export_branch,
    get,
    git,
    has_metadata,
    make_repo,
    phone_photo,
    refs,
    register_rows,
    running_service,
    story_fields,
)
from sitefactory import TODAY, Site, run_cli

EMAIL = "fatima@example.org"


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    root = tmp_path_factory.mktemp("intake")
    make_repo(root / "repo")
    with running_service(root / "repo", root / "data", min_seconds=1) as running:
        yield running


def front_matter(text: str) -> dict:
    return yaml.safe_load(text.split("---\n")[1])


def test_a_valid_post_with_a_phone_photo_becomes_a_branch_that_passes_check_and_builds(service, tmp_path):
    repo = service.repo
    main_before = refs(repo)["refs/heads/main"]
    # The service is shared by this module's tests, which may run in any order: only what this
    # test adds counts.
    branches_before = set(branches(repo, "inzending/"))
    status_before = git(repo, "status", "--porcelain")

    # As a browser does it: show the form, take its token, fill it in, send it a little later.
    page = get(service.base)
    assert page.status == 200
    token = page.form().value("token")
    time.sleep(1.1)
    photo = phone_photo(1600, 1200, orientation=6)
    assert "gps" in has_metadata(photo) and "exif" in has_metadata(photo)
    body = (
        "Elke vrijdag koken we samen in het buurthuis.\n\n"
        "Iedereen neemt iets mee. <script>alert('hoi')</script> blijft gewoon tekst."
    )
    reply = service.submit(
        story_fields(
            token,
            title='Samen koken: elke vrijdag # om 6 uur, "gratis"',
            body=body,
            summary="Elke vrijdag koken buren samen.",
            photo_alt="Vijf mensen staan rond een grote pan",
            photo_credit="Foto: Joost",
            photo_consent="ja",
            email=EMAIL,
        ),
        [("photo", "IMG_2041.JPG", photo, "image/jpeg")],
    )
    assert reply.status == 200, reply.text
    assert "Bedankt voor je verhaal!" in reply.text
    reference = re.search(r'class="kenmerk">(INZ-\d{8}-[A-Z0-9]{6})<', reply.text).group(1)
    link = re.search(r'href="([^"]+/intrekken/[^"]+)"', reply.text).group(1)
    assert link.startswith(service.base + "intrekken/")

    # One new branch, named as agreed; main and the working tree are untouched.
    today = TODAY.strftime("%Y%m%d")
    (branch,) = set(branches(repo, "inzending/")) - branches_before
    assert re.fullmatch(rf"inzending/{today}-samen-koken-elke-vrijdag-om-6-uur-gratis-[a-z0-9]{{6}}", branch)
    assert branch.endswith(reference.rsplit("-", 1)[1].lower())
    assert refs(repo)["refs/heads/main"] == main_before
    assert git(repo, "status", "--porcelain") == status_before
    assert git(repo, "rev-parse", f"{branch}^").strip() == main_before
    changed = git(repo, "diff", "--name-status", "main", branch).split("\n")
    slug = "samen-koken-elke-vrijdag-om-6-uur-gratis"
    assert sorted(line for line in changed if line) == [
        f"A\tstories/{slug}/foto.jpg",
        f"A\tstories/{slug}/index.md",
    ]
    # No personal data in the repository: not in the files, not in the commit.
    assert EMAIL not in git(repo, "log", "-p", "--format=%an %ae %s %b", f"main..{branch}")

    text = git(repo, "show", f"{branch}:stories/{slug}/index.md")
    data = front_matter(text)
    assert data["title"] == 'Samen koken: elke vrijdag # om 6 uur, "gratis"'
    assert data["consent"] == {"date": TODAY, "reference": reference, "photos": True}
    assert data["neighbourhoods"] == ["Oude Haven"]
    assert data["themes"] == ["Samen leven", "Taal en meedoen"]
    assert data["storytellers"] == ["Fatima", "Joost"]
    assert data["image"] == {
        "src": "foto.jpg",
        "alt": "Vijf mensen staan rond een grote pan",
        "credit": "Foto: Joost",
    }
    assert "status" not in data and "email" not in text

    # The photo in the repository: upright (portrait), and nothing of the phone's metadata.
    committed = subprocess.run(
        ["git", "-C", str(repo), "show", f"{branch}:stories/{slug}/foto.jpg"], capture_output=True, check=True
    ).stdout
    assert has_metadata(committed) == []
    with Image.open(io.BytesIO(committed)) as image:
        assert image.format == "JPEG" and image.size == (1200, 1600)

    # The story on the branch passes the resident's check and builds strictly.
    checkout = export_branch(repo, branch, tmp_path / "branch")
    check = run_cli(checkout, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    # The one warning tells the editors that the typed HTML will show as plain text; as every
    # warning, it would stop a strict build until they look at it.
    assert check.stderr.strip() == "1 verhaal in orde, 0 fouten, 1 waarschuwing"
    assert "waarschuwing: HTML zoals '<script>' werkt niet in een verhaal" in check.stdout
    site = Site(checkout)
    site.build()
    page_html = site.page(f"verhalen/{slug}")
    assert "Samen koken: elke vrijdag" in page_html
    assert "<script>alert" not in page_html and "&lt;script&gt;alert" in page_html
    built = [
        path for path in (site.site_dir / "verhalen" / slug).rglob("*") if path.suffix in (".jpg", ".webp")
    ]
    assert built
    for path in built:
        assert has_metadata(path.read_bytes()) == [], path

    # The consent register has the rest, and only a hash of the withdrawal token.
    (row,) = [row for row in register_rows(service.data) if row["id"] == reference]
    token_part = link.rsplit("/", 1)[1]
    assert row["withdrawal_hash"] == hashlib.sha256(token_part.encode()).hexdigest()
    assert row["consent_version"] == wording.consent_version(30)
    assert (row["photo_consent"], row["age_confirmed"], row["email"]) == (1, 1, EMAIL)
    assert (row["status"], row["branch"], row["slug"]) == ("submitted", branch, slug)
    assert token_part not in (service.data / "register.sqlite3").read_bytes().decode("latin-1")


def test_the_form_comes_back_filled_in_and_keeps_the_photo(service):
    before_refs, before_rows = refs(service.repo), register_rows(service.data)
    title = 'Koffie & thee <b>om 10 uur</b> "gratis"'
    body = "Regel één.\n\nRegel twee met <em>html</em> & een ampersand."
    fields = story_fields(
        service.token(),
        title=title,
        body=body,
        consent=None,  # forgotten
        themes=["sport-en-bewegen"],
        neighbourhoods=["oude-haven", "veldrand"],
        photo_alt="Een tafel met koffiekopjes",
        photo_credit="Anja",
        photo_consent="ja",
        email="anja@example.org",
    )
    reply = service.submit(
        fields, [("photo", "koffie.jpg", phone_photo(800, 600, orientation=1), "image/jpeg")]
    )
    assert reply.status == 422
    assert "Je verhaal is nog niet verstuurd. Er is 1 ding om te verbeteren" in reply.text
    assert "Zet hier een vinkje als iedereen in het verhaal het goed vindt" in reply.text
    form = reply.form()
    assert form.value("title") == title
    assert form.textareas["body"] == body
    assert form.checked("neighbourhoods") == ["oude-haven", "veldrand"]
    assert form.checked("themes") == ["sport-en-bewegen"]
    assert form.checked("consent") == [] and form.checked("age_confirm") == ["ja"]
    assert form.checked("photo_consent") == ["ja"]
    assert (form.value("photo_alt"), form.value("photo_credit")) == ("Een tafel met koffiekopjes", "Anja")
    assert form.value("email") == "anja@example.org"
    assert "Je foto is bewaard (800 × 600 pixels)" in reply.text
    kept = form.value("photo_kept")
    assert re.fullmatch(r"[0-9a-f]{32}", kept)
    # The form came back: nothing was written to git or to the register.
    assert refs(service.repo) == before_refs
    assert register_rows(service.data) == before_rows

    # Sending it again with the consent ticked, without choosing the photo again.
    again = [(name, value) for name, value in fields if name not in ("token",)]
    again += [("token", form.value("token")), ("photo_kept", kept), ("consent", "ja")]
    reply = service.submit(again)
    assert reply.status == 200, reply.text
    (branch,) = set(branches(service.repo, "inzending/")) - {
        ref.removeprefix("refs/heads/") for ref in before_refs
    }
    listing = git(
        service.repo, "ls-tree", "-r", "--name-only", branch, "--", "stories/koffie-thee-b-om-10-uur-b-gratis"
    )
    assert listing.split() == [
        "stories/koffie-thee-b-om-10-uur-b-gratis/foto.jpg",
        "stories/koffie-thee-b-om-10-uur-b-gratis/index.md",
    ]
    assert not (service.data / "pogingen" / kept).exists()


def test_a_taken_slug_gets_the_short_id(service):
    # "een-verhaal" is not on main, but the first submission takes it; the second gets its short id.
    titles = []
    for _ in range(2):
        reply = service.submit(story_fields(service.token(), title="Een verhaal"))
        assert reply.status == 200, reply.text
        titles.append(re.search(r'class="kenmerk">INZ-\d{8}-([A-Z0-9]{6})<', reply.text).group(1).lower())
    made = sorted(branch for branch in branches(service.repo, "inzending/") if "-een-verhaal" in branch)
    slugs = sorted(git(service.repo, "diff", "--name-only", "main", branch).split("/")[1] for branch in made)
    assert slugs == sorted(["een-verhaal", f"een-verhaal-{titles[1]}"])


def test_the_pages_load_nothing_from_elsewhere_and_forbid_scripts(service):
    page = get(service.base)
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    # Nothing is loaded from another host; the only links away are to the site itself.
    assert not re.search(r'(?:src="|<link[^>]*href=")(?:https?:)?//', page.text)
    assert set(re.findall(r'href="((?:https?:)?//[^"]*)"', page.text)) == {"https://verhalen.example.org/"}
    css = get(service.base + "stijl.css")
    assert css.status == 200 and css.headers["content-type"].startswith("text/css")
    assert "url(" not in css.text and "@import" not in css.text
    missing = get(service.base + "bestaat-niet")
    assert missing.status == 404 and "Deze pagina bestaat niet" in missing.text


def test_the_form_offers_the_registers_choices(service):
    form = get(service.base).form()
    assert [item["value"] for item in form.inputs["neighbourhoods"]] == [
        "oude-haven",
        "marktkwartier",
        "lindehoeve",
        "veldrand",
    ]
    assert [item["value"] for item in form.inputs["themes"]] == [
        "samen-leven",
        "sport-en-bewegen",
        "taal-en-meedoen",
    ]
    names = set(form.inputs) | set(form.textareas)
    assert set(FORM_FIELDS) <= names


def test_behind_a_proxy_the_pages_carry_its_path_and_public_address(tmp_path):
    repo = tmp_path / "repo"
    make_repo(repo)
    public = "https://verhalen.example.org/formulier/"
    with running_service(
        repo, tmp_path / "data", root_path="/formulier", public_url=public, min_seconds=0
    ) as proxied:
        page = get(proxied.base)
        assert 'action="/formulier/"' in page.text
        assert 'href="/formulier/stijl.css"' in page.text
        sent = proxied.submit(story_fields(proxied.token()), follow=False)
        assert sent.status == 303, sent.text
        token = re.fullmatch(r"/formulier/bedankt/([A-Za-z0-9_-]{43})", sent.headers["location"]).group(1)
        reply = get(proxied.base + "bedankt/" + token)  # as the proxy passes it on, without its path
        assert reply.status == 200, reply.text
        assert f'href="https://verhalen.example.org/formulier/intrekken/{token}"' in reply.text


def test_a_heic_photo_from_an_iphone_is_accepted_as_a_clean_jpeg(service):
    from pillow_heif import register_heif_opener

    register_heif_opener()
    heic = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 120, 40)).save(heic, "HEIF", quality=70)
    reply = service.submit(
        story_fields(
            service.token(), title="Foto van een iPhone", photo_alt="Een oranje vlak", photo_consent="ja"
        ),
        [("photo", "IMG_0001.HEIC", heic.getvalue(), "image/heic")],
    )
    assert reply.status == 200, reply.text
    (branch,) = [branch for branch in branches(service.repo, "inzending/") if "foto-van-een-iphone" in branch]
    committed = subprocess.run(
        ["git", "-C", str(service.repo), "show", f"{branch}:stories/foto-van-een-iphone/foto.jpg"],
        capture_output=True,
        check=True,
    ).stdout
    with Image.open(io.BytesIO(committed)) as image:
        assert (image.format, image.size) == ("JPEG", (640, 480))
    assert has_metadata(committed) == []
