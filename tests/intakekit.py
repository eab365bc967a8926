"""Helpers for the intake tests: a real site in a real git repository, the real service, plain HTTP.

* ``make_repo(folder)`` — a small site (``sitefactory.make_site``) committed on ``main``.
* ``running_service(repo, data, **settings)`` — starts ``aanhetwoord intake`` in a subprocess on
  127.0.0.1 at port 0 (it says which port it got), exactly as staff would, and stops it
  afterwards. Settings are the ``AANHETWOORD_INTAKE_*`` variables without their prefix, e.g. ``rate_limit=5``.
* ``post(url, fields, files)`` — a multipart post written by hand, so a test can send what no
  browser would (a path as a file name, an oversized field).
* ``phone_photo()`` — a JPEG with EXIF GPS, a comment and XMP, like a phone's.
"""

from __future__ import annotations

import http.client
import io
import secrets
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from PIL import Image, ImageDraw

from aanhetwoord.intake.abuse import FormTokens
from sitefactory import CLI, LISTENING, Site, make_site, quiet_env, stop_process

SECRET = "test-geheim-" + "0123456789abcdef" * 3
PREFIX = "AANHETWOORD_INTAKE_"


# The repository ------------------------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=Redactie", "-c", "user.email=redactie@example.org", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {result.stderr}")
    return result.stdout


def make_repo(folder: Path) -> Site:
    site = make_site(folder)
    site.write_config()
    git(folder, "init", "-q", "-b", "main")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "De site")
    return site


def refs(repo: Path) -> dict[str, str]:
    output = git(repo, "for-each-ref", "--format=%(refname) %(objectname)")
    return dict(line.split(" ", 1) for line in output.splitlines() if line)


def branches(repo: Path, prefix: str) -> list[str]:
    return [ref.removeprefix("refs/heads/") for ref in refs(repo) if ref.startswith(f"refs/heads/{prefix}")]


def export_branch(repo: Path, branch: str, target: Path) -> Path:
    """The tree of ``branch`` as plain files in ``target`` (no checkout of the repository itself)."""
    target.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", "--format=tar", branch], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target


def register_rows(data: Path) -> list[dict]:
    path = data / "register.sqlite3"
    if not path.exists():
        return []
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute("SELECT * FROM submissions ORDER BY id")]


# The service ---------------------------------------------------------------------------------


@dataclass
class Service:
    base: str  # ends in /
    repo: Path
    data: Path
    env: dict[str, str]
    log: Path
    address: str = "203.0.113.1"  # sent as X-Forwarded-For; the service trusts 127.0.0.1 as proxy
    process: subprocess.Popen | None = None

    def token(self, age: float = 60.0) -> str:
        """A valid form token, as if the form had been shown ``age`` seconds ago."""
        return FormTokens(SECRET.encode(), 0, 7200).issue(now=time.time() - age)

    def submit(
        self, fields: Sequence[tuple[str, str]], files: Sequence[tuple[str, str, bytes, str]] = (), **kwargs
    ) -> Reply:
        headers = {"X-Forwarded-For": kwargs.pop("address", self.address)}
        return post(self.base, fields, files, headers=headers, **kwargs)

    def logs(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def running_service(repo: Path, data: Path, **settings: object) -> Iterator[Service]:
    env = quiet_env()
    env.update(
        {
            f"{PREFIX}PORT": "0",  # the system picks a free port; the service says which
            f"{PREFIX}DATA_DIR": str(data),
            f"{PREFIX}SECRET": SECRET,
            f"{PREFIX}TRUSTED_PROXIES": "127.0.0.1",
            f"{PREFIX}LOG_LEVEL": "warning",
        }
    )
    env.update({f"{PREFIX}{key.upper()}": str(value) for key, value in settings.items()})
    data.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix="intake-", suffix=".log", dir=data.parent)
    log = Path(name)
    with open(handle, "wb") as output:
        process = subprocess.Popen(
            [*CLI, "-f", str(repo / "mkdocs.yml"), "intake"],
            cwd=repo,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    service = Service("", repo, data, env, log, process=process)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise AssertionError(f"the service stopped ({process.returncode}):\n{service.logs()}")
            if not service.base and (match := LISTENING.search(service.logs())):
                service.base = f"http://127.0.0.1:{match.group(1)}/"
            try:
                if service.base and get(service.base + "gezond").status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"the service did not start:\n{service.logs()}")
            time.sleep(0.1)
        yield service
    finally:
        stop_process(process, 15)


# HTTP ----------------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str
    url: str = ""  # where the answer came from, after a 303 the page it led to
    redirect: Reply | None = None  # the 303 answer to the post, when it was followed

    def form(self) -> Form:
        return Form.parse(self.text)


def _connection(url: str, timeout: float) -> tuple[http.client.HTTPConnection, str]:
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout), path


def get(url: str, timeout: float = 30) -> Reply:
    connection, path = _connection(url, timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        headers = {k.lower(): v for k, v in response.getheaders()}
        return Reply(response.status, headers, body.decode("utf-8"), url)
    finally:
        connection.close()


def multipart(
    fields: Sequence[tuple[str, str]], files: Sequence[tuple[str, str, bytes, str]] = ()
) -> tuple[bytes, str]:
    """``files`` are (field name, file name, content, content type)."""
    boundary = "----aanhetwoord" + secrets.token_hex(12)
    body = io.BytesIO()
    for name, value in fields:
        body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        body.write(value.encode("utf-8") + b"\r\n")
    for name, filename, content, content_type in files:
        body.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
        )
        body.write(content + b"\r\n")
    body.write(f"--{boundary}--\r\n".encode())
    return body.getvalue(), f"multipart/form-data; boundary={boundary}"


