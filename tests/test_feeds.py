"""Atom and JSON feeds: for the whole site and every index term, public stories only."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

import pytest
from PIL import Image

from aanhetwoord import pipeline
from aanhetwoord.config_file import load_settings
from aanhetwoord.memo import Memo
from sitefactory import TODAY, Site, make_site

A = "{http://www.w3.org/2005/Atom}"
SITE_URL = "https://verhalen.example.org/"
HIDDEN = ("concept-verhaal", "later-verhaal", "weg-verhaal")
HIDDEN_TEXTS = ("Geheime concepttitel", "Toekomsttitel", "Ingetrokken titel", "Geheime Groep", "Toekomstclub")


@pytest.fixture(scope="module")
def feed_site(tmp_path_factory) -> Site:
    site = make_site(tmp_path_factory.mktemp("feeds"))
    future = (TODAY + timedelta(days=30)).isoformat()
    folder = site.stories / "met-foto"
    folder.mkdir(parents=True)
    Image.new("RGB", (1000, 700), (40, 120, 200)).save(folder / "plein.jpg", "JPEG")
    site.add_story(
        "met-foto",
        title="Feest op het <plein> & meer",
        date="2025-06-01",
        community="Het Koor",
        summary='Iedereen zingt mee, ook "buren" & <gasten>.',
        image={"src": "plein.jpg", "alt": "Het plein vol mensen"},
        updates=[{"date": "2025-07-02", "text": "Nu elke maand."}],
        themes=["Samen leven", "Sport en bewegen"],
    )
    for number in range(1, 24):
        site.add_story(
            f"verhaal-{number:02}",
            title=f"Verhaal {number}",
            date=(date(2025, 1, 1) + timedelta(days=number)).isoformat(),
            community="De Buurtgroep",
            neighbourhoods=["Lindehoeve"],
        )
    site.add_story(
        "concept-verhaal",
        title="Geheime concepttitel",
        status="draft",
        consent=None,
        community="Geheime Groep",
    )
    site.add_story("later-verhaal", title="Toekomsttitel", date=future, community="Toekomstclub")
    site.add_story("weg-verhaal", title="Ingetrokken titel", status="withdrawn", community="Verdwenen Groep")
    site.build(strict=True)
    return site


def atom(site: Site, path: str) -> ET.Element:
    return ET.parse(site.site_dir / path).getroot()


def json_feed(site: Site, path: str) -> dict:
    return json.loads((site.site_dir / path).read_text(encoding="utf-8"))


def every_feed(site: Site) -> list[Path]:
    return sorted(site.site_dir.rglob("feed.xml")) + sorted(site.site_dir.rglob("feed.json"))


def test_the_site_and_every_term_have_both_feeds(feed_site: Site):
    expected = {"", "buurten/oude-haven/", "buurten/lindehoeve/", "buurten/veldrand/", "themas/samen-leven/"}
    expected |= {"themas/sport-en-bewegen/", "gemeenschappen/het-koor/", "gemeenschappen/de-buurtgroep/"}
    for base in expected:
        assert (feed_site.site_dir / base / "feed.xml").is_file(), base
        assert (feed_site.site_dir / base / "feed.json").is_file(), base
    # A feed per community that is on the site, none for those only in hidden stories.
    assert not (feed_site.site_dir / "gemeenschappen/geheime-groep").exists()
    assert not (feed_site.site_dir / "gemeenschappen/toekomstclub").exists()


def test_atom_feed_parses_and_has_the_newest_20_public_stories(feed_site: Site):
    root = atom(feed_site, "feed.xml")
    assert root.tag == f"{A}feed"
    assert root.findtext(f"{A}id") == SITE_URL
    assert root.findtext(f"{A}title") == "Testgemeente"
    assert root.find(f"{A}author/{A}name") is not None
    links = {(link.get("rel"), link.get("type")): link.get("href") for link in root.findall(f"{A}link")}
    assert links[("self", "application/atom+xml")] == f"{SITE_URL}feed.xml"
    assert links[("alternate", "text/html")] == SITE_URL
    entries = root.findall(f"{A}entry")
    assert len(entries) == 20
    ids = [entry.findtext(f"{A}id") for entry in entries]
    assert ids[0] == f"{SITE_URL}verhalen/met-foto/"
    assert ids[1] == f"{SITE_URL}verhalen/verhaal-23/"  # newest first
    assert root.findtext(f"{A}updated") == "2025-07-02T00:00:00Z"
    for entry in entries:
        for tag in ("id", "title", "published", "updated", "summary", "author/" + A + "name"):
            assert entry.find(f"{A}{tag}") is not None, tag


def test_atom_entry_has_summary_cover_and_escaped_text(feed_site: Site):
    raw = (feed_site.site_dir / "feed.xml").read_text(encoding="utf-8")
    assert "<plein>" not in raw and "&lt;plein&gt;" in raw
    entry = atom(feed_site, "feed.xml").find(f"{A}entry")
    assert entry.findtext(f"{A}title") == "Feest op het <plein> & meer"
    assert entry.findtext(f"{A}summary") == 'Iedereen zingt mee, ook "buren" & <gasten>.'
    assert entry.findtext(f"{A}published") == "2025-06-01T00:00:00Z"
    assert entry.findtext(f"{A}updated") == "2025-07-02T00:00:00Z"
    assert [a.findtext(f"{A}name") for a in entry.findall(f"{A}author")] == ["Het Koor"]
    categories = {category.get("term") for category in entry.findall(f"{A}category")}
    assert categories == {"Oude Haven", "Samen leven", "Sport en bewegen"}
    enclosure = entry.find(f"{A}link[@rel='enclosure']")
    assert enclosure is not None and enclosure.get("type") == "image/jpeg"
    image = enclosure.get("href")
    assert re.fullmatch(rf"{SITE_URL}verhalen/met-foto/[0-9a-f]{{12}}-plein-960\.jpg", image)
    # The cover in the feed is a published file, never the original photo.
    assert (feed_site.site_dir / image.removeprefix(SITE_URL)).is_file()
    assert not (feed_site.site_dir / "verhalen/met-foto/plein.jpg").exists()


def test_json_feed_is_version_1_1_with_items(feed_site: Site):
    feed = json_feed(feed_site, "feed.json")
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "Testgemeente"
    assert feed["home_page_url"] == SITE_URL
    assert feed["feed_url"] == f"{SITE_URL}feed.json"
    assert feed["language"] == "nl"
    assert len(feed["items"]) == 20
    item = feed["items"][0]
    assert item["id"] == item["url"] == f"{SITE_URL}verhalen/met-foto/"
    assert item["title"] == "Feest op het <plein> & meer"
    assert item["summary"] == item["content_text"] == 'Iedereen zingt mee, ook "buren" & <gasten>.'
    assert item["date_published"] == "2025-06-01T00:00:00Z"
    assert item["date_modified"] == "2025-07-02T00:00:00Z"
    assert item["authors"] == [{"name": "Het Koor"}]
    assert item["image"].startswith(f"{SITE_URL}verhalen/met-foto/") and item["image"].endswith(".jpg")
    assert "image" not in feed["items"][1]  # stories without a cover have none


def test_term_feeds_hold_the_terms_stories_only(feed_site: Site):
    koor = json_feed(feed_site, "gemeenschappen/het-koor/feed.json")
    assert koor["title"] == "Het Koor – Testgemeente"
    assert koor["home_page_url"] == f"{SITE_URL}gemeenschappen/het-koor/"
    assert [item["id"] for item in koor["items"]] == [f"{SITE_URL}verhalen/met-foto/"]
    lindehoeve = atom(feed_site, "buurten/lindehoeve/feed.xml")
    assert len(lindehoeve.findall(f"{A}entry")) == 20  # 23 stories, the newest 20
    self_link = lindehoeve.find(f"{A}link[@rel='self']").get("href")
    assert self_link == f"{SITE_URL}buurten/lindehoeve/feed.xml"
    # A neighbourhood without stories still has a valid, empty feed for its link to point at.
    veldrand = json_feed(feed_site, "buurten/veldrand/feed.json")
    assert veldrand["items"] == []
    assert atom(feed_site, "buurten/veldrand/feed.xml").findall(f"{A}entry") == []


def test_no_feed_names_a_draft_embargoed_or_withdrawn_story(feed_site: Site):
    feeds = every_feed(feed_site)
    assert len(feeds) >= 16
    for path in feeds:
        text = path.read_text(encoding="utf-8")
        for slug in HIDDEN:
            assert slug not in text, (path, slug)
        for hidden in HIDDEN_TEXTS:
            assert hidden not in text, (path, hidden)
        if path.suffix == ".xml":
            ET.fromstring(text.encode("utf-8"))
        else:
            assert json.loads(text)["version"] == "https://jsonfeed.org/version/1.1"


def test_pages_link_their_feeds(feed_site: Site):
    home = feed_site.page("")
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Testgemeente (Atom)" href="feed.xml">'
        in home
    )
    assert 'type="application/feed+json" title="Testgemeente (JSON Feed)" href="feed.json"' in home
    stories = feed_site.page("verhalen")
    assert 'type="application/atom+xml" title="Testgemeente (Atom)" href="../feed.xml"' in stories
    second = feed_site.page("verhalen/pagina/2")
    assert 'href="../../../feed.xml"' in second
    term = feed_site.page("buurten/lindehoeve")
    assert 'type="application/atom+xml" title="Lindehoeve – Testgemeente (Atom)" href="feed.xml"' in term
    assert (
        'type="application/feed+json" title="Lindehoeve – Testgemeente (JSON Feed)" href="feed.json"' in term
    )
    community = feed_site.page("gemeenschappen/het-koor")
    assert 'href="feed.json"' in community
    story = feed_site.page("verhalen/met-foto")
    assert "application/atom+xml" not in story


def test_api_points_at_the_published_cover(feed_site: Site):
    stories = json.loads((feed_site.site_dir / "api/stories.json").read_text())["stories"]
    record = next(story for story in stories if story["slug"] == "met-foto")
    assert record["image"]["alt"] == "Het plein vol mensen"
    assert (feed_site.site_dir / record["image"]["url"].removeprefix(SITE_URL)).is_file()
    assert {story["slug"] for story in stories}.isdisjoint(HIDDEN)


def test_a_site_in_english_gets_english_feed_titles(site: Site):
    site.extra_config["theme"] = {"name": "material", "language": "en", "font": False}
    site.add_story("one", title="One story")
    site.build()
    feed = json.loads((site.site_dir / "feed.json").read_text())
    assert feed["language"] == "en"
    assert atom(site, "feed.xml").get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_names_from_the_public_are_escaped_in_feed_links_and_feeds(site: Site):
    site.add_story("koor", title="Zingen", community='Koor "De <Stem>" & co')
    site.build(strict=True)
    html = site.page("gemeenschappen/koor-de-stem-co")
    assert 'title="Koor &#34;De &lt;Stem&gt;&#34; &amp; co – Testgemeente (Atom)"' in html
    assert "<Stem>" not in html.split("</head>")[0]
    root = atom(site, "gemeenschappen/koor-de-stem-co/feed.xml")
    assert root.findtext(f"{A}title") == 'Koor "De <Stem>" & co – Testgemeente'
    assert root.find(f"{A}entry/{A}author/{A}name").text == 'Koor "De <Stem>" & co'


def test_without_a_site_url_feeds_use_paths_from_the_site_root(site: Site):
    site.extra_config["site_url"] = None
    site.add_story("een", title="Een")
    site.build(strict=True)
    feed = json_feed(site, "feed.json")
    assert feed["feed_url"] == "/feed.json"
    assert feed["items"][0]["url"] == "/verhalen/een/"
    assert (site.site_dir / "robots.txt").read_text() == "User-agent: *\nAllow: /\n"


def test_an_empty_feed_is_dated_by_the_newest_story_of_the_site(feed_site: Site):
    # Veldrand has no stories; the site's newest change is the update of 2025-07-02.
    root = atom(feed_site, "buurten/veldrand/feed.xml")
    assert root.findall(f"{A}entry") == []
    assert root.findtext(f"{A}updated") == "2025-07-02T00:00:00Z"


def test_the_feed_of_a_site_without_stories_is_dated_by_the_build_date(site: Site):
    site.build(strict=True)
    for path in ("feed.xml", "buurten/veldrand/feed.xml"):
        assert atom(site, path).findtext(f"{A}updated") == f"{TODAY.isoformat()}T00:00:00Z"


def test_an_empty_feed_kept_between_builds_follows_the_newest_story(site: Site):
    site.add_story("eerste", date="2025-03-01", neighbourhoods=["Oude Haven"])
    settings = load_settings(site.write_config())
    memo = Memo()
    path = "buurten/veldrand/feed.xml"

    def veldrand_updated() -> str | None:
        files = pipeline.build(settings, memo=memo).feed_files()
        return ET.fromstring(files[path]).findtext(f"{A}updated")

    assert veldrand_updated() == "2025-03-01T00:00:00Z"
    site.add_story("tweede", date="2025-04-15", neighbourhoods=["Lindehoeve"])
    assert veldrand_updated() == "2025-04-15T00:00:00Z"
