"""The intake's parts on their own: settings, tokens, rate limit, git, register, forge requests, form."""

from __future__ import annotations

import asyncio
import http.server
import ipaddress
import json
import os
import stat
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st
from PIL import Image

from aanhetwoord import pipeline
from aanhetwoord.config_file import load_settings
from aanhetwoord.intake import forge, upload
from aanhetwoord.intake.abuse import AbuseStore, FormTokens, TokenState, client_address, rate_key
from aanhetwoord.intake.form import Errors, Limits, Values, check, form_field, multi_line, one_line
from aanhetwoord.intake.gitstore import Author, BranchExists, GitError, GitStore, check_path
from aanhetwoord.intake.photo import FILE_NAME, PreparedPhoto
from aanhetwoord.intake.register import SUBMITTED, ConsentRegister, Submission, token_hash
from aanhetwoord.intake.settings import ForgeSettings, SettingsError, load
from aanhetwoord.intake.withdrawal import loggable
from aanhetwoord.storyfile import StoryFile
from intakekit import git, make_repo, multipart, refs

# Settings ------------------------------------------------------------------------------------


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    make_repo(tmp_path / "repo")
    return tmp_path / "repo"


def test_defaults_need_no_set_up(repo: Path, tmp_path: Path):
    settings = load({"XDG_DATA_HOME": str(tmp_path / "xdg")}, repo / "mkdocs.yml")
    assert (settings.host, settings.port) == ("127.0.0.1", 8700)
    assert settings.repository == repo.resolve()
    assert settings.data_dir.is_relative_to(tmp_path / "xdg" / "aanhetwoord" / "intake")
    assert settings.forge is None
    secret = settings.data_dir / "secret.key"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert len(settings.secret) == 64
    # The same key after a restart, so forms shown before it still work.
    assert load({"XDG_DATA_HOME": str(tmp_path / "xdg")}, repo / "mkdocs.yml").secret == settings.secret


@pytest.mark.parametrize("inside", ["docs/.intake", "stories/_intake", "site/private", ".intake"])
def test_a_data_folder_inside_the_repository_is_refused(repo: Path, inside: str):
    with pytest.raises(
        SettingsError, match="AANHETWOORD_INTAKE_DATA_DIR: .* Kies een map buiten de repository"
    ):
        load({"AANHETWOORD_INTAKE_DATA_DIR": str(repo / inside)}, repo / "mkdocs.yml")
    assert not (repo / inside).exists()


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("PORT", "tachtig", "is geen getal"),
        ("RATE_LIMIT", "0", "kies een getal van 1"),
        ("SECRET", "kort", "minstens 32 tekens"),
        ("TRUSTED_PROXIES", "proxy.example", "geen IP-adres"),
        ("PUBLIC_URL", "verhalen.example.nl", "begin met https://"),
        ("FORGE", "bitbucket", "kies github, gitlab, forgejo, gitea"),
        ("FORGE", "forgejo", "FORGE_URL, AANHETWOORD_INTAKE_FORGE_TOKEN"),
    ],
)
def test_wrong_settings_are_named(repo: Path, tmp_path: Path, variable: str, value: str, message: str):
    env = {"AANHETWOORD_INTAKE_DATA_DIR": str(tmp_path / "data"), f"AANHETWOORD_INTAKE_{variable}": value}
    with pytest.raises(SettingsError, match=message):
        load(env, repo / "mkdocs.yml")


def test_the_repository_must_be_a_git_repository(tmp_path: Path):
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n")
    with pytest.raises(SettingsError, match="is geen git-repository"):
        load({"AANHETWOORD_INTAKE_DATA_DIR": str(tmp_path / "data")}, tmp_path / "mkdocs.yml")


# Form tokens and the rate limit --------------------------------------------------------------


