"""Dates, numbers and sentences that the text and the HTML report both say."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

from ...problems import visible
from .model import Report


def month_name(value: date) -> str:
    return format_date(value, format="MMM yyyy", locale="nl")


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


def clip(label: str, limit: int) -> str:
    """``label`` cut to ``limit`` characters, with an ellipsis when it was longer."""
    return label if len(label) <= limit else label[: limit - 1] + "…"
