"""``aanhetwoord report``: where voices are heard and where they are missing, for staff.

Active neighbourhoods fill a story site by themselves; the quiet ones stay unheard unless
someone looks. The report puts the quiet neighbourhoods first, shows how stories spread over
themes, communities and months, and lists the editorial work that waits: stories before their
date, drafts, consent that should be asked again, and problems in stories.

It reads the stories through the same pipeline as the site (validator and catalogue, with
drafts visible) and never touches the site itself: it is not part of what residents see. The
output is plain text for the terminal, a standalone HTML file with charts drawn as inline SVG
(no scripts, nothing loaded from elsewhere), or JSON for other tools.
"""

from __future__ import annotations

import argparse
import calendar
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
from babel.dates import format_date

from . import pipeline
from .catalogue import Catalogue, Term, build_catalogue
from .model import Status, Story
from .problems import Problem, display_path, visible
from .settings import Settings
from .siteconfig import load_settings
from .text import match_key

QUIET_MONTHS = 6
CONSENT_YEARS = 2
MONTHS_SHOWN = 24
TITLE_CHARS = 60  # titles in terminal tables; the HTML and JSON give them in full
TEMPLATES = Path(__file__).parent / "templates"
# How many stories a community told, in the groups staff think in: one voice, a few, many.
SPREAD_GROUPS = (
    (1, 1, "1 verhaal"),
    (2, 2, "2 verhalen"),
    (3, 5, "3 tot 5 verhalen"),
    (6, None, "6 of meer"),
)


# The report as data -------------------------------------------------------------------------


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


# Plain text ----------------------------------------------------------------------------------


def dutch_date(value: date) -> str:
    return format_date(value, format="long", locale="nl")


def month_name(value: date) -> str:
    return format_date(value, format="MMM yyyy", locale="nl")


