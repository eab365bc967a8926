"""Property tests: whatever a story file holds, reading, checking and building never raise, a
broken story is left out with a ``path:line`` message, the other stories build, and every page,
feed and JSON file the site writes parses.

The stories are generated (see ``fuzz/strategies.py``) and run through the core in-process.
In CI each property runs a fixed, bounded set of examples; ``AANHETWOORD_FUZZ_EXAMPLES=5000``
(or ``tests/fuzz/run_long.py``) runs many more, new ones each time.
"""

from __future__ import annotations

import dataclasses
import json
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import html5lib
import pytest
from hypothesis import HealthCheck, given, settings

from aanhetwoord import pipeline
from aanhetwoord.config_file import load_settings
from aanhetwoord.load import StorySource, parse_story_text
from aanhetwoord.memo import Memo
from aanhetwoord.model import Status
from aanhetwoord.settings import Settings
from aanhetwoord.text import UNFIT_CHARACTERS
from aanhetwoord.validate import Registers, validate
from fuzz.strategies import story_texts
from sitefactory import make_site

LONG_RUN = int(os.environ.get("AANHETWOORD_FUZZ_EXAMPLES") or 0)
settings.register_profile(
    "aanhetwoord-ci",
    max_examples=150,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI never fails by chance
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "aanhetwoord-long",
    max_examples=LONG_RUN or 1,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FUZZ = settings.get_profile("aanhetwoord-long" if LONG_RUN else "aanhetwoord-ci")
TODAY = date(2026, 6, 1)
LIST_MAX = {"communities": 10, "neighbourhoods": 10, "themes": 10, "storytellers": 20, "updates": 50}
STRICT_HTML = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)


@dataclass
class FuzzSite:
    settings: Settings
    story: Path  # where each example's story is written
    registers: Registers


@pytest.fixture(scope="module")
def fuzz_site(tmp_path_factory: pytest.TempPathFactory) -> FuzzSite:
    site = make_site(tmp_path_factory.mktemp("fuzz"))
    site.add_story("goed", title="Het goede verhaal", community="De Vaste Groep")
    site_settings = dataclasses.replace(load_settings(site.write_config()), today=TODAY)
    registers, problems = pipeline.load_registers(site_settings)
    assert problems == []
    return FuzzSite(site_settings, site.stories / "fuzz" / "index.md", registers)


def lines_in(text: str) -> int:
    return text.count("\n") + 2  # a message may point just past the last line


@FUZZ
@given(text=story_texts())
def test_any_story_file_is_read_and_checked_without_an_exception(fuzz_site, text):
    source = StorySource("fuzz", fuzz_site.story, "stories/fuzz/index.md")
    parse_story_text(source, text, 64 * 1024)
    story, problems = validate(source, fuzz_site.registers, TODAY)

    for problem in problems:
        assert problem.path == "stories/fuzz/index.md"
        assert 1 <= problem.line <= lines_in(text), problem
        assert problem.message and "Traceback" not in problem.message
    if story is None:
        assert any(problem.is_error for problem in problems)
        return
    assert not any(problem.is_error for problem in problems)
    if story.status is Status.WITHDRAWN:
        return
    assert type(story.date) is date
    assert all(type(update.date) is date for update in story.updates)
    texts = [
        story.title,
        story.summary,
        story.body,
        story.recorded_by,
        story.language,
        *story.communities,
        *story.storytellers,
        *(update.text for update in story.updates),
    ]
    assert all(isinstance(value, str) for value in texts)
    assert not any(UNFIT_CHARACTERS.search(value) for value in texts)
    assert story.title and len(story.title) <= 120
    assert len(story.summary) <= 300
    assert 1 <= len(story.communities) <= LIST_MAX["communities"]
    assert 1 <= len(story.neighbourhoods) <= LIST_MAX["neighbourhoods"]
    assert 1 <= len(story.themes) <= LIST_MAX["themes"]
    assert len(story.storytellers) <= LIST_MAX["storytellers"]
    assert len(story.updates) <= LIST_MAX["updates"]


@pytest.fixture(scope="module")
def memo() -> Memo:
    return Memo()


@FUZZ
@given(text=story_texts())
def test_a_site_with_any_story_builds_and_every_file_it_writes_parses(fuzz_site, memo, text):
    fuzz_site.story.parent.mkdir(exist_ok=True)
    # A lone surrogate makes bytes that are no UTF-8: the story must be refused as such.
    fuzz_site.story.write_text(text, encoding="utf-8", errors="surrogatepass", newline="")
    # Only compiled templates carry over between examples: every story is read and built afresh.
    built = pipeline.build(fuzz_site.settings, memo=Memo(bytecode=memo.bytecode))

    assert "goed" in {story.slug for story in built.stories}, "the good story must always build"
    for problem in built.problems:
        assert problem.path == "stories/fuzz/index.md", problem.format()
        assert 1 <= problem.line <= lines_in(text), problem.format()
    if any(problem.is_error for problem in built.problems):
        assert "fuzz" not in {story.slug for story in built.stories}

    pages = built.pages()
    assert "verhalen/goed/" in {page.url for page in pages}
    for page in pages:
        assert not UNFIT_CHARACTERS.search(page.title + page.description), page.url
        html = page.content
        for placeholder, part in page.deferred.items():
            html = html.replace(placeholder, part)
        STRICT_HTML.parseFragment(html)  # raises on any parse error, control characters too

    files = built.files()
    assert "feed.xml" in files and "api/stories.json" in files
    for name, content in files.items():
        if name.endswith(".xml"):
            ET.fromstring(content)
        elif name.endswith(".json"):
            json.loads(content)
