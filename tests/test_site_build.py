"""Whole sites built with the real plugin: the pages that exist and what they say."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from sitefactory import TODAY, demo_theme


def published_paths(site) -> set[str]:
    return {path.parent.relative_to(site.site_dir).as_posix() for path in site.site_dir.rglob("index.html")}


@pytest.fixture
def rules_site(site):
    future = (TODAY + timedelta(days=30)).isoformat()
    site.add_story("open-verhaal", title="Open verhaal", community="Het Koor", summary="Iedereen zingt mee.")
    site.add_story(
        "concept-verhaal", title="Concept", status="draft", consent=None, community="Geheime Groep"
    )
    site.add_story("later-verhaal", title="Later verhaal", date=future, community="Toekomstclub")
    site.add_story(
        "weg-verhaal",
        "Geheime inhoud die weg moet.",
        title="Ingetrokken titel",
        status="withdrawn",
        community="Verdwenen Groep",
    )
    site.build(strict=True)
    return site


def test_drafts_and_embargoed_stories_are_not_built(rules_site):
    paths = published_paths(rules_site)
    assert "verhalen/open-verhaal" in paths
    assert "verhalen/concept-verhaal" not in paths
    assert "verhalen/later-verhaal" not in paths
    assert "gemeenschappen/toekomstclub" not in paths


def test_withdrawn_story_leaves_only_a_short_notice_and_is_listed_for_410(rules_site):
    notice = rules_site.page("verhalen/weg-verhaal")
    assert "ingetrokken op verzoek van de vertellers" in notice
    assert "Geheime inhoud" not in notice and "Ingetrokken titel" not in notice
    assert 'name="robots" content="noindex"' in notice
    withdrawn = json.loads((rules_site.site_dir / "api/withdrawn.json").read_text())
    assert withdrawn == {"paths": ["/verhalen/weg-verhaal/"]}


def test_withdrawn_and_unpublished_stories_are_absent_everywhere(rules_site):
    site_dir = rules_site.site_dir
    api = json.loads((site_dir / "api/stories.json").read_text())
    assert [story["slug"] for story in api["stories"]] == ["open-verhaal"]
    sitemap = (site_dir / "sitemap.xml").read_text()
    search = (site_dir / "search/search_index.json").read_text()
    assert "weg-verhaal" not in sitemap and "concept-verhaal" not in sitemap
    for text in ("Ingetrokken titel", "Geheime inhoud", "Concept", "Later verhaal", "Verdwenen Groep"):
        assert text not in search, text
    pages = [path.read_text() for path in site_dir.rglob("index.html") if "weg-verhaal" not in str(path)]
    for html in pages:
        assert "Ingetrokken titel" not in html and "Later verhaal" not in html
        assert "weg-verhaal/" not in html


def test_api_lists_every_published_story_with_its_fields(rules_site):
    record = json.loads((rules_site.site_dir / "api/stories.json").read_text())["stories"][0]
    assert record == {
        "slug": "open-verhaal",
        "url": "https://verhalen.example.org/verhalen/open-verhaal/",
        "title": "Open verhaal",
        "date": "2025-05-01",
        "communities": ["Het Koor"],
        "neighbourhoods": ["Oude Haven"],
        "themes": ["Samen leven"],
        "summary": "Iedereen zingt mee.",
        "language": "nl",
        "image": None,
    }


def test_story_page_puts_the_community_first_and_links_its_indexes(site):
    site.add_story(
        "koor",
        "Wij zingen.\n\nElke week.",
        title="Zingen in de haven",
        community=["Het Koor", "De Buren"],
        neighbourhoods="haven",
        themes=["samen leven", "Sport en Bewegen"],
        storytellers=["Anna", "Bilal"],
        recorded_by="Carla",
        date="2025-03-14",
    )
    site.build(strict=True)
    html = site.page("verhalen/koor")
    article = html[html.index('class="ahw-story"') :]
    assert article.index("Het Koor") < article.index("Zingen in de haven")
    assert 'href="../../gemeenschappen/het-koor/"' in article
    assert 'href="../../gemeenschappen/de-buren/"' in article
    assert 'href="../../buurten/oude-haven/"' in article
    assert 'href="../../themas/sport-en-bewegen/"' in article
    assert "14 maart 2025" in article
    # Names from residents are isolated, so a name in another script keeps its place.
    assert "Verteld door <bdi>Anna</bdi>, <bdi>Bilal</bdi>." in article
    assert "Opgetekend door <bdi>Carla</bdi>." in article


def test_every_register_entry_gets_a_page_that_invites_the_first_story(site):
    site.add_story("een", title="Een")
    site.build(strict=True)
    quiet = site.page("buurten/veldrand")
    assert "Er is nog geen verhaal over Veldrand" in quiet
    assert 'href="../../deel-je-verhaal/"' in quiet
    assert "nog geen verhalen" in site.page("themas/taal-en-meedoen")


def test_lists_have_twelve_stories_per_page_with_links_between_pages(site):
    for number in range(1, 15):
        site.add_story(f"verhaal-{number:02d}", title=f"Verhaal {number}", date=f"2025-01-{number:02d}")
    site.build(strict=True)
    first = site.page("buurten/oude-haven")
    second = site.page("buurten/oude-haven/pagina/2")
    assert first.count('class="ahw-card"') == 12
    assert second.count('class="ahw-card"') == 2
    assert 'href="pagina/2/" rel="next"' in first
    assert 'href="../../" rel="prev"' in second
    assert "Pagina 2 van 2" in second
    newest_first = first.index("Verhaal 14") < first.index("Verhaal 13")
    assert newest_first
    assert site.page("verhalen/pagina/2").count('class="ahw-card"') == 2


def test_overviews_list_every_entry_with_its_story_count(site):
    site.add_story("a", community="Zondagvoetbal")
    site.add_story("b", community="zondagvoetbal", neighbourhoods="Marktkwartier")
    site.build(strict=True)
    overview = site.page("buurten")
    assert 'Oude Haven</bdi></a> <span class="ahw-overview__count">1 verhaal' in overview
    assert 'Veldrand</bdi></a> <span class="ahw-overview__count">nog geen verhalen' in overview
    assert "<h2>Centrum</h2>" in overview
    communities = site.page("gemeenschappen")
    assert communities.count("gemeenschappen/zondagvoetbal/") == 0  # relative from the overview
    assert (
        'href="zondagvoetbal/"><bdi>Zondagvoetbal</bdi></a> <span class="ahw-overview__count">2 verhalen'
        in communities
    )


def test_stories_are_not_in_the_navigation(site):
    for number in range(3):
        site.add_story(f"nav-{number}", title=f"Navigatietest {number}")
    site.extra_config["nav"] = [{"Home": "index.md"}, {"Verhalen": "verhalen/index.md"}]
    site.build(strict=True)
    html = site.page("buurten")
    nav = html[
        html.index('class="md-nav md-nav--primary') : html.index(
            "</nav>", html.index('class="md-nav md-nav--primary')
        )
    ]
    assert "Verhalen" in nav
    assert "Navigatietest" not in nav


def test_home_page_shows_the_story_mix_where_the_marker_is(site):
    site.add_story("vast", title="Vastgepind verhaal", pinned=True, date="2024-01-01")
    site.add_story("nieuw", title="Nieuw verhaal", date="2025-06-01")
    site.build(strict=True)
    home = (site.site_dir / "index.html").read_text()
    assert home.index("Vastgepind verhaal") < home.index("Nieuw verhaal")
    assert 'href="verhalen/nieuw/"' in home
    assert "aanhetwoord:home" not in home


def test_a_broken_story_is_left_out_and_the_others_build(site):
    site.add_story("goed", title="Goed verhaal")
    site.add_story("kapot", title="Kapot", themes=["Onbekend thema"])
    result = site.build(strict=False)
    assert "stories/kapot/index.md:" in result.stderr
    assert "goed" in {p.name for p in (site.site_dir / "verhalen").iterdir()}
    assert not (site.site_dir / "verhalen/kapot").exists()
    strict = site.build(strict=True, check=False)
    assert strict.returncode != 0


def test_raw_html_in_a_story_is_shown_as_text(site):
    site.add_story("html", "Hallo <b>vet</b> <script>alert(1)</script>", title="<i>Schuin</i> & zo")
    result = site.build()
    assert "waarschuwing: HTML zoals '<b>' werkt niet in een verhaal" in result.stderr
    html = site.page("verhalen/html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html
    assert "<title>&lt;i&gt;Schuin&lt;/i&gt; &amp; zo - Testgemeente</title>" in html


def test_a_site_in_english_shows_english_interface_texts(site):
    site.add_story("koor", title="The choir", community="The Choir", date="2025-03-14")
    site.write_config()
    site.extra_config["theme"] = {"name": "material", "language": "en", "font": False}
    site.build(strict=True)
    html = site.page("verhalen/koor")
    assert "In their own words" in html and "Aan het woord" not in html
    assert "March 14, 2025" in html
    assert "There is no story about Veldrand yet" in site.page("buurten/veldrand")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("language", "credit", "other"), [("nl", "Gemaakt met", "Made with"), ("en", "Made with", "Gemaakt met")]
)
def test_the_footer_speaks_the_sites_language_and_shows_its_copyright_on_every_kind_of_page(
    site, language: str, credit: str, other: str
):
    site.add_story("koor")
    site.extra_config["copyright"] = "Verhalen van <em>de buurt</em>"  # staff's own text, HTML as in Material
    site.extra_config["theme"] = demo_theme(language=language)
    site.build(strict=True)
    pages = {
        "story": site.page("verhalen/koor"),
        "home": site.page(""),
        "site page": site.page("deel-je-verhaal"),
        "list": site.page("buurten/oude-haven"),
        "404": (site.site_dir / "404.html").read_text(encoding="utf-8"),
    }
    for kind, html in pages.items():
        footer = html[html.index('<div class="md-copyright">') :]
        assert credit in footer and other not in footer, kind
        assert "Verhalen van <em>de buurt</em>" in footer, kind
