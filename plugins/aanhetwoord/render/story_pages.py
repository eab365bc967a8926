"""Story pages: a story with its photos, updates, related stories and translations.

A story's page is the same page as the build before when nothing it shows has changed, and its
Markdown is rendered once per text and photo set (see memo.py).
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path

from markupsafe import Markup

from ..catalogue import Term
from ..interface_texts import language_name, text_direction
from ..memo import Memo, RenderedText, StoryPageEntry, TextEntry, render_text, text_key
from ..model import Page, PageKind, SearchEntry, Status, Story, TermKind
from ..text import credit_caption
from .cards import Cards, picture
from .context import RenderContext, defer, link


class StoryPages:
    def __init__(self, context: RenderContext, cards: Cards, memo: Memo) -> None:
        self.context = context
        self.cards = cards
        self.texts = memo.texts
        self.made = memo.story_pages

    def story_page(self, story: Story, preview: bool = False) -> Page:
        """A story's page; the same page as the build before when nothing it shows has changed."""
        context = self.context
        url = context.urls.story(story.slug)
        translations = context.catalogue.translations.get(story.slug, [])
        communities = context.catalogue.communities_of(story)
        related = self.cards.card_list(context.catalogue.related.get(story.slug, []), url, heading=3)
        cover = context.photo_urls.cover(story)
        # Stories compare by value, and one unchanged since the last build is the same object.
        key = (
            story,
            preview,
            tuple(translations),
            tuple((community.slug, community.name) for community in communities),
            related,
            cover.folder if cover else None,
            context.photo_urls.cards.get(story.slug),
        )
        known = self.made.get(story.slug)
        if known is not None and known.key == key:
            if known.key[0] is not story:  # the same by value: keep this object, quicker to compare
                self.made[story.slug] = StoryPageEntry(key, known.page)
            return known.page
        page = self._story_page(story, preview, url, translations, communities, related)
        self.made[story.slug] = StoryPageEntry(key, page)
        return page

    def _story_page(
        self,
        story: Story,
        preview: bool,
        url: str,
        translations: list[Story],
        communities: list[Term],
        related: str,
    ) -> Page:
        context = self.context
        settings, t = context.settings, context.t
        href = link(url)
        language = story.language or settings.language
        banner = ""
        if preview:
            banner = (
                t("embargo_banner", date=t.date(story.date))
                if story.status is Status.PUBLISHED
                else t("concept_banner")
            )
        assets: dict[str, Path] = {}
        deferred: dict[str, str] = {}
        cover = (
            picture(context, story, story.image.src, story.image.alt, href, assets, cover=True)
            if story.image
            else ""
        )
        text = self.story_text(story, href)
        credit = story.image.credit.strip() if story.image else ""
        assets.update(text.assets)
        # A preview is not published yet: a draft says so, an embargoed story says when it will be.
        if not preview:
            when = t("published")
        elif story.status is Status.PUBLISHED:
            when = t("planned")
        else:
            when = ""
        content = context.templates.story.render(
            story=story,
            href=href,
            url=url,
            cover=cover,
            communities=communities,
            neighbourhoods=context.catalogue.terms_of(story, TermKind.NEIGHBOURHOODS),
            themes=context.catalogue.terms_of(story, TermKind.THEMES),
            body=text.body,
            updates=list(zip(story.updates, text.updates, strict=True)),
            related=defer(deferred, related),
            translations=[
                (other, language_name(other.language or settings.language, settings.language))
                for other in translations
            ],
            language=language if language != settings.language else "",
            direction=text_direction(language),
            ui=Markup(' lang="{}" dir="{}"').format(settings.language, text_direction(settings.language))
            if language != settings.language
            else "",
            banner=banner,
            when=when,
            credit=credit,
            credit_label=t("photo_credit") if credit and credit_caption(credit, "") != credit else "",
        )
        return Page(
            url=url,
            title=story.title,
            content=content,
            kind=PageKind.STORY,
            description=story.summary,
            preview_only=preview,
            indexable=not preview,
            language=language,
            assets=assets,
            image=context.photo_urls.social_image(story, assets),
            deferred=deferred,
            alternates=self._alternates(story, translations),
            search=None if preview else self._search(story, text, communities, when),
        )

    def _search(
        self, story: Story, text: RenderedText, communities: list[Term], when: str
    ) -> tuple[SearchEntry, ...]:
        """The story's results in the site's search, made from what its page shows: who speaks,
        who told it, where and about what, the text, and the updates as a part of their own."""
        context = self.context
        t = context.t

        def line(*words: str) -> str:
            return "<p>" + escape(" ".join(word for word in words if word), quote=False) + "</p>"

        def names(kind: TermKind) -> str:
            return ", ".join(term.name for term in context.catalogue.terms_of(story, kind))

        facts = [
            line(f"{t('speaker')}:", " & ".join(community.name for community in communities)),
            line(t("told_by"), ", ".join(story.storytellers) + ".") if story.storytellers else "",
            line(t("recorded_by"), f"{story.recorded_by}.") if story.recorded_by else "",
            line(when, t.date(story.date)),
            line(t("in_neighbourhood"), names(TermKind.NEIGHBOURHOODS)),
            line(t("about_theme"), names(TermKind.THEMES)),
        ]
        entries = [
            SearchEntry(
                "", escape(story.title, quote=False), " ".join(filter(None, [*facts, text.body_text]))
            )
        ]
        if story.updates:
            updates = " ".join(
                line(t.date(update.date)) + " " + words
                for update, words in zip(story.updates, text.update_texts, strict=True)
            )
            entries.append(SearchEntry("ahw-updates", escape(t("updates"), quote=False), updates))
        return tuple(entries)

    def _alternates(self, story: Story, translations: list[Story]) -> list[tuple[str, str]]:
        """Every version of the story, this one included, at its full address; the version in the
        site's language (else the one that stands for them all) is the default for other readers."""
        if not translations:
            return []
        context = self.context
        site_language = context.settings.language
        versions = sorted(
            [story, *translations], key=lambda other: (other.language or site_language, other.slug)
        )
        default = next(
            (other for other in versions if (other.language or site_language) == site_language),
            None,
        )
        if default is None:
            group = context.catalogue.group_of.get(story.slug, story.slug)
            default = next((other for other in versions if other.slug == group), versions[0])
        return [
            *(
                (other.language or site_language, context.urls.absolute(context.urls.story(other.slug)))
                for other in versions
            ),
            ("x-default", context.urls.absolute(context.urls.story(default.slug))),
        ]

    def story_text(self, story: Story, href: Callable[[str], str]) -> RenderedText:
        """The story's body and updates as HTML, rendered once per text and photo set."""
        context = self.context
        photos = tuple(
            (name, photo.folder if (photo := context.photo_urls.photos.get(story.folder / name)) else None)
            for name in story.assets
        )
        key = text_key(story, photos)
        known = self.texts.get(story.slug)
        if known is not None and known.key == key:
            return known.text
        assets: dict[str, Path] = {}

        def inline(src: str, alt: str) -> str:
            # A photo that was not processed may not be published (no consent): left out, never
            # a link to a file the site does not have.
            return picture(context, story, src, alt, href, assets) or ""

        text = render_text(story, inline, assets)
        self.texts[story.slug] = TextEntry(key, text)
        return text

    def withdrawn_page(self, slug: str) -> Page:
        url = self.context.urls.story(slug)
        content = self.context.templates.withdrawn.render(href=link(url))
        return Page(
            url=url,
            title=self.context.t("withdrawn_title"),
            content=content,
            kind=PageKind.WITHDRAWN,
            indexable=False,
        )
