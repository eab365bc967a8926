"""The private withdrawal link: a withdrawal branch for a published story, the register for one not merged."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

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
from sitefactory import quiet_env


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    root = tmp_path_factory.mktemp("withdraw")
    make_repo(root / "repo")
    with running_service(root / "repo", root / "data", min_seconds=0, purge_days=0) as running:
        yield running


def submit(service, title: str, photo: bool = False) -> tuple[str, str]:
    files = [("photo", "foto.jpg", phone_photo(400, 300), "image/jpeg")] if photo else []
    extra = {"photo_alt": "Buren op de stoep", "photo_consent": "ja"} if photo else {}
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
    assert refs(service.repo) == before  # nothing to change on main: no withdrawal branch
    record = row(service, reference)
    assert record["status"] == "withdrawn" and record["decided_at"]
    assert record["withdrawal_branch"] is None

    again = post(link, [])
    assert again.status == 200 and "Je verhaal is al ingetrokken" in again.text
    assert "al ingetrokken" in get(link).text


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
    check = subprocess.run(
        [sys.executable, "-m", "aanhetwoord.cli", "check"],
        cwd=checkout,
        capture_output=True,
        text=True,
        env=quiet_env(),
        timeout=120,
    )
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
    result = subprocess.run(
        [sys.executable, "-m", "aanhetwoord.cli", "-f", str(service.repo / "mkdocs.yml"), "intake", "purge"],
        capture_output=True,
        text=True,
        env=service.env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "besloten" in result.stdout and "gewist" in result.stdout
    assert row(service, decided_ref)["status"] == "decided"
    assert row(service, decided_ref)["email"] is None
    assert row(service, waiting_ref)["status"] == "submitted"
    assert row(service, waiting_ref)["email"] == "iemand@example.org"
    # Withdrawn submissions were decided by their storyteller: their addresses go too.
    assert all(item["email"] is None for item in register_rows(service.data) if item["status"] == "withdrawn")

    listing = subprocess.run(
        [sys.executable, "-m", "aanhetwoord.cli", "-f", str(service.repo / "mkdocs.yml"), "intake", "list"],
        capture_output=True,
        text=True,
        env=service.env,
        timeout=120,
    )
    assert listing.returncode == 0
    assert decided_ref in listing.stdout and "iemand@example.org" not in listing.stdout


def test_the_data_folder_may_not_be_inside_the_repository(service, tmp_path: Path):
    env = dict(service.env, AANHETWOORD_INTAKE_DATA_DIR=str(service.repo / "stories" / ".intake"))
    result = subprocess.run(
        [sys.executable, "-m", "aanhetwoord.cli", "-f", str(service.repo / "mkdocs.yml"), "intake"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 2
    assert (
        "AANHETWOORD_INTAKE_DATA_DIR" in result.stderr
        and "Kies een map buiten de repository" in result.stderr
    )
    assert not (service.repo / "stories" / ".intake").exists()
