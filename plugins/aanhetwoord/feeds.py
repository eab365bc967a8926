"""Feeds: Atom and JSON Feed 1.1 for the whole site and for every neighbourhood, theme and community.

Built from the catalogue alone (front matter and the processed photos' URLs), so a
build needs no network. Only public stories are in the catalogue's lists: drafts, embargoed and
withdrawn stories can never reach a feed.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from .catalogue import Catalogue
from .interface_texts import Texts
from .model import Story
from .photo_urls import PhotoUrls
from .settings import Settings, build_date
from .text import without_unfit
from .urls import Urls

ATOM = "http://www.w3.org/2005/Atom"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
ATOM_TYPE = "application/atom+xml"
JSON_TYPE = "application/feed+json"


@dataclass(frozen=True)
class Feed:
    """One feed: the page it follows and the stories in it (newest first, public only)."""

    base: str  # the page's site-relative url; "" is the home page
    title: str
    stories: list[Story]
    language: str


def timestamp(day: date) -> str:
    """RFC 3339 for a story date: stories have days, not times, so midnight UTC."""
    return f"{day.isoformat()}T00:00:00Z"


def updated(story: Story) -> date:
    """A story changes when it gets an update; its newest update date counts."""
    return max([story.date, *(update.date for update in story.updates)])


def feeds(catalogue: Catalogue, settings: Settings, urls: Urls) -> Iterator[Feed]:
    """The site's feed and one per neighbourhood, theme and community, also when still empty."""
    site_name = settings.site_name or Texts(settings.language)("stories")
    count = settings.feed_count
    yield Feed("", site_name, catalogue.listed[:count], settings.language)
    for _kind, terms in catalogue.indexes():
        for term in terms:
            yield Feed(
                urls.term(term.kind, term.slug),
                f"{term.name} – {site_name}",
                term.stories[:count],
                settings.language,
            )


def feed_files(
    catalogue: Catalogue,
    urls: Urls,
    settings: Settings,
    photo_urls: PhotoUrls,
    made: dict[str, tuple[tuple, bytes, bytes]] | None = None,
) -> dict[str, bytes]:
    """Site-relative path → content of every feed.

    ``made`` keeps feeds between builds of one session: a feed whose stories are unchanged is
    not written out again."""
    cover = photo_urls.cover_url
    files: dict[str, bytes] = {}
    seen: set[str] = set()
    site_updated = site_date(catalogue, settings)
    for feed in feeds(catalogue, settings, urls):
        seen.add(feed.base)
        key = (
            feed.title,
            feed.language,
            tuple((story, tuple(_authors(story, catalogue)), cover(story)) for story in feed.stories),
            None if feed.stories else site_updated,
        )
        known = made.get(feed.base) if made is not None else None
        if known is not None and known[0] == key:
            atom_bytes, json_bytes = known[1], known[2]
        else:
            atom_bytes = atom(feed, catalogue, urls, cover, empty_updated=site_updated)
            json_bytes = json_feed(feed, catalogue, urls, cover)
            if made is not None:
                made[feed.base] = (key, atom_bytes, json_bytes)
        files[urls.feed(feed.base, "atom")] = atom_bytes
        files[urls.feed(feed.base, "json")] = json_bytes
    if made is not None:
        for gone in set(made) - seen:
            del made[gone]  # a neighbourhood, theme or community without a page any more
    return files


def _authors(story: Story, catalogue: Catalogue) -> list[str]:
    # The community speaks; storytellers are credited in the story itself.
    return [term.name for term in catalogue.communities_of(story)]


def _tags(story: Story) -> list[str]:
    return [entry.name for entry in (*story.neighbourhoods, *story.themes)]


def site_date(catalogue: Catalogue, settings: Settings) -> date:
    """When the site last changed: its newest story or update, or the build date when it has no
    stories yet. An empty feed says this, so it needs no date of its own and stays the same
    from build to build."""
    return max((updated(story) for story in catalogue.stories), default=None) or settings.current_date()


