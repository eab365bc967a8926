"""A build keeps its checked stories and their rendered text in ``.cache/`` for the next build.

The next build uses them only for story files that have not changed, and sets them all aside
when what they depend on changes: the registers, the day, the settings, the code. Whatever it
takes from the cache, the site is the same as without it.
"""

from __future__ import annotations

import os
import pickle
import subprocess
from datetime import date
from pathlib import Path

from aanhetwoord import build_cache
from sitefactory import Site, engine_executable, make_site, quiet_env

CACHE = Path(".cache") / "aanhetwoord" / "stories" / build_cache.FILE_NAME


def build(site: Site, site_dir: Path, today: date | None = None) -> dict[str, bytes]:
    site.write_config()
    result = subprocess.run(
        [engine_executable("mkdocs"), "build", "-f", str(site.root / "mkdocs.yml"), "-d", str(site_dir)],
        cwd=site.root,
        capture_output=True,
        text=True,
        env=quiet_env(today),
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return {
        path.relative_to(site_dir).as_posix(): path.read_bytes()
        for path in site_dir.rglob("*")
        if path.is_file()
    }


def poison(site: Site, slug: str, marker: str) -> None:
    """Put ``marker`` into the cached rendering of ``slug``'s text: a page that shows it was
    made from the cache."""
    path = site.root / CACHE
    version, context, checked, texts = pickle.loads(path.read_bytes())
    entry = texts[slug]
    text = entry.text.__class__(**{**entry.text.__dict__, "body": f"<p>{marker}</p>"})
    texts[slug] = entry.__class__(entry.key, text)
    path.write_bytes(pickle.dumps((version, context, checked, texts)))


def story_page(files: dict[str, bytes], slug: str) -> str:
    return files[f"verhalen/{slug}/index.html"].decode("utf-8")


def two_stories(tmp_path: Path) -> Site:
    site = make_site(tmp_path / "site")
    site.add_story("koffie", "We zetten koffie op zaterdag.", title="Koffie")
    site.add_story("voetbal", "We voetballen op zondag.", title="Voetbal", date="2026-12-01")
    return site


def test_a_warm_build_takes_unchanged_stories_from_the_cache_and_the_site_is_the_same(tmp_path: Path):
    site = two_stories(tmp_path)
    cold = build(site, tmp_path / "cold")
    assert (site.root / CACHE).is_file()
    warm = build(site, tmp_path / "warm")
    assert warm == cold
    # The cache is what the warm build read: a rendering changed in it shows on the page.
    poison(site, "koffie", "UIT-DE-CACHE")
    assert "UIT-DE-CACHE" in story_page(build(site, tmp_path / "poisoned"), "koffie")


def test_a_story_changed_within_its_files_time_resolution_is_read_again(tmp_path: Path):
    site = two_stories(tmp_path)
    build(site, tmp_path / "first")
    poison(site, "koffie", "UIT-DE-CACHE")
    path = site.stories / "koffie" / "index.md"
    before = os.stat(path)
    text = path.read_text(encoding="utf-8").replace("koffie", "thee!!")  # the same length
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the same time
    assert os.stat(path).st_size == before.st_size
    page = story_page(build(site, tmp_path / "second"), "koffie")
    assert "We zetten thee!! op zaterdag." in page
    assert "UIT-DE-CACHE" not in page


def test_a_changed_story_is_read_again(tmp_path: Path):
    site = two_stories(tmp_path)
    build(site, tmp_path / "first")
    poison(site, "koffie", "UIT-DE-CACHE")
    site.add_story("koffie", "We zetten thee op zaterdag.", title="Koffie")
    page = story_page(build(site, tmp_path / "second"), "koffie")
    assert "We zetten thee op zaterdag." in page
    assert "UIT-DE-CACHE" not in page


def test_a_new_day_or_a_changed_register_sets_the_whole_cache_aside(tmp_path: Path):
    site = two_stories(tmp_path)
    before = build(site, tmp_path / "before", today=date(2026, 11, 24))
    assert "verhalen/voetbal/index.html" not in before  # embargoed until 1 December
    poison(site, "koffie", "UIT-DE-CACHE")
    after = build(site, tmp_path / "after", today=date(2026, 12, 2))
    assert "We voetballen op zondag." in story_page(after, "voetbal")
    assert "UIT-DE-CACHE" not in story_page(after, "koffie")

    poison(site, "koffie", "UIT-DE-CACHE")
    registers = site.stories / "_registers" / "buurten.yml"
    registers.write_text(registers.read_text(encoding="utf-8") + "- name: Nieuwe Buurt\n", encoding="utf-8")
    assert "UIT-DE-CACHE" not in story_page(
        build(site, tmp_path / "registers", today=date(2026, 12, 2)), "koffie"
    )


def test_a_damaged_or_foreign_cache_is_only_a_cold_start(tmp_path: Path):
    site = two_stories(tmp_path)
    expected = build(site, tmp_path / "expected")
    cache = site.root / CACHE
    for content in (b"", b"not a pickle", cache.read_bytes()[: len(cache.read_bytes()) // 2]):
        cache.write_bytes(content)
        assert build(site, tmp_path / f"damaged-{len(content)}") == expected
    # Made by other code (another version of the package): not read.
    build(site, tmp_path / "again")
    poison(site, "koffie", "UIT-DE-CACHE")
    _, context, checked, texts = pickle.loads(cache.read_bytes())
    cache.write_bytes(pickle.dumps(("andere code", context, checked, texts)))
    assert "UIT-DE-CACHE" not in story_page(build(site, tmp_path / "foreign"), "koffie")


def test_a_change_to_the_sites_own_templates_sets_the_cache_aside(tmp_path: Path):
    site = two_stories(tmp_path)
    templates = site.root / "eigen-sjablonen"
    templates.mkdir()
    site.plugin_options["templates"] = "eigen-sjablonen"
    build(site, tmp_path / "first")
    poison(site, "koffie", "UIT-DE-CACHE")
    assert "UIT-DE-CACHE" in story_page(build(site, tmp_path / "second"), "koffie")
    # A photo in a story is drawn with picture.html, which a site may make its own.
    (templates / "picture.html").write_text("<img alt=''>", encoding="utf-8")
    assert "UIT-DE-CACHE" not in story_page(build(site, tmp_path / "third"), "koffie")


def test_the_rendered_text_of_a_withdrawn_story_is_not_kept(tmp_path: Path):
    site = two_stories(tmp_path)
    site.add_story("thee", "We zetten thee op maandag.", title="Thee")
    build(site, tmp_path / "first")
    assert {"koffie", "thee"} <= pickle.loads((site.root / CACHE).read_bytes())[3].keys()
    site.add_story("koffie", "We zetten koffie op zaterdag.", title="Koffie", status="withdrawn")
    build(site, tmp_path / "second")
    texts = pickle.loads((site.root / CACHE).read_bytes())[3]
    assert "koffie" not in texts
    assert "thee" in texts  # the others stay
