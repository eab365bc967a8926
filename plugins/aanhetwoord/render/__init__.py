"""Render: the pages of the site as HTML fragments, from the catalogue.

Every value from a story passes through Jinja's autoescaping and story Markdown through the
safe renderer, so no template can forget to escape. Cards are rendered once per story and
folder depth, never once per list they appear in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from markupsafe import Markup

from .. import maps, markdown
from ..catalogue import Catalogue, Term, paginate
from ..memo import CardEntry, Memo, RenderedText, StoryPageEntry, TextEntry
from ..model import Page, PageKind, Status, Story, TermKind
from ..photo_urls import PhotoUrls
from ..problems import Problem
from ..settings import Settings
from ..text import DIGITS, credit_caption, initial, shorten, slugify
from ..texts import Texts, language_name, text_direction
from ..urls import relative
from .environment import Templates, environment

# The keys of their words in texts.py.
OVERVIEW_TITLES = {
    TermKind.NEIGHBOURHOODS: "neighbourhoods",
    TermKind.THEMES: "themes",
    TermKind.COMMUNITIES: "communities",
}
TERM_LABELS = {
    TermKind.NEIGHBOURHOODS: "neighbourhood",
    TermKind.THEMES: "theme",
    TermKind.COMMUNITIES: "community",
}
# A card is a third of the content on wide screens, half on tablets, the whole width on phones.
CARD_SIZES = "(min-width: 60em) 20rem, (min-width: 40em) 50vw, 100vw"
# A longer list of communities gets a heading per letter and a row of letters to jump to.
LETTERS_FROM = 40


class Renderer:
    def __init__(
        self,
        settings: Settings,
        catalogue: Catalogue,
        problems: list[Problem],
        photo_urls: PhotoUrls,
        extra_templates: Path | None = None,
        memo: Memo | None = None,
    ) -> None:
        self.settings = settings
        # Story Markdown, cards and templates from earlier builds in this process (see memo.py).
        memo = memo or Memo()
        self.texts = memo.texts
        self.pages_memo = memo.story_pages
        self.catalogue = catalogue
        self.problems = problems
        self.photo_urls = photo_urls
        self.urls = photo_urls.urls
        self.t = Texts(settings.language)
        self.env = environment(settings, self.urls, self.t, extra_templates, memo.bytecode)
        self._templates = Templates.load(self.env)
        self._cards = memo.cards

    # Pieces -------------------------------------------------------------------------------

    def link(self, from_url: str) -> Callable[[str], str]:
        return lambda to_url: relative(from_url, to_url)

    def card(self, story: Story, from_url: str, heading: int = 2) -> str:
        prefix = "../" * from_url.count("/")
        communities = self.catalogue.communities_of(story)
        cover = self.photo_urls.cover(story)
        names = (*(community.name for community in communities), cover.folder.name if cover else "")
        key = (story.slug, prefix, heading)
        known = self._cards.get(key)
        # By value: a story unchanged since the last build is usually the same object (quick to see).
        if (
            known is not None
            and (known.story is story or known.story == story)
            and known.communities == names
        ):
            return known.html

        def href(to_url: str) -> str:
            return prefix + to_url

        # The cover as the story page shows it (so the same rules decide whether it is shown), in
        # the small sizes a card needs; its files are published with the story page.
        picture = (
            self.picture(story, story.image.src, "", href, {}, sizes=CARD_SIZES) if story.image else None
        )
        # Links go through the site root, so a card is the same on every page at this depth.
        html = self._templates.card.render(
            story=story,
            communities=communities,
            href=href,
            heading=heading,
            summary=shorten(story.summary, self.settings.card_summary_length),
            picture=Markup(picture) if picture else "",
        )
        self._cards[key] = CardEntry(story, names, html)
        return html

    def card_list(self, stories: list[Story], from_url: str, heading: int = 2) -> str:
        return "".join(self.card(story, from_url, heading) for story in stories)

    @staticmethod
    def defer(deferred: dict[str, str], html: str) -> Markup:
        """A placeholder for ``html``, which the engine inserts after search indexing."""
        if not html:
            return Markup("")
        key = f"<!--ahw-deferred-{len(deferred)}-->"
        deferred[key] = html
        return Markup(key)

    # Pages --------------------------------------------------------------------------------

    def pages(self) -> Iterator[Page]:
        catalogue = self.catalogue
        for story in catalogue.stories:
            yield self.story_page(story)
        for story in catalogue.previews:
            yield self.story_page(story, preview=True)
        for slug in catalogue.withdrawn:
            yield self.withdrawn_page(slug)
        yield from self.list_pages(
            base=lambda page: self.urls.stories(page),
            stories=catalogue.stories,
            title=self.t("stories"),
            intro=self.t("stories_intro"),
            in_nav=True,
            with_problems=self.settings.preview,
            feed="",
        )
        for kind, terms in catalogue.indexes():
            yield self.overview_page(kind, terms)
            for term in terms:
                yield from self.term_pages(term)

    def story_page(self, story: Story, preview: bool = False) -> Page:
        """A story's page; the same page as the build before when nothing it shows has changed."""
        url = self.urls.story(story.slug)
        translations = self.catalogue.translations.get(story.slug, [])
        communities = self.catalogue.communities_of(story)
        related = self.card_list(self.catalogue.related.get(story.slug, []), url, heading=3)
        cover = self.photo_urls.cover(story)
        # Stories compare by value, and one unchanged since the last build is the same object.
        key = (
            story,
            preview,
            tuple(translations),
            tuple((community.slug, community.name) for community in communities),
            related,
            cover.folder if cover else None,
            self.photo_urls.cards.get(story.slug),
        )
        known = self.pages_memo.get(story.slug)
        if known is not None and known.key == key:
            return known.page
        page = self._story_page(story, preview, url, translations, communities, related)
        self.pages_memo[story.slug] = StoryPageEntry(key, page)
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
        href = self.link(url)
        language = story.language or self.settings.language
        banner = ""
        if preview:
            banner = (
                self.t("embargo_banner", date=self.t.date(story.date))
                if story.status is Status.PUBLISHED
                else self.t("concept_banner")
            )
        assets: dict[str, Path] = {}
        deferred: dict[str, str] = {}
        cover = (
            self.picture(story, story.image.src, story.image.alt, href, assets, cover=True)
            if story.image
            else ""
        )
        text = self.story_text(story, href)
        assets.update(text.assets)
        # A preview is not published yet: a draft says so, an embargoed story says when it will be.
        if not preview:
            when = self.t("published")
        elif story.status is Status.PUBLISHED:
            when = self.t("planned")
        else:
            when = ""
        content = self._templates.story.render(
            story=story,
            href=href,
            url=url,
            cover=cover,
            communities=communities,
            neighbourhoods=self.catalogue.terms_of(story, TermKind.NEIGHBOURHOODS),
            themes=self.catalogue.terms_of(story, TermKind.THEMES),
            body=text.body,
            updates=list(zip(story.updates, text.updates, strict=True)),
            related=self.defer(deferred, related),
            translations=[
                (other, language_name(other.language or self.settings.language, self.settings.language))
                for other in translations
            ],
            language=language if language != self.settings.language else "",
            direction=text_direction(language),
            banner=banner,
            when=when,
            caption=credit_caption(story.image.credit, self.t("photo_credit"))
            if story.image and story.image.credit
            else "",
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
            image=self.photo_urls.social_image(story, assets),
            deferred=deferred,
            alternates=[
                (other.language or self.settings.language, self.urls.story(other.slug))
                for other in translations
            ],
        )

    def story_text(self, story: Story, href: Callable[[str], str]) -> RenderedText:
        """The story's body and updates as HTML, rendered once per text and photo set."""
        photos = tuple(
            (name, photo.folder if (photo := self.photo_urls.photos.get(story.folder / name)) else None)
            for name in story.assets
        )
        key = (story.body, tuple(update.text for update in story.updates), photos)
        known = self.texts.get(story.slug)
        if known is not None and known.key == key:
            story.body_tokens = None  # not needed: the HTML is known
            return known.text
        assets: dict[str, Path] = {}

        def inline(src: str, alt: str) -> str:
            # A photo that was not processed may not be published (no consent): left out, never
            # a link to a file the site does not have.
            return self.picture(story, src, alt, href, assets) or ""

        body = markdown.render(story.body, inline, self._take_tokens(story))
        updates = tuple(markdown.render(update.text, inline) for update in story.updates)
        text = RenderedText(body, updates, tuple(assets.items()))
        self.texts[story.slug] = TextEntry(key, text)
        return text

    def picture(
        self,
        story: Story,
        src: str,
        alt: str,
        href: Callable[[str], str],
        assets: dict[str, Path],
        cover: bool = False,
        sizes: str = "(min-width: 76.25em) 37rem, (min-width: 60em) 70vw, 100vw",
    ) -> str | None:
        """A responsive <picture> for a story photo; its files are added to ``assets``."""
        photo = self.photo_urls.photo(story, src)
        if photo is None:
            return None
        prefix = self.photo_urls.prefix(story, photo)
        for name in photo.files():
            assets[prefix + name] = photo.folder / name
        return self._templates.picture.render(
            photo=photo,
            fallback=photo.of_format("jpeg")[-1],
            prefix=prefix,
            href=href,
            alt=alt,
            cover=cover,
            sizes=sizes,
        )

    @staticmethod
    def _take_tokens(story: Story) -> list | None:
        """The validator's parse of the body, once: rendering changes the tokens."""
        tokens, story.body_tokens = story.body_tokens, None
        return tokens

    def withdrawn_page(self, slug: str) -> Page:
        url = self.urls.story(slug)
        content = self._templates.withdrawn.render(href=self.link(url))
        return Page(
            url=url,
            title=self.t("withdrawn_title"),
            content=content,
            kind=PageKind.WITHDRAWN,
            indexable=False,
        )

    def list_pages(
        self,
        base: Callable[[int], str],
        stories: list[Story],
        title: str,
        intro: str,
        *,
        term: Term | None = None,
        in_nav: bool = False,
        with_problems: bool = False,
        feed: str | None = None,
    ) -> Iterator[Page]:
        chunks = paginate(stories, self.settings.per_page)
        for number, chunk in enumerate(chunks, start=1):
            url = base(number)
            href = self.link(url)
            deferred: dict[str, str] = {}
            pagination = {
                "page": number,
                "pages": len(chunks),
                "previous": href(base(number - 1)) if number > 1 else "",
                "next": href(base(number + 1)) if number < len(chunks) else "",
            }
            context = dict(
                title=title,
                intro=intro,
                cards=self.defer(deferred, self.card_list(chunk, url)),
                count=len(stories),
                pagination=pagination,
                href=href,
                term=term,
                label=self.t(TERM_LABELS[term.kind]) if term else "",
                problems=self.problems if with_problems and number == 1 else [],
                previews=self.defer(deferred, self.card_list(self.catalogue.previews, url))
                if with_problems and number == 1
                else "",
            )
            content = self._templates.term.render(**context)
            page_title = (
                title if number == 1 else f"{title} ({self.t('page_of', page=number, pages=len(chunks))})"
            )
            yield Page(
                url=url,
                title=page_title,
                content=content,
                kind=PageKind.TERM if term else PageKind.LIST,
                description=(term.entry.description if term and term.entry else intro),
                in_nav=in_nav and number == 1,
                searchable=number == 1,
                deferred=deferred,
                feed=feed,
            )

    def overview_page(self, kind: TermKind, terms: list[Term]) -> Page:
        url = self.urls.overview(kind)
        groups: dict[str, list[Term]] = {}
        for term in terms:
            area = term.entry.area if term.entry else ""
            groups.setdefault(area, []).append(term)
        if len(groups) > 1 and "" in groups:
            groups[self.t("other_area")] = groups.pop("")
        letters: dict[str, str] = {}
        if kind == TermKind.COMMUNITIES and len(terms) > LETTERS_FROM:
            groups, letters = self._by_letter(terms)
        content = self._templates.overview.render(
            title=self.t(OVERVIEW_TITLES[kind]),
            intro=self.t(f"{OVERVIEW_TITLES[kind]}_intro"),
            groups=groups,
            letters=letters,
            kind=kind,
            href=self.link(url),
            # Numbered in the order of the list, so the numbers read 1, 2, 3 … down the page.
            map=maps.draw(term for group in groups.values() for term in group)
            if kind == TermKind.NEIGHBOURHOODS
            else None,
        )
        return Page(
            url=url, title=self.t(OVERVIEW_TITLES[kind]), content=content, kind=PageKind.OVERVIEW, in_nav=True
        )

    def _by_letter(self, terms: list[Term]) -> tuple[dict[str, list[Term]], dict[str, str]]:
        """Terms under their initial (digits first, then A–Z, then other scripts), and each
        heading's anchor."""
        other = self.t("other_names")
        groups: dict[str, list[Term]] = {}
        for term in terms:
            groups.setdefault(initial(term.name) or other, []).append(term)
        order = sorted(groups, key=lambda label: (label == other, label != DIGITS, label))
        groups = {label: groups[label] for label in order}
        return groups, {label: f"letter-{slugify(label, fallback='overig')}" for label in groups}

    def term_pages(self, term: Term) -> Iterator[Page]:
        yield from self.list_pages(
            base=lambda page: self.urls.term(term.kind, term.slug, page),
            stories=term.stories,
            title=term.name,
            intro=term.entry.description if term.entry else "",
            term=term,
            feed=self.urls.term(term.kind, term.slug),
        )

    def home(self, from_url: str = "") -> str:
        """The story mix for the home page: pinned first, every neighbourhood its turn."""
        return self._templates.home.render(
            cards=self.card_list(self.catalogue.home, from_url),
            href=self.link(from_url),
        )
