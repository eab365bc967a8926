"""The MkDocs adapter: the ``aanhetwoord`` plugin for MkDocs 1.6 and ProperDocs.

It only translates: MkDocs configuration into :class:`Settings`, core pages into MkDocs
files and pages, core problems into log messages. All decisions live in the core.
"""

from __future__ import annotations

import functools
import html
import logging
import os
import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from markupsafe import Markup
from mkdocs.commands import build as engine_build
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page as MkDocsPage
from mkdocs.utils import get_relative_url

from .. import build_cache, pipeline
from ..assets import fingerprint, is_fingerprintable
from ..chrome import chrome
from ..config_file import ConfigError, house_style_problems, settings_from_options
from ..interface_texts import Texts, og_locale, text_direction
from ..memo import CompiledTemplates, Memo
from ..model import Page, PageKind
from ..options import ENGINE_OPTIONS, OPTIONS
from ..output_store import OutputStore, link, write_files
from .mkdocs_rebuild import (
    GeneratedPage,
    Rebuilds,
    pause_garbage_collection,
    resume_garbage_collection,
    search_plugin,
)

log = logging.getLogger("mkdocs.plugins.aanhetwoord")

HOME_MARKER = "<!-- aanhetwoord:home -->"
TITLE_SLOT = "\x00aanhetwoord-title\x00"  # never in a page: NUL cannot come from a story or theme
# What MkDocs puts above a page that a published build leaves out (mkdocs/commands/build.py).
DRAFT_MARKER = (
    '<div class="mkdocs-draft-marker" title="This page will not be included into the built site.">DRAFT</div>'
)
# Material's opening tags, which take their language and direction from the site's settings.
HTML_TAG = re.compile(r'<html lang="[^"]*"')
BODY_TAG = re.compile(r'<body dir="[^"]*"')
# Material's search is a dialog without a name; screen readers need one (axe aria-dialog-name).
SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'
# Off only to check that pages are the same with and without shared template parts.
SHARE_PARTS = os.environ.get("AANHETWOORD_SHARED_PARTS", "on") != "off"


class _AsWritten(c.BaseConfigOption[Any]):
    """An option MkDocs keeps as written: the core checks it (options.py), as the tools do."""

    def __init__(self, default: Any) -> None:
        super().__init__()
        self.default = default

    def run_validation(self, value: object) -> Any:
        return value


# The options as the core declares them; ``enabled`` stays MkDocs' own switch.
_NAMES = frozenset(option.name for option in OPTIONS) - ENGINE_OPTIONS
AanHetWoordConfig = type(
    "AanHetWoordConfig",
    (base.Config,),
    {option.name: _AsWritten(option.default) for option in OPTIONS if option.name in _NAMES},
)


class CachedFile(File):
    """A processed photo from the cache: linked into the site instead of copied, when the disk allows."""

    def copy_file(self, dirty: bool = False) -> None:
        if dirty and not self.is_modified():
            return
        if not link(str(self.abs_src_path), self.abs_dest_path):
            super().copy_file(dirty)


class _PagesWrittenHere(logging.Filter):
    """MkDocs says it skipped a page whose output a plugin left empty: for the pages this
    plugin wrote itself (see ``_write_page``), that is not news."""

    PREFIX = "Page skipped: '"

    def __init__(self) -> None:
        super().__init__()
        self.pages: set[str] = set()  # src_uri

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if not message.startswith(self.PREFIX):
            return True
        return message[len(self.PREFIX) :].partition("'")[0] not in self.pages


# On the engine's own build module (MkDocs', or ProperDocs' under its own name), which logs it.
_WRITTEN_HERE = _PagesWrittenHere()
logging.getLogger(engine_build.__name__).addFilter(_WRITTEN_HERE)


class HashedAsset(File):
    """One of the theme's own stylesheets or scripts, minified, under a name with its hash."""


def _fingerprint_theme_assets(files: Files, config: MkDocsConfig) -> dict[str, str]:
    """Replace the custom theme folder's CSS and JS by hashed, minified files; the theme's
    name → the site's name (Material's own files already carry a hash)."""
    custom_dir = config.theme.custom_dir
    if not custom_dir:
        return {}
    custom_dir = os.path.abspath(custom_dir)
    names: dict[str, str] = {}
    for file in list(files):
        if type(file) is not File or not file.abs_src_path or not is_fingerprintable(file.src_uri):
            continue
        if not file.src_dir or os.path.abspath(file.src_dir) != custom_dir:
            continue
        asset = fingerprint(file.src_uri, Path(file.abs_src_path).read_text(encoding="utf-8"))
        files.remove(file)
        files.append(HashedAsset.generated(config, asset.path, content=asset.content))
        names[asset.source] = asset.path
    return names


