"""``mkdocs serve`` is the staff preview: drafts with a banner, problems shown, the rest served."""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import timedelta

import pytest

from sitefactory import TODAY, engine_executable, running_server


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, ""


@pytest.fixture
def served(site):
    future = (TODAY + timedelta(days=10)).isoformat()
    site.add_story("zichtbaar", title="Gewoon verhaal")
    site.add_story("concept", title="Nog een concept", status="draft", consent=None)
    site.add_story("straks", title="Verhaal met embargo", date=future)
    site.add_story("kapot", title="Kapot verhaal", themes="Thema dat niet bestaat")
    site.write_config()

    def command(port: int) -> list[str]:
        # MkDocs' own server cannot listen on port 0 and say which port it got.
        return [
            engine_executable("mkdocs"),
            "serve",
            "--no-livereload",
            "-a",
            f"127.0.0.1:{port}",
            "-f",
            str(site.root / "mkdocs.yml"),
        ]

    with running_server(command, site.root, "verhalen/", seconds=60) as server:
        yield server.base


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


def test_a_preview_says_concept_in_dutch_only(served):
    _, draft = fetch(served + "verhalen/concept/")
    assert "DRAFT" not in draft and "mkdocs-draft-marker" not in draft
    assert "Gepubliceerd op" not in draft
    assert "<dt>Status</dt> <dd>Concept</dd>" in draft
    _, embargoed = fetch(served + "verhalen/straks/")
    assert "DRAFT" not in embargoed and "Gepubliceerd op" not in embargoed
    assert "<dt>Gepland voor</dt>" in embargoed
    _, published = fetch(served + "verhalen/zichtbaar/")
    assert "<dt>Gepubliceerd op</dt>" in published
