"""The plugin's options in mkdocs.yml change the built site as the README's settings table says."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sitefactory import Site, make_site

DEFAULT_WORDS = ["verhalen", "buurten", "themas", "gemeenschappen", "pagina", "api"]


def all_files(site_dir: Path) -> list[str]:
    return sorted(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def own_words(tmp_path_factory) -> Site:
    """A site with its own words in every address, one story per list page and its own share page."""
    site = make_site(tmp_path_factory.mktemp("words"))
    (site.root / "docs" / "meedoen.md").write_text("# Meedoen\n\nZo doe je mee.\n", encoding="utf-8")
    site.plugin_options.update(
        url_stories="stories",
        url_neighbourhoods="wijken",
        url_themes="onderwerpen",
        url_communities="groepen",
        url_page="blad",
        url_api="data",
        pagination_per_page=1,
        share_url="meedoen/",
    )
    site.add_story("eerste", title="Eerste", date="2025-05-01", community="Het Koor")
    site.add_story("tweede", title="Tweede", date="2025-05-02", community="Het Koor")
    site.build(strict=True)
    return site


@pytest.mark.parametrize(
    "path",
    [
        "stories/eerste/index.html",
        "stories/index.html",
        "stories/blad/2/index.html",
        "wijken/index.html",
        "wijken/oude-haven/index.html",
        "wijken/oude-haven/blad/2/index.html",
        "onderwerpen/index.html",
        "onderwerpen/samen-leven/index.html",
        "groepen/index.html",
        "groepen/het-koor/index.html",
        "groepen/het-koor/blad/2/index.html",
        "data/stories.json",
    ],
)
def test_url_options_name_the_folders_of_the_site(own_words: Site, path: str):
    assert (own_words.site_dir / path).is_file()


def test_with_url_options_no_default_word_is_left_in_any_address(own_words: Site):
    files = all_files(own_words.site_dir)
    for word in DEFAULT_WORDS:
        assert not [name for name in files if f"{word}/" in name], word


def test_pages_feeds_and_api_link_to_the_configured_addresses(own_words: Site):
    story = own_words.page("stories/eerste")
    for link in ("../../wijken/oude-haven/", "../../onderwerpen/samen-leven/", "../../groepen/het-koor/"):
        assert f'href="{link}"' in story, link
    assert 'href="blad/2/"' in own_words.page("stories")
    feed = (own_words.site_dir / "feed.xml").read_text(encoding="utf-8")
    assert "https://verhalen.example.org/stories/tweede/" in feed
    api = json.loads((own_words.site_dir / "data/stories.json").read_text(encoding="utf-8"))
    assert "/stories/eerste/" in json.dumps(api)
    for word in ("/verhalen/", "/buurten/", "/themas/", "/gemeenschappen/", "/pagina/"):
        assert word not in feed and word not in json.dumps(api) and word not in story, word


def test_share_url_is_where_the_invitations_and_the_footer_lead(own_words: Site):
    empty = own_words.page("wijken/marktkwartier")  # no stories yet: an invitation to tell one
    assert re.search(r'<a href="\.\./\.\./meedoen/">Deel je verhaal</a>', empty)
    invitation = empty.split('class="ahw-invite"', 1)[1].split("</p>", 1)[0]
    assert "deel-je-verhaal/" not in invitation
    footer = own_words.page("stories/eerste").split("<footer", 1)[1]
    assert '<a href="../../meedoen/">Deel je verhaal</a>' in footer
    assert "deel-je-verhaal/" not in footer


def test_the_language_option_overrides_the_theme_language(site: Site):
    site.plugin_options["language"] = "en"  # the theme says nl
    site.add_story("eerste", title="Eerste", date="2025-05-01", community="Het Koor")
    site.add_story("tweede", title="Tweede", date="2025-05-02", community="Het Koor")
    site.build(strict=True)
    story = site.page("verhalen/eerste")
    assert ">More stories</h2>" in story and "Meer verhalen" not in story
    assert "All stories, newest first." in site.page("verhalen")
    assert "no stories yet" in site.page("buurten")
    english_footer = story.split("<footer", 1)[1]
    assert ">Share your story</a>" in english_footer


def test_without_the_language_option_the_theme_language_is_used(site: Site):
    site.add_story("eerste", title="Eerste", date="2025-05-01", community="Het Koor")
    site.add_story("tweede", title="Tweede", date="2025-05-02", community="Het Koor")
    site.build(strict=True)
    assert ">Meer verhalen</h2>" in site.page("verhalen/eerste")


def test_templates_in_the_templates_folder_replace_the_packages(site: Site):
    folder = site.root / "eigen-sjablonen"
    folder.mkdir()
    (folder / "card.html").write_text(
        '<article class="gemeente-kaart"><a href="{{ href(urls.story(story.slug)) }}">'
        "Lees: {{ story.title }}</a></article>\n",
        encoding="utf-8",
    )
    site.plugin_options["templates"] = "eigen-sjablonen"
    site.add_story("eerste", title="Eerste", date="2025-05-01")
    site.add_story("tweede", title="Tweede", date="2025-05-02")
    site.build(strict=True)
    listing = site.page("verhalen")
    cards = re.findall(r'<article class="gemeente-kaart"><a href="([^"]+)">Lees: (\w+)</a>', listing)
    assert [title for _, title in cards] == ["Tweede", "Eerste"]
    assert [href.rsplit("/", 2)[-2] for href, _ in cards] == ["tweede", "eerste"]
    assert '<article class="ahw-card' not in listing
    # Only the card is replaced: the story page is still the package's.
    assert 'class="ahw-related"' in site.page("verhalen/eerste")


def test_the_footer_links_go_where_about_privacy_and_accessibility_url_say(site: Site):
    for name in ("wie-zijn-wij", "geheim", "toegang"):
        (site.root / "docs" / f"{name}.md").write_text(f"# {name}\n\nTekst.\n", encoding="utf-8")
    site.plugin_options.update(about_url="wie-zijn-wij/", privacy_url="geheim/", accessibility_url="toegang/")
    site.add_story("eerste", title="Eerste")
    site.build(strict=True)
    footer = site.page("verhalen/eerste").split("<footer", 1)[1]
    links = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', footer)
    assert links == [
        ("../../deel-je-verhaal/", "Deel je verhaal"),
        ("../../wie-zijn-wij/", "Over deze site"),
        ("../../geheim/", "Privacy"),
        ("../../toegang/", "Toegankelijkheid"),
        ("../../wie-zijn-wij/", "Contact"),  # without contact_url: the about page
    ]
