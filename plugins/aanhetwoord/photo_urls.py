"""Photo URLs: where a story's processed photos, cover and link-preview card are published.

One service for the story pages, the feeds and the API, so they all point at the same files:
the processed photos, never the originals, under a name that changes when the photo does.
"""

from __future__ import annotations

from pathlib import Path

from .model import Story
from .photos import Photo
from .urls import Urls
from .validate import asset_name


class PhotoUrls:
    def __init__(
        self, urls: Urls, photos: dict[Path, Photo] | None = None, cards: dict[str, Path] | None = None
    ):
        self.urls = urls
        self.photos = photos or {}
        self.cards = cards or {}  # slug → link-preview card of a story without a cover photo

    def photo(self, story: Story, src: str) -> Photo | None:
        """The processed photo ``src`` (as written in the story); None when it may not be shown."""
        return self.photos.get(story.folder / asset_name(src))

    def cover(self, story: Story) -> Photo | None:
        return self.photo(story, story.image.src) if story.image else None

    def prefix(self, story: Story, photo: Photo) -> str:
        """The start of the URL of each of the photo's files.

        The cache key in the file name makes every published photo URL unique and immutable."""
        return f"{self.urls.asset(story.slug, photo.folder.name[:12])}-"

    def cover_url(self, story: Story) -> str:
        """Site-relative URL of the largest JPEG of the story's cover, or "" without one.

        The file is published with the story page, never the original."""
        photo = self.cover(story)
        if photo is None:
            return ""
        return self.prefix(story, photo) + photo.of_format("jpeg")[-1].file

    def social_image(self, story: Story, assets: dict[str, Path]) -> str:
        """The image a link preview shows: the cover, or else the story's card (added to ``assets``)."""
        photo = self.cover(story)
        if photo is not None:
            return self.prefix(story, photo) + photo.social
        card = self.cards.get(story.slug)
        if card is None:
            return ""
        url = self.urls.asset(story.slug, f"social-{card.stem[:12]}.jpg")
        assets[url] = card
        return url
