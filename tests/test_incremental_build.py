"""``aanhetwoord serve`` (``mkdocs serve --dirty``): rebuilds after an edit redo only what depends
on it, and still give exactly the site a clean build gives.

A real session keeps its plugins between builds, like ``mkdocs serve``; after every edit its
output is compared byte for byte with a clean build in a fresh process.
"""

from __future__ import annotations

import difflib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from aanhetwoord import pipeline
from aanhetwoord.config_file import load_settings
from aanhetwoord.memo import Memo
from sitefactory import make_site, quiet_env, story_text

SESSION = Path(__file__).with_name("serve_session.py")


class Session:
    """A long-running dirty serve session building into ``site_dir``."""

    def __init__(self, config: Path, site_dir: Path) -> None:
        self.site_dir = site_dir
        self.process = subprocess.Popen(
            [sys.executable, str(SESSION), str(config), str(site_dir), "--dirty"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=quiet_env(),
        )

    def build(self) -> None:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write("build\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if line.strip() != "built":
            self.process.kill()
            raise AssertionError(
                f"the session stopped:\n{self.process.stderr.read() if self.process.stderr else ''}"
            )

    def close(self) -> str:
        if self.process.returncode is not None:
            return ""
        _, errors = self.process.communicate("", timeout=60)
        return errors


def clean_build(config: Path, site_dir: Path) -> dict[str, bytes]:
    """The site as a fresh ``mkdocs serve`` (no --dirty) would build it."""
    result = subprocess.run(
        [sys.executable, str(SESSION), str(config), str(site_dir)],
        input="build\n",
        capture_output=True,
        text=True,
        env=quiet_env(),
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return snapshot(site_dir)


def snapshot(site_dir: Path) -> dict[str, bytes]:
    return {
        path.relative_to(site_dir).as_posix(): path.read_bytes()
        for path in sorted(site_dir.rglob("*"))
        if path.is_file()
    }


def folders(site_dir: Path) -> set[str]:
    return {path.relative_to(site_dir).as_posix() for path in site_dir.rglob("*") if path.is_dir()}


def assert_same_site(dirty: Path, clean_dir: Path, clean: dict[str, bytes], step: str) -> None:
    got = snapshot(dirty)
    missing = sorted(set(clean) - set(got))
    extra = sorted(set(got) - set(clean))
    assert not missing and not extra, f"{step}: missing {missing[:10]}, left over {extra[:10]}"
    differing = [name for name in clean if clean[name] != got[name]]
    if differing:
        name = differing[0]
        diff = difflib.unified_diff(
            clean[name].decode("utf-8", "replace").splitlines(),
            got[name].decode("utf-8", "replace").splitlines(),
            "clean",
            "dirty",
            lineterm="",
            n=1,
        )
        pytest.fail(
            f"{step}: {len(differing)} files differ, {differing[:8]}; first:\n" + "\n".join(list(diff)[:40])
        )
    assert folders(dirty) == folders(clean_dir), f"{step}: empty folders left behind"


def photo(path: Path, colour: tuple[int, int, int]) -> None:
    Image.new("RGB", (900, 600), colour).save(path, "JPEG")


def page_times(site_dir: Path) -> dict[str, int]:
    """When each story page was last written."""
    return {
        path.parent.name: path.stat().st_mtime_ns for path in (site_dir / "verhalen").glob("*/index.html")
    }


NEIGHBOURHOODS = ["Oude Haven", "Marktkwartier", "Lindehoeve", "Veldrand"]
THEMES = ["Samen leven", "Sport en bewegen", "Taal en meedoen"]


@pytest.fixture
def session_site(tmp_path: Path):
    site = make_site(tmp_path / "site")
    # Small list pages, so a move changes pagination too.
    site.plugin_options["pagination_per_page"] = 3
    for number in range(14):
        site.add_story(
            f"verhaal-{number:02d}",
            f"Verhaal nummer {number} over de buurt.\n\n## Wat we deden\n\nSamen koken.",
            title=f"Verhaal {number}",
            date=f"2025-0{1 + number % 9}-1{number % 10}",
            community=f"Groep {number % 5}",
            neighbourhoods=[NEIGHBOURHOODS[number % 4]],
            themes=[THEMES[number % 3]],
        )
    folder = site.stories / "met-foto"
    folder.mkdir()
    photo(folder / "plein.jpg", (40, 120, 200))
    photo(folder / "markt.jpg", (200, 120, 40))
    site.add_story(
        "met-foto",
        "Het plein vol.\n\n![De markt in de zon](markt.jpg)",
        title="Verhaal met foto's",
        image={"src": "plein.jpg", "alt": "Het plein"},
        consent={"date": "2025-04-01", "reference": "T-9", "photos": True},
        neighbourhoods=["Marktkwartier"],
    )
    site.add_story("draft", title="Nog niet af", status="draft", consent=None)
    config = site.write_config()
    session = Session(config, tmp_path / "dirty")
    yield site, config, session
    session.close()


def test_every_rebuild_after_an_edit_equals_a_clean_build(session_site, tmp_path: Path):
    site, config, session = session_site
    clean_dir = tmp_path / "clean"
    steps = 0

    def check(step: str) -> None:
        nonlocal steps
        session.build()
        clean = clean_build(config, clean_dir)
        assert_same_site(session.site_dir, clean_dir, clean, step)
        steps += 1

    check("first build")

    story = site.stories / "verhaal-03" / "index.md"
    story.write_text(story.read_text().replace("title: Verhaal 3", "title: Een nieuwe titel"))
    check("changed a title")

    story = site.stories / "verhaal-05" / "index.md"
    story.write_text(story.read_text().replace("- Marktkwartier", "- Veldrand"))
    check("moved a story to another neighbourhood")

    result = site.cli("-f", str(config), "withdraw", "met-foto", config=False)
    assert result.returncode == 0, result.stderr
    check("withdrew a story with photos")

    site.add_story(
        "nieuw-verhaal",
        "Een nieuw verhaal.",
        title="Helemaal nieuw",
        community="Een nieuwe groep",
        neighbourhoods=["Lindehoeve"],
        themes=["Taal en meedoen"],
        date="2025-09-30",
    )
    check("added a story from a new community")

    site.add_story("vertaling", title="A story", language="en", translation_of="later-origineel")
    check("added a translation of a story that does not exist yet")
    site.add_story("later-origineel", title="Het origineel")
    check("added the original of that translation")

    (site.stories / "verhaal-07" / "index.md").unlink()
    (site.stories / "verhaal-07").rmdir()
    check("deleted a story")

    draft = site.stories / "draft" / "index.md"
    draft.write_text(story_text(title="Nu wel af", consent={"date": "2025-04-01", "reference": "T-3"}))
    check("published a draft")

    broken = site.stories / "verhaal-09" / "index.md"
    broken.write_text(broken.read_text().replace("themes:", "themes: [\n", 1))
    check("broke a story's front matter")

    register = site.stories / "_registers" / "buurten.yml"
    register.write_text(register.read_text().replace("name: Veldrand", "name: Veldrand-Oost"))
    check("renamed a neighbourhood in the register")

    page = site.root / "docs" / "deel-je-verhaal.md"
    page.write_text("# Vertel het ons\n\nZo werkt het.\n")
    check("changed the title of one of the site's own pages")

    assert steps == 12
    errors = session.close()
    assert "Traceback" not in errors, errors


def test_a_title_change_rewrites_only_the_pages_that_show_it(session_site):
    site, _, session = session_site
    session.build()
    before = page_times(session.site_dir)
    story = site.stories / "verhaal-03" / "index.md"
    story.write_text(story.read_text().replace("title: Verhaal 3", "title: Een nieuwe titel"))
    session.build()
    after = page_times(session.site_dir)
    rewritten = {slug for slug in after if after[slug] != before.get(slug)}
    assert "verhaal-03" in rewritten
    # The others only change when their related list shows the story.
    related = {
        slug
        for slug in after
        if "Een nieuwe titel" in (session.site_dir / "verhalen" / slug / "index.html").read_text()
    }
    assert rewritten == related, (rewritten, related)
    assert len(rewritten) < len(after) / 2, f"{len(rewritten)} of {len(after)} story pages rewritten"


def test_an_unchanged_rebuild_writes_no_page(session_site):
    _, _, session = session_site
    session.build()
    before = page_times(session.site_dir)
    session.build()
    assert page_times(session.site_dir) == before


def file_times(site_dir: Path) -> dict[str, int]:
    """When each file of the site was last written."""
    return {
        path.relative_to(site_dir).as_posix(): path.stat().st_mtime_ns
        for path in site_dir.rglob("*")
        if path.is_file()
    }


def test_an_unchanged_rebuild_rewrites_only_what_mkdocs_always_writes(session_site):
    _, _, session = session_site
    session.build()
    before = file_times(session.site_dir)
    session.build()
    after = file_times(session.site_dir)
    assert after.keys() == before.keys()
    rewritten = {name for name in after if after[name] != before[name]}
    # MkDocs' own files, the site's own Markdown pages and the theme's generated files; none of
    # the pages, feeds or API files the stories make.
    always = {
        "404.html",
        "sitemap.xml",
        "sitemap.xml.gz",
        "search/search_index.json",
        "index.html",
        "deel-je-verhaal/index.html",
    }
    assert {name for name in rewritten if not name.startswith("assets/")} == always
    assert {"api/stories.json", "api/withdrawn.json", "feed.xml", "feed.json"} <= after.keys()
    assert "buurten/oude-haven/index.html" in after
    assert "verhalen/verhaal-03/index.html" in after


def test_files_removed_or_changed_behind_the_servers_back_are_written_again(session_site, tmp_path: Path):
    site, config, session = session_site
    session.build()
    dirty = session.site_dir
    removed = [
        "verhalen/verhaal-03/index.html",  # a story page
        "buurten/oude-haven/index.html",  # a list page (made anew by every build)
        "verhalen/index.html",
        "api/stories.json",
        "feed.xml",
    ]
    for name in removed:
        (dirty / name).unlink()
    (dirty / "api" / "withdrawn.json").write_text('{"paths": ["/verhalen/verzonnen/"]}\n', encoding="utf-8")
    (dirty / "feed.json").write_text("{}", encoding="utf-8")
    session.build()
    clean_dir = tmp_path / "clean"
    assert_same_site(dirty, clean_dir, clean_build(config, clean_dir), "files removed or changed")
    assert "/verhalen/verzonnen/" not in (dirty / "api" / "withdrawn.json").read_text(encoding="utf-8")

    # And once more after an edit, when the rest of the site is taken from the build before.
    story = site.stories / "verhaal-05" / "index.md"
    story.write_text(story.read_text().replace("title: Verhaal 5", "title: Weer een nieuwe titel"))
    (dirty / "api" / "stories.json").unlink()
    (dirty / "buurten" / "marktkwartier" / "index.html").unlink()
    session.build()
    assert_same_site(dirty, clean_dir, clean_build(config, clean_dir), "edit after removals")


def test_kept_cards_and_pages_take_the_stories_of_the_newest_build(site):
    """A story checked again but unchanged (a file too new to trust at the last build) is a new
    object that equals the old one: what is kept takes the new object, so the next build sees it
    is the same at once instead of comparing every field of every card again."""
    for number in range(6):
        site.add_story(f"verhaal-{number}", f"Verhaal {number}.", title=f"Verhaal {number}")
    site_settings = load_settings(site.write_config())
    memo = Memo(key_of=lambda path: None)  # every story checked again: new objects each build
    pipeline.build(site_settings, memo=memo).pages()
    second = pipeline.build(site_settings, memo=memo)
    second.pages()
    current = {id(story) for story in second.stories}
    assert memo.cards and memo.story_pages
    assert all(id(entry.story) in current for entry in memo.cards.values())
    assert all(id(entry.key[0]) in current for entry in memo.story_pages.values())


def test_the_first_rebuild_of_serve_starts_from_the_first_build(site, tmp_path: Path, monkeypatch):
    """``mkdocs serve -f mkdocs.yml`` loads its configuration first from the file as typed, and
    for every rebuild by its absolute path; paths in it (the theme folder) are relative the first
    time only. The first rebuild still reuses every story the first build checked and writes no
    page again, instead of checking, rendering and writing the whole site."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from aanhetwoord import memo as memo_module
    from sitefactory import THEME_OVERRIDES

    monkeypatch.setattr(memo_module, "RECENT_NS", 0)  # files just written count as unchanged
    for number in range(4):
        site.add_story(f"verhaal-{number}", f"Verhaal {number}.", title=f"Verhaal {number}")
    shutil.copytree(THEME_OVERRIDES, site.root / "theme_overrides")
    site.extra_config["theme"] = {
        "name": "material",
        "custom_dir": "theme_overrides",
        "language": "nl",
        "font": False,
    }
    config_file = site.write_config()
    monkeypatch.chdir(config_file.parent)
    site_dir = tmp_path / "served"
    typed = open(config_file.name, "rb")  # noqa: SIM115 - MkDocs closes it, as click's file does
    builds = []
    try:
        for _ in range(2):
            # The first load reads the open file, the next one opens the closed file by its name.
            config = load_config(typed, site_dir=str(site_dir))
            if not builds:
                config.plugins.on_startup(command="serve", dirty=True)
            build(config, serve_url="http://127.0.0.1:8000/", dirty=True)
            plugin = config.plugins["aanhetwoord"]
            builds.append((config.theme.custom_dir, dict(plugin.memo.checked), page_times(site_dir)))
    finally:
        config.plugins.on_shutdown()  # MkDocs keeps the plugin for the rest of the process
    (first_theme, first, first_pages), (second_theme, second, second_pages) = builds
    assert first_theme != second_theme  # as written, then absolute: the case this test is about
    assert len(first) == 4 and first.keys() == second.keys()
    assert all(second[path] is entry for path, entry in first.items())
    assert len(first_pages) == 4 and second_pages == first_pages


def test_a_build_after_a_serve_session_in_the_same_process_is_a_plain_build(site, tmp_path: Path):
    """MkDocs keeps the plugin for the whole process; ``on_startup`` of the next command decides
    again whether builds keep anything between them."""
    from mkdocs.config import load_config

    site.add_story("verhaal", "Een verhaal.", title="Een verhaal")
    config_file = str(site.write_config())
    served = load_config(config_file, site_dir=str(tmp_path / "served"))
    served.plugins.on_startup(command="serve", dirty=True)
    plugin = served.plugins["aanhetwoord"]
    assert plugin.preview and plugin.memo is not None and plugin.rebuilds is not None
    served.plugins.on_shutdown()
    assert not plugin.preview and plugin.memo is None and plugin.rebuilds is None

    # Also when the last command ended without its shutdown (it stopped halfway).
    served.plugins.on_startup(command="serve", dirty=True)
    built = load_config(config_file, site_dir=str(tmp_path / "built"))
    built.plugins.on_startup(command="build", dirty=False)
    assert built.plugins["aanhetwoord"] is plugin
    assert not plugin.preview and plugin.memo is None and plugin.rebuilds is None
    built.plugins.on_shutdown()
