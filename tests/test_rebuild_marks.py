"""Which generated pages a dirty rebuild renders again (``adapters/mkdocs_rebuild.py``): a page
whose content is the same as last time is skipped however it was made, any difference in it
is rendered, and so is a page whose file is gone from the site folder. With real MkDocs
configuration and files; the whole-site check against clean builds is in
test_incremental_build.py."""

from __future__ import annotations

import dataclasses
import gc
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page as MkDocsPage

from aanhetwoord.adapters import mkdocs_rebuild
from aanhetwoord.adapters.mkdocs_plugin import StoryPage
from aanhetwoord.adapters.mkdocs_rebuild import GeneratedPage, Rebuilds
from aanhetwoord.model import Page, PageKind, SearchEntry
from sitefactory import make_site

SRC_URI = "buurten/oude-haven.md"
DEST = Path("buurten") / "oude-haven" / "index.html"


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> MkDocsConfig:
    root = tmp_path_factory.mktemp("marks")
    site = make_site(root)
    return load_config(str(site.write_config()), site_dir=str(root / "site"))


def fresh(text: str) -> str:
    """The same text in a new string object, as a new build makes it."""
    return "".join(list(text))


def copy_of(page: Page) -> Page:
    """The page as the next build makes it: equal, but every string and container made anew."""
    return dataclasses.replace(
        page,
        url=fresh(page.url),
        title=fresh(page.title),
        content=fresh(page.content),
        description=fresh(page.description),
        language=fresh(page.language),
        assets={fresh(url): Path(str(path)) for url, path in page.assets.items()},
        alternates=[(fresh(language), fresh(url)) for language, url in page.alternates],
        image=fresh(page.image),
        feed=None if page.feed is None else fresh(page.feed),
        deferred={fresh(key): fresh(value) for key, value in page.deferred.items()},
        search=None
        if page.search is None
        else tuple(SearchEntry(fresh(e.anchor), fresh(e.title), fresh(e.text)) for e in page.search),
    )


texts = st.text(alphabet="ab <>&é\n", max_size=6)
entries = st.builds(SearchEntry, anchor=texts, title=texts, text=texts)
# Values each field may take, kept small so that a drawn value often equals the old one.
FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "title": texts,
    "content": texts,
    "kind": st.sampled_from(list(PageKind)),
    "description": texts,
    "in_nav": st.booleans(),
    "preview_only": st.booleans(),
    "indexable": st.booleans(),
    "searchable": st.booleans(),
    "language": st.sampled_from(["", "en", "ar"]),
    "assets": st.dictionaries(st.sampled_from(["a.jpg", "b.jpg"]), st.sampled_from([Path("/x"), Path("/y")])),
    "alternates": st.lists(st.tuples(st.sampled_from(["en", "nl"]), texts), max_size=2),
    "image": st.sampled_from(["", "social.jpg"]),
    "feed": st.sampled_from([None, "", "buurten/oude-haven/"]),
    "deferred": st.dictionaries(st.sampled_from(["\x00a\x00", "\x00b\x00"]), texts, max_size=2),
    "search": st.none() | st.tuples() | st.lists(entries, max_size=2).map(tuple),
}
pages = st.fixed_dictionaries(FIELDS).map(lambda fields: Page(url="buurten/oude-haven/", **fields))


def generated(config: MkDocsConfig) -> GeneratedPage:
    """The page's file as the plugin makes it for every build."""
    return GeneratedPage(SRC_URI, None, config.site_dir, config.use_directory_urls)


def first_build(config: MkDocsConfig, page: Page, parts: tuple[object, ...]) -> Rebuilds:
    """A session that built ``page`` once, into the site folder."""
    rebuilds = Rebuilds()
    rebuilds.start(config, Files([]), [])
    file = generated(config)
    rebuilds.mark(file, page, *parts)
    assert file.changed
    Path(file.abs_dest_path).parent.mkdir(parents=True, exist_ok=True)
    Path(file.abs_dest_path).write_text("<html></html>", encoding="utf-8")
    return rebuilds


def next_build(rebuilds: Rebuilds, config: MkDocsConfig, page: Page, parts: tuple[object, ...]) -> File:
    rebuilds.start(config, Files([]), [])
    file = generated(config)
    rebuilds.mark(file, page, *parts)
    return file


@settings(max_examples=150, deadline=None)
@given(old=pages, field=st.sampled_from(sorted(FIELDS)), data=st.data())
def test_a_page_is_rendered_again_exactly_when_something_in_it_differs(
    config: MkDocsConfig, old: Page, field: str, data: st.DataObject
):
    new_value = data.draw(FIELDS[field], label=field)
    new = dataclasses.replace(copy_of(old), **{field: new_value})
    parts = ([{"href": "feed.xml", "type": "application/atom+xml"}], InclusionLevel.NOT_IN_NAV)
    rebuilds = first_build(config, old, parts)
    file = next_build(rebuilds, config, new, parts)
    assert file.changed == (new_value != getattr(old, field)), (field, getattr(old, field), new_value)
    # And from then on compared with the page of that build.
    assert not next_build(rebuilds, config, copy_of(new), parts).changed


@settings(max_examples=50, deadline=None)
@given(page=pages)
def test_what_the_adapter_adds_counts_too(config: MkDocsConfig, page: Page):
    feeds = [{"href": "buurten/oude-haven/feed.xml", "type": "application/atom+xml"}]
    rebuilds = first_build(config, page, (feeds, InclusionLevel.NOT_IN_NAV))
    assert not next_build(
        rebuilds, config, copy_of(page), ([dict(feeds[0])], InclusionLevel.NOT_IN_NAV)
    ).changed
    assert next_build(rebuilds, config, copy_of(page), ([], InclusionLevel.NOT_IN_NAV)).changed
    assert next_build(rebuilds, config, copy_of(page), ([], InclusionLevel.INCLUDED)).changed


