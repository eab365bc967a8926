"""Story Markdown is rendered for untrusted authors: no HTML, no foreign requests, safe links."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aanhetwoord import markdown


def test_raw_html_is_shown_as_text():
    html = markdown.render('<b onclick="x()">vet</b>\n\n<script>alert(1)</script>')
    assert "<b" not in html and "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x", "vbscript:x", "//evil.example/"]
)
def test_unsafe_links_are_not_links(url):
    assert "<a" not in markdown.render(f"[klik]({url})")


@pytest.mark.parametrize(
    "url", ["https://example.org/", "mailto:a@example.org", "../andere-verhaal/", "#kop"]
)
def test_safe_links_stay_links_and_do_not_pass_on_the_referrer(url):
    html = markdown.render(f"[klik]({url})")
    assert f'href="{url}"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_images_from_other_hosts_become_their_alt_text():
    html = markdown.render("![Het koor](https://example.org/koor.jpg) en ![buren](buren.jpg)")
    assert "example.org" not in html and "Het koor" in html
    assert '<img src="buren.jpg" alt="buren" loading="lazy">' in html


def test_headings_start_below_the_story_title():
    assert markdown.render("# Kop").startswith("<h2>Kop</h2>")


def test_images_report_their_own_line_inside_a_paragraph():
    refs = markdown.images(markdown.parse("Regel een\nregel twee ![a](a.jpg)\n\n![b](b.jpg)"))
    assert [(ref.src, ref.line) for ref in refs] == [("a.jpg", 2), ("b.jpg", 4)]


# HTML comments: notes for the editors, never published -----------------------------------------

SECRET = "Toestemming van de ouders is er nog niet"


@pytest.mark.parametrize(
    "text",
    [
        f"<!-- {SECRET} -->\n\nHet verhaal.",  # a block of its own
        f"Het <!-- {SECRET} -->verhaal.",  # inside a sentence
        f"Het verhaal.\n<!--\n{SECRET}\n\nnog een regel\n-->",  # over several lines, with a blank one
        f"Het verhaal.\n\n<!-- {SECRET}",  # never closed: the rest is hidden
        f"Het verhaal.\n\n- punt <!-- {SECRET} -->\n\n> citaat <!--{SECRET}-->",  # in a list and a quote
        f"Het verhaal.\n\n`code <!-- {SECRET} -->`\n\n    <!-- {SECRET} -->",  # even inside code
        f"Het verhaal.<!---->\n\n<!-- {SECRET} --->",  # empty, and with an extra dash
    ],
)
def test_html_comments_are_not_rendered_and_not_in_the_summary(text):
    html = markdown.render(text)
    assert SECRET not in html and "<!--" not in html and "&lt;!--" not in html
    assert "verhaal." in html
    assert SECRET not in markdown.first_paragraph_text(markdown.parse(text))


def test_the_summary_skips_a_note_that_stands_first():
    text = f"<!-- {SECRET} -->\n\nEerste <!-- en niet dit --> echte alinea.\n\nTweede alinea."
    assert markdown.first_paragraph_text(markdown.parse(text)) == "Eerste  echte alinea."


def test_text_between_two_comments_stays():
    html = markdown.render("<!-- a -->Tussen<!-- b --> en na.")
    assert html == "<p>Tussen en na.</p>\n"


def test_comments_are_found_with_their_line_and_whether_they_are_closed():
    text = "Een\n<!-- notitie -->\n\nTwee <!-- over\ntwee regels -->\n\n<!-- open\nrest"
    assert markdown.comments(text) == [
        markdown.Comment(2, True),
        markdown.Comment(4, True),
        markdown.Comment(7, False),
    ]
    assert markdown.comments("Geen notitie, wel een pijl -->.") == []


def test_images_after_a_comment_keep_the_line_they_have_in_the_text():
    text = "<!-- een\nnotitie\nvan drie regels -->\n\n![a](a.jpg)\n\nTekst <!-- x --> en\nook ![b](b.jpg)"
    refs = markdown.images(markdown.parse(text))
    assert [(ref.src, ref.line) for ref in refs] == [("a.jpg", 5), ("b.jpg", 8)]


def test_an_image_inside_a_comment_is_not_an_image_of_the_story():
    assert markdown.images(markdown.parse("Tekst.\n\n<!-- ![oud](oud.jpg) -->")) == []


def test_a_photo_left_out_leaves_no_empty_paragraph_list_item_or_link():
    text = (
        "Voor ![a](a.jpg) na.\n\n![b](b.jpg)\n\n[![c](c.jpg)](https://example.org/)\n\n"
        "- ![d](d.jpg)\n- punt\n\n> ![e](e.jpg)\n\nSlot."
    )
    html = markdown.render(text, lambda src, alt: "")
    assert html == "<p>Voor  na.</p>\n<ul>\n<li>punt</li>\n</ul>\n<p>Slot.</p>\n"


# Any text around a note: the note never reaches the page or the summary.
_MARKDOWN_CHARS = "abc xyz\n*_`#>-![]()<!:1."


@settings(max_examples=150, deadline=None)
@given(
    before=st.text(alphabet=_MARKDOWN_CHARS, max_size=60),
    note=st.text(alphabet="abcdefghij \n", max_size=30),
    after=st.text(alphabet=_MARKDOWN_CHARS, max_size=60),
    closed=st.booleans(),
)
def test_a_note_never_reaches_the_page_whatever_surrounds_it(before, note, after, closed):
    marker = "QQNOTITIEQQ"  # the alphabets have no Q: only the note can hold it
    text = f"{before}<!--{marker}{note}{'-->' if closed else ''}{after}"
    assert marker not in markdown.render(text)
    assert marker not in markdown.first_paragraph_text(markdown.parse(text))


# Photos that are shown, left out, or from another host, in headings, links, lists and quotes.
_WITH_PHOTOS = st.lists(
    st.sampled_from(
        [
            "# Kop",
            "Tekst",
            "![a](a.jpg)",
            "![weg](weg.jpg)",
            "![ver](https://example.org/x.jpg)",
            "[",
            "]",
            "(https://example.org/)",
            "- ",
            "> ",
            "\n\n",
            " ",
            "[](https://example.org/)",
        ]
    ),
    max_size=12,
).map("".join)


def _photo(src: str, alt: str) -> str | None:
    return "" if src == "weg.jpg" else None if alt == "a" else "<picture></picture>"


@settings(max_examples=150, deadline=None)
@given(text=_WITH_PHOTOS)
def test_rendering_leaves_the_parse_as_it_was_so_it_renders_the_same_again(text):
    tokens = markdown.parse(text)
    first = markdown.render(text, _photo, tokens)
    assert tokens == markdown.parse(text)
    assert markdown.render(text, _photo, tokens) == first
    assert markdown.render(text, _photo) == first


def test_one_parse_rendered_twice_gives_the_same_page():
    text = "# Kop\n\nVoor ![a](a.jpg) na ![weg](weg.jpg).\n\n[![weg](weg.jpg)](https://example.org/)"
    tokens = markdown.parse(text)
    expected = '<h2>Kop</h2>\n<p>Voor <img src="a.jpg" alt="a" loading="lazy"> na .</p>\n'
    assert markdown.render(text, _photo, tokens) == expected
    assert markdown.render(text, _photo, tokens) == expected


@pytest.mark.parametrize("text", ["\r# ", "Een\rtwee\r\n\r\ndrie", "a\r<!-- x\r -->\rb"])
def test_carriage_returns_break_lines_as_line_feeds_do(text):
    same = text.replace("\r\n", "\n").replace("\r", "\n")
    assert markdown.render(text) == markdown.render(same)
    assert [token.map for token in markdown.parse(text)] == [token.map for token in markdown.parse(same)]
