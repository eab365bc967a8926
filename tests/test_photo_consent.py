"""Photo consent is enforced: without ``consent.photos: true`` a story is published without photos.

The text is published, the photos are not: no cover, no inline picture, no photo in the link
preview, the feeds or the API, and no photo file in the built site. ``check``, ``report`` and
the build name every photo held back with the story's path and line.
"""

from __future__ import annotations

import json
import re
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from aanhetwoord import pipeline
from aanhetwoord.commands import report
from aanhetwoord.config_file import load_settings
from sitefactory import Site, make_site

A = "{http://www.w3.org/2005/Atom}"
SITE_URL = "https://verhalen.example.org/"
RED, GREEN, BLUE = (230, 20, 20), (20, 200, 20), (20, 20, 230)
BODY = """\
Op de eerste avond kwamen er twaalf buren.

![Buren aan de lange tafel](tafel.jpg)

Kijk maar: ![De soep in de grote pan](soep.jpg) zo ging het.

- [![Het plein](tafel.jpg)](https://example.org/plein)
- Daarna ruimden we samen op.
"""
UPDATE = "Nu elke maand. ![Het plein bij avond](avond.jpg)"
CONSENTS = {
    "zonder-foto-toestemming": {"date": "2025-04-01", "reference": "T-2"},  # no 'photos': false
    "foto-toestemming-nee": {"date": "2025-04-01", "reference": "T-3", "photos": False},
    "foto-toestemming-ja": {"date": "2025-04-01", "reference": "T-4", "photos": True},
}
ALT_TEXTS = ("Omslag: buren bij de soep", "Buren aan de lange tafel", "De soep in de grote pan", "Het plein")


def photo_story(site: Site, slug: str, consent: dict) -> None:
    folder = site.stories / slug
    folder.mkdir(parents=True, exist_ok=True)
    for name, colour in (("omslag.jpg", RED), ("tafel.jpg", GREEN), ("soep.jpg", BLUE), ("avond.jpg", RED)):
        Image.new("RGB", (1000, 700), colour).save(folder / name, "JPEG")
    site.add_story(
        slug,
        BODY,
        title=f"Soep op het plein ({slug})",
        community="De Soepploeg",
        consent=consent,
        image={"src": "omslag.jpg", "alt": ALT_TEXTS[0], "credit": "Foto: Anja"},
        updates=[{"date": "2025-07-02", "text": UPDATE}],
    )


@pytest.fixture(scope="module")
def consent_site(tmp_path_factory) -> tuple[Site, subprocess.CompletedProcess]:
    site = make_site(tmp_path_factory.mktemp("fototoestemming"))
    for slug, consent in CONSENTS.items():
        photo_story(site, slug, consent)
    result = site.build(strict=False)
    return site, result


HELD_BACK = ("zonder-foto-toestemming", "foto-toestemming-nee")


@pytest.mark.parametrize("slug", HELD_BACK)
def test_the_story_is_published_without_any_photo(consent_site, slug):
    site, _ = consent_site
    page = site.page(f"verhalen/{slug}")
    assert "Op de eerste avond kwamen er twaalf buren." in page
    assert "Kijk maar:" in page and "zo ging het." in page and "Daarna ruimden we samen op." in page
    assert "Nu elke maand." in page
    start = page.index('<div class="ahw-story"')
    end = page.find('<section class="ahw-related"', start)
    story = page[start : end if end > 0 else page.index("</article>", start)]
    for tag in ("<img", "<picture", "<figure", "<figcaption", "ahw-story__cover"):
        assert tag not in story, tag
    for alt in ALT_TEXTS:
        assert alt not in page, alt
    assert "Foto: Anja" not in page
    assert not re.search(r"<p>\s*</p>|<li>\s*</li>|<a [^>]*>\s*</a>", story)
    for name in ("omslag.jpg", "tafel.jpg", "soep.jpg", "avond.jpg"):
        assert name not in page, name


@pytest.mark.parametrize("slug", HELD_BACK)
def test_no_photo_file_of_the_story_is_in_the_site(consent_site, slug):
    site, _ = consent_site
    files = sorted(path.name for path in (site.site_dir / "verhalen" / slug).iterdir())
    # Only the page and its link-preview card made from the title.
    assert len(files) == 2 and "index.html" in files, files
    [card] = [name for name in files if name != "index.html"]
    assert card.startswith("social-") and card.endswith(".jpg")
    assert not [path for path in site.site_dir.rglob("*.webp") if slug in path.as_posix()]


@pytest.mark.parametrize("slug", HELD_BACK)
def test_the_link_preview_is_a_card_not_the_photo(consent_site, slug):
    site, _ = consent_site
    page = site.page(f"verhalen/{slug}")
    [url] = re.findall(r'<meta property="og:image" content="([^"]+)"', page)
    assert url.startswith(f"{SITE_URL}verhalen/{slug}/social-")
    with Image.open(site.site_dir / url.removeprefix(SITE_URL)) as preview:
        red, green, blue = ImageStat.Stat(preview.convert("RGB")).mean
    # The card is dark blue with white text; the cover is bright red.
    assert red < 120, (red, green, blue)


