"""Catalogue: which stories are public, the indexes, related stories and the home page mix.

A story and its translations are one story wherever stories are listed or counted: lists,
indexes, related stories, feeds and the home page show one version of them (see
``_translation_groups``); every version keeps its own page.

Everything here is computed once per build as plain dictionaries and lists; pages only read
it. Sorting is deterministic (date, then slug) so two builds give the same site.
"""

from __future__ import annotations

import heapq
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from .communities import community_key, community_slugs, display_names
from .model import RegisterEntry, Status, Story, TermKind
from .registers import Register
from .text import match_key


@dataclass
class Term:
    """One entry of an index: a neighbourhood, a theme or a community, with its stories."""

    kind: TermKind
    slug: str
    name: str
    entry: RegisterEntry | None = None
    stories: list[Story] = field(default_factory=list)  # newest first


@dataclass
class Catalogue:
    stories: list[Story]  # public stories, newest first, every version of a translated story
    previews: list[Story]  # drafts and embargoed stories, for a preview build only
    withdrawn: list[str]  # slugs of withdrawn stories
    neighbourhoods: list[Term]
    themes: list[Term]
    communities: list[Term]
    home: list[Story]
    related: dict[str, list[Story]]
    translations: dict[str, list[Story]]  # slug → its translations and original
    # Public stories, newest first, a story and its translations once (as the version that
    # stands for them all): what lists, feeds and the home page show.
    listed: list[Story] = field(default_factory=list)
    # Slug → the slug of the version that stands for it and its translations (itself when it
    # has none): public stories only.
    group_of: dict[str, str] = field(default_factory=dict)
    _communities_by_key: dict[str, Term] = field(default_factory=dict, repr=False)
    _terms_by_slug: dict[tuple[TermKind, str], Term] = field(default_factory=dict, repr=False)
    _slugs: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str]]] = field(
        default_factory=dict, repr=False
    )

    def communities_of(self, story: Story) -> list[Term]:
        keys = dict.fromkeys(community_key(name) for name in story.communities)
        return [self._communities_by_key[key] for key in keys]

    def term_slugs(self, story: Story) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        """The story's community, neighbourhood and theme slugs, worked out once per story."""
        slugs = self._slugs.get(story.slug)
        if slugs is None:
            slugs = self._slugs[story.slug] = (
                frozenset(term.slug for term in self.communities_of(story)),
                frozenset(entry.slug for entry in story.neighbourhoods),
                frozenset(entry.slug for entry in story.themes),
            )
        return slugs

    def term(self, kind: TermKind, slug: str) -> Term:
        return self._terms_by_slug[(kind, slug)]

    def terms_of(self, story: Story, kind: TermKind) -> list[Term]:
        if kind == TermKind.COMMUNITIES:
            return self.communities_of(story)
        entries = story.neighbourhoods if kind == TermKind.NEIGHBOURHOODS else story.themes
        return [self._terms_by_slug[(kind, entry.slug)] for entry in entries]

    def indexes(self) -> Iterator[tuple[TermKind, list[Term]]]:
        yield TermKind.NEIGHBOURHOODS, self.neighbourhoods
        yield TermKind.THEMES, self.themes
        yield TermKind.COMMUNITIES, self.communities


@dataclass(frozen=True)
class Activity:
    """Where and since when a community tells stories, read from its public stories alone."""

    since: date  # the date of its oldest public story
    neighbourhoods: list[Term]  # in register order
    themes: list[Term]  # in register order


def community_activity(catalogue: Catalogue, community: Term) -> Activity | None:
    """The community's activity; None while it has no public story (a preview build lists those
    communities too)."""
    if not community.stories:
        return None
    # Every public version of its stories counts, translations included: they are one story.
    versions = [
        version
        for story in community.stories
        for version in (story, *catalogue.translations.get(story.slug, ()))
    ]
    neighbourhoods = {entry.slug for story in versions for entry in story.neighbourhoods}
    themes = {entry.slug for story in versions for entry in story.themes}
    return Activity(
        since=min(story.date for story in versions),
        neighbourhoods=[term for term in catalogue.neighbourhoods if term.slug in neighbourhoods],
        themes=[term for term in catalogue.themes if term.slug in themes],
    )


