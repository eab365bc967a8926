"""Every bad post gets its 4xx and a plain Dutch message, and writes nothing: no ref, no register row.

Each test posts from its own address (X-Forwarded-For, believed from the local proxy), so the
rate limit of one test never refuses another's post.
"""

from __future__ import annotations

import functools
import io
import itertools
import re
import time

import pytest
from PIL import Image

from intakekit import (
    get,
    make_repo,
    phone_photo,
    refs,
    register_rows,
    running_service,
    story_fields,
)

PHOTO_MAX_MB = 1
BODY_MAX = 2000
_addresses = (f"198.51.100.{n}" for n in itertools.count(1))


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    root = tmp_path_factory.mktemp("refusals")
    make_repo(root / "repo")
    settings = {
        "min_seconds": 2,
        "rate_limit": 5,
        "photo_max_mb": PHOTO_MAX_MB,
        "max_request_mb": 2,
        "body_max_chars": BODY_MAX,
    }
    with running_service(root / "repo", root / "data", **settings) as running:
        yield running


def bomb() -> bytes:
    """A tiny PNG that decodes to 20,000 × 20,000 pixels (400 megapixels)."""
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, "PNG", optimize=True)
    assert len(out.getvalue()) < 200_000
    return out.getvalue()


def png_with_text() -> bytes:
    return b"Dit is geen foto, maar een tekst met de naam foto.jpg.\n" * 20


CASES = {
    "missing consent": (
        {"consent": None},
        [],
        422,
        "Zet hier een vinkje als iedereen in het verhaal het goed vindt",
    ),
    "missing age confirmation": (
        {"age_confirm": None},
        [],
        422,
        "Zet hier een vinkje als je 16 jaar of ouder bent",
    ),
    "too long title": (
        {"title": "t" * 121},
        [],
        422,
        "De titel is 121 tekens lang; het mag hoogstens 120 tekens zijn",
    ),
    "unknown theme": ({"themes": ["koken"]}, [], 422, "Onbekend thema &#39;koken&#39;"),
    "misspelt neighbourhood": ({"neighbourhoods": ["oude havn"]}, [], 422, "Bedoel je &#39;Oude Haven&#39;?"),
    "no neighbourhood": ({"neighbourhoods": None}, [], 422, "Kies minstens één buurt."),
    "oversize body": ({"body": "woord " * 400}, [], 422, f"Dat mogen er hoogstens {BODY_MAX} zijn"),
    "body far over every limit": ({"body": "x" * 200_000}, [], 413, "Een van de tekstvelden is veel te lang"),
    "a wrong e-mail address": ({"email": "geen adres"}, [], 422, "Dit e-mailadres klopt niet"),
    "an image outside the story": (
        {"body": "Kijk: ![wachtwoorden](../../../etc/passwd)"},
        [],
        422,
        "staat niet in de map van het verhaal",
    ),
    "decompression bomb": (
        {"photo_alt": "Een zwart vlak", "photo_consent": "ja"},
        [("photo", "bom.png", bomb(), "image/png")],
        422,
        "De foto heeft te veel pixels",
    ),
    "a non-image": (
        {"photo_alt": "Iets", "photo_consent": "ja"},
        [("photo", "foto.jpg", png_with_text(), "image/jpeg")],
        422,
        "Dit is geen foto in een bekend formaat (JPEG, PNG, WebP of HEIC)",
    ),
    "a photo over its limit": (
        {"photo_alt": "Ruis", "photo_consent": "ja"},
        [("photo", "groot.jpg", b"\xff" * (PHOTO_MAX_MB * 1024 * 1024 + 10), "image/jpeg")],
        422,
        f"Je foto is groter dan {PHOTO_MAX_MB} MB",
    ),
    "a post over the request limit": (
        {},
        [("photo", "enorm.jpg", b"\xff" * (3 * 1024 * 1024), "image/jpeg")],
        413,
        "Wat je stuurde is te groot",
    ),
    "a path as file name": (
        {"photo_alt": "Mensen", "photo_consent": "ja"},
        [("photo", "../../x.jpg", phone_photo(320, 240), "image/jpeg")],
        422,
        "De naam van het bestand kan niet",
    ),
    "a photo without description": (
        {"photo_consent": "ja"},
        [("photo", "foto.jpg", phone_photo(320, 240), "image/jpeg")],
        422,
        "Schrijf in één zin wat er op de foto te zien is",
    ),
    "a photo without consent": (
        {"photo_alt": "Mensen"},
        [("photo", "foto.jpg", phone_photo(320, 240), "image/jpeg")],
        422,
        "Zet hier een vinkje als iedereen op de foto het goed vindt",
    ),
    "the honeypot filled in": ({"website": "https://spam.example"}, [], 400, "Laat dit veld leeg"),
    "a forged token": ({"token": "abc.1.1.0000"}, [], 400, "Het formulier kwam niet goed aan"),
    "no token": ({"token": None}, [], 400, "Het formulier kwam niet goed aan"),
}


