"""Render: the pages of the site as HTML fragments, from the catalogue.

Every value from a story passes through Jinja's autoescaping and story Markdown through the
safe renderer, so no template can forget to escape. The parts live in their own modules:
``environment`` (Jinja), ``cards`` (pictures and story cards), ``story_pages``, ``lists`` and
``overviews``; :class:`Renderer` puts them together for a build.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..catalogue import Catalogue
from ..interface_texts import Texts
from ..memo import CompiledTemplates, Memo
from ..model import Page
from ..photo_urls import PhotoUrls
from ..problems import Problem
from ..settings import Settings
from .cards import Cards
from .context import RenderContext
from .environment import Templates, environment
from .lists import ListPages
from .overviews import OverviewPages
from .story_pages import StoryPages


class Renderer:
    def __init__(
        self,
        settings: Settings,
        catalogue: Catalogue,
        problems: list[Problem],
        photo_urls: PhotoUrls,
        extra_templates: Path | None = None,
        memo: Memo | None = None,
        compiled: CompiledTemplates | None = None,
    ) -> None:
        # Story Markdown, cards and templates from earlier builds in this process (see memo.py).
        memo = memo or Memo()
        self.settings = settings
        self.catalogue = catalogue
        self.photo_urls = photo_urls
        self.urls = photo_urls.urls
        self.t = Texts(settings.language)
        self.env = environment(settings, self.urls, self.t, extra_templates, compiled or memo.bytecode)
        context = RenderContext(settings, catalogue, photo_urls, self.t, Templates.load(self.env))
        self.cards = Cards(context, memo.cards)
        self.stories = StoryPages(context, self.cards, memo)
        self.lists = ListPages(context, self.cards, problems)
        self.overviews = OverviewPages(context)

    def pages(self) -> Iterator[Page]:
        catalogue = self.catalogue
        for story in catalogue.stories:
            yield self.stories.story_page(story)
        for story in catalogue.previews:
            yield self.stories.story_page(story, preview=True)
        for slug in catalogue.withdrawn:
            yield self.stories.withdrawn_page(slug)
        yield from self.lists.story_list()
        for kind, terms in catalogue.indexes():
            yield self.overviews.overview_page(kind, terms)
            for term in terms:
                yield from self.lists.term_pages(term)

    def home(self, from_url: str = "") -> str:
        """The story mix for the home page: pinned first, every neighbourhood its turn."""
        return self.lists.home(from_url)