@functools.lru_cache(maxsize=1 << 16)
def _canonical_url(base: str, url: str) -> tuple[str, str]:
    """A page's canonical URL and its path, as ``mkdocs.structure.pages.Page`` makes them."""
    canonical = urljoin(base, url)
    return canonical, urlsplit(canonical).path


class StoryPage(MkDocsPage):
    """A page whose HTML the core made: MkDocs skips its own Markdown run for it."""

    def __init__(self, spec: Page, file: File, config: MkDocsConfig) -> None:
        super().__init__(None, file, config)
        self.spec = spec
        # Set now, not when read: a dirty build skips reading, and the sitemap reads ``robots``.
        meta: dict[str, Any] = {"aanhetwoord": spec.kind, "hide": ["toc"]}
        if spec.description:
            meta["description"] = html.escape(spec.description)
        if not spec.indexable:
            meta["robots"] = "noindex"
        if not (spec.indexable and spec.searchable) or spec.search is not None:
            # Left out of the search, or its entries come from the core (see ``on_page_context``)
            meta["search"] = {"exclude": True}
        if spec.language:
            meta["language"] = spec.language
        self.meta = meta

    def _set_canonical_url(self, base: str | None) -> None:
        if not base:
            super()._set_canonical_url(base)
            return
        # As MkDocs works it out, but once per address: thousands of pages, every build.
        base = base if base.endswith("/") else base + "/"
        self.canonical_url, self.abs_url = _canonical_url(base, self.url)

    def read_source(self, config: MkDocsConfig) -> None:
        self.markdown = ""

    def render(self, config: MkDocsConfig, files: Files) -> None:
        self.content = self.spec.content
        self.present_anchor_ids = set()

    @property
    def title(self) -> str:  # type: ignore[override]
        # Material prints titles without escaping; story titles come from the public.
        return html.escape(self.spec.title)

    @title.setter
    def title(self, value: str) -> None:
        pass  # the title in ``nav`` may not override what the story says about itself


