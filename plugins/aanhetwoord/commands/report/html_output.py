"""The report as one standalone HTML file, with bar charts drawn as inline SVG.

Every coordinate is computed here, so the template (``templates/report.html``) only draws: no
scripts, nothing loaded from elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import jinja2

from ...interface_texts import long_date
from ...text import plural
from .model import Count, Report
from .wording import clip, month_name, quiet_summary

TEMPLATES = Path(__file__).parents[2] / "templates"


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
            label=clip(label, LABEL_CHARS),
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
    environment.filters["dutch_date"] = long_date
    environment.filters["month_name"] = month_name
    return environment.get_template("report.html").render(
        report=report, charts=charts, recent_label=recent, plural=plural, quiet=quiet_summary(report)
    )
