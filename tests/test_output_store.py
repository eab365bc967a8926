"""A build links the files that did not change since the last build (``output_store.py``):
the same site as before, fewer new files on disk, and never a file someone changed since."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aanhetwoord.output_store import MANIFEST, OutputStore, write_file
from sitefactory import make_site


def snapshot(site_dir: Path) -> dict[str, bytes]:
    return {
        path.relative_to(site_dir).as_posix(): path.read_bytes()
        for path in site_dir.rglob("*")
        if path.is_file()
    }


@pytest.fixture
def site(tmp_path: Path):
    site = make_site(tmp_path / "site")
    for number in range(4):
        site.add_story(
            f"verhaal-{number}",
            f"Verhaal {number} over de buurt.",
            title=f"Verhaal {number}",
            community=f"Groep {number % 2}",
        )
    return site


def pages(site_dir: Path) -> dict[str, tuple[int, int]]:
    """Each page's file on disk and its time."""
    return {
        path.relative_to(site_dir).as_posix(): (path.stat().st_ino, path.stat().st_mtime_ns)
        for path in site_dir.rglob("index.html")
    }


def test_a_warm_build_links_what_did_not_change_and_makes_what_did(site):
    site.build()
    kept = site.root / ".cache" / "aanhetwoord" / "site"
    story = site.site_dir / "verhalen" / "verhaal-2" / "index.html"
    assert story.stat().st_nlink == 2  # the page and its kept copy
    assert (kept / MANIFEST).is_file()
    first = pages(site.site_dir)

    result = site.build()
    assert "Page skipped" not in result.stdout + result.stderr
    # The same files as last time, with their times on disk: a web server's validators stay.
    assert pages(site.site_dir) == first

    before = story.read_bytes()
    site.add_story("verhaal-2", "Verhaal 2, nu langer verteld.", title="Verhaal 2", community="Groep 0")
    site.build()
    assert story.read_bytes() != before and "nu langer verteld" in story.read_text(encoding="utf-8")
    assert pages(site.site_dir)["verhalen/verhaal-2/index.html"] != first["verhalen/verhaal-2/index.html"]
    # Copies no page uses any more are gone.
    kept_files = {path.stat().st_ino for path in kept.iterdir() if path.name != MANIFEST}
    assert kept_files <= {path.stat().st_ino for path in site.site_dir.rglob("*") if path.is_file()}


def test_the_site_is_the_same_with_and_without_the_kept_copies(site, tmp_path: Path):
    site.build()
    warm = snapshot(site.site_dir)
    shutil.rmtree(site.root / ".cache")
    site.build()
    assert snapshot(site.site_dir) == warm


def test_a_page_changed_in_place_after_the_build_is_made_again(site):
    """A tool that rewrites a page in the site in place also changes the kept copy it is linked
    to: that copy is never linked again."""
    site.build()
    page = site.site_dir / "verhalen" / "verhaal-3" / "index.html"
    original = page.read_bytes()
    with open(page, "r+b") as file:  # in place: through the link
        file.write(b"<!-- rewritten -->")
    site.build()
    assert page.read_bytes() == original
    assert page.stat().st_nlink == 2


def test_a_build_writes_no_file_through_a_link_into_the_kept_copies(site):
    """Writing a file the usual way into a site that holds links would change the kept copy."""
    site.build()
    page = site.site_dir / "verhalen" / "verhaal-0" / "index.html"
    kept_before = {
        path.name: path.read_bytes() for path in (site.root / ".cache" / "aanhetwoord" / "site").iterdir()
    }
    write_file(page, b"new")
    assert page.read_bytes() == b"new" and page.stat().st_nlink == 1
    kept_after = {
        path.name: path.read_bytes() for path in (site.root / ".cache" / "aanhetwoord" / "site").iterdir()
    }
    assert kept_after == kept_before


def test_where_links_cannot_be_made_files_are_written(tmp_path: Path):
    shm = Path("/dev/shm")
    if not shm.is_dir() or shm.stat().st_dev == tmp_path.stat().st_dev:
        pytest.skip("needs a second file system for the kept copies")
    folder = Path(os.path.join(shm, f"ahw-kept-{os.getpid()}"))
    try:
        store = OutputStore(folder)
        store.write(tmp_path / "site" / "a" / "index.html", b"one")
        store.write(tmp_path / "site" / "b" / "index.html", b"two")
        store.finish()
        assert (tmp_path / "site" / "a" / "index.html").read_bytes() == b"one"
        assert (tmp_path / "site" / "b" / "index.html").read_bytes() == b"two"
        assert (tmp_path / "site" / "b" / "index.html").stat().st_nlink == 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)


contents = st.binary(max_size=40)
builds = st.lists(
    st.tuples(
        st.dictionaries(st.sampled_from(["a", "b/c", "d/e/f", "g"]), contents, min_size=1),
        st.sets(st.integers(0, 10), max_size=3),  # which kept copies are changed in place afterwards
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=60, deadline=None)
@given(builds=builds)
def test_every_build_gives_exactly_its_own_files(tmp_path_factory: pytest.TempPathFactory, builds):
    """Over any run of builds, with kept copies changed in place between them, every file in
    the site has the content of this build, and only this build's copies are kept."""
    root = tmp_path_factory.mktemp("kept")
    folder = root / "kept"
    for files, tampered in builds:
        site_dir = root / "site"
        shutil.rmtree(site_dir, ignore_errors=True)
        store = OutputStore(folder)
        store.write_files(site_dir, {name: content for name, content in files.items()})
        store.finish()
        assert snapshot(site_dir) == files
        names = sorted(path.name for path in folder.iterdir() if path.name != MANIFEST)
        assert len(names) == len(set(files.values()))
        for index in sorted(tampered):
            if index < len(names):
                with open(folder / names[index], "ab") as file:
                    file.write(b"!")
