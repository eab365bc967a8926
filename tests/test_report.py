"""``aanhetwoord report``: the quiet neighbourhoods first, the counts, and the editors' to-do lists.

One fixture site, with dates relative to the tests' today (``sitefactory.TODAY``) so the quiet
period and the age of consent are the same on every day the tests run:

* Veldrand has no story at all (only one that waits for its date): quiet;
* Marktkwartier's only story is ten months old: quiet with the default of six months;
* Lindehoeve has one recent story, whose consent is three years old, and a draft;
* Oude Haven has three recent stories, two of them by the same community.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from aanhetwoord.commands.report import make_report, months_before
from aanhetwoord.config_file import load_settings
from sitefactory import TODAY, Site, make_site

HOSTILE = "Club <script>alert('pwned')</script>"


def days_ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


def recent_consent() -> dict:
    return {"date": days_ago(60), "reference": "TOE-1"}


@pytest.fixture(scope="module")
def report_site(tmp_path_factory) -> Site:
    site = make_site(tmp_path_factory.mktemp("report"))
    site.add_story(
        "koor-een",
        title="Het koor zingt",
        community="Het Koor",
        date=days_ago(10),
        consent=recent_consent(),
    )
    site.add_story(
        "koor-twee",
        title="Het koor zingt weer",
        community="Het Koor",
        date=days_ago(40),
        themes=["Sport en bewegen"],
        consent=recent_consent(),
    )
    site.add_story(
        "kapsalon",
        title="Bij de kapper",
        community=HOSTILE,
        date=days_ago(20),
        themes=["Taal en meedoen"],
        consent=recent_consent(),
    )
    site.add_story(
        "markt",
        title="De markt van vroeger",
        community="Marktclub",
        neighbourhoods="Marktkwartier",
        date=days_ago(300),
        consent={"date": days_ago(310), "reference": "TOE-2"},
    )
    site.add_story(
        "klussen",
        title="Klussen met de app",
        community="Klusapp Lindehoeve",
        neighbourhoods="Lindehoeve",
        date=days_ago(30),
        consent={"date": days_ago(3 * 365 + 10), "reference": "TOE-OUD"},
    )
    site.add_story(
        "concept-lindehoeve",
        title="Nog niet klaar",
        community="Klusapp Lindehoeve",
        neighbourhoods="Lindehoeve",
        status="draft",
        consent=None,
        date=days_ago(5),
    )
    site.add_story(
        "straks-veldrand",
        title="Het eerste verhaal uit Veldrand",
        community="Buren van Veldrand",
        neighbourhoods="Veldrand",
        date=(TODAY + timedelta(days=20)).isoformat(),
        consent=recent_consent(),
    )
    site.add_story("weg", title="Ingetrokken", status="withdrawn", date=days_ago(100))
    site.add_story("kapot", title="Kapot verhaal", themes="Thema dat niet bestaat", date=days_ago(3))
    site.write_config()
    return site


@pytest.fixture(scope="module")
def report(report_site: Site):
    return make_report(load_settings(report_site.root / "mkdocs.yml"))


def test_quiet_neighbourhoods_come_first(report):
    order = [row.name for row in report.neighbourhoods]
    assert order == ["Veldrand", "Marktkwartier", "Lindehoeve", "Oude Haven"]
    assert [row.name for row in report.quiet] == ["Veldrand", "Marktkwartier"]
    veldrand, markt = report.neighbourhoods[:2]
    assert (veldrand.stories, veldrand.recent, veldrand.upcoming, veldrand.quiet_reason) == (
        0,
        0,
        1,
        "nog geen verhaal",
    )
    assert (markt.stories, markt.recent, markt.quiet_reason) == (1, 0, "geen recent verhaal")


def test_counts_per_neighbourhood_theme_and_community(report):
    counts = {row.name: (row.stories, row.recent, row.upcoming) for row in report.neighbourhoods}
    assert counts == {
        "Veldrand": (0, 0, 1),
        "Marktkwartier": (1, 0, 0),
        "Lindehoeve": (1, 1, 1),
        "Oude Haven": (3, 3, 0),
    }
    assert report.neighbourhoods[-1].last == TODAY - timedelta(days=10)
    themes = {row.name: row.stories for row in report.themes}
    assert themes == {"Samen leven": 3, "Sport en bewegen": 1, "Taal en meedoen": 1}
    assert report.themes[0].stories <= report.themes[-1].stories
    communities = {row.name: row.stories for row in report.communities}
    assert communities == {"Het Koor": 2, HOSTILE: 1, "Marktclub": 1, "Klusapp Lindehoeve": 1}
    # Communities that only have a draft or a story waiting for its date are not counted yet.
    assert "Buren van Veldrand" not in communities
    assert report.published == 5


def test_how_many_communities_told_one_story_and_how_many_more(report):
    assert (report.spread_one, report.spread_many) == (3, 1)
    assert report.spread == [("1 verhaal", 3), ("2 verhalen", 1), ("3 tot 5 verhalen", 0), ("6 of meer", 0)]


def test_stories_per_month_cover_the_last_two_years_with_empty_months(report):
    assert len(report.months) == 24
    assert report.months[-1][0] == TODAY.replace(day=1)
    assert report.months[0][0] == months_before(TODAY.replace(day=1), 23)
    assert sum(number for _, number in report.months) == report.published
    assert any(number == 0 for _, number in report.months)


def test_consent_older_than_two_years_asks_for_renewal(report, report_site):
    assert [line.slug for line in report.consent_renewal] == ["klussen"]
    line = report.consent_renewal[0]
    assert line.consent_reference == "TOE-OUD"
    assert line.path == "stories/klussen/index.md"
    longer = make_report(load_settings(report_site.root / "mkdocs.yml"), consent_years=4)
    assert longer.consent_renewal == []
    shorter = make_report(load_settings(report_site.root / "mkdocs.yml"), consent_years=1)
    assert [line.slug for line in shorter.consent_renewal] == ["klussen"]


def test_drafts_embargoed_withdrawn_and_problems(report):
    assert [line.slug for line in report.drafts] == ["concept-lindehoeve"]
    assert [line.slug for line in report.embargoed] == ["straks-veldrand"]
    assert report.embargoed[0].date == TODAY + timedelta(days=20)
    assert report.withdrawn == 1
    assert report.errors == 1
    assert any("Thema dat niet bestaat" in problem.message for problem in report.problems)
    assert report.problems[0].path == "stories/kapot/index.md"


def test_a_longer_quiet_period_makes_fewer_neighbourhoods_quiet(report_site):
    report = make_report(load_settings(report_site.root / "mkdocs.yml"), quiet_months=12)
    assert [row.name for row in report.quiet] == ["Veldrand"]
    assert report.quiet_since == months_before(TODAY, 12)


def test_months_before_keeps_the_day_or_takes_the_last_of_a_short_month():
    assert months_before(date(2026, 8, 31), 6) == date(2026, 2, 28)
    assert months_before(date(2024, 8, 31), 6) == date(2024, 2, 29)
    assert months_before(date(2026, 1, 15), 1) == date(2025, 12, 15)
    assert months_before(date(2026, 3, 1), 24) == date(2024, 3, 1)


def test_text_report_in_the_terminal_lists_quiet_neighbourhoods_first(report_site):
    result = report_site.cli("report")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    section = text[text.index("Verhalen per buurt") : text.index("Verhalen per thema")]
    rows = [
        line
        for line in section.splitlines()
        if re.match(r"^(Veldrand|Marktkwartier|Lindehoeve|Oude Haven)", line)
    ]
    assert [row.split()[0] for row in rows] == ["Veldrand", "Marktkwartier", "Lindehoeve", "Oude"]
    assert "STIL: nog geen verhaal" in rows[0] and "STIL: geen recent verhaal" in rows[1]
    assert "STIL" not in rows[2] and "STIL" not in rows[3]
    assert "Stil: Veldrand, Marktkwartier. Daar is in de laatste 6 maanden niemand aan het woord" in section
    assert "Op de site: 5 verhalen. Wacht op de datum: 1. Concepten: 1. Ingetrokken: 1." in text
    assert "Toestemming ouder dan 2 jaar: vraag opnieuw" in text and "TOE-OUD" in text
    assert "1 vertelde één verhaal" not in text and "3 vertelde één verhaal, 1 vertelden er meer" in text
    assert "stories/kapot/index.md:" in text


def test_quiet_months_and_consent_years_options(report_site):
    result = report_site.cli("report", "--quiet-months", "12", "--consent-years", "5")
    assert result.returncode == 0, result.stderr
    section = result.stdout[result.stdout.index("Verhalen per buurt") :]
    assert "laatste 12 mnd" in section
    assert "Toestemming ouder dan 5 jaar" in result.stdout and "TOE-OUD" not in result.stdout
    refused = report_site.cli("report", "--quiet-months", "nul")
    assert refused.returncode == 2 and "geen heel getal" in refused.stderr


def test_json_report_for_other_tools(report_site):
    result = report_site.cli("report", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {
        "today",
        "quiet_months",
        "quiet_since",
        "consent_years",
        "consent_before",
        "totals",
        "neighbourhoods",
        "themes",
        "communities",
        "community_spread",
        "months",
        "embargoed",
        "drafts",
        "consent_renewal",
        "withdrawn",
        "problems",
    }
    assert data["today"] == TODAY.isoformat()
    assert data["totals"] == {
        "published": 5,
        "embargoed": 1,
        "drafts": 1,
        "withdrawn": 1,
        "consent_renewal": 1,
        "errors": 1,
        "warnings": 0,
    }
    assert data["neighbourhoods"][0] == {
        "slug": "veldrand",
        "name": "Veldrand",
        "area": "Noord",
        "stories": 0,
        "recent": 0,
        "last_date": None,
        "upcoming": 1,
        "quiet": True,
    }
    assert [row["quiet"] for row in data["neighbourhoods"]] == [True, True, False, False]
    assert data["community_spread"]["one"] == 3 and data["community_spread"]["many"] == 1
    assert len(data["months"]) == 24 and re.fullmatch(r"\d{4}-\d{2}", data["months"][0]["month"])
    assert data["consent_renewal"][0]["consent"] == {
        "date": (TODAY - timedelta(days=3 * 365 + 10)).isoformat(),
        "reference": "TOE-OUD",
    }
    assert data["drafts"][0]["slug"] == "concept-lindehoeve"
    assert data["embargoed"][0]["neighbourhoods"] == ["Veldrand"]
    assert data["problems"][0]["severity"] == "error" and data["problems"][0]["line"] >= 1
    assert data["withdrawn"] == 1


def test_html_report_is_standalone_with_inline_svg_charts(report_site, tmp_path: Path):
    target = tmp_path / "rapport" / "overzicht.html"
    result = report_site.cli("report", "--html", str(target))
    assert result.returncode == 0, result.stderr
    assert str(target) in result.stderr
    html = target.read_text(encoding="utf-8")
    assert html.count("<svg") == 4
    assert html.count("<rect") >= 4 + 3 + 4 + 24
    assert "<script" not in html.lower()
    assert "http://" not in html and "https://" not in html and "//" not in html.replace("<!--", "")
    assert not re.search(r"""\b(?:src|href)=["'](?!#)""", html), "only links within the page"
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in html
    assert 'http-equiv="Content-Security-Policy"' in html
    # Readable without the stylesheet: plain tables, quiet neighbourhoods first.
    first_rows = re.findall(r'<tr(?: class="stil")?><th scope="row">([^<]+)</th><td>(?:Noord|Centrum)', html)
    assert first_rows == ["Veldrand", "Marktkwartier", "Lindehoeve", "Oude Haven"]
    assert "Stil: Veldrand, Marktkwartier." in html
    assert "TOE-OUD" in html and "Nog niet klaar" in html and "Het eerste verhaal uit Veldrand" in html