def test_tokens_are_signed_timed_and_single_use(tmp_path: Path):
    tokens = FormTokens(b"s" * 32, min_seconds=3, max_age_seconds=7200)
    now = 1_800_000_000.0
    text = tokens.issue(now=now)
    token = tokens.read(text)
    assert token is not None
    assert tokens.timing(token, now + 1) is TokenState.TOO_FAST
    assert tokens.timing(token, now + 3) is TokenState.OK
    assert tokens.timing(token, now + 7201) is TokenState.TOO_OLD
    # A form shown again keeps the first time, so a resident is not made to wait twice.
    retry = tokens.read(tokens.issue(first=token.first, now=now + 1))
    assert tokens.timing(retry, now + 3) is TokenState.OK
    # Any change to a token, or another service's secret, makes it worthless.
    token_id, issued, first, signature = text.split(".")
    for forged in (
        f"{token_id}.{issued}.{int(first) - 60}.{signature}",
        f"{token_id}x.{issued}.{first}.{signature}",
        FormTokens(b"t" * 32, 3, 7200).issue(now=now),
        "",
        "a.b.c.d",
    ):
        assert tokens.read(forged) is None
    store = AbuseStore(tmp_path / "abuse.sqlite3", b"s" * 32)
    assert store.use_token(token.id) is True
    assert store.use_token(token.id) is False
    assert AbuseStore(tmp_path / "abuse.sqlite3", b"s" * 32).use_token(token.id) is False


def test_the_rate_limit_counts_per_address_within_its_window(tmp_path: Path):
    store = AbuseStore(tmp_path / "abuse.sqlite3", b"s" * 32)
    assert [store.allow("192.0.2.1", 2, 60, now=1000 + n) for n in range(3)] == [True, True, False]
    assert store.allow("192.0.2.2", 2, 60, now=1003) is True
    restarted = AbuseStore(tmp_path / "abuse.sqlite3", b"s" * 32)
    assert restarted.allow("192.0.2.1", 2, 60, now=1030) is False
    assert restarted.allow("192.0.2.1", 2, 60, now=1061) is True  # the first post left the window
    # Addresses are not stored as such.
    assert b"192.0.2.1" not in (tmp_path / "abuse.sqlite3").read_bytes()


def test_forwarded_for_is_believed_only_from_a_trusted_proxy():
    import ipaddress

    proxies = [ipaddress.ip_network("10.0.0.0/8")]
    assert client_address("203.0.113.9", "198.51.100.1", proxies) == "203.0.113.9"
    assert client_address("10.0.0.2", "198.51.100.1", proxies) == "198.51.100.1"
    # The client wrote the left part itself; the proxy appended the real address.
    assert client_address("10.0.0.2", "1.2.3.4, 198.51.100.1", proxies) == "198.51.100.1"
    assert client_address("10.0.0.2", "198.51.100.1, 10.0.0.3", proxies) == "198.51.100.1"
    assert client_address("10.0.0.2", "niet-een-adres", proxies) == "10.0.0.2"
    assert client_address("10.0.0.2", None, proxies) == "10.0.0.2"


@examples(max_examples=200, deadline=None)
@given(st.text(max_size=300) | st.binary(max_size=300).map(lambda data: data.decode("latin-1")))
def test_reading_any_text_as_a_token_gives_a_token_or_none(text: str):
    tokens = FormTokens(b"s" * 32, min_seconds=3, max_age_seconds=7200)
    assert tokens.read(text) is None  # nothing made up by chance carries this service's signature


def test_odd_tokens_are_refused_without_an_error():
    tokens = FormTokens(b"s" * 32, min_seconds=3, max_age_seconds=7200)
    token_id, issued, first, signature = tokens.issue(now=1_800_000_000).split(".")
    for odd in (
        f"{token_id}.{issued}.{first}.{signature[:-1]}é",  # compare_digest refuses non-ASCII str
        f"{token_id}.\u00b2{issued}.{first}.{signature}",  # "²".isdigit(), but int("²") fails
        f"{token_id}.{issued}.{first}.{signature}" + " " * 500,
        "x" * 100_000,
    ):
        assert tokens.read(odd) is None


