"""What every part of the renderer shares: the site, its words and URLs, the templates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup

from ..catalogue import Catalogue
from ..interface_texts import Texts
from ..photo_urls import PhotoUrls
from ..settings import Settings
from ..urls import Urls, relative
from .environment import Templates


@dataclass(frozen=True)
class RenderContext:
    settings: Settings
    catalogue: Catalogue
    photo_urls: PhotoUrls
    t: Texts
    templates: Templates

    @property
    def urls(self) -> Urls:
        return self.photo_urls.urls


def link(from_url: str) -> Callable[[str], str]:
    """Links from the page at ``from_url``, relative so the site works from any folder."""
    return lambda to_url: relative(from_url, to_url)


def defer(deferred: dict[str, str], html: str) -> Markup:
    """A placeholder for ``html``, which the engine inserts after search indexing."""
    if not html:
        return Markup("")
    key = f"<!--ahw-deferred-{len(deferred)}-->"
    deferred[key] = html
    return Markup(key)
