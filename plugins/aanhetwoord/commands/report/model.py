"""The report as data: counts per neighbourhood, theme and community, and the editors' lists.

Counting (``counting.py``) fills these; the text, JSON and HTML outputs only read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ...problems import Problem


@dataclass(frozen=True)
class Count:
    """Stories of one neighbourhood, theme or community."""

    slug: str
    name: str
    stories: int  # on the site now
    recent: int  # on the site, dated within the quiet period
    last: date | None  # date of the newest story on the site
    upcoming: int = 0  # drafts and stories waiting for their date
    area: str = ""  # the wijk of a neighbourhood

    @property
    def quiet(self) -> bool:
        return self.recent == 0

    @property
    def quiet_reason(self) -> str:
        if self.stories == 0:
            return "nog geen verhaal"
        return "geen recent verhaal" if self.recent == 0 else ""


@dataclass(frozen=True)
class StoryLine:
    """One story in a to-do list of the report."""

    slug: str
    title: str
    date: date
    path: str
    communities: tuple[str, ...]
    neighbourhoods: tuple[str, ...]
    consent_date: date | None = None
    consent_reference: str = ""


@dataclass
class Report:
    today: date
    quiet_months: int
    quiet_since: date
    consent_years: int
    consent_before: date
    published: int
    neighbourhoods: list[Count]  # quiet ones first
    themes: list[Count]  # fewest recent stories first
    communities: list[Count]  # alphabetical: every community counts the same
    spread: list[tuple[str, int]]  # (group, number of communities)
    months: list[tuple[date, int]]  # (first day of the month, stories)
    embargoed: list[StoryLine]  # soonest first
    drafts: list[StoryLine]
    consent_renewal: list[StoryLine]  # oldest consent first
    withdrawn: int
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(problem.is_error for problem in self.problems)

    @property
    def warnings(self) -> int:
        return sum(problem.is_warning for problem in self.problems)

    @property
    def quiet(self) -> list[Count]:
        return [row for row in self.neighbourhoods if row.quiet]

    @property
    def spread_one(self) -> int:
        return sum(1 for row in self.communities if row.stories == 1)

    @property
    def spread_many(self) -> int:
        return sum(1 for row in self.communities if row.stories > 1)
