"""The story model: plain data, shared by the plugin, the CLI, the PR check and the web form.

The kinds of things (a story's status, an index, a page, a problem's severity) are string
enums: they compare equal to the words used in files, URLs and templates.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any


class Status(enum.StrEnum):
    """A story's ``status`` in its front matter."""

    PUBLISHED = "published"
    DRAFT = "draft"
    WITHDRAWN = "withdrawn"


class TermKind(enum.StrEnum):
    """The indexes of the site; neighbourhoods and themes are registers, communities are not."""

    NEIGHBOURHOODS = "neighbourhoods"
    THEMES = "themes"
    COMMUNITIES = "communities"


class PageKind(enum.StrEnum):
    STORY = "story"
    WITHDRAWN = "withdrawn"
    LIST = "list"
    OVERVIEW = "overview"
    TERM = "term"


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    # Worth knowing, nothing to fix: never fails a check or a strict build.
    INFO = "info"


@dataclass(frozen=True)
class RegisterEntry:
    """A neighbourhood or a theme, as staff keep it in a register file."""

    slug: str
    name: str
    aliases: tuple[str, ...] = ()
    description: str = ""
    code: str = ""
    area: str = ""
    geometry: dict | None = None


@dataclass(frozen=True)
class Consent:
    date: date
    reference: str = ""
    photos: bool = False


@dataclass(frozen=True)
class Image:
    src: str
    alt: str
    credit: str = ""


@dataclass(frozen=True)
class Update:
    date: date
    text: str


@dataclass
class Story:
    slug: str
    source: Path
    title: str
    date: date
    communities: tuple[str, ...]
    neighbourhoods: tuple[RegisterEntry, ...]
    themes: tuple[RegisterEntry, ...]
    body: str
    body_line: int = 1
    consent: Consent | None = None
    summary: str = ""
    storytellers: tuple[str, ...] = ()
    recorded_by: str = ""
    image: Image | None = None
    language: str = ""
    status: Status = Status.PUBLISHED
    updates: tuple[Update, ...] = ()
    pinned: bool = False
    translation_of: str = ""
    # Files in the story folder that the story shows (cover and inline images).
    assets: tuple[str, ...] = field(default_factory=tuple)
    # The line of each community name in the story file, for messages about it.
    community_lines: tuple[int, ...] = field(default=(), compare=False)
    # The body as parsed by the validator, kept so rendering need not parse it again; rendering
    # reads it and never changes it.
    body_tokens: list[Any] | None = field(default=None, repr=False, compare=False)

    @property
    def folder(self) -> Path:
        return self.source.parent

    def is_embargoed(self, today: date) -> bool:
        return self.date > today

    def is_public(self, today: date) -> bool:
        """Published and its date has come: the story may be on the public site."""
        return self.status is Status.PUBLISHED and not self.is_embargoed(today)


@dataclass(frozen=True)
class Community:
    """A community as the site knows it: every name a story gives, never registered."""

    key: str
    slug: str
    name: str


@dataclass(frozen=True)
class SearchEntry:
    """One result in the site's search: a page, or a part of it with an ``anchor`` on the page."""

    anchor: str  # "" for the page itself
    title: str  # safe HTML
    text: str  # safe HTML: paragraphs, lists and code, as a search index keeps them


@dataclass
class Page:
    """One page of the site, ready for an engine to put in its theme."""

    url: str
    title: str  # plain text; the engine escapes it
    content: str  # safe HTML
    kind: PageKind
    description: str = ""
    in_nav: bool = False
    preview_only: bool = False  # drafts and embargoed stories: never in a published build
    indexable: bool = True  # in search and sitemap
    searchable: bool = True  # in the search index (list pages after the first only repeat stories)
    language: str = ""
    assets: dict[str, Path] = field(default_factory=dict)  # url → file to publish there
    alternates: list[tuple[str, str]] = field(default_factory=list)  # (language, url)
    image: str = ""  # url of the 1200×630 link-preview image
    feed: str | None = None  # the page its feeds belong to: "" for the whole site, else a term's url
    # Placeholder → HTML filled in after the engine has indexed the page for search: story
    # cards repeat other pages, and leaving them out keeps both the index and the build lean.
    deferred: dict[str, str] = field(default_factory=dict)
    # The page's search results as the core made them, so the engine need not read them back out
    # of the HTML; None leaves that to the engine.
    search: tuple[SearchEntry, ...] | None = None
