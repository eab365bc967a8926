"""The report as plain text: tables padded with spaces, for the terminal and for mail."""

from __future__ import annotations

from datetime import date

from ...interface_texts import long_date
from ...problems import visible
from ...text import plural
from .model import Report, StoryLine
from .wording import clip, month_name, quiet_summary

TITLE_CHARS = 60  # titles in terminal tables; the HTML and JSON give them in full


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


def text_report(report: Report) -> str:
    out: list[str] = []
    recent_label = f"laatste {report.quiet_months} mnd"
    out.append(f"Aan het woord – overzicht voor de redactie, {long_date(report.today)}")
    out.append("")
    out.append(
        f"Op de site: {plural(report.published, 'verhaal', 'verhalen')}. "
        f"Wacht op de datum: {len(report.embargoed)}. Concepten: {len(report.drafts)}. "
        f"Ingetrokken: {report.withdrawn}. "
        f"Problemen: {plural(report.errors, 'fout', 'fouten')}, "
        f"{plural(report.warnings, 'waarschuwing', 'waarschuwingen')}."
    )

    out += _heading(
        "Verhalen per buurt",
        f"Stille buurten staan bovenaan: nog geen verhaal, of geen verhaal sinds "
        f"{long_date(report.quiet_since)}.",
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
        f"{plural(len(report.communities), 'gemeenschap', 'gemeenschappen')} op de site. "
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
        f"Toestemming ouder dan {plural(report.consent_years, 'jaar', 'jaar')}: vraag opnieuw",
        f"De toestemming van deze verhalen is van vóór {long_date(report.consent_before)}. "
        "Vraag de vertellers of het verhaal mag blijven staan.",
    )
    out += (
        table(
            ["toestemming", "kenmerk", "verhaal", "gemeenschap", "bestand"],
            [
                [
                    _when(line.consent_date),
                    line.consent_reference or "–",
                    clip(line.title, TITLE_CHARS),
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
                clip(line.title, TITLE_CHARS),
                ", ".join(line.communities),
                ", ".join(line.neighbourhoods),
                line.path,
            ]
            for line in lines
        ],
    )
