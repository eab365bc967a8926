"""The report as JSON, for other tools."""

from __future__ import annotations

import json
import re
from typing import Any

from .model import Count, Report, StoryLine

# json.dumps escapes C0 controls itself; DEL, C1 and the bidirectional controls are escaped too,
# as \uXXXX, which any JSON reader reads back the same.
_RAW_IN_JSON = re.compile("[\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


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


def for_terminal(value: Any) -> str:
    """Indented JSON, with every character that could fool a terminal written as an escape."""
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return _RAW_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