def _newest_first(story: Story) -> tuple[date, str]:
    return story.date, story.slug


def build_catalogue(
    stories: Iterable[Story],
    neighbourhoods: Register,
    themes: Register,
    today: date,
    *,
    preview: bool = False,
    home_count: int = 9,
    related_min: int = 3,
    related_max: int = 6,
) -> Catalogue:
    public: list[Story] = []
    previews: list[Story] = []
    withdrawn: list[str] = []
    for story in stories:
        if story.status is Status.WITHDRAWN:
            withdrawn.append(story.slug)
        elif story.is_public(today):
            public.append(story)
        elif preview:
            previews.append(story)
    public.sort(key=_newest_first, reverse=True)
    previews.sort(key=_newest_first, reverse=True)

    terms_by_slug: dict[tuple[TermKind, str], Term] = {}
    register_terms: dict[TermKind, list[Term]] = {}
    for kind, register in ((TermKind.NEIGHBOURHOODS, neighbourhoods), (TermKind.THEMES, themes)):
        register_terms[kind] = [Term(kind, entry.slug, entry.name, entry) for entry in register.entries]
        terms_by_slug.update(((kind, term.slug), term) for term in register_terms[kind])

    communities_by_key = _communities(itertools.chain(public, previews))
    terms_by_slug.update(((TermKind.COMMUNITIES, term.slug), term) for term in communities_by_key.values())

    group_of = _translation_groups(public)
    for story in public:
        for entry in story.neighbourhoods:
            terms_by_slug[(TermKind.NEIGHBOURHOODS, entry.slug)].stories.append(story)
        for entry in story.themes:
            terms_by_slug[(TermKind.THEMES, entry.slug)].stories.append(story)
        for key in dict.fromkeys(community_key(name) for name in story.communities):
            communities_by_key[key].stories.append(story)
    for term in terms_by_slug.values():
        term.stories = _once_per_group(term.stories, group_of)

    # Communities are listed alphabetically: all are equal, however many stories they tell.
    communities = sorted(
        (term for term in communities_by_key.values() if term.stories or preview),
        key=lambda term: (match_key(term.name), term.slug),
    )
    catalogue = Catalogue(
        stories=public,
        previews=previews,
        withdrawn=sorted(withdrawn),
        neighbourhoods=register_terms[TermKind.NEIGHBOURHOODS],
        themes=register_terms[TermKind.THEMES],
        communities=communities,
        home=[],
        related={},
        translations={},
        listed=[story for story in public if group_of[story.slug] == story.slug],
        group_of=group_of,
        _communities_by_key=communities_by_key,
        _terms_by_slug=terms_by_slug,
    )
    catalogue.home = home_mix(catalogue.listed, home_count)
    catalogue.related = {
        story.slug: related_stories(catalogue, story, related_min, related_max)
        for story in itertools.chain(public, previews)
    }
    catalogue.translations = _translations(public, group_of)
    return catalogue


def _translation_groups(stories: list[Story]) -> dict[str, str]:
    """Each public story's group: the story, the story it translates, that story's other
    translations, and so on. The group is named after the version that stands for it: the
    original (a story that translates no public story), else the oldest version."""
    by_slug = {story.slug: story for story in stories}
    parent = {slug: slug for slug in by_slug}

    def root(slug: str) -> str:
        while parent[slug] != slug:
            parent[slug] = parent[parent[slug]]
            slug = parent[slug]
        return slug

    for story in stories:
        if story.translation_of in by_slug:
            parent[root(story.slug)] = root(story.translation_of)
    members: dict[str, list[Story]] = defaultdict(list)
    for story in stories:
        members[root(story.slug)].append(story)
    group_of: dict[str, str] = {}
    for group in members.values():
        chosen = min(group, key=lambda story: (story.translation_of in by_slug, story.date, story.slug))
        group_of.update((story.slug, chosen.slug) for story in group)
    return group_of


