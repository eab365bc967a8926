"""What makes builds quicker leaves the site the same.

Cold builds spread link-preview cards and photos over worker processes; text is checked for
unfit characters with a quick test first. The builds here run in this process through MkDocs'
own build command, so the number of workers can be set for each build (``workers.WORKERS``).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mkdocs.commands.build import build
from mkdocs.config import load_config
from PIL import Image

from aanhetwoord import photos, pipeline, workers
from aanhetwoord.config_file import load_settings
from aanhetwoord.photos import PhotoCache, process_all, social_cards
from aanhetwoord.settings import PhotoSettings
from aanhetwoord.text import UNFIT_CHARACTERS, has_unfit, without_unfit
from aanhetwoord.workers import worker_count

CARD_STORIES = 90  # enough cards for two workers: 40 each at least


def build_in_process(site, site_dir: Path) -> None:
    config = load_config(config_file=str(site.write_config()), site_dir=str(site_dir))
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()


def files_in(tree: Path) -> list[Path]:
    return [path for path in tree.rglob("*") if path.is_file()]


def files_of(tree: Path) -> dict[str, bytes]:
    return {path.relative_to(tree).as_posix(): path.read_bytes() for path in files_in(tree)}


def photo(path: Path, colour: tuple[int, int, int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (1000, 700), colour).save(path, "JPEG", quality=90)


def test_the_pool_is_used_only_when_it_saves_time():
    assert worker_count(500, 40, workers=1) == 1  # one core: never a pool
    assert worker_count(79, 40, workers=2) == 1  # too few cards for two workers
    assert worker_count(80, 40, workers=2) == 2
    assert worker_count(10_000, 40, workers=3) == 3
    assert worker_count(0, 1, workers=2) == 1
    assert worker_count(1, 1, workers=2) == 1  # one photo: no pool
    assert worker_count(2, 1, workers=2) == 2


@settings(max_examples=100, deadline=None)
@given(jobs=st.integers(0, 5000), per_worker=st.integers(1, 100), workers=st.integers(1, 16))
def test_never_more_workers_than_cores_or_than_items_to_share(jobs, per_worker, workers):
    count = worker_count(jobs, per_worker, workers)
    assert 1 <= count <= workers
    assert count == 1 or count * per_worker <= jobs


def test_a_site_built_with_one_and_with_two_workers_is_the_same_to_the_byte(site, monkeypatch):
    for number in range(CARD_STORIES):
        site.add_story(f"verhaal-{number:03d}", title=f"Verhaal nummer {number} over de buurt")
    for number, colour in enumerate([(200, 40, 40), (40, 200, 40), (40, 40, 200)]):
        photo(site.stories / f"foto-{number}" / "buurt.jpg", colour)
        site.add_story(
            f"foto-{number}",
            "Tekst.\n\n![Binnen](buurt.jpg)",
            title=f"Met foto {number}",
            image={"src": "buurt.jpg", "alt": "De buurt"},
        )
    assert worker_count(CARD_STORIES, photos.CARDS_PER_WORKER, workers=2) == 2
    cache = site.root / ".cache"

    monkeypatch.setattr(workers, "WORKERS", 1)
    build_in_process(site, site.root / "one")
    monkeypatch.setattr(workers, "WORKERS", 2)
    shutil.rmtree(cache)
    build_in_process(site, site.root / "two")

    one, two = files_of(site.root / "one"), files_of(site.root / "two")
    assert sorted(one) == sorted(two)
    assert [name for name in one if one[name] != two[name]] == []
    previews = [name for name in two if name.startswith("verhalen/verhaal-") and "/social-" in name]
    assert len(previews) == CARD_STORIES
    assert len([name for name in two if name.startswith("verhalen/foto-") and name.endswith(".webp")]) >= 3

    # The cache still works: a build after it draws no card and decodes no photo again.
    def drawn() -> dict[Path, int]:
        return {
            path: path.stat().st_mtime_ns
            for folder in ("photos", "cards")
            for path in (cache / "aanhetwoord" / folder).rglob("*")
            if path.is_file()
        }

    made = drawn()
    assert made
    build_in_process(site, site.root / "again")
    assert drawn() == made
    assert files_of(site.root / "again") == two


@pytest.mark.parametrize("workers", [1, 2])
def test_a_card_that_cannot_be_drawn_is_a_message_never_a_hang(tmp_path, workers):
    broken = PhotoSettings(social_size=(-1, 630))  # no image can have a negative width
    stories = [(f"verhaal-{n}", f"Titel {n}", "Koor De Linde") for n in range(100)]
    outcome: list[photos.SocialCards] = []
    worker = threading.Thread(
        target=lambda: outcome.append(social_cards(stories, tmp_path / "cards", broken, workers=workers))
    )
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive(), "drawing the cards hangs"
    cards = outcome[0]
    assert cards.files == {}
    assert sorted(cards.errors) == sorted(slug for slug, _, _ in stories)
    assert all(message.startswith("ValueError: ") for message in cards.errors.values())
    assert list((tmp_path / "cards").iterdir()) == []  # no half-made files left behind


def test_a_card_that_cannot_be_drawn_is_a_warning_and_the_story_stays(site):
    site.add_story("koor", title="Het koor zingt weer")
    site.write_config()
    configured = load_settings(site.root / "mkdocs.yml")
    broken = replace(configured, photos=replace(configured.photos, social_size=(-1, 630)))
    built = pipeline.build(broken)
    assert [story.slug for story in built.stories] == ["koor"]
    assert built.photo_urls.cards == {}
    assert [problem.format() for problem in built.problems] == [
        "stories/koor/index.md:1: title: waarschuwing: het plaatje voor links naar dit verhaal kan niet "
        "worden gemaakt (ValueError: Width and height must be >= 0). Het verhaal staat wel op de site, "
        "zonder dat plaatje."
    ]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_bad_photo_gives_the_same_message_in_a_pool_as_alone(tmp_path, workers):
    good = tmp_path / "goed.jpg"
    photo(good, (120, 80, 40))
    broken = tmp_path / "kapot.jpg"
    broken.write_bytes(good.read_bytes()[:400])  # cut off after the header
    other = tmp_path / "ander.jpg"
    photo(other, (40, 80, 120))
    cache = PhotoCache(tmp_path / "cache", PhotoSettings())
    results = process_all([good, broken, other], cache, workers=workers)
    assert sorted(results.photos) == sorted([good, other])
    assert list(results.errors) == [broken]
    assert results.errors[broken].startswith("de foto is beschadigd of niet compleet")
    assert os.listdir(tmp_path / "cache") and results.stats.decoded == 2


def test_the_quick_check_for_unfit_characters_finds_exactly_what_the_full_one_finds():
    full = re.compile(UNFIT_CHARACTERS.pattern)
    for code in range(0x110000):
        char = chr(code)
        assert has_unfit(f"Koor{char}") == has_unfit(f"Koor é{char}\n") == bool(full.search(char)), hex(code)
    assert has_unfit("Ayşe zingt\tmee\r\n") is False
    assert has_unfit("Ayşe\u00a0zingt") is False  # a no-break space is unprintable but fit
    assert has_unfit("Ayşe\x0bzingt") is True
    assert has_unfit("Ay\ufffeşe") is True


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=60))
def test_text_loses_the_same_characters_as_before(value):
    expected = UNFIT_CHARACTERS.sub("", re.sub("[\x0b\x0c\x1c-\x1f\x85]", " ", value))
    assert without_unfit(value) == expected


def _cards(tmp_path: Path, name: str, count: int) -> list[tuple[str, str, str]]:
    return [(f"verhaal-{n:03d}", f"Titel {n} uit {name}", "Koor De Linde") for n in range(count)]


def test_cards_drawn_while_the_build_goes_on_are_the_cards_drawn_at_once(tmp_path):
    stories = _cards(tmp_path, "de buurt", CARD_STORIES)
    at_once = social_cards(stories, tmp_path / "at-once", PhotoSettings(), workers=2)
    later = social_cards(stories, tmp_path / "later", PhotoSettings(), workers=2, background=True)
    assert later.pending is not None  # still being drawn
    assert later.finish() == {}
    assert later.pending is None and later.errors == {}
    assert {slug: path.name for slug, path in later.files.items()} == {
        slug: path.name for slug, path in at_once.files.items()
    }
    assert {path.name: path.read_bytes() for path in (tmp_path / "later").iterdir()} == {
        path.name: path.read_bytes() for path in (tmp_path / "at-once").iterdir()
    }


TEST_PROCESS = os.getpid()  # workers are forked: they see this process's number here too
original_draw_cards = photos._draw_cards


def _drawn_in_a_worker_only_after_this_process_drew(jobs):
    marker = jobs[0][2].parent / "drawn-here"
    if os.getpid() != TEST_PROCESS:
        deadline = time.monotonic() + 120
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
    outcomes = original_draw_cards(jobs)
    if os.getpid() == TEST_PROCESS:
        marker.touch()
    return outcomes


def test_the_build_draws_the_cards_no_worker_has_started_when_it_is_done(tmp_path, monkeypatch):
    """The build keeps a core for itself while the cards are drawn; once it waits for them, it
    draws what is left itself. Here the worker holds back until the build has drawn a batch."""
    stories = _cards(tmp_path, "de buurt", CARD_STORIES)
    social_cards(stories, tmp_path / "at-once", PhotoSettings(), workers=1)
    monkeypatch.setattr(photos, "_draw_cards", _drawn_in_a_worker_only_after_this_process_drew)
    later = social_cards(stories, tmp_path / "later", PhotoSettings(), workers=2, background=True)
    assert later.pending is not None and later.pending.pool._max_workers == 1  # one core stays free
    assert later.finish() == {}
    assert (tmp_path / "later" / "drawn-here").exists(), "this process drew no card"
    (tmp_path / "later" / "drawn-here").unlink()
    assert {path.name: path.read_bytes() for path in (tmp_path / "later").iterdir()} == {
        path.name: path.read_bytes() for path in (tmp_path / "at-once").iterdir()
    }


def test_stopping_a_build_stops_the_drawing_and_leaves_no_half_made_card(tmp_path):
    cards = social_cards(
        _cards(tmp_path, "de buurt", 400), tmp_path / "cards", PhotoSettings(), workers=2, background=True
    )
    assert cards.pending is not None
    cards.pending.cancel()
    assert not [path.name for path in (tmp_path / "cards").iterdir() if ".tmp." in path.name]
    # What was drawn is whole: the next build uses it and draws the rest.
    again = social_cards(_cards(tmp_path, "de buurt", 400), tmp_path / "cards", PhotoSettings(), workers=2)
    assert again.errors == {} and len(set(again.files.values())) == 400
    for path in again.files.values():
        with Image.open(path) as image:
            image.load()


def _breaks_on_a_word(title: str, community: str, target: Path, settings: PhotoSettings) -> None:
    if "BREEK" in title:
        raise ValueError("deze kaart breekt")
    original_social_card(title, community, target, settings)


original_social_card = photos.social_card


def test_a_card_that_fails_while_the_build_goes_on_is_a_warning_and_a_plain_card(site, monkeypatch, caplog):
    for number in range(CARD_STORIES):
        site.add_story(f"verhaal-{number:03d}", title=f"Verhaal nummer {number} over de buurt")
    site.add_story("zz-breekt", title="Deze titel BREEK het plaatje")  # not the first card drawn
    # The workers are forked from this process, so they draw with the broken drawing too.
    monkeypatch.setattr(photos, "social_card", _breaks_on_a_word)
    monkeypatch.setattr(workers, "WORKERS", 2)
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.aanhetwoord"):
        build_in_process(site, site.root / "site")
    assert [record.getMessage() for record in caplog.records if "zz-breekt" in record.getMessage()] == [
        "stories/zz-breekt/index.md:1: title: waarschuwing: het plaatje voor links naar dit verhaal kan "
        "niet worden gemaakt (ValueError: deze kaart breekt). Het verhaal staat wel op de site, er staat "
        "een effen plaatje voor in de plaats."
    ]
    page = (site.root / "site" / "verhalen" / "zz-breekt" / "index.html").read_text(encoding="utf-8")
    card = re.search(
        r'<meta property="og:image" content="[^"]*/(verhalen/zz-breekt/social-[0-9a-f]+\.jpg)"', page
    )
    assert card, "the page points at its card"
    with Image.open(site.root / "site" / card.group(1)) as image:
        assert image.size == (1200, 630)
        assert len(image.getcolors(maxcolors=1 << 16)) <= 8  # plain: no words drawn on it
