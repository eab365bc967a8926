"""Story photos as responsive pictures, and story cards: the pieces the pages are made of.

Cards are rendered once per story and folder depth, never once per list they appear in.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from markupsafe import Markup

from ..memo import CardEntry
from ..model import Story
from ..text import shorten
from .context import RenderContext

# A card is a third of the content on wide screens, half on tablets, the whole width on phones.
CARD_SIZES = "(min-width: 60em) 20rem, (min-width: 40em) 50vw, 100vw"
STORY_SIZES = "(min-width: 76.25em) 37rem, (min-width: 60em) 70vw, 100vw"


def picture(
    context: RenderContext,
    story: Story,
    src: str,
    alt: str,
    href: Callable[[str], str],
    assets: dict[str, Path],
    cover: bool = False,
    sizes: str = STORY_SIZES,
) -> str | None:
    """A responsive <picture> for a story photo; its files are added to ``assets``."""
    photo = context.photo_urls.photo(story, src)
    if photo is None:
        return None
    prefix = context.photo_urls.prefix(story, photo)
    for name in photo.files():
        assets[prefix + name] = photo.folder / name
    return context.templates.picture.render(
        photo=photo,
        fallback=photo.of_format("jpeg")[-1],
        prefix=prefix,
        href=href,
        alt=alt,
        cover=cover,
        sizes=sizes,
    )


class Cards:
    def __init__(self, context: RenderContext, made: dict[tuple[str, str, int], CardEntry]) -> None:
        self.context = context
        self.made = made  # (slug, link prefix, heading level) → the card, kept between builds

    def card(self, story: Story, from_url: str, heading: int = 2) -> str:
        context = self.context
        prefix = "../" * from_url.count("/")
        communities = context.catalogue.communities_of(story)
        cover = context.photo_urls.cover(story)
        names = (*(community.name for community in communities), cover.folder.name if cover else "")
        key = (story.slug, prefix, heading)
        known = self.made.get(key)
        # By value: a story unchanged since the last build is usually the same object (quick to see).
        if known is not None and known.communities == names:
            if known.story is story:
                return known.html
            if known.story == story:
                # Checked again but the same (a file that was too new to trust at the last build):
                # the entry takes this object, so the next build sees it at once.
                self.made[key] = CardEntry(story, names, known.html)
                return known.html

        def href(to_url: str) -> str:
            return prefix + to_url

        # The cover as the story page shows it (so the same rules decide whether it is shown), in
        # the small sizes a card needs; its files are published with the story page.
        shown = (
            picture(context, story, story.image.src, "", href, {}, sizes=CARD_SIZES) if story.image else None
        )
        # Links go through the site root, so a card is the same on every page at this depth.
        html = context.templates.card.render(
            story=story,
            communities=communities,
            href=href,
            heading=heading,
            summary=shorten(story.summary, context.settings.card_summary_length),
            picture=Markup(shown) if shown else "",
        )
        self.made[key] = CardEntry(story, names, html)
        return html

    def card_list(self, stories: list[Story], from_url: str, heading: int = 2) -> str:
        return "".join(self.card(story, from_url, heading) for story in stories)
