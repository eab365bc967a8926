"""The demo's Arabic story in Chromium: Dutch labels read in Dutch order and are Dutch to a screen
reader, the page is an Arabic, right-to-left page, and it links to its Dutch original."""

from __future__ import annotations

import pytest

from browser_support import DEMO_PAGES, new_context

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Where each word of an element's text is drawn, left edge first: the order a reader sees.
WORDS_LEFT_TO_RIGHT = """(element) => {
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  const words = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.textContent.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const box = range.getBoundingClientRect();
      words.push([box.top, box.left, match[0]]);
    }
  }
  // One line at a time from the top, then left to right.
  words.sort((a, b) => (Math.abs(a[0] - b[0]) > 4 ? a[0] - b[0] : a[1] - b[1]));
  return words.map((word) => word[2]).join(" ");
}"""

LANGUAGE_AND_DIRECTION = """(element) => [
  element.closest('[lang]').getAttribute('lang'), getComputedStyle(element).direction
]"""


@pytest.fixture(scope="module")
def arabic(browser, demo_url: str):
    context = new_context(browser)
    page = context.new_page()
    page.goto(demo_url + DEMO_PAGES["story in a right-to-left language"])
    yield page
    context.close()


def test_the_date_reads_in_dutch_order(arabic):
    date = arabic.locator(".ahw-story__facts dd time")
    assert date.evaluate(WORDS_LEFT_TO_RIGHT) == "24 april 2026"
    facts = arabic.locator(".ahw-story__facts div").first
    assert facts.evaluate(WORDS_LEFT_TO_RIGHT) == "Gepubliceerd op 24 april 2026"


def test_the_byline_keeps_its_dutch_order_around_arabic_names(arabic):
    byline = arabic.locator(".ahw-story__byline")
    # Words are split where the markup splits them: a name and the full stop after it.
    assert byline.evaluate(WORDS_LEFT_TO_RIGHT) == (
        "Verteld door رانيا , أمل , هدى . Opgetekend door Amal, die het verhaal ook vertaalde ."
    )


def test_dutch_labels_are_dutch_and_left_to_right_in_the_arabic_story(arabic):
    for selector in (
        ".ahw-story__speaker-label",
        ".ahw-story__facts dt",
        ".ahw-story__byline",
        ".ahw-story__translations",
        "#ahw-related",
    ):
        assert arabic.locator(selector).first.evaluate(LANGUAGE_AND_DIRECTION) == ["nl", "ltr"], selector
    for selector in (".ahw-story h1", ".ahw-story__body p"):
        assert arabic.locator(selector).first.evaluate(LANGUAGE_AND_DIRECTION) == ["ar", "rtl"], selector
    # The menu around the story stays Dutch too.
    assert arabic.locator(".md-header").evaluate(LANGUAGE_AND_DIRECTION)[0] == "nl"


def test_the_page_is_an_arabic_right_to_left_page_titled_by_its_story(arabic):
    html = arabic.evaluate("[document.documentElement.lang, document.documentElement.dir]")
    assert html == ["ar", "rtl"]
    assert arabic.title().startswith("مجموعة ياسمين للنساء: نخيط معًا ونتكلم الهولندية معًا")
    assert arabic.locator("h1").count() == 1
    link = arabic.locator(".ahw-story__translations a")
    assert link.inner_text() == "Nederlands"
    assert link.get_attribute("hreflang") == "nl"
    assert arabic.locator(".ahw-story__translations").evaluate(WORDS_LEFT_TO_RIGHT) == "Ook in het Nederlands"


def test_the_footers_dutch_sentence_keeps_its_full_stop_at_the_end(arabic):
    line = arabic.locator(".md-copyright__highlight")
    assert line.evaluate(WORDS_LEFT_TO_RIGHT) == (
        "De verhalen zijn van de groepen die ze vertellen. De gemeente Lindewaard geeft ze een plek."
    )
