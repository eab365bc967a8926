"""Write: the machine-readable files of the site (the JSON API), written beside the pages."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from .api_schema import stories_schema, withdrawn_schema
from .catalogue import Catalogue
from .model import Story
from .photo_urls import PhotoUrls
from .settings import Settings
from .urls import Urls


def story_record(
    story: Story,
    urls: Urls,
    catalogue: Catalogue,
    site_language: str,
    photo_urls: PhotoUrls | None = None,
) -> dict[str, Any]:
    image = None
    # The original photo is never published: the record points at the processed cover.
    src = photo_urls.cover_url(story) if photo_urls else ""
    if story.image and src:
        image = {"url": urls.absolute(src), "alt": story.image.alt}
    return {
        "slug": story.slug,
        "url": urls.absolute(urls.story(story.slug)),
        "title": story.title,
        "date": story.date.isoformat(),
        "communities": [term.name for term in catalogue.communities_of(story)],
        "neighbourhoods": [entry.name for entry in story.neighbourhoods],
        "themes": [entry.name for entry in story.themes],
        "summary": story.summary,
        "language": story.language or site_language,
        "image": image,
    }


def api_files(
    catalogue: Catalogue,
    urls: Urls,
    site_language: str,
    photo_urls: PhotoUrls | None = None,
) -> dict[str, bytes]:
    """Site-relative path → file content for every API file, and each file's JSON Schema beside it."""
    stories = [story_record(story, urls, catalogue, site_language, photo_urls) for story in catalogue.stories]
    withdrawn = [urls.server_path(urls.story(slug)) for slug in catalogue.withdrawn]
    stories_at, withdrawn_at = urls.api("stories.schema.json"), urls.api("withdrawn.schema.json")
    return {
        urls.api("stories.json"): _json({"stories": stories}),
        urls.api("withdrawn.json"): _json({"paths": withdrawn}),
        stories_at: _json(stories_schema(urls.absolute(stories_at))),
        withdrawn_at: _json(withdrawn_schema(urls.absolute(withdrawn_at))),
    }


def robots_txt(urls: Urls) -> bytes:
    """Every page may be indexed; pages that should not be say so themselves (``noindex``)."""
    lines = ["User-agent: *", "Allow: /"]
    if urls.site_url:
        # The sitemap line must be absolute; without a site URL there is none to give.
        lines.append(f"Sitemap: {urls.absolute('sitemap.xml')}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def security_txt(settings: Settings, urls: Urls) -> bytes | None:
    """RFC 9116 security.txt from the site settings; None when no contact is configured."""
    contact = settings.security_contact.strip()
    if not contact:
        return None
    if "://" not in contact and not contact.startswith(("mailto:", "tel:")):
        # A plain address is an e-mail address; the field must be a URI.
        contact = f"mailto:{contact}" if "@" in contact else f"https://{contact}"
    expires = settings.security_expires or settings.current_date() + timedelta(days=365)
    lines = [f"Contact: {contact}", f"Expires: {expires.isoformat()}T00:00:00Z"]
    languages = ", ".join(dict.fromkeys([settings.language.split("-")[0], "en"]))
    lines.append(f"Preferred-Languages: {languages}")
    if urls.site_url:
        lines.append(f"Canonical: {urls.absolute('.well-known/security.txt')}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def site_files(settings: Settings, urls: Urls) -> dict[str, bytes]:
    """robots.txt and, when configured, /.well-known/security.txt."""
    files = {"robots.txt": robots_txt(urls)}
    security = security_txt(settings, urls)
    if security is not None:
        files[".well-known/security.txt"] = security
    return files


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8")