def test_the_rate_limit_counts_ipv6_per_slash_64_and_mapped_ipv4_as_ipv4(tmp_path: Path):
    assert rate_key("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    assert rate_key("2001:DB8:1:2::") == "2001:db8:1:2::/64"
    assert rate_key("fe80::1%eth0") == "fe80::/64"
    assert rate_key("::ffff:192.0.2.1") == "192.0.2.1"
    assert rate_key("192.0.2.1") == "192.0.2.1"
    assert rate_key("unknown") == "unknown"
    store = AbuseStore(tmp_path / "abuse.sqlite3", b"s" * 32)
    posts = ["2001:db8:1:2::1", "2001:db8:1:2:ffff::9", "2001:db8:1:2:aaaa:bbbb:cccc:dddd"]
    assert [store.allow(address, 2, 60, now=1000) for address in posts] == [True, True, False]
    assert store.allow("2001:db8:1:3::1", 2, 60, now=1000) is True
    assert [store.allow(address, 1, 60, now=1000) for address in ("198.51.100.7", "::ffff:198.51.100.7")] == [
        True,
        False,
    ]


@examples(max_examples=200, deadline=None)
@given(st.integers(0, 2**64 - 1), st.integers(0, 2**64 - 1), st.integers(0, 2**64 - 1))
def test_every_address_in_a_slash_64_has_the_same_key(prefix: int, low: int, other: int):
    network = prefix << 64
    first = str(ipaddress.IPv6Address(network | low))
    second = str(ipaddress.IPv6Address(network | other))
    assert rate_key(first) == rate_key(second)
    if prefix != 0 and prefix != 0xFFFF:  # ::/64 holds the IPv4-mapped addresses
        assert rate_key(first) != rate_key(str(ipaddress.IPv6Address(((prefix ^ 1) << 64) | low)))


@examples(max_examples=100, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_an_ipv4_mapped_address_counts_as_its_ipv4_address(number: int):
    ipv4 = ipaddress.IPv4Address(number)
    assert rate_key(f"::ffff:{ipv4}") == rate_key(str(ipv4)) == str(ipv4)


def test_a_trusted_proxy_is_recognised_through_a_dual_stack_socket():
    proxies = [ipaddress.ip_network("10.0.0.0/8")]
    assert client_address("::ffff:10.0.0.2", "198.51.100.1", proxies) == "198.51.100.1"


def test_private_addresses_are_logged_without_their_token():
    token = "Zm9vYmFy_-" * 4
    assert loggable(f"/bedankt/{token}") == "/bedankt/…"
    assert loggable(f"/formulier/intrekken/{token}") == "/formulier/intrekken/…"
    assert loggable("/stijl.css") == "/stijl.css"


# Git -----------------------------------------------------------------------------------------


def store_for(repo: Path, tmp_path: Path) -> GitStore:
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    return GitStore(repo, work, Author("Formulier", "formulier@example.org"))


def test_a_branch_is_made_without_touching_the_working_tree_or_index(repo: Path, tmp_path: Path):
    (repo / "docs" / "index.md").write_text("staff are editing this\n")  # work in progress
    git(repo, "add", "docs/index.md")
    index_before = (repo / ".git" / "index").read_bytes()
    status_before = git(repo, "status", "--porcelain")
    store = store_for(repo, tmp_path)
    base = store.base_commit()
    commit = store.commit_files(base, {"stories/nieuw/index.md": b"---\ntitle: x\n---\n"}, "Nieuw")
    store.create_branch("inzending/test", commit, "test")
    assert (repo / ".git" / "index").read_bytes() == index_before
    assert git(repo, "status", "--porcelain") == status_before
    assert not (repo / "stories" / "nieuw").exists()
    assert git(repo, "show", "inzending/test:stories/nieuw/index.md") == "---\ntitle: x\n---\n"
    assert (
        git(repo, "log", "-1", "--format=%an <%ae>", "inzending/test").strip()
        == "Formulier <formulier@example.org>"
    )
    assert list((tmp_path / "work").iterdir()) == []  # the temporary index is gone


def test_a_branch_is_never_overwritten_even_by_a_concurrent_writer(repo: Path, tmp_path: Path):
    store = store_for(repo, tmp_path)
    base = store.base_commit()
    commits = [
        store.commit_files(base, {f"stories/s{n}/index.md": f"{n}\n".encode()}, f"{n}") for n in range(8)
    ]
    outcomes: list[str] = []

    def create(commit: str) -> None:
        try:
            store.create_branch("inzending/dezelfde", commit, "race")
            outcomes.append("made")
        except BranchExists:
            outcomes.append("exists")

    threads = [threading.Thread(target=create, args=(commit,)) for commit in commits]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["exists"] * 7 + ["made"]
    assert refs(repo)["refs/heads/inzending/dezelfde"] in commits


@pytest.mark.parametrize(
    "path",
    ["../x", "/etc/passwd", "stories/../../x", "stories/a b/index.md", ".git/config", "stories//x", ""],
)
def test_only_plain_paths_made_by_the_server_are_committed(path: str):
    with pytest.raises(GitError):
        check_path(path)


# The register --------------------------------------------------------------------------------


def test_the_register_forgets_email_addresses_after_a_decision(tmp_path: Path):
    register = ConsentRegister(tmp_path / "register.sqlite3")
    assert stat.S_IMODE((tmp_path / "register.sqlite3").stat().st_mode) == 0o600
    for number in range(3):
        register.add(
            Submission(
                id=f"INZ-20260101-AAAAA{number}",
                submitted_at="2026-01-01T10:00:00+00:00",
                consent_version="v",
                photo_consent=True,
                age_confirmed=True,
                email=f"{number}@example.org",
                withdrawal_hash=token_hash(f"token-{number}"),
                status=SUBMITTED,
                decided_at=None,
                slug=f"s{number}",
                branch=f"inzending/s{number}",
            )
        )
    register.decide("INZ-20260101-AAAAA0", "2026-01-10T00:00:00+00:00")
    assert register.withdraw("INZ-20260101-AAAAA1", None) is True
    assert register.withdraw("INZ-20260101-AAAAA1", None) is False
    assert register.by_token("token-2").id == "INZ-20260101-AAAAA2"
    assert register.by_token("token-x") is None
    assert register.purge(30, today=datetime(2026, 2, 1, tzinfo=UTC)) == 0
    assert register.purge(30, today=datetime(2026, 2, 9, tzinfo=UTC)) == 1
    assert register.get("INZ-20260101-AAAAA0").email is None
    assert register.get("INZ-20260101-AAAAA2").email == "2@example.org"  # still waiting for a decision
    assert register.purge(30, today=datetime.now(UTC) + timedelta(days=31)) == 1  # the withdrawn one


# Forges --------------------------------------------------------------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
        length = int(self.headers["Content-Length"])
        _Recorder.seen.append(
            {
                "path": self.path,
                "headers": {key.lower(): value for key, value in self.headers.items()},
                "body": json.loads(self.rfile.read(length)),
            }
        )
        if self.path.startswith("/elders"):
            self.send_response(302)
            self.send_header("Location", "/gestolen")
            self.end_headers()
            return
        key = "web_url" if "merge_requests" in self.path else "html_url"
        answer = json.dumps({key: "https://forge.example/" + ("mr/1" if key == "web_url" else "pr/1")})
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(answer.encode())

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def forge_server():
    _Recorder.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


CHANGE = forge.Change(
    "inzending/20260512-ons-feest-k3x9q2", "Verhaal: Ons feest", "Kenmerk: INZ-20260512-K3X9Q2."
)


def test_a_github_pull_request(forge_server: str):
    settings = ForgeSettings("github", forge_server, "geheim-github", "gemeente/verhalen")
    assert forge.send(forge.pull_request(settings, CHANGE)) == "https://forge.example/pr/1"
    (request,) = _Recorder.seen
    assert request["path"] == "/repos/gemeente/verhalen/pulls"
    assert request["headers"]["authorization"] == "Bearer geheim-github"
    assert request["headers"]["x-github-api-version"] == "2022-11-28"
    assert request["body"] == {
        "title": "Verhaal: Ons feest",
        "head": "inzending/20260512-ons-feest-k3x9q2",
        "base": "main",
        "body": "Kenmerk: INZ-20260512-K3X9Q2.",
        "maintainer_can_modify": False,
    }


def test_a_gitlab_merge_request(forge_server: str):
    settings = ForgeSettings(
        "gitlab", forge_server, "geheim-gitlab", "gemeente/sites/verhalen", target="productie"
    )
    assert forge.send(forge.pull_request(settings, CHANGE)) == "https://forge.example/mr/1"
    (request,) = _Recorder.seen
    assert request["path"] == "/projects/gemeente%2Fsites%2Fverhalen/merge_requests"
    assert request["headers"]["private-token"] == "geheim-gitlab"
    assert "authorization" not in request["headers"]
    assert request["body"] == {
        "source_branch": "inzending/20260512-ons-feest-k3x9q2",
        "target_branch": "productie",
        "title": "Verhaal: Ons feest",
        "description": "Kenmerk: INZ-20260512-K3X9Q2.",
        "remove_source_branch": True,
    }


def test_a_forgejo_pull_request(forge_server: str):
    settings = ForgeSettings("forgejo", forge_server + "/api/v1", "geheim-forgejo", "gemeente/verhalen")
    forge.send(forge.pull_request(settings, CHANGE))
    (request,) = _Recorder.seen
    assert request["path"] == "/api/v1/repos/gemeente/verhalen/pulls"
    assert request["headers"]["authorization"] == "token geheim-forgejo"
    assert request["body"]["head"] == CHANGE.branch and request["body"]["base"] == "main"


def test_the_token_never_follows_a_redirect(forge_server: str):
    settings = ForgeSettings("github", forge_server + "/elders", "geheim", "gemeente/verhalen")
    with pytest.raises(forge.ForgeError, match="302"):
        forge.send(forge.pull_request(settings, CHANGE))
    assert [request["path"] for request in _Recorder.seen] == ["/elders/repos/gemeente/verhalen/pulls"]


def test_publish_logs_a_failure_instead_of_raising(repo: Path, tmp_path: Path, caplog):
    settings = ForgeSettings("github", "http://127.0.0.1:9", "geheim", "gemeente/verhalen", remote="nergens")
    assert forge.publish(settings, store_for(repo, tmp_path), CHANGE) is None
    assert "could not publish" in caplog.text and "geheim" not in caplog.text


# The form ------------------------------------------------------------------------------------


def test_form_fields_from_validator_labels():
    assert form_field("title") == "title"
    assert form_field("themes[1]") == "themes"
    assert form_field("neighbourhoods") == "neighbourhoods"
    assert form_field("image.alt") == "photo_alt"
    assert form_field("image.src") == "photo"
    assert form_field("consent.date") == "consent"
    assert form_field("tekst") == "body"
    assert form_field("language") == "language"


def test_text_is_cleaned_of_control_characters():
    assert one_line("  Ons\tfeest\n\x00 in de\u200b buurt\r ") == "Ons feest in de\u200b buurt"
    assert multi_line("Eén\r\n\r\nTwee \x1b[31mrood\x07\n\n") == "Eén\n\nTwee [31mrood"


def test_values_that_look_like_yaml_stay_text(repo: Path, tmp_path: Path):
    settings = load_settings(repo / "mkdocs.yml")
    registers, _ = pipeline.load_registers(settings)
    posted = {
        "title": ["---\nstatus: withdrawn"],
        "community": ["&anker *alias !!python/object:os.system"],
        "neighbourhoods": ["Haven"],  # an alias in the register
        "themes": ["samen-leven", "samen-leven"],
        "storytellers": ["No, Yes, null"],
        "body": ["---\r\ntitle: gekaapt\r\n---\r\nTekst."],
        "consent": ["ja"],
        "age_confirm": ["ja"],
    }
    values = Values.from_post(upload.Post(fields=posted))
    errors = Errors()
    accepted = check(
        values,
        photo=None,
        registers=registers,
        today=date(2026, 5, 12),
        reference="INZ-20260512-ABCDEF",
        folder=tmp_path,
        limits=Limits(20_000, 64 * 1024),
        errors=errors,
    )
    assert not errors, errors.by_field
    story = accepted.story
    assert story.title == "--- status: withdrawn"
    assert story.status.value == "published"
    assert story.communities == ("&anker *alias !!python/object:os.system",)
    assert [entry.name for entry in story.neighbourhoods] == ["Oude Haven"]
    assert story.storytellers == ("No", "Yes", "null")
    assert story.body.strip().startswith("---\ntitle: gekaapt")
    assert story.consent.reference == "INZ-20260512-ABCDEF"


def test_withdrawing_touches_only_the_status_line():
    text = "---\ntitle: Ons feest\n# staff note\nstatus: draft\ndate: 2026-05-01\n---\n\nTekst.\n"
    story = StoryFile(text.encode(), 64 * 1024)
    assert story.set("status", "withdrawn")
    assert story.text == text.replace("draft", "withdrawn")
    plain = StoryFile("---\ntitle: Ons feest\n---\n\nTekst.\n", 64 * 1024)
    assert plain.set("status", "withdrawn")
    assert plain.text == "---\ntitle: Ons feest\nstatus: withdrawn\n---\n\nTekst.\n"


# Reading the post ----------------------------------------------------------------------------


async def _chunks(body: bytes, size: int = 1000):
    for start in range(0, len(body), size):
        yield body[start : start + size]


def read(body: bytes, content_type: str, folder: Path, **limits: int) -> upload.Post:
    settings = {
        "request_bytes": 100_000,
        "photo_bytes": 10_000,
        "field_bytes": 1000,
        "long_field_bytes": 5000,
    }
    settings.update(limits)
    rules = upload.Limits(
        **settings, long_fields=frozenset({"body"}), allowed=frozenset({"title", "body", "photo", "themes"})
    )
    # In a thread of its own: Playwright's browser fixture may hold an event loop in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(
            asyncio.run, upload.read_post(content_type, str(len(body)), _chunks(body), rules, folder)
        ).result()


def test_only_known_fields_are_read_and_the_file_name_is_never_a_path(tmp_path: Path):
    body, content_type = multipart(
        [("title", "Ons feest"), ("themes", "a"), ("themes", "b"), ("onbekend", "x" * 5000)],
        [
            ("photo", "../../etc/x.jpg", b"\xff\xd8 bytes", "image/jpeg"),
            ("ander", "y.jpg", b"y", "image/jpeg"),
        ],
    )
    post = read(body, content_type, tmp_path)
    assert post.fields == {"title": ["Ons feest"], "themes": ["a", "b"]}
    assert post.photo_filename == "../../etc/x.jpg"
    assert post.photo_path.parent == tmp_path and post.photo_path.name.endswith(".upload")
    assert post.photo_path.read_bytes() == b"\xff\xd8 bytes"
    post.discard()
    assert list(tmp_path.iterdir()) == []
    assert not (tmp_path.parent / "etc").exists()


def test_limits_stop_reading(tmp_path: Path):
    body, content_type = multipart([("title", "x" * 1001)])
    with pytest.raises(upload.TooLarge):
        read(body, content_type, tmp_path)
    body, content_type = multipart([("body", "x" * 4000)])
    assert read(body, content_type, tmp_path).value("body") == "x" * 4000
    body, content_type = multipart([("title", "t")], [("photo", "f.jpg", b"x" * 20_000, "image/jpeg")])
    post = read(body, content_type, tmp_path)
    assert post.photo_too_large and post.photo_path is None and post.value("title") == "t"
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(upload.TooLarge):
        read(body, content_type, tmp_path, request_bytes=10_000)
    with pytest.raises(upload.BadPost):
        read(b"{}", "application/json", tmp_path)
    assert read(
        b"title=Ons+feest&photo=x&themes=a", "application/x-www-form-urlencoded", tmp_path
    ).fields == {
        "title": ["Ons feest"],
        "themes": ["a"],
    }
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("with_photo", [True, False])
def test_the_photo_consent_box_becomes_consent_photos(repo: Path, tmp_path: Path, with_photo: bool):
    """Ticked with a photo: 'photos: true', and the story shows the photo. Without a photo the
    box means nothing: 'photos: false'."""
    settings = load_settings(repo / "mkdocs.yml")
    registers, _ = pipeline.load_registers(settings)
    photo = None
    if with_photo:
        Image.new("RGB", (40, 30), "green").save(tmp_path / FILE_NAME, "JPEG")
        photo = PreparedPhoto(tmp_path / FILE_NAME, 40, 30)
    posted = {
        "title": ["Samen koken"],
        "community": ["De Kookclub"],
        "neighbourhoods": ["Oude Haven"],
        "themes": ["Samen leven"],
        "body": ["Elke vrijdag koken we samen."],
        "photo_alt": ["Vijf mensen rond een pan"],
        "photo_consent": ["ja"],
        "consent": ["ja"],
        "age_confirm": ["ja"],
    }
    errors = Errors()
    accepted = check(
        Values.from_post(upload.Post(fields=posted)),
        photo=photo,
        registers=registers,
        today=date(2026, 5, 12),
        reference="INZ-20260512-ABCDEF",
        folder=tmp_path,
        limits=Limits(20_000, 64 * 1024),
        errors=errors,
    )
    assert not errors, errors.by_field
    assert "photos: true" in accepted.text if with_photo else "photos: false" in accepted.text
    assert accepted.story.consent.photos is with_photo
    assert accepted.story.assets == ((FILE_NAME,) if with_photo else ())
    assert (accepted.story.image is not None) is with_photo