def nothing_written(service, before_refs, before_rows) -> None:
    assert refs(service.repo) == before_refs
    assert register_rows(service.data) == before_rows
    assert list((service.data / "upload").iterdir()) == []
    assert not list(service.repo.rglob("x.jpg")) and not list(service.data.rglob("x.jpg"))


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_post_is_refused_in_dutch_and_writes_nothing(service, case):
    overrides, files, status, message = CASES[case]
    before_refs, before_rows = refs(service.repo), register_rows(service.data)
    fields = story_fields(service.token(), **overrides)
    reply = service.submit(fields, files, address=next(_addresses))
    assert reply.status == status, reply.text
    assert message in reply.text
    assert '<html lang="nl">' in reply.text
    nothing_written(service, before_refs, before_rows)
    if status == 422:
        # The form is back, with a fresh token and what was typed.
        form = reply.form()
        assert form.value("token") and form.value("token") != dict(fields)["token"]
        assert form.textareas["body"] == dict(fields)["body"].strip()
        assert "Je verhaal is nog niet verstuurd" in reply.text


def test_a_bad_photo_is_refused_before_it_reaches_the_kept_photos(service):
    before = set((service.data / "pogingen").iterdir())
    service.submit(
        story_fields(service.token(), photo_alt="x", photo_consent="ja"),
        [("photo", "bom.png", bomb(), "image/png")],
        address=next(_addresses),
    )
    assert set((service.data / "pogingen").iterdir()) == before


def test_a_replayed_post_is_refused(service):
    address = next(_addresses)
    fields = story_fields(service.token(), title="Een keer is genoeg")
    first = service.submit(fields, address=address)
    assert first.status == 200, first.text
    before_refs, before_rows = refs(service.repo), register_rows(service.data)
    again = service.submit(fields, address=address)
    assert again.status == 409
    assert "Dit formulier is al verstuurd" in again.text
    nothing_written(service, before_refs, before_rows)
    # Also from another address: the token itself is spent.
    assert service.submit(fields, address=next(_addresses)).status == 409
    nothing_written(service, before_refs, before_rows)


def test_a_post_right_after_the_form_is_too_fast_and_may_be_sent_again(service):
    address = next(_addresses)
    token = get(service.base).form().value("token")
    before_refs, before_rows = refs(service.repo), register_rows(service.data)
    reply = service.submit(story_fields(token, title="Snel"), address=address)
    assert reply.status == 422
    assert "Dat ging heel snel" in reply.text
    nothing_written(service, before_refs, before_rows)
    # The form that came back remembers when the form was first shown: once that is long
    # enough ago, the same resident can simply send it again.
    again = service.submit(story_fields(reply.form().value("token"), title="Snel"), address=address)
    assert again.status == 422 and "Dat ging heel snel" in again.text
    time.sleep(2.1)
    final = service.submit(story_fields(again.form().value("token"), title="Snel"), address=address)
    assert final.status == 200, final.text


def test_an_old_form_has_expired(service):
    before_refs, before_rows = refs(service.repo), register_rows(service.data)
    reply = service.submit(story_fields(service.token(age=3 * 3600)), address=next(_addresses))
    assert reply.status == 422
    assert "Het formulier stond lang open" in reply.text
    nothing_written(service, before_refs, before_rows)