def _once_per_group(stories: list[Story], group_of: dict[str, str]) -> list[Story]:
    """One version per group, keeping the order: the one that stands for the group when it is
    among ``stories``, else the first."""
    present = {story.slug for story in stories}
    shown: set[str] = set()
    kept = []
    for story in stories:
        group = group_of[story.slug]
        if group in shown or (group != story.slug and group in present):
            continue
        shown.add(group)
        kept.append(story)
    return kept


def _communities(stories: Iterable[Story]) -> dict[str, Term]:
    """One community per name key, at an address made from the key alone (see communities.py)."""
    names = display_names(stories)
    slugs = community_slugs(sorted(names))
    return {key: Term(TermKind.COMMUNITIES, slugs[key], name) for key, name in names.items()}


def home_mix(stories: list[Story], count: int) -> list[Story]:
    """Pinned stories first, then recent stories spread over the neighbourhoods.

    A neighbourhood appears a second time only when no other neighbourhood has a
    story left to show, so the busiest neighbourhoods cannot fill the home page.
    """
    chosen = [story for story in stories if story.pinned][:count]
    remaining = [story for story in stories if not story.pinned]
    while len(chosen) < count and remaining:
        shown: set[str] = set()
        skipped = []
        for story in remaining:
            slugs = {entry.slug for entry in story.neighbourhoods}
            if len(chosen) < count and not slugs & shown:
                chosen.append(story)
                shown |= slugs
            else:
                skipped.append(story)
        remaining = skipped if len(chosen) < count else []
    return chosen


def related_stories(catalogue: Catalogue, story: Story, minimum: int, maximum: int) -> list[Story]:
    """Same community first, then neighbourhood, then theme; then the most recent.

    Only the newest few candidates of each index are scored, which keeps the work per
    story constant however large a neighbourhood grows.
    """
    pool = maximum * 2
    own = catalogue.term_slugs(story)

    # The story's own translations are linked on its page, not offered as more stories.
    # A story and its translations are offered once (keyed by their group).
    group_of = catalogue.group_of
    own_group = group_of.get(story.slug, story.slug)

    def other_story(other: Story) -> bool:
        return other.slug != story.slug and group_of.get(other.slug, other.slug) != own_group

    candidates: dict[str, Story] = {}
    for kind in (TermKind.COMMUNITIES, TermKind.NEIGHBOURHOODS, TermKind.THEMES):
        lists = [term.stories for term in catalogue.terms_of(story, kind)]
        taken = 0
        for other in heapq.merge(*lists, key=_newest_first, reverse=True):
            group = group_of.get(other.slug, other.slug)  # looked up once: this loop is hot
            if group == own_group or other.slug == story.slug or group in candidates:
                continue
            candidates[group] = other
            taken += 1
            if taken >= pool:
                break

    def score(other: Story) -> tuple[bool, bool, bool, date, str]:
        theirs = catalogue.term_slugs(other)
        return (
            not own[0].isdisjoint(theirs[0]),
            not own[1].isdisjoint(theirs[1]),
            not own[2].isdisjoint(theirs[2]),
            other.date,
            other.slug,
        )

    related = sorted(candidates.values(), key=score, reverse=True)[:maximum]
    if len(related) < minimum:
        shown = {group_of.get(other.slug, other.slug) for other in related}
        related += [
            other
            for other in catalogue.listed
            if other_story(other) and group_of.get(other.slug, other.slug) not in shown
        ][: minimum - len(related)]
    return related


def _translations(stories: list[Story], group_of: dict[str, str]) -> dict[str, list[Story]]:
    """Each version of a translated story links to all its other versions: the one that stands
    for them first, then the others by language."""
    groups: dict[str, list[Story]] = defaultdict(list)
    for story in stories:
        groups[group_of[story.slug]].append(story)
    links: dict[str, list[Story]] = {}
    for group, members in groups.items():
        if len(members) < 2:
            continue
        members.sort(key=lambda story: (story.slug != group, story.language, story.slug))
        for story in members:
            links[story.slug] = [other for other in members if other is not story]
    return links


def paginate(items: list[Story], per_page: int) -> list[list[Story]]:
    """Pages of ``per_page`` stories; an empty list still has one (empty) page."""
    return [items[start : start + per_page] for start in range(0, len(items), per_page)] or [[]]