def atom(
    feed: Feed,
    catalogue: Catalogue,
    urls: Urls,
    cover: Callable[[Story], str],
    *,
    empty_updated: date | None = None,
) -> bytes:
    """The feed in Atom; a feed without stories is ``empty_updated`` (see :func:`site_date`)."""
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
        if text is not None:
            element.text = text
        return element

    root = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": feed.language})
    page = urls.absolute(feed.base)
    sub(root, "id", page)
    sub(root, "title", feed.title)
    newest = max((updated(story) for story in feed.stories), default=None) or empty_updated
    if newest is None:
        newest = max((updated(story) for story in catalogue.stories), default=None) or build_date()
    sub(root, "updated", timestamp(newest))
    sub(root, "link", rel="self", type=ATOM_TYPE, href=urls.absolute(urls.feed(feed.base, "atom")))
    sub(root, "link", rel="alternate", type="text/html", href=page)
    sub(root, "link", rel="alternate", type=JSON_TYPE, href=urls.absolute(urls.feed(feed.base, "json")))
    # Atom needs an author for every entry; the feed's own stands in for entries without one.
    sub(sub(root, "author"), "name", feed.title)
    sub(root, "generator", "Aan het woord")
    for story in feed.stories:
        entry = sub(root, "entry")
        if story.language and story.language != feed.language:
            entry.set("{http://www.w3.org/XML/1998/namespace}lang", story.language)
        url = urls.absolute(urls.story(story.slug))
        sub(entry, "id", url)
        sub(entry, "title", story.title)
        sub(entry, "link", rel="alternate", type="text/html", href=url)
        sub(entry, "published", timestamp(story.date))
        sub(entry, "updated", timestamp(updated(story)))
        for name in _authors(story, catalogue):
            sub(sub(entry, "author"), "name", name)
        for tag in _tags(story):
            sub(entry, "category", term=tag)
        sub(entry, "summary", story.summary, type="text")
        image = cover(story)
        if image:
            sub(entry, "link", rel="enclosure", type="image/jpeg", href=urls.absolute(image))
    _fit_for_xml(root)
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _fit_for_xml(root: ET.Element) -> None:
    """A second wall behind the loader: ElementTree writes any character, also those XML 1.0
    forbids (a vertical tab, a lone surrogate), and one of them makes the whole feed unreadable."""
    for element in root.iter():
        if element.text:
            element.text = without_unfit(element.text)
        for name, value in element.attrib.items():
            element.attrib[name] = without_unfit(value)


def _fit_for_json(value: Any) -> Any:
    """Text without characters no page or feed can carry (a lone surrogate cannot even be UTF-8)."""
    if isinstance(value, str):
        return without_unfit(value)
    if isinstance(value, list):
        return [_fit_for_json(item) for item in value]
    if isinstance(value, dict):
        return {key: _fit_for_json(item) for key, item in value.items()}
    return value


def json_feed(feed: Feed, catalogue: Catalogue, urls: Urls, cover: Callable[[Story], str]) -> bytes:
    items: list[dict[str, Any]] = []
    for story in feed.stories:
        url = urls.absolute(urls.story(story.slug))
        item: dict[str, Any] = {
            "id": url,
            "url": url,
            "title": story.title,
            "summary": story.summary,
            "content_text": story.summary,
            "date_published": timestamp(story.date),
            "date_modified": timestamp(updated(story)),
            "authors": [{"name": name} for name in _authors(story, catalogue)],
            "tags": _tags(story),
            "language": story.language or feed.language,
        }
        image = cover(story)
        if image:
            item["image"] = urls.absolute(image)
        items.append(item)
    document = {
        "version": JSON_FEED_VERSION,
        "title": feed.title,
        "home_page_url": urls.absolute(feed.base),
        "feed_url": urls.absolute(urls.feed(feed.base, "json")),
        "language": feed.language,
        "items": items,
    }
    return json.dumps(_fit_for_json(document), ensure_ascii=False, indent=1).encode("utf-8") + b"\n"


def links(base: str, title: str, urls: Urls) -> list[dict[str, str]]:
    """``<link rel="alternate">`` data for a page with feeds: type, title and site-relative href."""
    return [
        {"type": ATOM_TYPE, "title": f"{title} (Atom)", "href": urls.feed(base, "atom")},
        {"type": JSON_TYPE, "title": f"{title} (JSON Feed)", "href": urls.feed(base, "json")},
    ]
