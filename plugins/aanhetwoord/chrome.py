"""What every page shows around its content: the footer's links, the credit and the house colours.

Engines ask once per build and put it in their templates; the 404 page gets it too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from . import brand
from .interface_texts import Texts
from .settings import Settings


@dataclass(frozen=True)
class Chrome:
    links: tuple[tuple[str, str], ...]  # (label, url): site-relative, absolute or mailto:
    links_label: str
    credit: bool
    credit_text: str
    style: str  # CSS custom properties from the house colours, or ""


def is_external(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme or parts.netloc)


def chrome(settings: Settings, exists: Callable[[str], bool] = lambda url: True) -> Chrome:
    """The footer's links (Deel je verhaal, Over, Privacy, Toegankelijkheid, Contact): a link to a
    page of the site only when the site has that page, so no footer leads nowhere."""
    t = Texts(settings.language)
    wanted = [
        (t("share_link"), settings.share_url),
        (t("about"), settings.about_url),
        (t("privacy"), settings.privacy_url),
        (t("accessibility"), settings.accessibility_url),
        (t("contact"), settings.contact_url or settings.about_url),
    ]
    links = tuple(
        (label, url) for label, url in wanted if url and (is_external(url) or exists(url.lstrip("/")))
    )
    return Chrome(
        links=links,
        links_label=t("footer_links"),
        credit=settings.generator_credit,
        credit_text=t("made_with"),
        style=brand.stylesheet(settings.brand),
    )