def _photo_progress(done: int, total: int) -> None:
    """Progress for long photo runs, about every tenth."""
    step = max(1, total // 10)
    if total >= 20 and (done % step == 0 or done == total):
        log.info(f"aanhetwoord: foto's {done}/{total}")


class AanHetWoordPlugin(BasePlugin[AanHetWoordConfig]):  # type: ignore[valid-type]
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.options: dict[str, Any] = {}
        self.preview = False
        self.site: pipeline.Site | None = None
        # While serving, each build reuses what the one before it read and rendered.
        self.memo: Memo | None = None
        self.rebuilds: Rebuilds | None = None
        self.files: Files | None = None
        self.shared: dict[tuple[str, str, tuple[str, ...]], str] = {}
        self.nav_urls: tuple[str, ...] = ()
        self.search: Any = None  # Material's search plugin, found once per build
        self.assets: dict[str, str] = {}  # the theme's CSS/JS name → its hashed name in the site
        self.compiled: CompiledTemplates | None = None
        self.cards: dict[str, Path] = {}  # URL → link-preview card drawn while the pages are built
        # A build links the files that did not change since the last build; serve writes.
        self.store: OutputStore | None = None

    def load_config(
        self, options: dict[str, Any], config_file_path: str | None = None
    ) -> tuple[base.ConfigErrors, base.ConfigWarnings]:
        # Every option is checked in on_config by the core, with its line in the configuration
        # file: the same message as the tools give. MkDocs sees only the names it can keep.
        self.options = dict(options)
        known = {name: value for name, value in options.items() if name in _NAMES}
        return super().load_config(known, config_file_path)

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # MkDocs keeps a plugin with this event for the whole process: every command starts anew.
        self.preview = command == "serve"
        self.memo = Memo() if self.preview else None
        self.rebuilds = Rebuilds() if self.preview and dirty else None

    def on_shutdown(self) -> None:
        # What a serve session kept ends with it: the next command in this process starts plain.
        self.preview = False
        self.memo = None
        self.rebuilds = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if self.memo is not None:
            pause_garbage_collection()
        if not config.use_directory_urls:
            raise PluginError("aanhetwoord: 'use_directory_urls: false' wordt niet ondersteund")
        # Absolute: serve's first load has the path as typed (``-f mkdocs.yml``), its reloads the
        # absolute path, and settings that differ make the first rebuild start from nothing.
        config_file = Path(os.path.abspath(config.config_file_path))
        root = config_file.parent
        theme_language = config.theme.get("language") if config.theme else None
        try:
            self.settings = settings_from_options(
                root,
                self.options,
                config_file=config_file,
                theme_language=theme_language,
                site_url=config.site_url or "",
                site_name=config.site_name or "",
                preview=self.preview,
                docs_dir=config.docs_dir,
            )
        except (ConfigError, ValueError) as error:
            raise PluginError(f"aanhetwoord: {error}") from None
        problems = house_style_problems(self.settings, config_file)
        if problems:
            raise PluginError("aanhetwoord: " + "\n".join(problem.format() for problem in problems))
        plugin = self.config
        self.templates = root / plugin.templates if plugin.templates else None
        if self.memo is not None:
            self.compiled = self.memo.bytecode
        else:
            self.compiled = CompiledTemplates(self.settings.template_cache())
        self._theme(config)
        return config

    def _theme(self, config: MkDocsConfig) -> None:
        """The house style's logo and favicon, and a menu on every page at every width."""
        brand = self.settings.brand
        if brand.logo:
            config.theme["logo"] = brand.logo
        if brand.favicon:
            config.theme["favicon"] = brand.favicon
        # Material's side menu is hidden on pages that hide it (such as the home page) and on
        # wide screens it is the only menu; the tabs above the page are always there.
        features = config.theme.get("features") or []
        if "navigation.tabs" not in features:
            config.theme["features"] = [*features, "navigation.tabs"]

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        self.assets = _fingerprint_theme_assets(files, config)
        # A build starts from what the last one kept on disk; serve keeps it in memory.
        cache = (
            build_cache.BuildCache(self.settings.build_cache(), self.templates) if self.memo is None else None
        )
        memo = cache.load() if cache is not None else self.memo
        self.store = OutputStore(self.settings.output_cache()) if self.memo is None else None
        _WRITTEN_HERE.pages.clear()
        self.site = site = pipeline.build(
            self.settings,
            self.templates,
            progress=_photo_progress,
            memo=memo,
            compiled=self.compiled,
            # A build draws its link-preview cards while it renders the pages; serve draws the few
            # an edit needs at once.
            cards_in_background=self.memo is None,
            # Serve keeps its first build's stories for every rebuild after it. Checked in worker
            # processes, they came back as copies, and each rebuild at 4,000 stories took about
            # half a second longer (tests/benchmarks/serve_speed.py).
            parallel_check=self.memo is None,
        )
        for problem in site.problems:
            level = log.error if problem.is_error else log.warning if problem.is_warning else log.info
            level(problem.format())
        stats = site.photo_stats
        if stats.decoded or stats.cached:
            log.info(f"aanhetwoord: foto's: {stats.decoded} verwerkt, {stats.cached} uit de cache")
        specs = site.pages()
        self.cards = {}
        drawing = set(site.drawing.files.values()) if site.drawing is not None else set()
        if cache is not None and site.memo is not None:
            cache.save(site.memo)
        if self.rebuilds is not None:
            self.rebuilds.start(config, files, [(spec.url, spec.title) for spec in specs if spec.in_nav])
        for spec in specs:
            if spec.preview_only:
                inclusion = InclusionLevel.DRAFT
            else:
                inclusion = InclusionLevel.INCLUDED if spec.in_nav else InclusionLevel.NOT_IN_NAV
            src_uri = site.urls.source_path(spec.url)
            existing = files.src_uris.get(src_uri)  # the core's paths are POSIX paths already
            if existing is not None:
                files.remove(existing)
            file = GeneratedPage.generated(config, src_uri, content="", inclusion=inclusion)
            if self.rebuilds is not None:
                feeds = site.feed_links(spec.feed) if spec.feed is not None else []
                self.rebuilds.mark(file, spec, feeds, inclusion)
            files.append(file)
            StoryPage(spec, file, config)
            for url, source in spec.assets.items():
                if source in drawing:
                    self.cards[url] = source  # in the site once drawn: see ``on_post_build``
                    continue
                files.append(CachedFile.generated(config, url, abs_src_path=str(source), inclusion=inclusion))
        self.files = files
        return files

    def on_nav(self, nav: Any, *, config: MkDocsConfig, files: Files) -> Any:
        self.nav_urls = tuple(dict.fromkeys(["", "assets/", *(page.url for page in nav.pages)]))
        return nav

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        self.shared = {}  # the menu may differ from the last build's
        self.search = search_plugin(config)
        # The theme's own lines (the footer's) in the site's language, also on the 404 page.
        env.globals["aanhetwoord_text"] = Texts(self.settings.language)
        # The house style and the footer's links, also on the 404 page (which has no page context).
        urls = {file.url for file in files if file.is_documentation_page()}
        env.globals["aanhetwoord_site"] = chrome(self.settings, lambda url: url in urls)
        env.globals["aanhetwoord_assets"] = dict(self.assets)
        # Compiled once: kept on disk for the next build, and in memory while serving (which
        # loads the theme anew for every build).
        env.bytecode_cache = self.compiled
        return env

    def on_page_content(
        self, html_content: str, *, page: MkDocsPage, config: MkDocsConfig, files: Files
    ) -> str:
        # The home page's story mix goes in after search indexing, like every list of cards.
        if self.site is not None and page.is_homepage and HOME_MARKER not in html_content:
            return html_content + HOME_MARKER
        return html_content

    def _complete_page(self, output: str, *, page: MkDocsPage, config: MkDocsConfig) -> str:
        if self.rebuilds is not None:
            self.rebuilds.page_built(page, getattr(self.search, "search_index", None))
        output = self._named_search(output)
        if isinstance(page, StoryPage):
            for placeholder, part in page.spec.deferred.items():
                output = output.replace(placeholder, part, 1)
            if page.spec.preview_only:
                # The page carries its own Dutch banner; MkDocs' English marker goes.
                output = output.replace(DRAFT_MARKER, "", 1)
            if page.spec.language and page.spec.language != self.settings.language:
                output = self._page_language(output, page.spec.language)
        elif self.site is not None and page.is_homepage:
            output = output.replace(HOME_MARKER, self.site.home(page.url), 1)
        return output

    @event_priority(-100)  # last, when every plugin is done with the page
    def _write_page(self, output: str, *, page: MkDocsPage, config: MkDocsConfig) -> str:
        """The page into the site through the kept copies (output_store.py); MkDocs then has
        nothing left to write."""
        if self.store is None or not output.strip():
            return output
        self.store.write(page.file.abs_dest_path, output.encode("utf-8", errors="xmlcharrefreplace"))
        _WRITTEN_HERE.pages.add(page.file.src_uri)
        return ""

    on_post_page = CombinedEvent(_complete_page, _write_page)

    def on_post_template(self, output_content: str, *, template_name: str, config: MkDocsConfig) -> str:
        return self._named_search(output_content)  # the 404 page

    def _named_search(self, output: str) -> str:
        label = html.escape(Texts(self.settings.language)("search"))
        return output.replace(SEARCH_DIALOG, f'{SEARCH_DIALOG[:-1]} aria-label="{label}">', 1)

    def _page_language(self, output: str, language: str) -> str:
        """A story in another language is that language's page, laid out in its direction; the
        menu, header and footer around it stay in the site's language (the story's own part
        says so too, see story.html)."""
        direction = html.escape(text_direction(language))
        output = HTML_TAG.sub(f'<html lang="{html.escape(language)}" dir="{direction}"', output, count=1)
        site = html.escape(self.settings.language)
        return BODY_TAG.sub(f'<body lang="{site}" dir="{direction}"', output, count=1)

    def on_page_context(self, context: dict, *, page: MkDocsPage, config: MkDocsConfig, nav: Any) -> dict:
        if self.site is None:
            return context
        urls = self.site.urls
        language = self.settings.language
        # Plain text: the head partial escapes every value once.
        title = Markup(page.title or "").striptags()
        description = config.site_description or ""
        meta_description = (page.meta or {}).get("description")
        info: dict[str, Any] = {
            "kind": "",
            "language": "",
            "alternates": [],
            "preview": False,
            "image": "",
            "feeds": [],
            "shared": None,
            "og_type": "website",
        }
        if isinstance(page, StoryPage):
            spec = page.spec
            self._index(page)
            title = spec.title
            description = spec.description or description
            language = spec.language or language
            info.update(
                kind=spec.kind,
                language=spec.language,
                alternates=spec.alternates,
                preview=spec.preview_only,
                image=urls.absolute(spec.image) if spec.image else "",
                og_type="article" if spec.kind == PageKind.STORY else "website",
            )
            if spec.feed is not None:
                info["feeds"] = self.site.feed_links(spec.feed)
            if not spec.in_nav and SHARE_PARTS:
                # Links in those parts are relative to the page: pages sharing them link alike.
                links = tuple(get_relative_url(url, page.url) for url in self.nav_urls)
                info["shared"] = functools.partial(self._shared_part, links)
        else:
            if isinstance(meta_description, str) and meta_description:
                description = meta_description
            if page.is_homepage:
                title = config.site_name
                info["feeds"] = self.site.feed_links("")
        info.update(
            title=title,
            description=description,
            locale=og_locale(language),
            site_name=config.site_name,
        )
        context["aanhetwoord"] = info
        return context

    def _index(self, page: StoryPage) -> None:
        """The core's search entries for the page, as Material's search would have made them from
        the page's HTML, without reading it back (the theme leaves such pages to us)."""
        spec = page.spec
        index = getattr(self.search, "search_index", None)
        if index is None or spec.search is None or not (spec.indexable and spec.searchable):
            return
        for entry in spec.search:
            location = f"{page.url}#{entry.anchor}" if entry.anchor else page.url
            index.entries.append({"location": location, "title": entry.title, "text": entry.text})

    def _shared_part(
        self, links: tuple[str, ...], block: str, base_url: str, render: Any, title: str | None = None
    ) -> str:
        """A template block that is the same for every page outside the menu whose links to the
        menu's pages and the theme's files are written the same; with ``title``, the same but
        for the page's title, which must then appear in it exactly once."""
        key = (block, base_url, links)
        part = self.shared.get(key)
        if part is not None:
            return part if title is None else part.replace(TITLE_SLOT, title, 1)
        html = str(render())
        if title is None:
            self.shared[key] = html
        elif title and html.count(title) == 1 and TITLE_SLOT not in html:
            self.shared[key] = html.replace(title, TITLE_SLOT, 1)
        return html

    @event_priority(50)  # before the search plugin writes its index
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        try:
            if self.site is not None:
                self._write_rest(config)
                if self.store is not None:
                    self.store.finish()  # every page and file is in the site now
                # Last: the cards are drawn while everything else is written.
                self._place_cards(config)
        finally:
            if self.memo is not None:
                resume_garbage_collection()

    def _place_cards(self, config: MkDocsConfig) -> None:
        """The link-preview cards drawn while the pages were built, into the site."""
        assert self.site is not None
        for problem in self.site.finish_cards():
            log.warning(problem.format())
        site_dir = Path(config.site_dir)
        for url, source in self.cards.items():
            target = site_dir / url
            if not link(source, target):
                shutil.copyfile(source, target)

    def _write_rest(self, config: MkDocsConfig) -> None:
        """Feeds, API and the like; in a dirty serve session also what a clean build would tidy."""
        assert self.site is not None
        site_dir = Path(config.site_dir)
        extra = self.site.files()
        if self.store is not None:
            self.store.write_files(site_dir, extra)
            return
        if self.rebuilds is None or self.files is None:
            write_files(site_dir, extra)
            return
        outputs = self.rebuilds.write_changed(site_dir, extra)
        made = (GeneratedPage, CachedFile, HashedAsset)
        outputs.update(file.abs_dest_path for file in self.files if isinstance(file, made))
        self.rebuilds.finish(config, self.files, self.search, outputs)

    def on_build_error(self, *, error: Exception) -> None:
        if self.site is not None:
            self.site.cancel_cards()
        if self.rebuilds is not None:
            self.rebuilds.forget()
        if self.memo is not None:
            resume_garbage_collection()

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        server.watch(str(self.settings.stories_dir))
        for register in (self.settings.neighbourhoods_file, self.settings.themes_file):
            if register is not None:
                server.watch(str(register))
        if self.templates is not None:
            server.watch(str(self.templates))
        return server


__all__ = ["AanHetWoordPlugin", "PageKind"]
