"""Checking a whole site's stories on more than one core gives exactly what checking them one by
one gives: the same stories, the same problems in the same order, and the same pages.

Workers are forked from this process, so a story checked in a worker is checked by this code."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from aanhetwoord import checking, pipeline, workers
from aanhetwoord.config_file import load_settings
from aanhetwoord.memo import Memo, content_key, render_text, text_key

# Small shares, so even a small site is checked by this process and two workers.
SHARE = 4


def varied_site(site) -> None:
    """Stories of every kind a check tells apart."""
    for number in range(12):
        site.add_story(
            f"verhaal-{number:02d}", f"Verhaal {number}.\n\n- een\n- twee", title=f"Verhaal {number}"
        )
    site.add_story("met-update", "Eerst dit.", updates=[{"date": "2025-06-01", "text": "En *toen* dat."}])
    folder = site.stories / "met-foto"
    folder.mkdir(parents=True)
    Image.new("RGB", (900, 600), (120, 160, 90)).save(folder / "plein.jpg", "JPEG")
    site.add_story(
        "met-foto",
        "Het plein.\n\n![Het plein](plein.jpg)",
        image={"src": "plein.jpg", "alt": "Het plein in de zon"},
    )
    site.add_story("foto-ontbreekt", "Hier: ![weg](weg.jpg)")  # a photo that is not there
    site.add_story("ingetrokken", status="withdrawn")
    site.add_story("zonder-titel", title=None)  # an error
    site.add_story("onbekend-veld", kleur="blauw")  # a warning
    site.write_story("kapot", "---\ntitle: [niet dicht\n---\n\nTekst.\n")
    site.add_story("los-bestand", "Een verhaal in één bestand.", folder=False)
    site.add_story("Hoofdletters", "Een naam die niet mag.")


def check(site, monkeypatch, processes: int, memo: Memo | None = None) -> pipeline.Checked:
    site.write_config()
    monkeypatch.setattr(workers, "WORKERS", processes)
    monkeypatch.setattr(checking, "STORIES_PER_WORKER", SHARE)
    return pipeline.check(load_settings(site.root / "mkdocs.yml"), memo=memo)


def check_both_ways(site, monkeypatch) -> tuple[pipeline.Checked, pipeline.Checked]:
    return check(site, monkeypatch, 1), check(site, monkeypatch, 3)


def test_checking_on_three_processes_gives_what_one_gives(site, monkeypatch):
    varied_site(site)
    assert workers.worker_count(len(list(site.stories.rglob("*.md"))), SHARE, 3) == 3
    one, shared = check_both_ways(site, monkeypatch)
    assert [story.slug for story in shared.stories] == [story.slug for story in one.stories]
    assert shared.stories == one.stories
    assert [problem.format() for problem in shared.problems] == [problem.format() for problem in one.problems]
    assert any(problem.is_error for problem in one.problems)  # the site has errors to tell apart
    assert any(problem.is_warning for problem in one.problems)


def test_a_site_checked_on_three_processes_is_built_to_the_same_pages(site, monkeypatch):
    varied_site(site)
    site.write_config()
    settings_ = load_settings(site.root / "mkdocs.yml")

    def pages() -> dict[str, str]:
        built = pipeline.build(settings_, memo=Memo(key_of=content_key))
        return {page.url: page.content for page in built.pages()}

    monkeypatch.setattr(workers, "WORKERS", 1)
    one = pages()
    monkeypatch.setattr(workers, "WORKERS", 3)
    monkeypatch.setattr(checking, "STORIES_PER_WORKER", SHARE)
    shared = pages()
    assert sorted(shared) == sorted(one)
    assert [url for url in one if shared[url] != one[url]] == []
    assert any("plein" in content and "<picture" in content for content in shared.values())


def test_texts_rendered_in_a_worker_are_kept_only_for_stories_without_photos(site, monkeypatch):
    varied_site(site)
    memo = Memo(key_of=content_key)
    shared = check(site, monkeypatch, 3, memo)
    by_slug = {story.slug: story for story in shared.stories}
    assert memo.texts, "no text was rendered in a worker"
    assert "met-foto" not in memo.texts and "foto-ontbreekt" not in memo.texts
    assert "ingetrokken" not in memo.texts  # a withdrawn story's text is never rendered
    for slug, entry in memo.texts.items():
        story = by_slug[slug]
        assert not story.assets
        assert entry.key == text_key(story, ())
        assert entry.text == render_text(story, lambda src, alt: "", {})


def _dies(*arguments):
    os._exit(3)


def test_a_worker_that_dies_leaves_its_stories_to_this_process(site, monkeypatch):
    varied_site(site)
    one, _ = check_both_ways(site, monkeypatch)
    monkeypatch.setattr(checking, "_check_in_worker", _dies)
    _, shared = check_both_ways(site, monkeypatch)
    assert shared.stories == one.stories
    assert [problem.format() for problem in shared.problems] == [problem.format() for problem in one.problems]


# Markdown with what changes how a text is parsed: photos, comments, lists, quotes, lone CRs.
PIECES = st.sampled_from(
    [
        "Tekst",
        "*nadruk*",
        "![foto](plein.jpg)",
        "<!-- weg -->",
        "- punt",
        "> citaat",
        "\r",
        "\n",
        "\n\n",
        "# Kop",
        "`code`",
        "<b>vet</b>",
        "[link](https://example.org)",
    ]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(PIECES, max_size=12).map(" ".join))
def test_a_text_rendered_in_a_worker_is_the_text_the_build_renders(site, body):
    """A worker sends a story without its parse and renders it again from the text: that must be
    what the build makes from the validator's parse, and a text with a photo is left to the build."""
    path = site.add_story("verhaal", "Begin.\n\n" + body)
    if not (path.parent / "plein.jpg").exists():
        Image.new("RGB", (900, 600), (120, 160, 90)).save(path.parent / "plein.jpg", "JPEG")
    site_settings = load_settings(site.write_config())
    registers, _ = pipeline.load_registers(site_settings)
    today = site_settings.current_date()
    [worker] = checking._check_in_worker([("verhaal", path)], site_settings, registers, today, True)
    here = checking.check_file("verhaal", path, site_settings, registers, today)
    assert here.story is not None and worker.story == here.story
    assert worker.story.body_tokens is None and here.story.body_tokens is not None
    if worker.text is None:
        assert here.story.assets == ("plein.jpg",)  # it shows a photo: rendered by the build
    else:
        assert worker.text == render_text(here.story, lambda src, alt: "", {})


def test_a_check_without_parallel_stays_in_this_process(site, monkeypatch):
    """``aanhetwoord serve`` checks in its own process: it keeps the stories for every rebuild."""
    varied_site(site)
    site.write_config()
    monkeypatch.setattr(workers, "WORKERS", 3)
    monkeypatch.setattr(checking, "STORIES_PER_WORKER", SHARE)
    site_settings = load_settings(site.root / "mkdocs.yml")
    memo = Memo()
    alone = pipeline.check(site_settings, memo=memo, parallel=False)
    assert memo.texts == {}  # only a worker renders texts during a check
    shared = pipeline.check(site_settings, memo=Memo())
    assert shared.stories == alone.stories

    def without_parse(checked: pipeline.Checked) -> set[str]:
        return {story.slug for story in checked.stories if story.body_tokens is None}

    assert without_parse(alone) < without_parse(shared)  # a worker sends stories without their parse
