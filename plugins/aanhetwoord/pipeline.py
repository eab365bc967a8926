"""The pipeline in one place: load → validate → catalogue → render → write.

Engines call :func:`build` once per build and hand the pages to their theme; the CLI calls
:func:`check` alone. Nothing here knows which engine is running.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .catalogue import Catalogue, build_catalogue
from .checking import check_files
from .feeds import feed_files, feeds
from .feeds import links as feed_links
from .load import discover, story_paths
from .memo import CheckedStory, CompiledTemplates, Memo, TextEntry, text_key
from .model import Page, Severity, Status, Story, TermKind
from .photo_urls import PhotoUrls
from .photos import Photo, PhotoCache, PhotoStats, SocialCards, process_all, social_cards
from .problems import Problem, display_path
from .registers import load_register
from .render import Renderer
from .settings import Settings
from .urls import Urls
from .validate import Registers, validate_collection
from .write import api_files, site_files


@dataclass
class Site:
    settings: Settings
    stories: list[Story]
    catalogue: Catalogue
    problems: list[Problem]
    renderer: Renderer
    photo_urls: PhotoUrls  # for the feeds and the API as for the pages
    photo_stats: PhotoStats
    memo: Memo | None = None
    drawing: SocialCards | None = None  # link-preview cards still being drawn

    def finish_cards(self) -> list[Problem]:
        """Wait for the link-preview cards still being drawn; a warning for each that could not
        be (a plain card stands in for it)."""
        if self.drawing is None:
            return []
        errors, self.drawing = self.drawing.finish(), None
        problems = card_problems(errors, self.stories, self.settings, stand_in=True)
        self.problems = sorted(self.problems + problems)
        return problems

    def cancel_cards(self) -> None:
        """The build stopped: stop drawing cards."""
        if self.drawing is not None and self.drawing.pending is not None:
            self.drawing.pending.cancel()
        self.drawing = None

    @property
    def urls(self) -> Urls:
        return self.photo_urls.urls

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.is_error]

    def pages(self) -> list[Page]:
        return list(self.renderer.pages())

    def home(self, from_url: str = "") -> str:
        return self.renderer.home(from_url)

    def api_files(self) -> dict[str, bytes]:
        return api_files(self.catalogue, self.urls, self.settings.language, self.photo_urls)

    def feed_files(self) -> dict[str, bytes]:
        return feed_files(
            self.catalogue,
            self.urls,
            self.settings,
            self.photo_urls,
            self.memo.feeds if self.memo is not None else None,
        )

    def site_files(self) -> dict[str, bytes]:
        """robots.txt and security.txt."""
        return site_files(self.settings, self.urls)

    def files(self) -> dict[str, bytes]:
        """Every file the engine writes beside the pages: API, feeds, robots.txt, security.txt."""
        return {**self.api_files(), **self.feed_files(), **self.site_files()}

    @cached_property
    def _feed_titles(self) -> dict[str, str]:
        return {feed.base: feed.title for feed in feeds(self.catalogue, self.settings, self.urls)}

    def feed_links(self, base: str) -> list[dict[str, str]]:
        """Alternate links for the page at ``base`` ("" for the home page and the story list)."""
        title = self._feed_titles.get(base)
        return feed_links(base, title, self.urls) if title is not None else []


def load_registers(settings: Settings) -> tuple[Registers, list[Problem]]:
    neighbourhoods, problems_n = load_register(
        TermKind.NEIGHBOURHOODS,
        settings.neighbourhoods_file,
        _display(settings.neighbourhoods_file, settings),
    )
    themes, problems_t = load_register(
        TermKind.THEMES, settings.themes_file, _display(settings.themes_file, settings)
    )
    return Registers(neighbourhoods, themes), problems_n + problems_t


@dataclass
class Checked:
    stories: list[Story]
    problems: list[Problem]
    registers: Registers


def check(
    settings: Settings, paths: list[Path] | None = None, memo: Memo | None = None, parallel: bool = True
) -> Checked:
    """Load and validate stories (all, or the given files/folders); every problem is returned.

    With a ``memo`` from the previous build, unchanged story files are not read again. With
    ``parallel``, many stories are checked on all cores (see checking.py)."""
    registers, problems = load_registers(settings)
    candidates = (
        [found for path in paths for found in story_paths(path)]
        if paths
        else list(discover(settings.stories_dir))
    )
    if memo is not None:
        memo.start((settings, settings.current_date(), _register_bytes(settings)))
        memo.keep_only({path for _, path in candidates})
    keys = [memo.key_of(path) if memo is not None else None for _, path in candidates]
    entries: list[CheckedStory | None] = []
    for (_, path), key in zip(candidates, keys, strict=True):
        known = memo.checked.get(path) if memo is not None and key is not None else None
        entries.append(known if known is not None and known.key == key else None)
    todo = [index for index, entry in enumerate(entries) if entry is None]
    fresh = check_files(
        [candidates[index] for index in todo],
        settings,
        registers,
        settings.current_date(),
        render=memo is not None,
        parallel=parallel,
    )
    for index, checked in zip(todo, fresh, strict=True):
        entry = entries[index] = CheckedStory(keys[index], checked.shown, checked.story, checked.problems)
        if memo is not None and keys[index] is not None:
            memo.checked[candidates[index][1]] = entry
        if memo is not None and checked.story is not None and checked.text is not None:
            memo.texts[checked.story.slug] = TextEntry(text_key(checked.story, ()), checked.text)
    stories: list[Story] = []
    display: dict[Path, str] = {}
    for entry in entries:
        assert entry is not None
        problems.extend(entry.problems)
        if entry.story is not None:
            display[entry.story.source] = entry.shown
            stories.append(entry.story)
    stories, collection_problems = validate_collection(stories, display)
    problems.extend(collection_problems)
    return Checked(stories, sorted(problems), registers)


def build(
    settings: Settings,
    extra_templates: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    memo: Memo | None = None,
    compiled: CompiledTemplates | None = None,
    cards_in_background: bool = False,
    parallel_check: bool = True,
) -> Site:
    """The whole site. Pass the same ``memo`` to every build of a session to redo only what changed,
    and ``compiled`` to keep compiled templates elsewhere than in the memo (on disk, for example).

    With ``cards_in_background``, link-preview cards may still be drawn when this returns: call
    ``Site.finish_cards`` before the site is complete. With ``parallel_check``, many stories are
    checked on all cores."""
    checked = check(settings, memo=memo, parallel=parallel_check)
    stories, problems = checked.stories, list(checked.problems)
    photos = prepare_photos(settings, stories, progress, memo=memo, cards_in_background=cards_in_background)
    problems = sorted(problems + photos.problems)
    stories = [story for story in stories if story.slug not in photos.refused]
    catalogue = build_catalogue(
        stories,
        checked.registers.neighbourhoods,
        checked.registers.themes,
        settings.current_date(),
        preview=settings.preview,
        home_count=settings.home_count,
        related_min=settings.related_min,
        related_max=settings.related_max,
    )
    photo_urls = PhotoUrls(Urls(settings.urls, settings.site_url), photos.photos, photos.cards)
    renderer = Renderer(
        settings,
        catalogue,
        [p for p in problems if p.is_error],
        photo_urls,
        extra_templates,
        memo,
        compiled,
    )
    return Site(
        settings, stories, catalogue, problems, renderer, photo_urls, photos.stats, memo, photos.drawing
    )


@dataclass
class PreparedPhotos:
    photos: dict[Path, Photo]
    cards: dict[str, Path]
    problems: list[Problem]
    refused: set[str]  # stories left out because a photo cannot be published
    stats: PhotoStats
    drawing: SocialCards | None = None  # cards still being drawn: see ``Site.finish_cards``


def check_photos(settings: Settings, checked: Checked, slugs: set[str] | None = None) -> Checked:
    """Also decode the photos of checked stories (all, or those in ``slugs``), as the build will.

    Uses the same cache as the build, so photos checked once are not decoded again.
    """
    stories = [story for story in checked.stories if slugs is None or story.slug in slugs]
    photos = prepare_photos(settings, stories, whole_site=False)
    return Checked(
        [story for story in checked.stories if story.slug not in photos.refused],
        sorted(checked.problems + photos.problems),
        checked.registers,
    )


def prepare_photos(
    settings: Settings,
    stories: list[Story],
    progress: Callable[[int, int], None] | None = None,
    whole_site: bool = True,
    memo: Memo | None = None,
    cards_in_background: bool = False,
) -> PreparedPhotos:
    """Process every photo the stories show; a story with a bad photo is left out, with a message.

    For a whole site, link-preview cards are made too (with ``cards_in_background``, while the
    build goes on) and unused cache entries removed."""
    cache = PhotoCache(settings.photo_cache(), settings.photos, memo.photo_keys if memo else None)
    wanted = [story for story in stories if story.status is not Status.WITHDRAWN]
    sources = [story.folder / name for story in wanted for name in story.assets]
    results = process_all(sources, cache, progress, prune=whole_site)
    problems: list[Problem] = []
    refused: set[str] = set()
    for story in wanted:
        for name in story.assets:
            message = results.errors.get(story.folder / name)
            if message is not None:
                refused.add(story.slug)
                problems.append(
                    Problem(
                        display_path(story.folder / name, settings.root),
                        1,
                        "foto",
                        f"{message}. Het verhaal '{story.slug}' staat niet op de site tot dit is opgelost.",
                    )
                )
    if not whole_site:
        return PreparedPhotos(results.photos, {}, problems, refused, results.stats)
    without_photo = [
        (story.slug, story.title, " & ".join(story.communities))
        for story in wanted
        if story.image is None and story.slug not in refused
    ]
    previews = social_cards(
        without_photo,
        settings.photo_cache().parent / "cards",
        settings.photos,
        background=cards_in_background,
    )
    problems.extend(card_problems(previews.errors, wanted, settings))
    drawing = previews if previews.pending is not None else None
    return PreparedPhotos(results.photos, previews.files, problems, refused, results.stats, drawing)


def card_problems(
    errors: dict[str, str], stories: list[Story], settings: Settings, stand_in: bool = False
) -> list[Problem]:
    """A warning for each story whose link-preview card could not be drawn."""
    after = "er staat een effen plaatje voor in de plaats" if stand_in else "zonder dat plaatje"
    return [
        Problem(
            display_path(story.source, settings.root),
            1,
            "title",
            f"het plaatje voor links naar dit verhaal kan niet worden gemaakt ({errors[story.slug]}). "
            f"Het verhaal staat wel op de site, {after}.",
            Severity.WARNING,
        )
        for story in stories
        if story.slug in errors
    ]


def _register_bytes(settings: Settings) -> tuple[bytes | None, ...]:
    """The registers as stored: every story is checked against them."""
    contents: list[bytes | None] = []
    for path in (settings.neighbourhoods_file, settings.themes_file):
        try:
            contents.append(path.read_bytes() if path else None)
        except OSError:
            contents.append(None)
    return tuple(contents)


def _display(path: Path | None, settings: Settings) -> str:
    return display_path(path, settings.root) if path else ""
