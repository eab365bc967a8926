"""From the stories to the report: read them as the site does, with drafts visible, and count."""

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import replace
from datetime import date

from ... import pipeline
from ...catalogue import Catalogue, Term, build_catalogue
from ...model import Status, Story
from ...problems import display_path
from ...settings import Settings
from ...text import match_key
from .model import Count, Report, StoryLine

QUIET_MONTHS = 6
CONSENT_YEARS = 2
MONTHS_SHOWN = 24
# How many stories a community told, in the groups staff think in: one voice, a few, many.
SPREAD_GROUPS = (
    (1, 1, "1 verhaal"),
    (2, 2, "2 verhalen"),
    (3, 5, "3 tot 5 verhalen"),
    (6, None, "6 of meer"),
)


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier; the 31st becomes the last day of a shorter month."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def make_report(
    settings: Settings,
    *,
    quiet_months: int = QUIET_MONTHS,
    consent_years: int = CONSENT_YEARS,
    months: int = MONTHS_SHOWN,
    today: date | None = None,
    photos: bool = True,
) -> Report:
    """Read every story as the site does and count what staff need to see.

    ``photos`` also decodes the photos (through the build's cache), so the report names the
    same problems as ``aanhetwoord check`` and counts only stories that can be published.
    """
    if today is not None:
        settings = replace(settings, today=today)
    today = settings.current_date()
    checked = pipeline.check(settings)
    if photos:
        checked = pipeline.check_photos(settings, checked)
    catalogue = build_catalogue(
        checked.stories,
        checked.registers.neighbourhoods,
        checked.registers.themes,
        today,
        preview=True,  # drafts and embargoed stories are part of the editors' work
        home_count=settings.home_count,
        related_min=settings.related_min,
        related_max=settings.related_max,
    )
    quiet_since = months_before(today, quiet_months)
    consent_before = months_before(today, 12 * consent_years)

    def line(story: Story) -> StoryLine:
        return StoryLine(
            slug=story.slug,
            title=story.title,
            date=story.date,
            path=display_path(story.source, settings.root),
            communities=story.communities,
            neighbourhoods=tuple(entry.name for entry in story.neighbourhoods),
            consent_date=story.consent.date if story.consent else None,
            consent_reference=story.consent.reference if story.consent else "",
        )

    previews = catalogue.previews
    embargoed = sorted(
        (story for story in previews if story.status is Status.PUBLISHED), key=lambda s: (s.date, s.slug)
    )
    drafts = sorted(
        (story for story in previews if story.status is Status.DRAFT), key=lambda s: (s.date, s.slug)
    )
    # Withdrawn stories are out of this list: their consent no longer covers anything on the site.
    aged = sorted(
        (
            story
            for story in [*catalogue.stories, *previews]
            if story.consent is not None and story.consent.date < consent_before
        ),
        key=lambda s: (s.consent.date if s.consent else date.min, s.slug),
    )
    communities = [
        _count(term, quiet_since, [])
        for term in catalogue.communities
        if term.stories  # communities that only have drafts appear in the lists below
    ]
    return Report(
        today=today,
        quiet_months=quiet_months,
        quiet_since=quiet_since,
        consent_years=consent_years,
        consent_before=consent_before,
        published=len(catalogue.stories),
        neighbourhoods=_quiet_first(
            [
                _count(term, quiet_since, _upcoming(previews, term.slug, neighbourhoods=True))
                for term in catalogue.neighbourhoods
            ]
        ),
        themes=_quiet_first(
            [
                _count(term, quiet_since, _upcoming(previews, term.slug, neighbourhoods=False))
                for term in catalogue.themes
            ]
        ),
        communities=communities,
        spread=_spread(communities),
        months=_months(catalogue, today, months),
        embargoed=[line(story) for story in embargoed],
        drafts=[line(story) for story in drafts],
        consent_renewal=[line(story) for story in aged],
        withdrawn=len(catalogue.withdrawn),
        problems=list(checked.problems),
    )


def _count(term: Term, since: date, upcoming: list[Story]) -> Count:
    return Count(
        slug=term.slug,
        name=term.name,
        stories=len(term.stories),
        recent=sum(story.date >= since for story in term.stories),
        last=term.stories[0].date if term.stories else None,
        upcoming=len(upcoming),
        area=term.entry.area if term.entry else "",
    )


def _upcoming(previews: list[Story], slug: str, *, neighbourhoods: bool) -> list[Story]:
    return [
        story
        for story in previews
        if slug in {entry.slug for entry in (story.neighbourhoods if neighbourhoods else story.themes)}
    ]


def _quiet_first(rows: list[Count]) -> list[Count]:
    """No story at all first, then no recent story, then the fewest recent stories."""
    return sorted(rows, key=lambda row: (row.recent, row.stories, match_key(row.name), row.slug))


def _spread(communities: list[Count]) -> list[tuple[str, int]]:
    return [
        (label, sum(1 for row in communities if low <= row.stories and (high is None or row.stories <= high)))
        for low, high, label in SPREAD_GROUPS
    ]


def _months(catalogue: Catalogue, today: date, count: int) -> list[tuple[date, int]]:
    """Stories per month for the last ``count`` months, empty months included: gaps are the point."""
    per_month = Counter((story.date.year, story.date.month) for story in catalogue.stories)
    months = [months_before(today.replace(day=1), back) for back in range(count - 1, -1, -1)]
    return [(month, per_month[(month.year, month.month)]) for month in months]
