"""A story's search entries come from the core, not from reading its page back out of the HTML.

They must hold the same words as Material's search would take from the page's HTML: Material's
own parser is the judge, for any story text. A story with updates gets a second entry that
points at the updates on its page.
"""

from __future__ import annotations

import html
import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from material.plugins.search.plugin import Parser

from aanhetwoord import markdown
from fuzz.strategies import bodies
from sitefactory import Site, make_site


def _words(text: str) -> list[str]:
    return html.unescape(re.sub(r"<[^>]+>", " ", text)).split()


def _material_words(page_html: str) -> list[str]:
    parser = Parser()
    parser.feed(page_html)
    parser.close()
    return [
        word
        for section in parser.data
        for part in (section.title, section.text)
        for word in _words("".join(part))
    ]


def _photo(src: str, alt: str) -> str | None:
    # Left out (no consent), kept as a plain <img>, or our own picture markup.
    return (
        "" if src == "weg.jpg" else None if alt == "a" else '<picture><img src="x.jpg" alt="foto"></picture>'
    )


def _renderable(text: str) -> bool:
    # Lone surrogates never reach rendering: reading a story refuses them (see load.py).
    return not re.search("[\ud800-\udfff]", text)


_PIECES = st.sampled_from(
    [
        "# Kop\n\n",
        "Tekst met **vet** en `code`.",
        "![a](a.jpg)",
        "![weg](weg.jpg)",
        "![ver weg](https://example.org/x.jpg)",
        "[een link](https://example.org/)",
        "- punt\n- nog een\n\n",
        "1. een\n2. twee\n\n",
        "> citaat\n\n",
        "    code blok\n\n",
        "```\nomheining\n```\n\n",
        "| a | b |\n|---|---|\n| c | d |\n\n",
        "regel  \nbreuk",
        "&amp; &lt;b&gt; <i>geen html</i> <!-- notitie -->",
        "\n\n",
    ]
)


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(st.lists(_PIECES, max_size=12).map("".join), bodies().filter(_renderable)))
def test_the_core_indexes_the_same_words_as_materials_search_reads_from_the_page(text: str):
    page = markdown.rendered(text, _photo)
    assert page.html == markdown.render(text, _photo)
    assert _words(page.text) == _material_words(page.html)


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(st.lists(_PIECES, max_size=12).map("".join), bodies().filter(_renderable)))
def test_the_search_text_has_only_the_tags_a_search_index_keeps(text: str):
    tags = set(re.findall(r"</?([^\s>]*)", markdown.rendered(text, _photo).text))
    assert tags <= {"p", "ul", "ol", "li", "code", "pre"}


def test_a_note_and_a_photo_without_consent_stay_out_of_the_search_text():
    text = "Voor ![weg](weg.jpg) na.<!-- toestemming ouders ontbreekt nog -->\n\n![ver weg](https://example.org/x.jpg)"
    page = markdown.rendered(text, _photo)
    assert page.text == "<p>Voor na.</p> <p>ver weg</p>"


def test_a_story_with_updates_has_an_entry_for_them_that_points_at_them(tmp_path):
    site: Site = make_site(tmp_path)
    site.add_story(
        "buurtkeuken",
        "We koken elke dinsdag met wie er komt.",
        title="De buurtkeuken <open>",
        community="Keuken & Co",
        storytellers=["Fatma"],
        updates=[{"date": "2026-05-01", "text": "Nu ook op **donderdag**."}],
    )
    site.build(strict=True)
    index = json.loads((site.site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))
    entries = {
        doc["location"]: doc for doc in index["docs"] if doc["location"].startswith("verhalen/buurtkeuken/")
    }
    assert set(entries) == {"verhalen/buurtkeuken/", "verhalen/buurtkeuken/#ahw-updates"}
    story = entries["verhalen/buurtkeuken/"]
    assert story["title"] == "De buurtkeuken &lt;open&gt;"
    assert "<p>Aan het woord: Keuken &amp; Co</p>" in story["text"]
    assert "Verteld door Fatma." in story["text"]
    assert story["text"].endswith("<p>We koken elke dinsdag met wie er komt.</p>")
    updates = entries["verhalen/buurtkeuken/#ahw-updates"]
    assert updates["text"] == "<p>1 mei 2026</p> <p>Nu ook op donderdag.</p>"
    page = (site.site_dir / "verhalen" / "buurtkeuken" / "index.html").read_text(encoding="utf-8")
    assert 'id="ahw-updates"' in page
    # The related stories at the foot of the page are other pages: no entry of their own here.
    assert not any("#ahw-related" in location for location in entries)
