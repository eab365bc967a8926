"""Overview pages: all neighbourhoods, themes or communities, grouped by area or by letter."""

from __future__ import annotations

from .. import maps
from ..catalogue import Term
from ..model import Page, PageKind, TermKind
from ..text import DIGITS, initial, slugify
from .context import RenderContext, link

# The keys of their words in interface_texts.py.
OVERVIEW_TITLES = {
    TermKind.NEIGHBOURHOODS: "neighbourhoods",
    TermKind.THEMES: "themes",
    TermKind.COMMUNITIES: "communities",
}
# A longer list of communities gets a heading per letter and a row of letters to jump to.
LETTERS_FROM = 40


class OverviewPages:
    def __init__(self, context: RenderContext) -> None:
        self.context = context

    def overview_page(self, kind: TermKind, terms: list[Term]) -> Page:
        t = self.context.t
        url = self.context.urls.overview(kind)
        groups: dict[str, list[Term]] = {}
        for term in terms:
            area = term.entry.area if term.entry else ""
            groups.setdefault(area, []).append(term)
        if len(groups) > 1 and "" in groups:
            groups[t("other_area")] = groups.pop("")
        letters: dict[str, str] = {}
        if kind == TermKind.COMMUNITIES and len(terms) > LETTERS_FROM:
            groups, letters = self._by_letter(terms)
        content = self.context.templates.overview.render(
            title=t(OVERVIEW_TITLES[kind]),
            intro=t(f"{OVERVIEW_TITLES[kind]}_intro"),
            groups=groups,
            letters=letters,
            kind=kind,
            href=link(url),
            # Numbered in the order of the list, so the numbers read 1, 2, 3 … down the page.
            map=maps.draw(term for group in groups.values() for term in group)
            if kind == TermKind.NEIGHBOURHOODS
            else None,
        )
        title = t(OVERVIEW_TITLES[kind])
        return Page(url=url, title=title, content=content, kind=PageKind.OVERVIEW, in_nav=True)

    def _by_letter(self, terms: list[Term]) -> tuple[dict[str, list[Term]], dict[str, str]]:
        """Terms under their initial (digits first, then A–Z, then other scripts), and each
        heading's anchor."""
        other = self.context.t("other_names")
        groups: dict[str, list[Term]] = {}
        for term in terms:
            groups.setdefault(initial(term.name) or other, []).append(term)
        order = sorted(groups, key=lambda label: (label == other, label != DIGITS, label))
        groups = {label: groups[label] for label in order}
        return groups, {label: f"letter-{slugify(label, fallback='overig')}" for label in groups}