def table(headers: list[str], rows: list[list[str]], numeric: set[int] | None = None) -> list[str]:
    """Columns padded with spaces; numbers right-aligned. Plain text survives every terminal and mail."""
    numeric = numeric or set()
    # Names and titles come from stories: shown with their control characters escaped.
    headers, rows = [visible(cell) for cell in headers], [[visible(cell) for cell in row] for row in rows]
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows, strict=True)]

    def fit(cells: list[str]) -> str:
        padded = [
            cell.rjust(width) if index in numeric else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(padded).rstrip()

    return [fit(headers), fit(["-" * width for width in widths]), *(fit(row) for row in rows)]


def _when(value: date | None) -> str:
    return value.isoformat() if value else "–"


def _plural(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def text_report(report: Report) -> str:
    out: list[str] = []
    recent_label = f"laatste {report.quiet_months} mnd"
    out.append(f"Aan het woord – overzicht voor de redactie, {dutch_date(report.today)}")
    out.append("")
    out.append(
        f"Op de site: {_plural(report.published, 'verhaal', 'verhalen')}. "
        f"Wacht op de datum: {len(report.embargoed)}. Concepten: {len(report.drafts)}. "
        f"Ingetrokken: {report.withdrawn}. "
        f"Problemen: {_plural(report.errors, 'fout', 'fouten')}, "
        f"{_plural(report.warnings, 'waarschuwing', 'waarschuwingen')}."
    )

    out += _heading(
        "Verhalen per buurt",
        f"Stille buurten staan bovenaan: nog geen verhaal, of geen verhaal sinds "
        f"{dutch_date(report.quiet_since)}.",
    )
    out.append(quiet_summary(report))
    out += table(
        ["buurt", "wijk", "verhalen", recent_label, "laatste verhaal", "in voorbereiding", ""],
        [
            [
                row.name,
                row.area,
                str(row.stories),
                str(row.recent),
                _when(row.last),
                str(row.upcoming),
                f"STIL: {row.quiet_reason}" if row.quiet else "",
            ]
            for row in report.neighbourhoods
        ],
        numeric={2, 3, 5},
    )

    out += _heading("Verhalen per thema", "Thema's met de minste recente verhalen staan bovenaan.")
    out += table(
        ["thema", "verhalen", recent_label, "laatste verhaal", "in voorbereiding"],
        [
            [row.name, str(row.stories), str(row.recent), _when(row.last), str(row.upcoming)]
            for row in report.themes
        ],
        numeric={1, 2, 4},
    )

    out += _heading(
        "Verhalen per gemeenschap",
        f"{_plural(len(report.communities), 'gemeenschap', 'gemeenschappen')} op de site. "
        f"{report.spread_one} vertelde één verhaal, {report.spread_many} vertelden er meer.",
    )
    out += table(
        ["aantal verhalen", "gemeenschappen"],
        [[label, str(number)] for label, number in report.spread],
        numeric={1},
    )
    if report.communities:
        out.append("")
        out += table(
            ["gemeenschap", "verhalen", recent_label, "laatste verhaal"],
            [[row.name, str(row.stories), str(row.recent), _when(row.last)] for row in report.communities],
            numeric={1, 2},
        )

    out += _heading(
        "Verhalen per maand", f"De laatste {len(report.months)} maanden, op datum van het verhaal."
    )
    most = max((number for _, number in report.months), default=0)
    out += table(
        ["maand", "verhalen", ""],
        [[month_name(month), str(number), _bar(number, most)] for month, number in report.months],
        numeric={1},
    )

    out += _heading(
        "Wachten op hun datum",
        "Deze verhalen zijn klaar en komen vanzelf online op hun datum.",
    )
    out += _story_table(report.embargoed, "datum") or ["(geen)"]

    out += _heading("Concepten", "Deze verhalen staan op 'status: draft' en komen niet online.")
    out += _story_table(report.drafts, "datum") or ["(geen)"]

    out += _heading(
        f"Toestemming ouder dan {_plural(report.consent_years, 'jaar', 'jaar')}: vraag opnieuw",
        f"De toestemming van deze verhalen is van vóór {dutch_date(report.consent_before)}. "
        "Vraag de vertellers of het verhaal mag blijven staan.",
    )
    out += (
        table(
            ["toestemming", "kenmerk", "verhaal", "gemeenschap", "bestand"],
            [
                [
                    _when(line.consent_date),
                    line.consent_reference or "–",
                    _clip(line.title, TITLE_CHARS),
                    ", ".join(line.communities),
                    line.path,
                ]
                for line in report.consent_renewal
            ],
        )
        if report.consent_renewal
        else ["(geen)"]
    )

    out += _heading("Ingetrokken verhalen", f"{report.withdrawn} (alleen een korte melding op hun adres).")

    out += _heading(
        "Problemen in verhalen",
        "Een verhaal met een fout staat niet op de site tot de fout is opgelost.",
    )
    out += [problem.format() for problem in report.problems] or ["(geen)"]
    return "\n".join(out) + "\n"


def quiet_summary(report: Report) -> str:
    if not report.neighbourhoods:
        return "Er staan geen buurten in het register."
    if not report.quiet:
        return "Geen enkele buurt is stil."
    names = visible(", ".join(row.name for row in report.quiet))
    return (
        f"Stil: {names}. Daar is in de laatste {report.quiet_months} maanden niemand aan het woord "
        "geweest: ga erheen en vraag wat mensen er samen doen."
    )


def _heading(title: str, intro: str = "") -> list[str]:
    lines = ["", title, "=" * len(title)]
    return lines + [intro] if intro else lines


def _bar(number: int, most: int, width: int = 40) -> str:
    if not number or not most:
        return ""
    return "#" * max(1, round(number / most * width))


def _story_table(lines: list[StoryLine], date_label: str) -> list[str]:
    if not lines:
        return []
    return table(
        [date_label, "verhaal", "gemeenschap", "buurt", "bestand"],
        [
            [
                line.date.isoformat(),
                _clip(line.title, TITLE_CHARS),
                ", ".join(line.communities),
                ", ".join(line.neighbourhoods),
                line.path,
            ]
            for line in lines
        ],
    )


# JSON ----------------------------------------------------------------------------------------


def json_report(report: Report) -> dict[str, Any]:
    def count(row: Count, *, area: bool = False) -> dict[str, Any]:
        record: dict[str, Any] = {"slug": row.slug, "name": row.name}
        if area:
            record["area"] = row.area
        record |= {
            "stories": row.stories,
            "recent": row.recent,
            "last_date": row.last.isoformat() if row.last else None,
        }
        return record

    def story(line: StoryLine) -> dict[str, Any]:
        return {
            "slug": line.slug,
            "title": line.title,
            "date": line.date.isoformat(),
            "path": line.path,
            "communities": list(line.communities),
            "neighbourhoods": list(line.neighbourhoods),
            "consent": (
                {"date": line.consent_date.isoformat(), "reference": line.consent_reference}
                if line.consent_date
                else None
            ),
        }

    return {
        "today": report.today.isoformat(),
        "quiet_months": report.quiet_months,
        "quiet_since": report.quiet_since.isoformat(),
        "consent_years": report.consent_years,
        "consent_before": report.consent_before.isoformat(),
        "totals": {
            "published": report.published,
            "embargoed": len(report.embargoed),
            "drafts": len(report.drafts),
            "withdrawn": report.withdrawn,
            "consent_renewal": len(report.consent_renewal),
            "errors": report.errors,
            "warnings": report.warnings,
        },
        "neighbourhoods": [
            count(row, area=True) | {"upcoming": row.upcoming, "quiet": row.quiet}
            for row in report.neighbourhoods
        ],
        "themes": [count(row) | {"upcoming": row.upcoming} for row in report.themes],
        "communities": [count(row) for row in report.communities],
        "community_spread": {
            "one": report.spread_one,
            "many": report.spread_many,
            "groups": [{"label": label, "communities": number} for label, number in report.spread],
        },
        "months": [{"month": f"{month:%Y-%m}", "stories": number} for month, number in report.months],
        "embargoed": [story(line) for line in report.embargoed],
        "drafts": [story(line) for line in report.drafts],
        "consent_renewal": [story(line) for line in report.consent_renewal],
        "withdrawn": report.withdrawn,
        "problems": [
            {
                "path": problem.path,
                "line": problem.line,
                "field": problem.field,
                "message": problem.message,
                "severity": problem.severity.value,
            }
            for problem in report.problems
        ],
    }


# HTML with SVG charts -------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str  # shortened to fit beside the bar
    name: str  # in full, for the tooltip and screen readers
    value: int
    x: float
    y: float
    width: float
    height: float
    highlight: bool = False
    note: str = ""  # the text beside the bar


@dataclass(frozen=True)
class Chart:
    """A bar chart with every coordinate computed here, so the template only draws."""

    id: str
    title: str
    width: int
    height: int
    bars: list[Bar]
    horizontal: bool
    label_width: int = 0
    # Axis text for column charts: (x, label) every few columns.
    ticks: list[tuple[float, str]] = field(default_factory=list)


ROW = 22
BAR_AREA = 360
LABEL_WIDTH = 210
LABEL_CHARS = 30


def bar_chart(chart_id: str, title: str, rows: list[tuple[str, int, bool, str]]) -> Chart:
    """Horizontal bars, one row per label: (label, value, highlight it, text beside the bar)."""
    most = max((value for _, value, _, _ in rows), default=0) or 1
    bars = [
        Bar(
            label=_clip(label),
            name=label,
            value=value,
            x=LABEL_WIDTH,
            y=index * ROW + 4,
            width=round(value / most * BAR_AREA, 1),
            height=ROW - 8,
            highlight=highlight,
            note=note or str(value),
        )
        for index, (label, value, highlight, note) in enumerate(rows)
    ]
    return Chart(
        chart_id, title, LABEL_WIDTH + BAR_AREA + 140, max(1, len(rows)) * ROW, bars, True, LABEL_WIDTH
    )


def column_chart(chart_id: str, title: str, months: list[tuple[date, int]]) -> Chart:
    """One column per month, oldest left; a label under every third month."""
    step, plot_height, top, left = 24, 140, 16, 30
    most = max((value for _, value in months), default=0) or 1
    bars = []
    ticks = []
    for index, (month, value) in enumerate(months):
        height = round(value / most * plot_height, 1)
        bars.append(
            Bar(
                label=month_name(month),
                name=month_name(month),
                value=value,
                x=left + index * step,
                y=top + plot_height - height,
                width=step - 6,
                height=height,
                highlight=value == 0,
            )
        )
        if index % 3 == 0 or index == len(months) - 1:
            ticks.append((left + index * step + (step - 6) / 2, month_name(month)))
    width = 2 * left + len(months) * step
    return Chart(chart_id, title, width, top + plot_height + 34, bars, False, ticks=ticks)


def _clip(label: str, limit: int = LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def html_report(report: Report) -> str:
    recent = f"laatste {report.quiet_months} maanden"

    def counted(row: Count) -> tuple[str, int, bool, str]:
        return row.name, row.stories, row.quiet, f"{row.stories} ({row.recent} recent)"

    charts = {
        "neighbourhoods": bar_chart(
            "grafiek-buurten",
            f"Verhalen per buurt, tussen haakjes die uit de {recent}; stille buurten in oranje",
            [counted(row) for row in report.neighbourhoods],
        ),
        "themes": bar_chart(
            "grafiek-themas",
            f"Verhalen per thema, tussen haakjes die uit de {recent}",
            [counted(row) for row in report.themes],
        ),
        "spread": bar_chart(
            "grafiek-spreiding",
            "Gemeenschappen naar het aantal verhalen dat ze vertelden",
            [(label, number, False, "") for label, number in report.spread],
        ),
        "months": column_chart("grafiek-maanden", "Verhalen per maand", report.months),
    }
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # titles and community names come from the public
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["dutch_date"] = dutch_date
    environment.filters["month_name"] = month_name
    return environment.get_template("report.html").render(
        report=report, charts=charts, recent_label=recent, plural=_plural, quiet=quiet_summary(report)
    )


# The command ----------------------------------------------------------------------------------


def add_command(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser(
        "report",
        help="overzicht voor de redactie: waar verhalen zijn en waar ze ontbreken",
        description=(
            "Verhalen per buurt (stille buurten eerst), per thema, per gemeenschap en per maand; "
            "verhalen die wachten op hun datum, concepten, oude toestemmingen en problemen. "
            "Het overzicht hoort niet bij de openbare site."
        ),
    )
    command.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="uitvoer in de terminal: text (tabellen) of json (voor andere programma's)",
    )
    command.add_argument(
        "--html",
        type=Path,
        metavar="BESTAND",
        help="schrijf het overzicht ook als HTML-bestand met grafieken",
    )
    command.add_argument(
        "--quiet-months",
        type=_positive,
        default=QUIET_MONTHS,
        metavar="N",
        help=f"een buurt is stil zonder verhaal in de laatste N maanden (standaard: {QUIET_MONTHS})",
    )
    command.add_argument(
        "--consent-years",
        type=_positive,
        default=CONSENT_YEARS,
        metavar="N",
        help=f"vraag opnieuw toestemming als die ouder is dan N jaar (standaard: {CONSENT_YEARS})",
    )
    command.add_argument(
        "--months",
        type=_positive,
        default=MONTHS_SHOWN,
        metavar="N",
        help=f"hoeveel maanden de telling per maand teruggaat (standaard: {MONTHS_SHOWN})",
    )
    command.set_defaults(run=run)


# json.dumps escapes C0 controls itself; DEL, C1 and the bidirectional controls are escaped too,
# as \uXXXX, which any JSON reader reads back the same.
_RAW_IN_JSON = re.compile("[\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _json_for_terminal(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return _RAW_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"'{value}' is geen heel getal van 1 of meer")
    return number


def run(args: argparse.Namespace, config_file: Path) -> int:
    settings = load_settings(config_file)
    report = make_report(
        settings, quiet_months=args.quiet_months, consent_years=args.consent_years, months=args.months
    )
    if args.format == "json":
        print(_json_for_terminal(json_report(report)))
    else:
        print(text_report(report), end="")
    if args.html is not None:
        args.html.parent.mkdir(parents=True, exist_ok=True)
        args.html.write_text(html_report(report), encoding="utf-8")
        print(f"Het overzicht staat ook in {args.html}", file=sys.stderr)
    return 0
