"""The web form with ``AANHETWOORD_INTAKE_FORGE=gitea``: a submission opens a pull request on
Gitea's API (``/api/v1``, ``Authorization: token …``), and a withdrawal closes it again.

Gitea is faked by a real HTTP server on 127.0.0.1 (forgekit), which notes each call with its headers.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from forgekit import fake_forge, wait_for
from intakekit import make_repo, phone_photo, post, refs, register_rows, running_service, story_fields

TOKEN = "geheim-gitea-token"


def test_a_submission_opens_a_gitea_pull_request_and_a_withdrawal_closes_it(tmp_path: Path):
    make_repo(tmp_path / "repo")
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True, capture_output=True)
    with (
        fake_forge() as gitea,
        running_service(
            tmp_path / "repo",
            tmp_path / "data",
            min_seconds=0,
            forge="gitea",
            forge_url=gitea.url + "/api/v1/",
            forge_token=TOKEN,
            forge_repository="gemeente/verhalen",
            forge_remote=str(remote),
        ) as running,
    ):
        files = [("photo", "foto.jpg", phone_photo(400, 300), "image/jpeg")]
        fields = story_fields(
            running.token(),
            title="Samen koken in de Linde",
            email="iemand@example.org",
            photo_alt="Koks aan tafel",
            photo_consent="ja",
        )
        reply = running.submit(fields, files)
        assert reply.status == 200, reply.text
        reference = re.search(r'class="kenmerk">(INZ-\d{8}-[A-Z0-9]{6})<', reply.text).group(1)
        link = re.search(r'href="([^"]+/intrekken/[^"]+)"', reply.text).group(1)
        branch = next(item for item in register_rows(running.data) if item["id"] == reference)["branch"]

        wait_for(lambda: gitea.requests, "the pull request")
        opened = gitea.calls[0]
        assert (opened["method"], opened["path"]) == ("POST", "/api/v1/repos/gemeente/verhalen/pulls")
        assert opened["body"] == {
            "title": "Verhaal: Samen koken in de Linde",
            "head": branch,
            "base": "main",
            "body": f"Ingestuurd via het formulier. Kenmerk: {reference}.\n\n"
            "De toestemming staat in het toestemmingsregister van het formulier.",
        }
        # Gitea's token header, not GitHub's Bearer or GitLab's PRIVATE-TOKEN.
        assert gitea.calls[0]["headers"]["authorization"] == f"token {TOKEN}"
        assert "private-token" not in gitea.calls[0]["headers"]
        # The branch was pushed before the request was opened.
        assert refs(remote)[f"refs/heads/{branch}"] == refs(running.repo)[f"refs/heads/{branch}"]

        done = post(link, [])
        assert done.status == 200 and "Je verhaal is ingetrokken" in done.text
        wait_for(lambda: gitea.requests[1]["state"] == "closed", "the pull request to close")
        calls = [(call["method"], call["path"], call["query"]) for call in gitea.calls]
        assert calls[1:] == [
            # Gitea cannot filter by branch: the open requests are read page by page.
            ("GET", "/api/v1/repos/gemeente/verhalen/pulls", {"state": "open", "limit": "50", "page": "1"}),
            ("POST", "/api/v1/repos/gemeente/verhalen/issues/1/comments", {}),
            ("PATCH", "/api/v1/repos/gemeente/verhalen/pulls/1", {}),
        ]
        assert gitea.calls[-1]["body"] == {"state": "closed"}
        (note,) = gitea.requests[1]["notes"]
        assert reference in note and "Niet samenvoegen" in note
        assert all(call["headers"]["authorization"] == f"token {TOKEN}" for call in gitea.calls)
        assert TOKEN not in running.logs()
