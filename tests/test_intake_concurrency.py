"""200 submissions from 20 clients at once: 200 distinct, valid branches and 200 register rows."""

from __future__ import annotations

import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from aanhetwoord import pipeline
from aanhetwoord.config_file import load_settings
from intakekit import (
    branches,
    git,
    make_repo,
    phone_photo,
    refs,
    register_rows,
    running_service,
    story_fields,
)
from sitefactory import make_site

CLIENTS = 20
SUBMISSIONS = 200


def test_concurrent_submissions_all_land_on_their_own_branch(tmp_path: Path):
    repo = tmp_path / "repo"
    make_repo(repo)
    main = refs(repo)["refs/heads/main"]
    photo = phone_photo(96, 64)

    with running_service(repo, tmp_path / "data", rate_limit=10_000, min_seconds=0) as service:

        def send(number: int) -> tuple[int, str]:
            # A quarter share one title, so the server must hand out distinct slugs under load.
            title = "Samen sterk" if number % 4 == 0 else f"Verhaal nummer {number}"
            files = [("photo", f"foto-{number}.jpg", photo, "image/jpeg")] if number % 2 else []
            extra = {"photo_alt": f"Foto {number}", "photo_consent": "ja"} if files else {}
            reply = service.submit(
                story_fields(service.token(), title=title, email=f"bewoner{number}@example.org", **extra),
                files,
                address=f"10.0.{number // 250}.{number % 250}",
            )
            match = re.search(r'class="kenmerk">(INZ-\d{8}-[A-Z0-9]{6})<', reply.text)
            return reply.status, match.group(1) if match else reply.text

        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            results = list(pool.map(send, range(SUBMISSIONS)))

    assert [status for status, _ in results] == [200] * SUBMISSIONS, [r for r in results if r[0] != 200][:3]
    references = {reference for _, reference in results}
    assert len(references) == SUBMISSIONS

    made = branches(repo, "inzending/")
    assert len(made) == SUBMISSIONS == len(set(made))
    rows = register_rows(tmp_path / "data")
    assert len(rows) == SUBMISSIONS
    assert {row["id"] for row in rows} == references
    assert {row["branch"] for row in rows} == set(made)
    assert refs(repo)["refs/heads/main"] == main
    assert git(repo, "status", "--porcelain") == ""

    # Every branch is one commit on main that adds one story folder; together they form a site
    # in which every story is valid and every slug distinct.
    combined = make_site(tmp_path / "combined")
    combined.write_config()
    slugs = set()
    for row in rows:
        branch = row["branch"]
        assert git(repo, "rev-parse", f"{branch}^").strip() == main
        paths = git(repo, "diff", "--name-only", "main", branch).split()
        folder = f"stories/{row['slug']}"
        assert paths in ([f"{folder}/index.md"], [f"{folder}/foto.jpg", f"{folder}/index.md"])
        slugs.add(row["slug"])
        archive = subprocess.run(
            ["git", "-C", str(repo), "archive", branch, folder], capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", str(combined.root)], input=archive.stdout, check=True)
    assert len(slugs) == SUBMISSIONS
    checked = pipeline.check_photos(
        load_settings(combined.root / "mkdocs.yml"),
        pipeline.check(load_settings(combined.root / "mkdocs.yml")),
    )
    assert [problem.format() for problem in checked.problems] == []
    assert len(checked.stories) == SUBMISSIONS
    assert sum(1 for story in checked.stories if story.title == "Samen sterk") == SUBMISSIONS // 4
