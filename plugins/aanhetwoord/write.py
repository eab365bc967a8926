"""Write: the machine-readable files of the site (the JSON API), written beside the pages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .catalogue import Catalogue
from .model import Story
from .urls import Urls


def story_record(story: Story, urls: Urls, catalogue: Catalogue, site_language: str) -> dict[str, Any]:
    image = None
    if story.image:
        image = {"url": urls.absolute(urls.asset(story.slug, story.image.src)), "alt": story.image.alt}
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


def api_files(catalogue: Catalogue, urls: Urls, site_language: str) -> dict[str, bytes]:
    """Site-relative path → file content for every API file."""
    stories = [story_record(story, urls, catalogue, site_language) for story in catalogue.stories]
    withdrawn = [urls.server_path(urls.story(slug)) for slug in catalogue.withdrawn]
    return {
        urls.api("stories.json"): _json({"stories": stories}),
        urls.api("withdrawn.json"): _json({"paths": withdrawn}),
    }


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8")


def write_files(site_dir: Path, files: dict[str, bytes]) -> None:
    for relative, content in files.items():
        target = site_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
