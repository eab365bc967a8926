"""List pages: the story list, a page per neighbourhood, theme and community, and the home mix."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..catalogue import Term, community_activity, paginate
from ..model import Page, PageKind, Story, TermKind
from ..problems import Problem
from .cards import Cards
from .context import RenderContext, defer, link

# The keys of their words in interface_texts.py.
TERM_LABELS = {
    TermKind.NEIGHBOURHOODS: "neighbourhood",
    TermKind.THEMES: "theme",
    TermKind.COMMUNITIES: "community",
}


class ListPages:
    def __init__(self, context: RenderContext, cards: Cards, problems: list[Problem]) -> None:
        self.context = context
        self.cards = cards
        self.problems = problems  # shown above the story list in a preview build

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
        context, t = self.context, self.context.t
        chunks = paginate(stories, context.settings.per_page)
        # A community has no register entry: its page says where and since when it is active.
        communal = term is not None and term.kind == TermKind.COMMUNITIES
        activity = community_activity(context.catalogue, term) if communal else None
        for number, chunk in enumerate(chunks, start=1):
            url = base(number)
            href = link(url)
            deferred: dict[str, str] = {}
            pagination = {
                "page": number,
                "pages": len(chunks),
                "previous": href(base(number - 1)) if number > 1 else "",
                "next": href(base(number + 1)) if number < len(chunks) else "",
            }
            values = dict(
                title=title,
                intro=intro,
                cards=defer(deferred, self.cards.card_list(chunk, url)),
                count=len(stories),
                pagination=pagination,
                href=href,
                term=term,
                label=t(TERM_LABELS[term.kind]) if term else "",
                activity=activity,
                problems=self.problems if with_problems and number == 1 else [],
                previews=defer(deferred, self.cards.card_list(context.catalogue.previews, url))
                if with_problems and number == 1
                else "",
            )
            content = context.templates.term.render(**values)
            page_title = title if number == 1 else f"{title} ({t('page_of', page=number, pages=len(chunks))})"
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

    def story_list(self) -> Iterator[Page]:
        """All public stories, newest first; a preview build shows problems and previews too."""
        context = self.context
        yield from self.list_pages(
            base=lambda page: context.urls.stories(page),
            stories=context.catalogue.listed,
            title=context.t("stories"),
            intro=context.t("stories_intro"),
            in_nav=True,
            with_problems=context.settings.preview,
            feed="",
        )

    def term_pages(self, term: Term) -> Iterator[Page]:
        yield from self.list_pages(
            base=lambda page: self.context.urls.term(term.kind, term.slug, page),
            stories=term.stories,
            title=term.name,
            intro=term.entry.description if term.entry else "",
            term=term,
            feed=self.context.urls.term(term.kind, term.slug),
        )

    def home(self, from_url: str = "") -> str:
        """The story mix for the home page: pinned first, every neighbourhood its turn."""
        return self.context.templates.home.render(
            cards=self.cards.card_list(self.context.catalogue.home, from_url),
            href=link(from_url),
        )
