"""The demo's "Deel je verhaal" page in Chromium: the form first, the git route on a page of its own."""

from __future__ import annotations

import pytest

from browser_support import demo_url, new_context  # noqa: F401 - demo_url is a fixture

pytestmark = pytest.mark.browser

FORM = "https://verhalen.lindewaard.example/formulier/"
# Words that only the git route uses.
GIT_WORDS = ("git", "GitHub", "GitLab", "pull request", "fork", "aanhetwoord new", "aanhetwoord check")

# Where each text starts, in reading order, among the page's article text and links.
READING_ORDER = """(words) => {
  const article = document.querySelector('article');
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  let text = '';
  const button = article.querySelector('a.md-button');
  let buttonAt = -1;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (buttonAt < 0 && button.contains(node)) buttonAt = text.length;
    text += node.textContent + ' ';
  }
  const lower = text.toLowerCase();
  const first = Math.min(...words.map(w => {
    const at = lower.search(new RegExp('\\\\b' + w.toLowerCase() + '\\\\b'));
    return at < 0 ? Infinity : at;
  }));
  return {buttonAt, firstGit: first === Infinity ? null : first};
}"""


@pytest.mark.parametrize("width", [390, 1280])
def test_the_share_page_leads_with_a_button_to_the_form(browser, demo_url, width):  # noqa: F811
    context = new_context(browser, viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        page.goto(demo_url + "deel-je-verhaal/")
        button = page.get_by_role("link", name="Schrijf je verhaal in het formulier")
        assert button.get_attribute("href") == FORM
        assert "md-button" in button.get_attribute("class")
        # Seen without scrolling, on a phone too.
        box = button.bounding_box()
        assert box["y"] + box["height"] <= 800 and box["x"] + box["width"] <= width
        order = page.evaluate(READING_ORDER, list(GIT_WORDS))
        assert order["buttonAt"] >= 0
        assert order["firstGit"] is not None and order["buttonAt"] < order["firstGit"]
        # How it works comes before any word about git, in a handful of steps.
        steps = page.locator("h2:has-text('Hoe werkt het?') + ol > li")
        assert 3 <= steps.count() <= 6
        # What happens with the story and the consent is said on the page itself.
        headings = page.locator("article h2").all_inner_texts()
        assert headings.index("Hoe werkt het?") < headings.index("Wat gebeurt er met je verhaal?")
        assert not any("Stap " in heading for heading in page.locator("article h3").all_inner_texts())
    finally:
        context.close()


def test_the_git_route_has_its_own_page_and_old_links_still_land(browser, demo_url):  # noqa: F811
    context = new_context(browser)
    try:
        page = context.new_page()
        # An old link to the git steps lands on the section that leads to them.
        page.goto(demo_url + "deel-je-verhaal/#stap-voor-stap-via-github-of-gitlab")
        section = page.locator("#stap-voor-stap-via-github-of-gitlab")
        assert section.count() == 1
        link = page.get_by_role("link", name="Je verhaal sturen via git")
        link.click()
        page.wait_for_url("**/deel-je-verhaal-via-git/")
        assert page.get_by_role("heading", level=1).inner_text() == "Je verhaal sturen via git"
        text = page.locator("article").inner_text()
        for words in ("Fork", "pull request", "aanhetwoord new", "aanhetwoord check"):
            assert words in text, words
        # Its own in-page links work: every #anchor names an element on the page.
        anchors = page.locator("article a[href^='#']").evaluate_all("links => links.map(a => a.hash)")
        assert "#een-voorbeeld" in anchors
        for anchor in anchors:
            assert page.locator(anchor).count() == 1, anchor
        assert page.get_by_role("link", name="het formulier").first.get_attribute("href") == FORM
    finally:
        context.close()