def test_with_photo_consent_every_photo_is_shown(consent_site):
    site, _ = consent_site
    page = site.page("verhalen/foto-toestemming-ja")
    assert page.count("<picture>") == 5  # the cover, three in the body, one in the update
    for alt in ALT_TEXTS:
        assert f'alt="{alt}"' in page
    [url] = re.findall(r'<meta property="og:image" content="([^"]+)"', page)
    assert "/social-" not in url
    with Image.open(site.site_dir / url.removeprefix(SITE_URL)) as preview:
        red, _, _ = ImageStat.Stat(preview.convert("RGB")).mean
    assert red > 200  # the red cover, cropped


def test_feeds_and_the_api_carry_a_photo_only_with_consent(consent_site):
    site, _ = consent_site
    records = json.loads((site.site_dir / "api/stories.json").read_text(encoding="utf-8"))["stories"]
    images = {record["slug"]: record["image"] for record in records}
    assert images["zonder-foto-toestemming"] is None and images["foto-toestemming-nee"] is None
    assert images["foto-toestemming-ja"]["alt"] == ALT_TEXTS[0]

    items = json.loads((site.site_dir / "feed.json").read_text(encoding="utf-8"))["items"]
    with_image = {item["url"].rstrip("/").rsplit("/", 1)[1] for item in items if "image" in item}
    assert with_image == {"foto-toestemming-ja"}

    root = ET.fromstring((site.site_dir / "feed.xml").read_bytes())
    enclosures = {
        entry.find(f"{A}id").text.rstrip("/").rsplit("/", 1)[1]
        for entry in root.iter(f"{A}entry")
        if any(link.get("rel") == "enclosure" for link in entry.iter(f"{A}link"))
    }
    assert enclosures == {"foto-toestemming-ja"}
    everything = "".join(
        path.read_text(encoding="utf-8")
        for path in site.site_dir.rglob("*")
        if path.suffix in {".json", ".xml"}
    )
    for slug in HELD_BACK:
        assert not re.search(rf"verhalen/{slug}/[0-9a-f]{{12}}-", everything)


def held_back_lines(site: Site, slug: str) -> list[str]:
    """What the messages must say: the story's path, the line of each photo, the file's name."""
    path = f"stories/{slug}/index.md"
    lines = (site.stories / slug / "index.md").read_text(encoding="utf-8").split("\n")

    def line_of(text: str) -> int:
        return next(number for number, line in enumerate(lines, 1) if text in line)

    message = (
        "waarschuwing: de foto '{}' komt niet op de site: bij 'consent' staat geen 'photos: true'. Zet dat"
        " er alleen bij als iedereen die herkenbaar op de foto staat het goed vindt, of als er niemand"
        " herkenbaar op staat"
    )
    return sorted(
        [
            f"{path}:{line_of('src: omslag.jpg')}: image.src: {message.format('omslag.jpg')}",
            f"{path}:{line_of('![Buren aan de lange tafel]')}: tekst: {message.format('tafel.jpg')}",
            f"{path}:{line_of('![De soep in de grote pan]')}: tekst: {message.format('soep.jpg')}",
            f"{path}:{line_of('[![Het plein]')}: tekst: {message.format('tafel.jpg')}",
            # The update's text is one YAML line; its photo is on that line.
            f"{path}:{line_of('Nu elke maand.')}: updates[0].text: {message.format('avond.jpg')}",
        ]
    )


def test_check_names_each_photo_held_back_with_path_and_line(consent_site):
    site, _ = consent_site
    result = site.cli("check")
    assert result.returncode == 0, result.stdout  # warnings: the stories are published without photos
    expected = held_back_lines(site, HELD_BACK[0]) + held_back_lines(site, HELD_BACK[1])
    assert sorted(result.stdout.splitlines()) == sorted(expected)
    assert "0 fouten, 10 waarschuwingen" in result.stderr


def test_the_build_log_and_the_report_name_them_too(consent_site):
    site, result = consent_site
    for slug in HELD_BACK:
        for line in held_back_lines(site, slug):
            assert f"WARNING -  {line}" in result.stderr
    text = report.text_report(report.make_report(load_settings(site.root / "mkdocs.yml")))
    for slug in HELD_BACK:
        for line in held_back_lines(site, slug):
            assert line in text
    assert site.build(strict=True, check=False).returncode != 0


def test_a_draft_without_consent_shows_no_photo_in_the_preview_either(site):
    folder = site.stories / "concept"
    folder.mkdir(parents=True)
    Image.new("RGB", (800, 600), RED).save(folder / "omslag.jpg", "JPEG")
    site.add_story(
        "concept",
        "Nog niet klaar.\n\n![Een tekening](omslag.jpg)",
        status="draft",
        consent=None,
        image={"src": "omslag.jpg", "alt": "Een tekening"},
    )
    settings = load_settings(site.write_config())
    built = pipeline.build(replace(settings, preview=True))
    [page] = [page for page in built.pages() if page.url == "verhalen/concept/"]
    assert page.preview_only
    assert "Nog niet klaar." in page.content
    assert "<img" not in page.content and "<picture" not in page.content and "<figure" not in page.content
    assert not [url for url in page.assets if not Path(url).name.startswith("social-")]
    assert [(problem.field, problem.is_warning) for problem in built.problems] == [
        ("image.src", True),
        ("tekst", True),
    ]
