"""``mkdocs serve`` is the staff preview: drafts with a banner, problems shown, the rest served."""

from __future__ import annotations

import subprocess
import time
import urllib.error
import urllib.request
from datetime import date, timedelta

import pytest

from sitefactory import engine_executable, free_port, quiet_env


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, ""


@pytest.fixture
def served(site):
    future = (date.today() + timedelta(days=10)).isoformat()
    site.add_story("zichtbaar", title="Gewoon verhaal")
    site.add_story("concept", title="Nog een concept", status="draft", consent=None)
    site.add_story("straks", title="Verhaal met embargo", date=future)
    site.add_story("kapot", title="Kapot verhaal", themes="Thema dat niet bestaat")
    site.write_config()
    port = free_port()
    process = subprocess.Popen(
        [
            engine_executable("mkdocs"),
            "serve",
            "--no-livereload",
            "-a",
            f"127.0.0.1:{port}",
            "-f",
            str(site.root / "mkdocs.yml"),
        ],
        cwd=site.root,
        env=quiet_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if fetch(base + "verhalen/")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("mkdocs serve did not start")
        yield base
    finally:
        process.terminate()
        output = process.communicate(timeout=20)[0]
        print(output)


def test_serve_shows_drafts_and_embargoed_stories_with_a_concept_banner(served):
    status, draft = fetch(served + "verhalen/concept/")
    assert status == 200
    assert "Concept: dit verhaal is nog niet openbaar" in draft
    status, embargoed = fetch(served + "verhalen/straks/")
    assert status == 200
    assert "Concept: dit verhaal wordt openbaar op" in embargoed


def test_serve_lists_problems_on_the_stories_overview_and_keeps_serving_the_rest(served):
    status, overview = fetch(served + "verhalen/")
    assert status == 200
    assert "Problemen in verhalen" in overview
    assert "stories/kapot/index.md:" in overview
    assert "onbekend thema" in overview
    assert fetch(served + "verhalen/zichtbaar/")[0] == 200
    assert fetch(served + "verhalen/kapot/")[0] == 404
