"""Dirty rebuilds for ``mkdocs serve --dirty`` that give the same site as a clean build.

MkDocs' dirty mode rebuilds a page when ``File.is_modified()`` says so, which by default
compares file times. That is wrong for generated pages: a story's edit changes its
neighbourhood's list, the home page, related lists elsewhere. Here every generated page
gets a fingerprint of everything its HTML is made from, and only pages whose fingerprint
changed are rendered again. What MkDocs leaves out of a dirty build is put right too: the
search index is kept per page (in clean-build order), pages and photos that are gone are
deleted, and the site's own Markdown pages are always rebuilt (their titles are in every
page's navigation). The files beside the pages (feeds, API) are written only when their
content differs from what this session wrote, or the file on disk is no longer that. A page
or file removed behind the server's back is written again, and after a build that stopped
halfway, everything is.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import logging
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page as MkDocsPage
from mkdocs.utils import get_build_date

from ..model import Page
from ..output_store import write_files
from ..settings import build_date


class GeneratedPage(File):
    """A page the core made; ``changed`` is decided by its fingerprint, not by file times."""

    changed = True

    def is_modified(self) -> bool:
        return self.changed


class AlwaysBuilt(File):
    """A page from the docs folder: small in number, and rebuilt on every dirty build."""

    def is_modified(self) -> bool:
        return True


class _NoDirtyWarning(logging.Filter):
    """MkDocs warns that dirty builds give wrong navigation; with this plugin they do not."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("A 'dirty' build is being performed")


class Rebuilds:
    """What a dirty build needs from the build before it in the same ``serve`` session."""

    def __init__(self) -> None:
        logging.getLogger("mkdocs.commands.build").addFilter(_NoDirtyWarning())
        self.fingerprints: dict[str, Built] = {}  # src_uri → the page as the last build made it
        self.search: dict[str, list[dict[str, Any]]] = {}  # src_uri → its search index entries
        self.outputs: set[str] = set()  # files the core put in the site last time
        # site-relative name → (content, file stamp) of what this session wrote beside the pages
        self.written: dict[str, tuple[bytes, tuple[int, int]]] = {}
        self._indexed = 0
        self._site_key = ""

    # Before the pages ----------------------------------------------------------------------

    def start(self, config: MkDocsConfig, files: Files, nav_titles: Iterable[tuple[str, str]]) -> None:
        """Work out what every page shares; when that changed, every page is built again."""
        self._site_key = site_key(config, files, nav_titles)
        self._indexed = 0
        for file in files.documentation_pages(inclusion=lambda level: True):
            # Only MkDocs' own kind of file: another plugin's subclass keeps its own rules.
            if type(file) is File:
                file.__class__ = AlwaysBuilt

    def mark(self, file: GeneratedPage, spec: Page, *parts: object) -> None:
        """Decide whether ``file`` must be rendered again, from everything its page is made of:
        the core's page (HTML hashed as it is, the rest as text) and what the adapter adds."""
        known = self.fingerprints.get(file.src_uri)
        place = (file.dest_dir, file.use_directory_urls)
        if known is None or known.site_key != self._site_key:
            file.changed = True
            fingerprint = page_fingerprint(spec, parts)
        else:
            if known.place == place:
                # Where the page goes follows from its source path alone: as worked out last time.
                file.dest_uri, file.url, file.abs_dest_path = known.dest_uri, known.url, known.dest
            if (known.spec is spec or known.spec == spec) and known.parts == parts:
                # The same page by value (list and term pages are made anew for every build,
                # mostly from the very same strings, so comparing them is cheap): not hashed again.
                fingerprint = known.fingerprint
            else:
                fingerprint = page_fingerprint(spec, parts)
            # Also a page whose file was removed behind the server's back is written again.
            file.changed = fingerprint != known.fingerprint or not os.path.isfile(file.abs_dest_path)
        self.fingerprints[file.src_uri] = Built(
            spec, parts, self._site_key, fingerprint, place, file.dest_uri, file.url, file.abs_dest_path
        )

    def forget(self) -> None:
        """After a build that stopped halfway, pages marked as changed may not have been written:
        the next build writes every page and file again."""
        self.fingerprints.clear()
        self.written.clear()

    # Per page -----------------------------------------------------------------------------

    def page_built(self, page: MkDocsPage, search_index: Any) -> None:
        """Keep the search entries the search plugin just made for ``page``."""
        if search_index is None:
            return
        entries = search_index.entries
        self.search[page.file.src_uri] = entries[self._indexed :]
        self._indexed = len(entries)

    # After the pages ----------------------------------------------------------------------

    def finish(self, config: MkDocsConfig, files: Files, search_plugin: Any, outputs: set[str]) -> None:
        """Complete the search index in clean-build order and delete what the site no longer has."""
        pages = [file.src_uri for file in files.documentation_pages(inclusion=lambda level: True)]
        current = set(pages)
        for gone in set(self.search) - current:
            del self.search[gone]
        for gone in set(self.fingerprints) - current:
            del self.fingerprints[gone]
        if search_plugin is not None:
            search_plugin.search_index.entries = [
                entry for uri in pages for entry in self.search.get(uri, [])
            ]
            # Material would otherwise merge the previous index in its own (different) order.
            search_plugin.search_index_prev = None
        site_dir = Path(config.site_dir)
        for stale in self.outputs - outputs:
            path = Path(stale)
            path.unlink(missing_ok=True)
            _remove_empty_parents(path.parent, site_dir)
        self.outputs = outputs

    def write_changed(self, site_dir: Path, files: dict[str, bytes]) -> set[str]:
        """Write the files beside the pages (feeds, API), except those that are still on disk as
        this session wrote them; their paths, as ``finish`` takes them."""
        folder = str(site_dir)
        paths = {name: os.path.normpath(os.path.join(folder, name)) for name in files}
        changed = {
            name: content
            for name, content in files.items()
            if (known := self.written.get(name)) is None
            or known[0] != content
            or _file_stamp(paths[name]) != known[1]
        }
        write_files(site_dir, changed)
        written = {name: self.written[name] for name in files if name not in changed}
        for name, content in changed.items():
            written[name] = (content, _file_stamp(paths[name]))
        self.written = written
        return set(paths.values())


