"""Story Markdown is rendered for untrusted authors: no HTML, no foreign requests, safe links."""

from __future__ import annotations

import pytest

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