def test_a_page_whose_file_was_removed_is_rendered_again(config: MkDocsConfig):
    page = Page(url="buurten/oude-haven/", title="Oude Haven", content="<p>Hier</p>", kind=PageKind.TERM)
    rebuilds = first_build(config, page, ())
    assert not next_build(rebuilds, config, page, ()).changed  # the very same page
    assert not next_build(rebuilds, config, copy_of(page), ()).changed
    (Path(config.site_dir) / DEST).unlink()
    file = next_build(rebuilds, config, copy_of(page), ())
    assert file.changed
    assert file.abs_dest_path == str(Path(config.site_dir) / DEST)


def test_a_page_goes_where_mkdocs_puts_it_also_when_taken_from_the_build_before(config: MkDocsConfig):
    page = Page(url="buurten/oude-haven/", title="Oude Haven", content="<p>Hier</p>", kind=PageKind.TERM)
    rebuilds = first_build(config, page, ())
    file = next_build(rebuilds, config, copy_of(page), ())
    assert (file.dest_uri, file.url, file.abs_dest_path) == (
        "buurten/oude-haven/index.html",
        "buurten/oude-haven/",
        str(Path(config.site_dir) / DEST),
    )
    # A session that builds elsewhere (or with other URLs) does not take the old places.
    moved = GeneratedPage(SRC_URI, None, str(Path(config.site_dir) / "ander"), use_directory_urls=False)
    rebuilds.start(config, Files([]), [])
    rebuilds.mark(moved, copy_of(page), ())
    assert moved.changed
    assert (moved.dest_uri, moved.url) == ("buurten/oude-haven.html", "buurten/oude-haven.html")
    assert moved.abs_dest_path == str(Path(config.site_dir) / "ander" / "buurten" / "oude-haven.html")


slugs = st.text(alphabet="abz-é ü%#?09", min_size=1, max_size=12).filter(lambda text: text.strip(". "))
bases = st.sampled_from(
    [
        "https://verhalen.example.org/",
        "https://verhalen.example.org",
        "http://127.0.0.1:8000/",
        "https://www.example.nl/gemeente/verhalen",
        "https://www.example.nl/gemeente/verhalen/",
        "",
    ]
)


@settings(max_examples=150, deadline=None)
@given(base=bases, folder=st.sampled_from(["verhalen", "buurten", ""]), slug=slugs, index=st.booleans())
def test_a_generated_page_has_the_canonical_url_mkdocs_gives_it(
    config: MkDocsConfig, base: str, folder: str, slug: str, index: bool
):
    src_uri = "/".join(part for part in (folder, slug, "index.md" if index else "") if part)
    if not index:
        src_uri += ".md"
    page = Page(url="x/", title="T", content="", kind=PageKind.STORY)
    local = dict(config)
    local["site_url"] = base
    ours = StoryPage(page, File(src_uri, None, config.site_dir, True), local)  # type: ignore[arg-type]
    theirs = MkDocsPage(None, File(src_uri, None, config.site_dir, True), local)  # type: ignore[arg-type]
    assert (ours.canonical_url, ours.abs_url) == (theirs.canonical_url, theirs.abs_url)


def test_after_a_build_that_stopped_halfway_every_page_and_file_is_written_again(config: MkDocsConfig):
    page = Page(url="buurten/oude-haven/", title="Oude Haven", content="<p>Hier</p>", kind=PageKind.TERM)
    rebuilds = first_build(config, page, ())
    api = Path(config.site_dir) / "api" / "stories.json"
    rebuilds.write_changed(Path(config.site_dir), {"api/stories.json": b"[]"})
    written = api.stat()
    # Other bytes that the file's time and size cannot show.
    api.write_bytes(b"{}")
    os.utime(api, ns=(written.st_atime_ns, written.st_mtime_ns))
    rebuilds.forget()  # what the plugin does on MkDocs' build_error event
    assert next_build(rebuilds, config, page, ()).changed
    rebuilds.write_changed(Path(config.site_dir), {"api/stories.json": b"[]"})
    assert api.read_bytes() == b"[]"


@pytest.fixture
def collector_restored():
    yield
    gc.enable()  # the rest of the test run collects as usual


def test_the_collector_waits_until_the_browser_has_its_page(collector_restored, monkeypatch):
    """Between serve's builds the collector runs, but not at the end of a build (the browser
    waits for it then), and not while a later build runs."""
    monkeypatch.setattr(mkdocs_rebuild, "COLLECT_AFTER", 0.2)
    mkdocs_rebuild.pause_garbage_collection()
    assert not gc.isenabled()
    timer = mkdocs_rebuild.resume_garbage_collection()
    assert not gc.isenabled()  # the build is done, but its page is not in the browser yet
    timer.join(timeout=30)
    assert gc.isenabled()

    mkdocs_rebuild.pause_garbage_collection()
    timer = mkdocs_rebuild.resume_garbage_collection()
    mkdocs_rebuild.pause_garbage_collection()  # the next save comes in before the collector ran
    timer.join(timeout=30)
    assert not timer.is_alive() and not gc.isenabled()
    mkdocs_rebuild.resume_garbage_collection().join(timeout=30)
    assert gc.isenabled()