def test_the_rate_limit_refuses_and_survives_a_restart(tmp_path):
    repo = tmp_path / "repo"
    make_repo(repo)
    data = tmp_path / "data"
    with running_service(repo, data, rate_limit=3, min_seconds=0) as service:
        for _ in range(3):  # refused posts count too
            assert service.submit(story_fields(service.token(), consent=None)).status == 422
        before_refs, before_rows = refs(repo), register_rows(data)
        reply = service.submit(story_fields(service.token()))
        assert reply.status == 429
        assert "Even wachten" in reply.text and "Je verhaal is niet verstuurd" in reply.text
        assert int(reply.headers["retry-after"]) > 0
        nothing_written(service, before_refs, before_rows)
        # Another address is not affected.
        assert service.submit(story_fields(service.token()), address="192.0.2.7").status == 200
    with running_service(repo, data, rate_limit=3, min_seconds=0) as service:
        before_refs, before_rows = refs(repo), register_rows(data)
        assert service.submit(story_fields(service.token())).status == 429
        nothing_written(service, before_refs, before_rows)


def test_forwarded_addresses_are_ignored_from_an_untrusted_peer(tmp_path):
    repo = tmp_path / "repo"
    make_repo(repo)
    with running_service(repo, tmp_path / "data", rate_limit=2, min_seconds=0, trusted_proxies="") as service:
        # A client that makes up a new X-Forwarded-For for every post is still one address.
        statuses = [
            service.submit(story_fields(service.token(), consent=None), address=f"192.0.2.{n}").status
            for n in range(3)
        ]
        assert statuses == [422, 422, 429]


def test_no_upload_is_left_behind_after_an_accepted_a_refused_or_a_cut_off_post(service):
    # Each kind of post that streams a photo to disk: accepted, refused by its content, cut off
    # at the request limit.
    accepted = service.submit(
        story_fields(service.token(), title="Met een foto", photo_alt="Mensen", photo_consent="ja"),
        [("photo", "foto.jpg", phone_photo(320, 240), "image/jpeg")],
        address=next(_addresses),
    )
    assert accepted.status == 200, accepted.text
    refused = service.submit(
        story_fields(service.token(), photo_alt="Iets", photo_consent="ja"),
        [("photo", "foto.jpg", png_with_text(), "image/jpeg")],
        address=next(_addresses),
    )
    assert refused.status == 422
    cut_off = service.submit(
        story_fields(service.token()),
        [("photo", "enorm.jpg", b"\xff" * (3 * 1024 * 1024), "image/jpeg")],
        address=next(_addresses),
    )
    assert cut_off.status == 413
    assert list((service.data / "upload").iterdir()) == []
    assert [path for path in service.data.rglob("*") if path.name.endswith(".upload")] == []


def test_when_git_fails_the_resident_is_told_and_nothing_is_registered(tmp_path):
    repo = tmp_path / "repo"
    make_repo(repo)
    with running_service(repo, tmp_path / "data", min_seconds=0) as service:
        # A file where the folder of the new branches must go: git cannot create any branch.
        (repo / ".git" / "refs" / "heads" / "inzending").write_text("in de weg\n")
        reply = service.submit(story_fields(service.token()))
        assert reply.status == 500
        assert "Er ging iets mis bij ons" in reply.text and "Je verhaal is niet verstuurd" in reply.text
        assert register_rows(service.data) == []
        assert list(refs(repo)) == ["refs/heads/main"]


# Never a 500 ---------------------------------------------------------------------------------


@functools.cache
def needle_png() -> bytes:
    """A PNG of 1 × 39,000,000 pixels: under 40 megapixels, but no photo can be that long."""
    out = io.BytesIO()
    Image.new("RGB", (1, 39_000_000), (200, 40, 40)).save(out, "PNG")
    assert len(out.getvalue()) < 400_000
    return out.getvalue()


