"""Page metadata: canonical, Open Graph and Twitter tags, sitemap, robots.txt and security.txt."""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest

from aanhetwoord import pipeline
from aanhetwoord.config_file import load_settings
from sitefactory import TODAY, Site, make_site

SITE_URL = "https://verhalen.example.org/"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
HIDDEN = ("concept-verhaal", "later-verhaal", "weg-verhaal")


class Head(HTMLParser):
    """The <meta> and <link> tags of a page, with their attributes unescaped."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, list[str]] = {}
        self.links: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "meta":
            key = values.get("property") or values.get("name")
            if key:
                self.meta.setdefault(key, []).append(values.get("content") or "")
        elif tag == "link":
            self.links.append(values)


def head(html: str) -> Head:
    parser = Head()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def meta_site(tmp_path_factory) -> Site:
    site = make_site(tmp_path_factory.mktemp("metadata"))
    future = (TODAY + timedelta(days=30)).isoformat()
    site.add_story(
        "lastige-titel",
        title='Zij zei: "kom" <b>& blijf</b>',
        community="Het Koor",
        summary='Een samenvatting met <script>alert(1)</script> & "quotes".',
    )
    for number in range(1, 15):  # more than a list page holds: a second page
        site.add_story(f"verhaal-{number:02}", title=f"Verhaal {number}", community="De Buurtgroep")
    site.add_story(
        "concept-verhaal", title="Concept", status="draft", consent=None, community="Geheime Groep"
    )
    site.add_story("later-verhaal", title="Later verhaal", date=future, community="Toekomstclub")
    site.add_story("weg-verhaal", title="Ingetrokken titel", status="withdrawn", community="Verdwenen Groep")
    site.plugin_options = {"security_contact": "security@example.org", "security_expires": "2027-03-31"}
    site.build(strict=True)
    return site


def test_story_page_has_canonical_open_graph_and_twitter_tags(meta_site: Site):
    tags = head(meta_site.page("verhalen/lastige-titel"))
    url = f"{SITE_URL}verhalen/lastige-titel/"
    assert {"rel": "canonical", "href": url} in tags.links
    title = 'Zij zei: "kom" <b>& blijf</b>'
    summary = 'Een samenvatting met <script>alert(1)</script> & "quotes".'
    assert tags.meta["og:title"] == [title]
    assert tags.meta["og:description"] == [summary]
    assert tags.meta["og:url"] == [url]
    assert tags.meta["og:type"] == ["article"]
    assert tags.meta["og:locale"] == ["nl_NL"]
    assert tags.meta["og:site_name"] == ["Testgemeente"]
    assert tags.meta["og:image"][0].startswith(f"{SITE_URL}verhalen/lastige-titel/social-")
    assert tags.meta["twitter:card"] == ["summary_large_image"]
    assert tags.meta["twitter:title"] == [title]
    assert tags.meta["twitter:description"] == [summary]
    assert tags.meta["twitter:image"] == tags.meta["og:image"]


def test_public_text_is_escaped_in_the_head(meta_site: Site):
    html = meta_site.page("verhalen/lastige-titel")
    assert "<script>alert(1)</script>" not in html
    assert "<b>& blijf</b>" not in html
    assert 'content="Zij zei: &#34;kom&#34; &lt;b&gt;&amp; blijf&lt;/b&gt;"' in html


def test_index_pages_are_websites_with_their_own_url(meta_site: Site):
    home = head(meta_site.page(""))
    assert home.meta["og:type"] == ["website"]
    assert home.meta["og:url"] == [SITE_URL]
    assert home.meta["og:title"] == ["Testgemeente"]
    assert home.meta["twitter:card"] == ["summary"]
    term = head(meta_site.page("buurten/oude-haven"))
    assert term.meta["og:url"] == [f"{SITE_URL}buurten/oude-haven/"]
    assert term.meta["og:title"] == ["Oude Haven"]
    second = head(meta_site.page("verhalen/pagina/2"))
    assert {"rel": "canonical", "href": f"{SITE_URL}verhalen/pagina/2/"} in second.links
    share = head(meta_site.page("deel-je-verhaal"))
    assert share.meta["og:title"] == ["Deel je verhaal"]


def test_sitemap_has_every_story_and_index_page_and_nothing_hidden(meta_site: Site):
    root = ET.parse(meta_site.site_dir / "sitemap.xml").getroot()
    locations = {loc.text for loc in root.iter(f"{SITEMAP}loc")}
    site_dir = meta_site.site_dir
    pages = {
        f"{SITE_URL}{path.parent.relative_to(site_dir).as_posix()}/".replace(f"{SITE_URL}./", SITE_URL)
        for path in site_dir.rglob("index.html")
    }
    withdrawn = f"{SITE_URL}verhalen/weg-verhaal/"
    assert locations == pages - {withdrawn}
    for expected in (
        f"{SITE_URL}verhalen/lastige-titel/",
        f"{SITE_URL}verhalen/pagina/2/",
        f"{SITE_URL}buurten/",
        f"{SITE_URL}buurten/veldrand/",
        f"{SITE_URL}gemeenschappen/de-buurtgroep/pagina/2/",
    ):
        assert expected in locations
    for slug in HIDDEN:
        assert not any(slug in location for location in locations)


def test_api_has_no_hidden_story(meta_site: Site):
    stories = json.loads((meta_site.site_dir / "api/stories.json").read_text())["stories"]
    assert {story["slug"] for story in stories}.isdisjoint(HIDDEN)
    assert len(stories) == 15


def test_robots_txt_allows_all_and_names_the_sitemap(meta_site: Site):
    robots = (meta_site.site_dir / "robots.txt").read_text()
    assert robots.splitlines() == ["User-agent: *", "Allow: /", f"Sitemap: {SITE_URL}sitemap.xml"]


def test_security_txt_from_the_settings(meta_site: Site):
    text = (meta_site.site_dir / ".well-known/security.txt").read_text()
    fields = dict(line.split(": ", 1) for line in text.splitlines())
    assert fields["Contact"] == "mailto:security@example.org"
    assert fields["Expires"] == "2027-03-31T00:00:00Z"
    assert fields["Canonical"] == f"{SITE_URL}.well-known/security.txt"
    assert fields["Preferred-Languages"] == "nl, en"


def test_no_security_txt_without_a_contact_and_a_year_by_default(site: Site):
    site.add_story("een")
    site.build()
    assert not (site.site_dir / ".well-known").exists()
    assert (site.site_dir / "robots.txt").is_file()
    site.plugin_options = {"security_contact": "https://example.org/melden"}
    site.build()
    text = (site.site_dir / ".well-known/security.txt").read_text()
    assert "Contact: https://example.org/melden\n" in text
    expires = date.fromisoformat(text.split("Expires: ")[1][:10])
    assert expires == TODAY + timedelta(days=365)


def test_a_wrong_expiry_date_stops_the_build_with_a_message(site: Site):
    site.plugin_options = {"security_contact": "a@example.org", "security_expires": "morgen"}
    result = site.build(check=False)
    assert result.returncode != 0
    assert "security_expires" in result.stderr and "geen datum" in result.stderr


def test_preview_pages_are_never_indexed(tmp_path):
    site = make_site(tmp_path)
    site.add_story("open", title="Open")
    site.add_story("concept", title="Concept", status="draft", consent=None)
    site.write_config()
    settings = dataclasses.replace(load_settings(site.root / "mkdocs.yml"), preview=True)
    pages = {page.url: page for page in pipeline.build(settings).pages()}
    assert pages["verhalen/concept/"].preview_only
    assert not pages["verhalen/concept/"].indexable  # noindex: kept out of the sitemap and search
    assert pages["verhalen/open/"].indexable


def test_tools_read_settings_despite_a_wrong_expiry_date(site: Site):
    site.plugin_options = {"security_contact": "a@example.org", "security_expires": "morgen"}
    site.write_config()
    settings = load_settings(site.root / "mkdocs.yml")
    assert settings.security_contact == "a@example.org" and settings.security_expires is None
    site.plugin_options = {"security_expires": "2027-01-31"}
    site.write_config()
    assert load_settings(site.root / "mkdocs.yml").security_expires == date(2027, 1, 31)