class Built(NamedTuple):
    """A generated page as the last build made it."""

    spec: Page  # the core's page
    parts: tuple[object, ...]  # what the adapter added
    site_key: str
    fingerprint: str
    place: tuple[str, bool]  # the site folder, and whether URLs are folders
    dest_uri: str
    url: str
    dest: str  # the page's file


def page_fingerprint(spec: Page, parts: tuple[object, ...]) -> str:
    """The page's HTML hashed as it is, the rest of it and what the adapter added as text."""
    digest = hashlib.blake2b(spec.content.encode("utf-8", "surrogatepass"), digest_size=20)
    rest = repr((dataclasses.replace(spec, content=""), parts))
    digest.update(rest.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def site_key(config: MkDocsConfig, files: Files, nav_titles: Iterable[tuple[str, str]]) -> str:
    """A fingerprint of what every page shares: configuration, theme overrides, the site's own
    pages (their titles are in the navigation) and the date (``update_date`` of every page)."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(Path(config.config_file_path).read_bytes() if config.config_file_path else b"")
    # MkDocs dates pages in UTC, the embargo uses the local date: either may change first.
    digest.update(f"{config.site_url}\0{get_build_date()}\0{build_date()}\0".encode())
    docs_dir = os.path.abspath(config.docs_dir)
    stamps = [
        _stamp(file.abs_src_path)
        for file in files
        if file.abs_src_path and file.abs_src_path.startswith(docs_dir + os.sep)
    ]
    custom_dir = config.theme.custom_dir
    if custom_dir:
        # Absolute: serve's first load has it as written in the configuration, its reloads not.
        for folder, _, names in os.walk(os.path.abspath(custom_dir)):
            stamps.extend(_stamp(os.path.join(folder, name)) for name in names)
    digest.update(repr(sorted(stamps)).encode())
    digest.update(repr(list(nav_titles)).encode())
    return digest.hexdigest()


def _stamp(path: str) -> tuple[str, int, int]:
    return path, *_file_stamp(path)


def _file_stamp(path: str) -> tuple[int, int]:
    """The file's time and size: what shows that someone else changed or removed it."""
    try:
        stat = os.stat(path)
    except OSError:
        return -1, -1
    return stat.st_mtime_ns, stat.st_size


def _remove_empty_parents(folder: Path, site_dir: Path) -> None:
    while folder != site_dir and site_dir in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


COLLECT_AFTER = 2.0  # seconds after a build: the browser has its page by then


class _Collection:
    """Whether a build of this serve session is running; then Python's collector stays off."""

    building = False
    lock = threading.Lock()


def pause_garbage_collection() -> None:
    """During a build of a serve session, Python's collector would walk every object kept for
    the next build (see ``memo.py``) again and again, for garbage that is not there."""
    with _Collection.lock:
        _Collection.building = True
        gc.disable()


def resume_garbage_collection() -> threading.Timer:
    """Collect what the build left behind once the browser has its page, not while it waits:
    switched on at once, the collector would start on the build's garbage right away."""
    _Collection.building = False
    collect = threading.Timer(COLLECT_AFTER, _collect_between_builds)
    collect.daemon = True
    collect.start()
    return collect


def _collect_between_builds() -> None:
    with _Collection.lock:
        if not _Collection.building:  # a build that started since keeps the collector off
            gc.collect()
            gc.enable()


def search_plugin(config: MkDocsConfig) -> Any:
    """Material's search plugin, if the site uses it (it keeps its entries in a plain list)."""
    for plugin in config.plugins.values():
        index = getattr(plugin, "search_index", None)
        if index is not None and isinstance(getattr(index, "entries", None), list):
            return plugin
    return None
