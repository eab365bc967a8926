"""Random posts to the real intake service: it never answers 500, and a refusal writes nothing.

Hypothesis makes the posts: random field names and values, repeated fields, files with random
names and content types, binary junk, a missing or wrong multipart boundary, other content
types, and many parts (up to a little over the service's limit of 200). Some posts carry a
valid form token, so they get past the token check to the photo and the fields. After each post:
the status is below 500; the upload folder is empty; and a 4xx left no new branch and no register
row, and kept a photo only when the form came back (422) offering exactly that photo again.
"""

from __future__ import annotations

import http.client
import io
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, event, given
from hypothesis import settings as examples
from hypothesis import strategies as st
from PIL import Image

from intakekit import FORM_FIELDS, Form, make_repo, phone_photo, refs, register_rows, running_service

# Every field the form has, also those the page fills in itself.
FIELD_NAMES = [*FORM_FIELDS, "token", "photo_kept", "photo_remove"]
VALID_TOKEN = "\x00valid-token\x00"  # replaced by a fresh, valid token when the post is sent


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz")
    make_repo(root / "repo")
    settings = {
        "min_seconds": 0,
        "rate_limit": 1_000_000,
        "photo_max_mb": 1,
        "max_request_mb": 2,
        "body_max_chars": 2000,
        "log_level": "warning",
    }
    with running_service(root / "repo", root / "data", **settings) as running:
        yield running


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 200, 90)).save(out, "PNG")
    return out.getvalue()