def test_a_photo_too_long_on_one_side_is_refused_next_to_the_photo_field(service):
    before_refs, before_rows = refs(service.repo), register_rows(service.data)
    kept_before = set((service.data / "pogingen").iterdir())
    fields = story_fields(service.token(), photo_alt="Een streep", photo_consent="ja")
    reply = service.submit(
        fields, [("photo", "streep.png", needle_png(), "image/png")], address=next(_addresses)
    )
    assert reply.status == 422, reply.text
    message = re.search(r'<p class="fout" id="photo-fout-1">(.*?)</p>', reply.text, re.S).group(1)
    assert "De foto is 1 × 39.000.000 pixels. Een kant mag hoogstens 20.000 pixels lang zijn." in message
    assert "Kies een andere foto." in message
    assert reply.form().value("title") == dict(fields)["title"]
    assert reply.form().textareas["body"] == dict(fields)["body"].strip()
    nothing_written(service, before_refs, before_rows)
    assert set((service.data / "pogingen").iterdir()) == kept_before


BAD_TOKENS = {
    "other characters": "ä" * 20 + ".1.1." + "é" * 40,
    "superscript digits": "abc.\u00b2\u00b3.1.0000",
    "arabic digits": "abc.\u0661\u0662.\u0661.0000",
    "long": "a" * 150 + "." + "1" * 20 + ".1." + "f" * 40,
    "huge": "A" * 100_000,  # over the field limit: dropped, not a refusal of the whole post
    "base64 noise": "eyJhbGciOiJIUzI1NiJ9.e30.ZRrHA1JJJW8opsbCGfG_HACGpVUMN_a9IV7pAx_Zmeo=",
    "a wrong signature": "0123456789abcdef01234567.1700000000.1700000000." + "0" * 40,
    "control characters": "\x00\x01.\x7f.1.\x1b[31m",
}


@pytest.mark.parametrize("kind", list(BAD_TOKENS))
def test_a_malformed_token_gets_the_form_back_with_what_was_typed(service, kind):
    before_refs, before_rows = refs(service.repo), register_rows(service.data)
    logged = len(service.logs())
    fields = story_fields(
        BAD_TOKENS[kind],
        title="Mijn titel blijft staan",
        body="Wat ik schreef, staat er nog.\n\nOok deze alinea.",
        community="Buurtclub Één",
    )
    reply = service.submit(fields, address=next(_addresses))
    assert reply.status == 400, reply.text
    assert (
        "Het formulier kwam niet goed aan. Je verhaal is niet verstuurd. Verstuur het opnieuw." in reply.text
    )
    form = reply.form()
    assert form.value("title") == "Mijn titel blijft staan"
    assert form.value("community") == "Buurtclub Één"
    assert form.textareas["body"] == "Wat ik schreef, staat er nog.\n\nOok deze alinea."
    assert re.fullmatch(r"[0-9a-f]{24}\.\d+\.\d+\.[0-9a-f]{40}", form.value("token"))  # a fresh one
    nothing_written(service, before_refs, before_rows)
    assert "Traceback" not in service.logs()[logged:]


def test_the_rate_limit_counts_an_ipv6_slash_64_as_one_address(tmp_path):
    repo = tmp_path / "repo"
    make_repo(repo)
    with running_service(repo, tmp_path / "data", rate_limit=2, min_seconds=0) as service:
        refused = story_fields(service.token(), consent=None)
        statuses = [
            service.submit(story_fields(service.token(), consent=None), address=f"2001:db8:1:2::{n:x}").status
            for n in (1, 0xFFFF, 0xABCD)
        ]
        assert statuses == [422, 422, 429]
        assert service.submit(refused, address="2001:db8:1:2:ffff:ffff:ffff:ffff").status == 429
        # The next /64 is another household.
        assert (
            service.submit(story_fields(service.token(), consent=None), address="2001:db8:1:3::1").status
            == 422
        )
        # An IPv4 client seen through a dual-stack socket is that IPv4 address.
        statuses = [
            service.submit(story_fields(service.token(), consent=None), address=address).status
            for address in ("192.0.2.44", "::ffff:192.0.2.44", "::ffff:c000:22c")
        ]
        assert statuses == [422, 422, 429]
        assert service.submit(story_fields(service.token(), consent=None), address="192.0.2.45").status == 422
