"""Site settings for the core, with every default in one place.

Engines map their own configuration onto :class:`Settings`; the core never reads an
engine's configuration itself.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from .brand import Brand

MEGAPIXEL = 1_000_000
MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class PhotoSettings:
    """How story photos are checked and published (see photos.py).

    Every field is part of the photo cache's key, and so of the published photos' addresses."""

    widths: tuple[int, ...] = (480, 960, 1600)
    max_pixels: int = 40 * MEGAPIXEL
    max_bytes: int = 30 * MEGABYTE
    webp_quality: int = 80
    jpeg_quality: int = 82
    social_size: tuple[int, int] = (1200, 630)


@dataclass(frozen=True)
class UrlWords:
    """The words in the site's URLs; Dutch by default, configurable per site."""

    stories: str = "verhalen"
    neighbourhoods: str = "buurten"
    themes: str = "themas"
    communities: str = "gemeenschappen"
    page: str = "pagina"
    api: str = "api"


@dataclass(frozen=True)
class Settings:
    root: Path
    stories_dir: Path
    neighbourhoods_file: Path | None = None
    themes_file: Path | None = None
    language: str = "nl"
    site_url: str = ""
    site_name: str = ""
    urls: UrlWords = field(default_factory=UrlWords)
    per_page: int = 12
    home_count: int = 9
    related_min: int = 3
    related_max: int = 6
    summary_length: int = 300
    card_summary_length: int = 200
    share_url: str = "deel-je-verhaal/"
    # A preview shows drafts and embargoed stories with a "concept" banner.
    preview: bool = False
    # Processed photos are kept here between builds; never inside the site or the stories.
    cache_dir: Path | None = None
    photos: PhotoSettings = field(default_factory=PhotoSettings)
    today: date | None = None
    max_front_matter_bytes: int = 64 * 1024
    # /.well-known/security.txt (RFC 9116) is written only when a contact is configured.
    security_contact: str = ""
    security_expires: date | None = None  # default: one year after the build
    feed_count: int = 20
    # The site's own pages (docs_dir): the house style's logo and favicon live there.
    docs_dir: Path | None = None
    brand: Brand = field(default_factory=Brand)
    # The footer's links, relative to the site root (or absolute, or mailto:).
    about_url: str = "over/"
    privacy_url: str = "privacy/"
    accessibility_url: str = "toegankelijkheid/"
    contact_url: str = ""  # default: the about page
    generator_credit: bool = True

    def photo_cache(self) -> Path:
        return self.cache_dir or self.root / ".cache" / "aanhetwoord" / "photos"

    def build_cache(self) -> Path:
        """Checked stories and their rendered text, for the next build (build_cache.py)."""
        return self.photo_cache().parent / "stories"

    def output_cache(self) -> Path:
        """The site's files as the last build made them, linked into the next (output_store.py)."""
        return self.photo_cache().parent / "site"

    def template_cache(self) -> Path:
        """Compiled templates, the theme's too, beside the photos: a warm build skips compiling."""
        return self.photo_cache().parent / "templates"

    def current_date(self) -> date:
        return self.today or build_date()


def build_date(environ: Mapping[str, str] = os.environ) -> date:
    """Today, for embargoes, default dates and reports: the UTC date of ``SOURCE_DATE_EPOCH``
    when it is set (reproducible builds; the tests pin a date with it), else the local date.

    MkDocs dates its pages from the same variable, so a build has one date throughout.
    """
    value = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return date.today()
    try:
        return datetime.fromtimestamp(int(value), UTC).date()
    except (ValueError, OverflowError, OSError) as error:
        raise ValueError(
            f"SOURCE_DATE_EPOCH: '{value}' is geen tijdstip; verwacht een aantal seconden sinds 1970"
        ) from error
