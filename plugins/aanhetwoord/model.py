"""The story model: plain data, shared by the plugin, the CLI, the PR check and the web form."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any


class Status(enum.Enum):
    PUBLISHED = "published"
    DRAFT = "draft"
    WITHDRAWN = "withdrawn"


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
    # The body as parsed by the validator, kept so rendering need not parse it again.
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
