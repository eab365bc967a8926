"""The day a build runs as of: the local date, or the UTC date of ``SOURCE_DATE_EPOCH`` when set."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta

import pytest

from aanhetwoord.settings import build_date
from sitefactory import TODAY, Site, quiet_env, source_date_epoch


def test_without_source_date_epoch_today_is_the_clocks_date():
    before = date.today()
    found = build_date({})
    assert before <= found <= date.today()  # the clock may pass midnight meanwhile


@pytest.mark.parametrize(
    ("epoch", "day"),
    [
        ("0", date(1970, 1, 1)),
        ("1795564799", date(2026, 11, 24)),  # 23:59:59 UTC
        ("1795564800", date(2026, 11, 25)),  # midnight UTC
        (" 1795564800\n", date(2026, 11, 25)),
    ],
)
def test_source_date_epoch_gives_its_utc_date(epoch: str, day: date):
    assert build_date({"SOURCE_DATE_EPOCH": epoch}) == day


def test_the_tests_run_as_of_their_pinned_day():
    assert build_date() == TODAY


@pytest.mark.parametrize("epoch", ["morgen", "2026-11-24", "1.5", "99999999999999999999"])
def test_a_malformed_source_date_epoch_is_said_plainly(site: Site, epoch: str):
    result = site.cli("check", env={"SOURCE_DATE_EPOCH": epoch})
    assert result.returncode == 2
    assert result.stderr == (
        f"aanhetwoord: SOURCE_DATE_EPOCH: '{epoch.strip()}' is geen tijdstip; "
        "verwacht een aantal seconden sinds 1970\n"
    )
    assert "Traceback" not in result.stderr


def test_an_embargoed_story_appears_in_the_build_as_of_its_date(site: Site):
    tomorrow = TODAY + timedelta(days=1)
    site.add_story("morgen", title="Morgen online", date=tomorrow.isoformat())
    site.add_story("al-online", title="Al online")
    site.build(strict=True)
    assert not (site.site_dir / "verhalen" / "morgen").exists()
    assert (site.site_dir / "verhalen" / "al-online" / "index.html").exists()

    site.write_config()
    env = quiet_env(tomorrow)
    assert env["SOURCE_DATE_EPOCH"] == source_date_epoch(tomorrow)
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(site.root / "mkdocs.yml")],
        cwd=site.root,
        env=env,
        capture_output=True,
        check=True,
        timeout=600,
    )
    assert "Morgen online" in site.page("verhalen/morgen")
