"""Search: a story is found by the names of its community, neighbourhood and theme.

The built index is read as Material's search reads it (split on its separator), and Material's
search is used in Chromium on a fixture site served from 127.0.0.1: the search runs in a web
worker from the site's own files, with no request to any other host. The index is fetched only
once the visitor opens the search, so a page stays light however many stories the site has.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from browser_support import serve_folder, visit
from sitefactory import Site, make_site

# A community name that is in no title and no body text, so only its name on the story page
# (and the community pages) can make the search find it.
COMMUNITY = "Wijkwerkplaats Zonnewiel"
STORY = "verhalen/koffie-op-zaterdag/"
OTHER = "verhalen/voetbal-op-zondag/"
WITHDRAWN = "verhalen/teruggetrokken/"


@pytest.fixture(scope="module")
def search_site(tmp_path_factory) -> Site:
    site = make_site(tmp_path_factory.mktemp("search"))
    site.add_story(
        "koffie-op-zaterdag",
        "Op zaterdag zetten we koffie. Wie binnenloopt, helpt mee met een fiets of een lamp.",
        title="Koffie op zaterdag",
        community=COMMUNITY,
        neighbourhoods=["Marktkwartier"],
        themes=["Taal en meedoen"],
    )
    site.add_story(
        "voetbal-op-zondag",
        "Op zondag voetballen we in het park, met wie er maar komt.",
        title="Voetbal op zondag",
        community="Zondagvoetbal",
        neighbourhoods=["Lindehoeve"],
        themes=["Sport en bewegen"],
    )
    site.add_story(
        "teruggetrokken",
        "Dit verhaal is teruggetrokken.",
        title="Een verhaal dat weg is",
        community=COMMUNITY,
        neighbourhoods=["Marktkwartier"],
        themes=["Taal en meedoen"],
        status="withdrawn",
    )
    site.build(strict=True)
    return site


def index_of(site: Site) -> dict[str, Any]:
    return json.loads((site.site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))


def words(text: str, separator: str) -> list[str]:
    """The words of an index entry as the search sees them: markup gone, split on the separator."""
    plain = re.sub(r"<[^>]+>", " ", text)
    return [word for word in re.split(separator, plain.lower()) if word]


def contains_name(haystack: list[str], name: str, separator: str) -> bool:
    needle = words(name, separator)
    return any(haystack[start : start + len(needle)] == needle for start in range(len(haystack)))


@pytest.mark.slow
@pytest.mark.parametrize("name", [COMMUNITY, "Marktkwartier", "Taal en meedoen"])
def test_a_storys_index_entry_holds_its_community_neighbourhood_and_theme_as_words(
    search_site: Site, name: str
):
    index = index_of(search_site)
    separator = index["config"]["separator"]
    entry = next(doc for doc in index["docs"] if doc["location"] == STORY)
    # Whole words: a name glued to a label ("BuurtMarktkwartier") is one word the search
    # cannot match.
    assert contains_name(words(entry["text"], separator), name, separator), entry["text"]
    # The name is in the story's metadata, not its text: the check would fail without it.
    body = (search_site.stories / "koffie-op-zaterdag" / "index.md").read_text(encoding="utf-8")
    assert name not in body.split("---", 2)[2]


@pytest.mark.slow
def test_the_community_is_in_no_title_or_text_but_its_own_pages(search_site: Site):
    index = index_of(search_site)
    mentioned = sorted({doc["location"].split("#")[0] for doc in index["docs"] if "Zonnewiel" in doc["text"]})
    assert mentioned == ["gemeenschappen/", "gemeenschappen/wijkwerkplaats-zonnewiel/", STORY]
    stories = [doc for doc in index["docs"] if doc["location"].startswith("verhalen/")]
    assert not any("Zonnewiel" in doc["title"] for doc in stories)
    assert not any(doc["location"].startswith(WITHDRAWN) for doc in index["docs"])


# In Chromium ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def search_url(search_site: Site) -> Iterator[str]:
    with serve_folder(search_site.site_dir) as base:
        yield base


RESULTS = "[...document.querySelectorAll('.md-search-result__link')].map(a => a.href)"
INDEX_REQUESTS = (
    "performance.getEntriesByType('resource').filter(e => e.name.endsWith('search_index.json')).length"
)


def search(query: str):
    def interact(page: Any) -> None:
        page.keyboard.press("/")  # Material's key for the search
        page.keyboard.type(query, delay=20)
        page.wait_for_selector(".md-search-result__item")

    return interact


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("query", [COMMUNITY, "Zonnewiel", "Marktkwartier", "Taal en meedoen"])
def test_materials_search_finds_a_story_by_its_community_neighbourhood_and_theme(
    browser, search_url: str, query: str
):
    seen = visit(browser, search_url, interact=search(query), evaluate={"results": RESULTS})
    results = seen.values["results"]
    assert search_url + STORY in results, results
    assert search_url + OTHER not in results
    assert not any(WITHDRAWN in result for result in results)
    assert any(request.endswith("search/search_index.json") for request in seen.requests)
    assert any("/workers/search." in request for request in seen.requests), "the search ran in its worker"
    assert seen.foreign_requests() == []
    assert seen.errors == []


@pytest.mark.browser
@pytest.mark.slow
def test_the_search_index_is_fetched_only_when_the_search_opens(browser, search_url: str):
    idle = visit(browser, search_url + STORY, evaluate={"index": INDEX_REQUESTS})
    assert not any("search_index.json" in request for request in idle.requests), idle.requests
    assert idle.values["index"] == 0

    opened = visit(
        browser,
        search_url + STORY,
        interact=search("Zonnewiel"),
        evaluate={"index": INDEX_REQUESTS, "results": RESULTS},
    )
    assert opened.values["index"] == 1
    assert search_url + STORY in opened.values["results"]
    assert opened.errors == []


@pytest.mark.browser
@pytest.mark.slow
def test_a_tap_on_the_search_toggle_on_a_phone_also_loads_the_index(browser, search_url: str):
    def tap_and_search(page: Any) -> None:
        page.set_viewport_size({"width": 390, "height": 844})
        page.locator("label.md-header__button[for=__search]").click()
        page.wait_for_function(
            "performance.getEntriesByType('resource').some(e => e.name.endsWith('search_index.json'))"
        )
        # Material reads the query on keyup, as a visitor types it.
        page.locator("input.md-search__input").press_sequentially("Zonnewiel", delay=20)
        page.wait_for_selector(".md-search-result__item")

    seen = visit(browser, search_url, interact=tap_and_search, evaluate={"results": RESULTS})
    assert search_url + STORY in seen.values["results"]
