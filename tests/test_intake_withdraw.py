"""The private withdrawal link: a withdrawal branch for a published story; for one not merged, a
withdrawal commit on its own branch, its pull request closed, and the register."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from aanhetwoord.intake import forge
from aanhetwoord.intake.gitstore import Author, GitStore
from aanhetwoord.intake.settings import ForgeSettings
from forgekit import fake_forge, wait_for
from intakekit import (
    branches,
    export_branch,
    get,
    git,
    make_repo,
    phone_photo,
    post,
    refs,
    register_rows,
    running_service,
    story_fields,
)
from sitefactory import Site, run_cli


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    root = tmp_path_factory.mktemp("withdraw")
    make_repo(root / "repo")
    with running_service(root / "repo", root / "data", min_seconds=0, purge_days=0) as running:
        yield running


def submit(service, title: str, photo: bool = False, **fields: str) -> tuple[str, str]:
    files = [("photo", "foto.jpg", phone_photo(400, 300), "image/jpeg")] if photo else []
    extra = {"photo_alt": "Buren op de stoep", "photo_consent": "ja"} if photo else {}
    extra.update(fields)
    reply = service.submit(
        story_fields(service.token(), title=title, email="iemand@example.org", **extra), files
    )
    assert reply.status == 200, reply.text
    reference = re.search(r'class="kenmerk">(INZ-\d{8}-[A-Z0-9]{6})<', reply.text).group(1)
    link = re.search(r'href="([^"]+/intrekken/[^"]+)"', reply.text).group(1)
    return reference, link


def row(service, reference: str) -> dict:
    return next(item for item in register_rows(service.data) if item["id"] == reference)


def test_a_story_that_was_never_merged_is_marked_withdrawn_in_the_register(service):
    reference, link = submit(service, "Nog niet op de site")
    page = get(link)
    assert page.status == 200
    assert "Ja, trek mijn verhaal in" in page.text and reference in page.text
    assert row(service, reference)["status"] == "submitted"  # looking does not withdraw

    before = refs(service.repo)
    done = post(link, [])
    assert done.status == 200
    assert "Je verhaal is ingetrokken" in done.text and "komt niet op de site" in done.text
    after = refs(service.repo)
    assert set(after) == set(before)  # no new branch: the submission's own branch carries it
    assert after["refs/heads/main"] == before["refs/heads/main"]
    record = row(service, reference)
    assert record["status"] == "withdrawn" and record["decided_at"]
    assert record["withdrawal_branch"] is None

    again = post(link, [])
    assert again.status == 200 and "Je verhaal is al ingetrokken" in again.text
    assert "al ingetrokken" in get(link).text
    assert refs(service.repo) == after  # a second click changes nothing more


SECRET_LINE = "Op dinsdag praten we in de moestuin over wat ons dwarszit."


def test_a_withdrawal_before_the_merge_makes_the_branch_publish_nothing(service, tmp_path):
    # Its own photo description: other tests of the module publish theirs on main.
    reference, link = submit(
        service, "Praten in de moestuin", photo=True, body=SECRET_LINE, photo_alt="Tafel vol bonen"
    )
    record = row(service, reference)
    branch, slug = record["branch"], record["slug"]
    repo = service.repo
    submitted = refs(repo)[f"refs/heads/{branch}"]
    main = refs(repo)["refs/heads/main"]
    withdrawals_before = set(branches(repo, "intrekking/"))  # the module's tests share the service
    assert git(repo, "ls-tree", "--name-only", submitted, f"stories/{slug}/").split() == [
        f"stories/{slug}/foto.jpg",
        f"stories/{slug}/index.md",
    ]

    done = post(link, [])
    assert done.status == 200 and "Je verhaal is ingetrokken" in done.text

    # One commit on top of what was sent: the status line, and the photo gone.
    tip = refs(repo)[f"refs/heads/{branch}"]
    assert tip != submitted
    assert git(repo, "rev-parse", f"{tip}^").strip() == submitted
    assert sorted(git(repo, "diff", "--name-status", submitted, tip).splitlines()) == [
        f"D\tstories/{slug}/foto.jpg",
        f"M\tstories/{slug}/index.md",
    ]
    story = git(repo, "show", f"{tip}:stories/{slug}/index.md")
    assert yaml.safe_load(story.split("---\n")[1])["status"] == "withdrawn"
    assert reference in git(repo, "log", "-1", "--format=%B", tip)
    assert refs(repo)["refs/heads/main"] == main
    assert set(branches(repo, "intrekking/")) == withdrawals_before  # that is for merged stories

    # check-pr refuses the branch: the photo it removed stays in its history. Staff merge it
    # anyway, in a clone: check passes, and the site shows nothing of it.
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo), str(clone))
    git(clone, "checkout", "-q", "-B", "verzoek", f"origin/{branch}")
    guard = run_cli(clone, "check-pr", "--base", "origin/main")
    assert guard.returncode == 1
    assert f"stories/{slug}/foto.jpg:1: dit bestand zit in een eerdere commit" in guard.stdout + guard.stderr
    result = run_cli(clone, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    git(clone, "checkout", "-q", "main")
    git(clone, "merge", "-q", "--no-ff", "-m", "Toch samengevoegd", f"origin/{branch}")
    assert not (clone / "stories" / slug / "foto.jpg").exists()
    result = run_cli(clone, "check")
    assert result.returncode == 0, result.stdout + result.stderr

    site = Site(clone)
    site.build(strict=True)
    notice = site.page(f"verhalen/{slug}")
    assert "Verhaal ingetrokken" in notice
    gone = json.loads((site.site_dir / "api" / "withdrawn.json").read_text(encoding="utf-8"))["paths"]
    assert [path for path in gone if slug in path] == [f"/verhalen/{slug}/"]  # answered with 410
    stories = json.loads((site.site_dir / "api" / "stories.json").read_text(encoding="utf-8"))
    assert slug not in json.dumps(stories)
    for path in site.site_dir.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert b"Praten in de moestuin" not in content, path
            assert SECRET_LINE.encode() not in content, path
            assert b"Tafel vol bonen" not in content, path  # the photo's description
    assert not [
        path for path in site.site_dir.rglob("*") if path.suffix in (".jpg", ".webp") and slug in str(path)
    ]


def test_the_confirmation_page_can_be_reloaded(service):
    sent = service.submit(story_fields(service.token(), title="Opnieuw laden"), follow=False)
    assert sent.status == 303
    location = sent.headers["location"]
    token = re.fullmatch(r"/bedankt/([A-Za-z0-9_-]{43})", location).group(1)
    assert sent.headers["cache-control"] == "no-store"
    assert sent.headers["referrer-policy"] == "no-referrer"

    first = get(service.base + location.lstrip("/"))
    second = get(service.base + location.lstrip("/"))
    for page in (first, second):
        assert page.status == 200
        assert "Bedankt voor je verhaal!" in page.text
        assert f'href="{service.base}intrekken/{token}"' in page.text
        assert page.headers["referrer-policy"] == "no-referrer"
        assert page.headers["cache-control"] == "no-store"
    reference = re.search(r'class="kenmerk">(INZ-\d{8}-[A-Z0-9]{6})<', first.text).group(1)
    assert row(service, reference)["slug"] == "opnieuw-laden"
    assert first.text == second.text
    assert token not in service.logs()

    # Without the whole token there is no confirmation page, and the answer gives nothing away.
    for wrong in (token[:-1] + ("A" if token[-1] != "A" else "B"), "kort", "A" * 43):
        reply = get(service.base + "bedankt/" + wrong)
        assert reply.status == 404 and "Deze link werkt niet" in reply.text
        assert reference not in reply.text


def test_a_published_story_gets_a_withdrawal_branch(service, tmp_path):
    reference, link = submit(service, "Al op de site", photo=True)
    branch = row(service, reference)["branch"]
    # Staff merge it (and may rename the folder): the link still finds the story by its id.
    repo = service.repo
    git(repo, "merge", "--no-ff", "-q", "-m", "Verhaal erbij", branch)
    git(repo, "mv", "stories/al-op-de-site", "stories/al-op-de-site-hernoemd")
    git(repo, "commit", "-q", "-m", "Andere naam")
    main = refs(repo)["refs/heads/main"]
    story_before = git(repo, "show", "main:stories/al-op-de-site-hernoemd/index.md")
    withdrawals_before = set(branches(repo, "intrekking/"))  # the module's tests share the service

    done = post(link, [])
    assert done.status == 200, done.text
    assert "De redactie haalt je verhaal zo snel mogelijk van de site" in done.text
    (withdrawal,) = set(branches(repo, "intrekking/")) - withdrawals_before
    assert re.fullmatch(r"intrekking/\d{8}-al-op-de-site-hernoemd-[a-z0-9]{6}", withdrawal)
    assert refs(repo)["refs/heads/main"] == main
    assert git(repo, "rev-parse", f"{withdrawal}^").strip() == main
    changes = git(repo, "diff", "--name-status", "main", withdrawal).splitlines()
    assert sorted(changes) == [
        "D\tstories/al-op-de-site-hernoemd/foto.jpg",
        "M\tstories/al-op-de-site-hernoemd/index.md",
    ]
    story_after = git(repo, "show", f"{withdrawal}:stories/al-op-de-site-hernoemd/index.md")
    # Only the status line is new; everything else is as staff left it.
    assert story_after.replace("status: withdrawn\n", "", 1) == story_before
    assert yaml.safe_load(story_after.split("---\n")[1])["status"] == "withdrawn"

    checkout = export_branch(repo, withdrawal, tmp_path / "withdrawn")
    check = run_cli(checkout, "check")
    assert check.returncode == 0, check.stdout + check.stderr

    record = row(service, reference)
    assert record["status"] == "withdrawn" and record["withdrawal_branch"] == withdrawal
    assert post(link, []).status == 200
    assert set(branches(repo, "intrekking/")) == withdrawals_before | {withdrawal}  # no second branch


def test_an_unknown_link_says_so_in_dutch(service):
    for method in (get, lambda url: post(url, [])):
        reply = method(service.base + "intrekken/" + "A" * 43)
        assert reply.status == 404
        assert "Deze link werkt niet" in reply.text
    assert get(service.base + "intrekken/../../etc/passwd").status == 404


def test_purge_forgets_email_addresses_after_a_decision(service, tmp_path):
    decided_ref, _ = submit(service, "Wordt samengevoegd")
    waiting_ref, _ = submit(service, "Wacht nog")
    git(service.repo, "merge", "-q", "--no-ff", "-m", "Erbij", row(service, decided_ref)["branch"])
    result = run_cli(service.repo, "-f", str(service.repo / "mkdocs.yml"), "intake", "purge", env=service.env)
    assert result.returncode == 0, result.stderr
    assert "besloten" in result.stdout and "gewist" in result.stdout
    assert row(service, decided_ref)["status"] == "decided"
    assert row(service, decided_ref)["email"] is None
    assert row(service, waiting_ref)["status"] == "submitted"
    assert row(service, waiting_ref)["email"] == "iemand@example.org"
    # Withdrawn submissions were decided by their storyteller: their addresses go too.
    assert all(item["email"] is None for item in register_rows(service.data) if item["status"] == "withdrawn")

    listing = run_cli(service.repo, "-f", str(service.repo / "mkdocs.yml"), "intake", "list", env=service.env)
    assert listing.returncode == 0
    assert decided_ref in listing.stdout and "iemand@example.org" not in listing.stdout


def test_the_data_folder_may_not_be_inside_the_repository(service, tmp_path: Path):
    env = dict(service.env, AANHETWOORD_INTAKE_DATA_DIR=str(service.repo / "stories" / ".intake"))
    result = run_cli(service.repo, "-f", str(service.repo / "mkdocs.yml"), "intake", env=env)
    assert result.returncode == 2
    assert (
        "AANHETWOORD_INTAKE_DATA_DIR" in result.stderr
        and "Kies een map buiten de repository" in result.stderr
    )
    assert not (service.repo / "stories" / ".intake").exists()


# With the forge on --------------------------------------------------------------------------


def bare_remote(folder: Path) -> Path:
    subprocess.run(["git", "init", "-q", "--bare", str(folder)], check=True, capture_output=True)
    return folder


def test_with_the_forge_on_a_withdrawal_closes_the_pull_request_with_a_note(tmp_path):
    make_repo(tmp_path / "repo")
    remote = bare_remote(tmp_path / "remote.git")
    with (
        fake_forge() as forge_server,
        running_service(
            tmp_path / "repo",
            tmp_path / "data",
            min_seconds=0,
            log_level="debug",
            forge="github",
            forge_url=forge_server.url,
            forge_token="geheim-github",
            forge_repository="gemeente/verhalen",
            forge_remote=str(remote),
        ) as running,
    ):
        reference, link = submit(running, "Sluit het verzoek", photo=True)
        branch = row(running, reference)["branch"]
        wait_for(lambda: forge_server.requests, "the pull request")
        assert forge_server.requests[1]["branch"] == branch

        done = post(link, [])
        assert done.status == 200 and "Je verhaal is ingetrokken" in done.text
        wait_for(lambda: forge_server.requests[1]["state"] == "closed", "the pull request to close")

        (note,) = forge_server.requests[1]["notes"]
        assert note == (
            f"De verteller heeft dit verhaal ingetrokken met de privélink van het formulier (kenmerk "
            f"{reference}). Niet samenvoegen: de laatste commit op deze branch zet `status: withdrawn` "
            "en haalt de foto weg. Daarom is dit verzoek gesloten."
        )
        calls = [(call["method"], call["path"]) for call in forge_server.calls]
        assert calls == [
            ("POST", "/repos/gemeente/verhalen/pulls"),
            ("GET", "/repos/gemeente/verhalen/pulls"),
            ("POST", "/repos/gemeente/verhalen/issues/1/comments"),
            ("PATCH", "/repos/gemeente/verhalen/pulls/1"),
        ]
        assert forge_server.calls[1]["query"] == {"state": "open", "head": f"gemeente:{branch}"}
        # The forge's copy of the branch has the withdrawal too: merging it there publishes nothing.
        local = refs(running.repo)[f"refs/heads/{branch}"]
        wait_for(lambda: refs(remote).get(f"refs/heads/{branch}") == local, "the push")
        assert "foto.jpg" not in git(remote, "ls-tree", "-r", "--name-only", branch)
        token = link.rsplit("/", 1)[1]
        assert token not in running.logs() and "closed 1 request" in running.logs()


@pytest.mark.parametrize(
    ("kind", "prefix", "listing", "note_path", "close"),
    [
        (
            "gitlab",
            "",
            (
                "/projects/gemeente%2Fverhalen/merge_requests",
                {"state": "opened", "source_branch": "{branch}"},
            ),
            "/projects/gemeente%2Fverhalen/merge_requests/{number}/notes",
            ("PUT", "/projects/gemeente%2Fverhalen/merge_requests/{number}", {"state_event": "close"}),
        ),
        (
            "forgejo",
            "/api/v1",
            ("/api/v1/repos/gemeente/verhalen/pulls", {"state": "open", "limit": "50", "page": "2"}),
            "/api/v1/repos/gemeente/verhalen/issues/{number}/comments",
            ("PATCH", "/api/v1/repos/gemeente/verhalen/pulls/{number}", {"state": "closed"}),
        ),
    ],
)
def test_closing_on_gitlab_and_forgejo(tmp_path, kind, prefix, listing, note_path, close):
    repo = tmp_path / "repo"
    make_repo(repo)
    remote = bare_remote(tmp_path / "remote.git")
    branch = "inzending/20260512-ons-feest-k3x9q2"
    git(repo, "branch", branch, "main")
    store = GitStore(repo, tmp_path, Author("Formulier", "formulier@example.org"))
    with fake_forge() as forge_server:
        for number in range(1, 61):  # Forgejo lists 50 a page: this one is on the second page
            forge_server.open_request(branch if number == 57 else f"inzending/ander-{number}")
        settings = ForgeSettings(
            kind, forge_server.url + prefix, "geheim", "gemeente/verhalen", remote=str(remote)
        )
        assert forge.close(settings, store, branch, "Ingetrokken.") == 1
    assert [number for number, item in forge_server.requests.items() if item["state"] == "closed"] == [57]
    assert forge_server.requests[57]["notes"] == ["Ingetrokken."]
    lists = [call for call in forge_server.calls if call["method"] == "GET"]
    path, query = listing
    assert (lists[-1]["path"], lists[-1]["query"]) == (
        path,
        {k: v.format(branch=branch) for k, v in query.items()},
    )
    method, close_path, body = close
    assert [(call["method"], call["path"], call["body"]) for call in forge_server.calls[len(lists) :]] == [
        ("POST", note_path.format(number=57), {"body": "Ingetrokken."}),
        (method, close_path.format(number=57), body),
    ]
    assert refs(remote)[f"refs/heads/{branch}"] == refs(repo)[f"refs/heads/{branch}"]


def test_a_forge_that_fails_is_logged_and_the_withdrawal_stands(tmp_path, caplog):
    repo = tmp_path / "repo"
    make_repo(repo)
    store = GitStore(repo, tmp_path, Author("Formulier", "formulier@example.org"))
    settings = ForgeSettings("github", "http://127.0.0.1:9", "geheim", "gemeente/verhalen", remote="nergens")
    assert forge.close(settings, store, "main", "Ingetrokken.") == 0
    assert "could not push" in caplog.text and "could not close" in caplog.text
    assert "geheim" not in caplog.text
