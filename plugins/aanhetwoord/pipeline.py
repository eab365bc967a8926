"""The pipeline in one place: load → validate → catalogue → render → write.

Engines call :func:`build` once per build and hand the pages to their theme; the CLI calls
:func:`check` alone. Nothing here knows which engine is running.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .catalogue import Catalogue, build_catalogue
from .load import discover, read_story, story_paths
from .model import Story
from .problems import Problem, display_path
from .registers import load_register
from .render import Page, Renderer
from .settings import Settings
from .urls import Urls
from .validate import Registers, validate, validate_collection
from .write import api_files


@dataclass
class Site:
    settings: Settings
    stories: list[Story]
    catalogue: Catalogue
    problems: list[Problem]
    renderer: Renderer

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.is_error]

    def pages(self) -> list[Page]:
        return list(self.renderer.pages())

    def home(self, from_url: str = "") -> str:
        return self.renderer.home(from_url)

    def api_files(self) -> dict[str, bytes]:
        return api_files(
            self.catalogue, Urls(self.settings.urls, self.settings.site_url), self.settings.language
        )


def load_registers(settings: Settings) -> tuple[Registers, list[Problem]]:
    neighbourhoods, problems_n = load_register(
        "neighbourhoods", settings.neighbourhoods_file, _display(settings.neighbourhoods_file, settings)
    )
    themes, problems_t = load_register(
        "themes", settings.themes_file, _display(settings.themes_file, settings)
    )
    return Registers(neighbourhoods, themes), problems_n + problems_t


@dataclass
class Checked:
    stories: list[Story]
    problems: list[Problem]
    registers: Registers


def check(settings: Settings, paths: list[Path] | None = None) -> Checked:
    """Load and validate stories (all, or the given files/folders); every problem is returned."""
    registers, problems = load_registers(settings)
    candidates = (
        [found for path in paths for found in story_paths(path)]
        if paths
        else list(discover(settings.stories_dir))
    )
    stories: list[Story] = []
    display: dict[Path, str] = {}
    for slug, path in candidates:
        shown = display_path(path, settings.root)
        source = read_story(slug, path, shown, settings.max_front_matter_bytes)
        story, story_problems = validate(source, registers, settings.current_date())
        problems.extend(story_problems)
        if story is not None:
            display[story.source] = shown
            stories.append(story)
    stories, collection_problems = validate_collection(stories, display)
    problems.extend(collection_problems)
    return Checked(stories, sorted(problems), registers)


def build(settings: Settings, extra_templates: Path | None = None) -> Site:
    checked = check(settings)
    stories, problems = checked.stories, checked.problems
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
    renderer = Renderer(settings, catalogue, [p for p in problems if p.is_error], extra_templates)
    return Site(settings, stories, catalogue, problems, renderer)


def _display(path: Path | None, settings: Settings) -> str:
    return display_path(path, settings.root) if path else ""