SMALL_JPEG = phone_photo(64, 48)
PHOTOS = [
    SMALL_JPEG,
    SMALL_JPEG[: len(SMALL_JPEG) // 2],  # cut off halfway
    _png(30, 20),
    _png(21_000, 1),  # too long on one side
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,  # a PNG signature and nothing sensible
    b"GIF89a" + b"\x00" * 20,
]


GOOD_POST = [
    ("token", VALID_TOKEN),
    ("title", "Samen koken op vrijdag"),
    ("community", "Kookclub Vrijdag"),
    ("neighbourhoods", "oude-haven"),
    ("themes", "samen-leven"),
    ("body", "Elke vrijdag koken we samen in het buurthuis."),
    ("photo_alt", "Een pan soep"),
    ("photo_consent", "ja"),
    ("consent", "ja"),
    ("age_confirm", "ja"),
]


@dataclass(frozen=True)
class Part:
    headers: bytes
    content: bytes


def _quoted(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


names = st.sampled_from(FIELD_NAMES) | st.text(max_size=30)
values = (
    st.text(max_size=200)
    | st.binary(max_size=200)
    | st.sampled_from(["ja", "oude-haven", "samen-leven", "", VALID_TOKEN, "a" * 40_000])
)


@st.composite
def parts(draw: st.DrawFn) -> Part:
    name = draw(names)
    value = draw(values)
    content = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
    disposition = b'Content-Disposition: form-data; name="' + _quoted(name) + b'"'
    if draw(st.booleans()):  # a file
        filename = draw(
            st.sampled_from(["foto.jpg", "../../etc/passwd", "", "a\\b.png"]) | st.text(max_size=40)
        )
        disposition += b'; filename="' + _quoted(filename) + b'"'
        kind = draw(
            st.sampled_from(["image/jpeg", "image/png", "application/octet-stream", ""])
            | st.text(max_size=20)
        )
        disposition += b"\r\nContent-Type: " + _quoted(kind)
        content = draw(st.sampled_from(PHOTOS) | st.binary(max_size=2000))
    junk = draw(
        st.sampled_from([b"", b"\r\nX-Extra: 1", b"\r\nContent-Disposition: attachment", b"\r\n: leeg"])
    )
    return Part(disposition + junk, content)


@st.composite
def posts(draw: st.DrawFn) -> tuple[str, bytes]:
    """(content type, body) for one post."""
    boundary = "grens" + draw(st.text(alphabet="abcdefghij0123456789-_", min_size=1, max_size=30))
    how = draw(
        st.sampled_from(["form", "form", "form", "multipart", "multipart", "many", "junk", "urlencoded"])
    )
    if how in ("form", "multipart", "many"):
        if how == "many":  # a few parts repeated, around the service's limit of 200
            chosen = draw(st.lists(parts(), min_size=1, max_size=4))
            items = [chosen[index % len(chosen)] for index in range(draw(st.integers(150, 230)))]
        elif how == "form":  # a good post with random changes: it reaches the photo and the fields
            items = [
                Part(b'Content-Disposition: form-data; name="' + name.encode() + b'"', _quoted(value))
                for name, value in GOOD_POST
                if draw(st.integers(0, 9)) > 0 or name == "token"
            ]
            for _ in range(draw(st.integers(0, 4))):
                items.insert(draw(st.integers(0, len(items))), draw(parts()))
            if draw(st.booleans()):
                photo = draw(st.sampled_from(PHOTOS))
                kind = draw(st.sampled_from(["image/jpeg", "image/png", "text/plain"]))
                headers = (
                    'Content-Disposition: form-data; name="photo"; filename="foto.jpg"\r\nContent-Type: '
                )
                items.append(Part((headers + kind).encode(), photo))
        else:
            items = draw(st.lists(parts(), max_size=25))
        body = b"".join(
            b"--" + boundary.encode() + b"\r\n" + part.headers + b"\r\n\r\n" + part.content + b"\r\n"
            for part in items
        )
        if draw(st.booleans()):
            body += b"--" + boundary.encode() + b"--\r\n"
        header = draw(
            st.sampled_from(
                [
                    f"multipart/form-data; boundary={boundary}",
                    f'multipart/form-data; boundary="{boundary}"',
                    "multipart/form-data",  # no boundary
                    "multipart/form-data; boundary=",
                    "multipart/form-data; boundary=andere-grens",
                ]
            )
        )
        return header, body
    if how == "urlencoded":
        pairs = draw(st.lists(st.tuples(names, values), max_size=30))
        body = b"&".join(
            _quoted(name).replace(b"&", b"%26") + b"=" + (v if isinstance(v, bytes) else _quoted(v))
            for name, v in pairs
        )
        return "application/x-www-form-urlencoded", body
    header = draw(
        st.sampled_from(["text/plain", "application/json", "", "multipart/mixed; boundary=x"])
        | st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60)
    )
    return header, draw(st.binary(max_size=3000))


def send(service, content_type: str, body: bytes) -> tuple[int, str]:
    while VALID_TOKEN.encode() in body:
        body = body.replace(VALID_TOKEN.encode(), service.token().encode(), 1)
    connection = http.client.HTTPConnection(
        "127.0.0.1", int(service.base.rsplit(":", 1)[1].strip("/")), timeout=60
    )
    try:
        headers = {"X-Forwarded-For": service.address}
        if content_type:
            headers["Content-Type"] = content_type
        connection.request("POST", "/", body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


@examples(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(post=posts())
def test_random_posts_never_get_a_500_and_refusals_write_nothing(service, post):
    content_type, body = post
    before_refs, before_rows = refs(service.repo), register_rows(service.data)
    kept_before = {path.name for path in (service.data / "pogingen").iterdir()}
    logged = len(service.logs())

    status, text = send(service, content_type, body)

    event(f"status {status}")  # shown with --hypothesis-show-statistics
    assert status < 500, text
    assert list((service.data / "upload").iterdir()) == []
    assert "Traceback" not in service.logs()[logged:]
    kept_now = {path.name for path in (service.data / "pogingen").iterdir()}
    if status >= 400:
        assert refs(service.repo) == before_refs
        assert register_rows(service.data) == before_rows
        new = kept_now - kept_before
        if status == 422:
            # The only thing a refusal keeps: the checked photo it offers back on the form.
            assert new <= {Form.parse(text).value("photo_kept")}
        else:
            assert new == set()
    else:
        assert status == 303  # accepted: one branch and one register row more
        assert len(register_rows(service.data)) == len(before_rows) + 1
        assert len(refs(service.repo)) == len(before_refs) + 1
