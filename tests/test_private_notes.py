"""Notes for the editors (HTML comments) in a story reach no output of a real build.

Editors leave notes such as ``<!-- Toestemming van de ouders is er nog niet -->`` in a story.
They must not be on the page, in the search index, the summary, the feeds, the API or the
link preview; ``check`` mentions them, and an unclosed note is a warning.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from aanhetwoord import pipeline
from aanhetwoord.config_file import load_settings
from sitefactory import Site, make_site

# Every secret holds GEHEIM, and nothing else in the site does.
BODY = """\
<!-- GEHEIM-BLOK: Toestemming van de ouders is er nog niet -->

Op zaterdag <!-- GEHEIM-ZIN --> spelen we voetbal in het park.

<!--
GEHEIM-MEERDERE-REGELS: namen nog navragen

ook deze regel
-->

Iedereen mag meedoen, <!-- GEHEIM-OVER
twee regels --> ook als je nog nooit hebt gespeeld.

- de bal neemt Samir mee <!--GEHEIM-IN-LIJST-->
- `code <!-- GEHEIM-IN-CODE -->`
"""
UPDATE = "We spelen nu ook op woensdag. <!-- GEHEIM-VERVOLG: nog niet bevestigd -->"


@pytest.fixture(scope="module")
def notes_site(tmp_path_factory) -> tuple[Site, subprocess.CompletedProcess]:
    site = make_site(tmp_path_factory.mktemp("notities"))
    site.add_story(
        "zaterdagvoetbal",
        BODY,
        title="Zaterdagvoetbal in het park",
        community="De Zaterdagploeg",
        updates=[{"date": "2025-06-01", "text": UPDATE}],
    )
    site.add_story("ander-verhaal", "Een ander verhaal uit de buurt.", title="Een ander verhaal")
    # Notes are only mentioned: a strict build passes.
    result = site.build(strict=True)
    return site, result


def text_files(site_dir: Path) -> dict[str, str]:
    return {
        path.relative_to(site_dir).as_posix(): path.read_text(encoding="utf-8")
        for path in site_dir.rglob("*")
        if path.is_file() and path.suffix in {".html", ".json", ".xml", ".txt", ".js"}
    }


def test_no_note_reaches_any_file_of_the_site(notes_site):
    site, _ = notes_site
    files = text_files(site.site_dir)
    # The outputs the notes could have leaked into are all there.
    for name in (
        "verhalen/zaterdagvoetbal/index.html",
        "verhalen/index.html",
        "search/search_index.json",
        "feed.xml",
        "feed.json",
        "gemeenschappen/de-zaterdagploeg/feed.xml",
        "api/stories.json",
    ):
        assert name in files, sorted(files)
    leaking = {name: text.count("GEHEIM") for name, text in files.items() if "GEHEIM" in text}
    assert leaking == {}
    assert not any("&lt;!--" in text for text in files.values())


def test_the_story_around_the_notes_is_published_in_full(notes_site):
    site, _ = notes_site
    page = site.page("verhalen/zaterdagvoetbal")
    for words in (
        "spelen we voetbal in het park.",
        "Iedereen mag meedoen,",
        "ook als je nog nooit hebt gespeeld.",
        "de bal neemt Samir mee",
        "We spelen nu ook op woensdag.",
    ):
        assert words in page, words
    assert "<code>code </code>" in page


def test_the_summary_is_the_first_real_paragraph_everywhere(notes_site):
    site, _ = notes_site
    summary = "Op zaterdag spelen we voetbal in het park."
    [record] = [
        story
        for story in json.loads((site.site_dir / "api/stories.json").read_text(encoding="utf-8"))["stories"]
        if story["slug"] == "zaterdagvoetbal"
    ]
    assert record["summary"] == summary
    page = site.page("verhalen/zaterdagvoetbal")
    assert f'<meta name="description" content="{summary}">' in page
    assert f'<meta property="og:description" content="{summary}">' in page
    feed = json.loads((site.site_dir / "feed.json").read_text(encoding="utf-8"))
    [item] = [item for item in feed["items"] if item["url"].endswith("/verhalen/zaterdagvoetbal/")]
    assert item["summary"] == item["content_text"] == summary
    assert summary in site.page("verhalen")  # the card in the list


def test_the_search_index_has_the_story_text_but_no_note(notes_site):
    site, _ = notes_site
    index = json.loads((site.site_dir / "search/search_index.json").read_text(encoding="utf-8"))
    texts = " ".join(
        doc["text"] for doc in index["docs"] if doc["location"].startswith("verhalen/zaterdagvoetbal")
    )
    assert "Iedereen mag meedoen" in texts and "woensdag" in texts
    assert "GEHEIM" not in texts and "Toestemming van de ouders" not in texts


def test_the_build_and_check_mention_each_note_on_its_line(notes_site):
    site, result = notes_site
    path = "stories/zaterdagvoetbal/index.md"
    lines = (site.stories / "zaterdagvoetbal/index.md").read_text(encoding="utf-8").split("\n")
    body_notes = [
        number for number, line in enumerate(lines, 1) if "<!--" in line and "GEHEIM-VERVOLG" not in line
    ]
    assert len(body_notes) == 6
    [update_line] = [number for number, line in enumerate(lines, 1) if "GEHEIM-VERVOLG" in line]
    message = "opmerking: een notitie tussen <!-- en --> komt niet op de site"
    expected = [f"{path}:{number}: tekst: {message}" for number in body_notes]
    expected.append(f"{path}:{update_line}: updates[0].text: {message}")
    checked = pipeline.check(load_settings(site.root / "mkdocs.yml"))
    assert sorted(problem.format() for problem in checked.problems) == sorted(expected)
    assert not any(problem.is_error or problem.is_warning for problem in checked.problems)
    for line in expected:
        assert line in result.stderr  # INFO in the build log, which --strict lets pass


def test_an_unclosed_note_hides_the_rest_and_is_a_warning(tmp_path):
    site = make_site(tmp_path)
    site.add_story(
        "open-notitie",
        "Dit mag iedereen lezen.\n\n<!-- GEHEIM: vergeten te sluiten\n\nGEHEIM ook deze alinea.",
    )
    result = site.build(strict=False)
    page = site.page("verhalen/open-notitie")
    assert "Dit mag iedereen lezen." in page
    assert not any("GEHEIM" in text for text in text_files(site.site_dir).values())
    warning = (
        "stories/open-notitie/index.md:{}: tekst: waarschuwing: '<!--' wordt niet afgesloten met '-->':"
        " alles vanaf hier komt niet op de site"
    )
    lines = (site.stories / "open-notitie/index.md").read_text(encoding="utf-8").split("\n")
    line = next(number for number, text in enumerate(lines, 1) if text.startswith("<!--"))
    assert warning.format(line) in result.stderr
    check = site.cli("check")
    assert check.returncode == 0  # a warning, not an error
    assert check.stdout.startswith(warning.format(line))
    assert site.build(strict=True, check=False).returncode != 0