def post(
    url: str,
    fields: Sequence[tuple[str, str]],
    files: Sequence[tuple[str, str, bytes, str]] = (),
    *,
    headers: dict[str, str] | None = None,
    timeout: float = 120,
    follow: bool = True,
) -> Reply:
    """Post the form; like a browser, a 303 answer is followed with a GET (unless ``follow`` is off)."""
    body, content_type = multipart(fields, files)
    connection, path = _connection(url, timeout)
    try:
        connection.request("POST", path, body=body, headers={"Content-Type": content_type, **(headers or {})})
        response = connection.getresponse()
        data = response.read()
        headers = {k.lower(): v for k, v in response.getheaders()}
        reply = Reply(response.status, headers, data.decode("utf-8"), url)
    finally:
        connection.close()
    if follow and reply.status == 303:
        landed = get(urljoin(url, reply.headers["location"]), timeout)
        landed.redirect = reply
        return landed
    return reply


# The names of the form's fields that residents fill in: a public contract.
FORM_FIELDS = [
    "title",
    "community",
    "neighbourhoods",
    "themes",
    "storytellers",
    "summary",
    "body",
    "photo",
    "photo_alt",
    "photo_credit",
    "photo_consent",
    "consent",
    "age_confirm",
    "email",
    "website",
]


def story_fields(token: str, /, **overrides: object) -> list[tuple[str, str]]:
    """A valid post; an override of None leaves a field out, a list repeats it."""
    values: dict[str, object] = {
        "token": token,
        "title": "Samen koken op vrijdag",
        "community": "Kookclub Vrijdag",
        "neighbourhoods": ["oude-haven"],
        "themes": ["samen-leven", "taal-en-meedoen"],
        "storytellers": "Fatima, Joost",
        "summary": "",
        "body": "Elke vrijdag koken we samen in het buurthuis.\n\nIedereen neemt iets mee.",
        "consent": "ja",
        "age_confirm": "ja",
        "email": "",
        "website": "",
    }
    values.update(overrides)
    fields: list[tuple[str, str]] = []
    for name, value in values.items():
        if value is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            fields.append((name, str(item)))
    return fields


# Reading the form back -----------------------------------------------------------------------


@dataclass
class Form:
    inputs: dict[str, list[dict[str, str | None]]] = field(default_factory=dict)
    textareas: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, html: str) -> Form:
        parser = _FormParser()
        parser.feed(html)
        return parser.form

    def value(self, name: str) -> str:
        if name in self.textareas:
            return self.textareas[name]
        items = self.inputs.get(name) or [{}]
        return items[0].get("value") or ""

    def checked(self, name: str) -> list[str]:
        return [item.get("value") or "" for item in self.inputs.get(name, []) if "checked" in item]


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.form = Form()
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "input" and attributes.get("name"):
            self.form.inputs.setdefault(str(attributes["name"]), []).append(attributes)
        elif tag == "textarea" and attributes.get("name"):
            self._textarea = str(attributes["name"])
            self.form.textareas[self._textarea] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.form.textareas[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None


# Photos --------------------------------------------------------------------------------------

GPS_LATITUDE = (52.0, 13.0, 37.5)


def phone_photo(width: int = 1600, height: int = 1200, *, orientation: int = 6, seed: int = 1) -> bytes:
    """A JPEG as a phone makes it: EXIF with the GPS position and the camera, XMP and a comment.

    ``orientation=6`` means "turn 90° clockwise to view": the photo on the site is portrait.
    """
    image = Image.new("RGB", (width, height), (40 + seed % 150, 120, 90))
    draw = ImageDraw.Draw(image)
    draw.rectangle((width // 10, height // 10, width // 2, height // 2), fill=(230, 200, 40))
    draw.ellipse((width // 2, height // 3, width - 20, height - 20), fill=(20, 60, 160))
    exif = Image.Exif()
    exif[0x010F] = "Telefoonmaker"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = GPS_LATITUDE
    gps[3] = "E"
    gps[4] = (5.0, 55.0, 12.25)
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="Thuisadres 12"/>'
        b"</rdf:RDF></x:xmpmeta>"
    )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88, exif=exif, comment=b"Gemaakt thuis, Dorpsstraat 12", xmp=xmp)
    return out.getvalue()


def has_metadata(data: bytes) -> list[str]:
    """What of a phone photo's private data is still in ``data``."""
    found = []
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        if len(exif):
            found.append("exif")
        if exif.get_ifd(0x8825):
            found.append("gps")
        for key in ("exif", "xmp", "comment", "XML:com.adobe.xmp", "icc_profile"):
            if image.info.get(key):
                found.append(key)
    for marker in (b"Exif\x00", b"Telefoonmaker", b"Dorpsstraat", b"Thuisadres", b"xmpmeta"):
        if marker in data:
            found.append(marker.decode(errors="replace"))
    return found
