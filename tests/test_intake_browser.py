"""The form in Chromium without JavaScript: labelled, errors linked to fields, nothing from elsewhere."""

from __future__ import annotations

import importlib.resources
import re
from pathlib import Path

import pytest
import yaml

from browser_support import keep_to_origin, new_context, origin, require_chromium
from intakekit import branches, git, make_repo, phone_photo, register_rows, running_service

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    require_chromium()
    root = tmp_path_factory.mktemp("intake-browser")
    make_repo(root / "repo")
    with running_service(root / "repo", root / "data", min_seconds=0, rate_limit=1000) as running:
        yield running


@pytest.fixture
def page(browser, service):
    """A page in a context with JavaScript off; requests to any other origin are recorded and aborted."""
    context = new_context(browser, java_script_enabled=False, service_workers="block")
    requests: list[str] = []
    own = origin(service.base)
    keep_to_origin(context, own, requests)
    page = context.new_page()
    page.requests = requests
    yield page
    context.close()
    assert [url for url in requests if origin(url) != own] == []


UNLABELLED = """() => [...document.querySelectorAll('input, textarea, select, button')]
  .filter(el => el.type !== 'hidden' && el.tagName !== 'BUTTON')
  .filter(el => el.labels.length === 0 || [...el.labels].every(l => !l.textContent.trim()))
  .map(el => el.name || el.id)"""

DESCRIBED = """() => [...document.querySelectorAll('[aria-describedby]')].map(el => ({
  name: el.getAttribute('name')
    || el.tagName.toLowerCase() + ':' + (el.querySelector('legend') || el).textContent.trim().slice(0, 20),
  invalid: el.getAttribute('aria-invalid'),
  texts: el.getAttribute('aria-describedby').split(' ').map(id => {
    const target = document.getElementById(id);
    return target ? target.textContent.trim() : null;
  }),
}))"""


def test_the_form_is_labelled_and_grouped(page, service):
    page.goto(service.base)
    assert page.evaluate("document.documentElement.lang") == "nl"
    assert page.evaluate(UNLABELLED) == []
    legends = page.evaluate(
        "[...document.querySelectorAll('fieldset > legend')].map(l => l.textContent.trim())"
    )
    assert "Buurt (nodig)" in legends and "Thema (nodig)" in legends
    themes = page.evaluate(
        "[...document.querySelectorAll('input[name=themes]')]"
        ".map(el => el.closest('fieldset').querySelector('legend').textContent.trim())"
    )
    assert set(themes) == {"Thema (nodig)"}
    # The honeypot is out of sight and out of reach for people and screen readers.
    assert page.evaluate("document.getElementById('website').closest('[aria-hidden=true]') !== null")
    assert page.evaluate("document.getElementById('website').tabIndex") == -1
    assert page.evaluate("document.scripts.length") == 0
    assert page.get_by_role("button", name="Verstuur je verhaal").is_visible()


def test_errors_are_summarised_linked_and_described_without_javascript(page, service, tmp_path: Path):
    page.goto(service.base)
    page.get_by_label("Titel").fill("Een titel die veel te lang is " * 5)
    page.get_by_label("Naam van jullie groep").fill("Buren van de Walstraat")
    page.get_by_label("Oude Haven").check()
    page.get_by_label("Jullie verhaal").fill("Wij vegen samen.\n\nEn dan is er soep.")
    photo = tmp_path / "soep.jpg"
    photo.write_bytes(phone_photo(640, 480, orientation=1))
    page.get_by_label("Kies een foto").set_input_files(str(photo))
    page.get_by_label("Wat is er op de foto te zien?").fill("Een pan soep op de stoep")
    page.get_by_role("button", name="Verstuur je verhaal").click()
    page.wait_for_load_state()

    summary = page.get_by_role("alert")
    assert "Je verhaal is nog niet verstuurd" in summary.inner_text()
    links = summary.get_by_role("link").evaluate_all("links => links.map(a => [a.hash, a.textContent])")
    targets = [target for target, _ in links]
    assert targets == ["#title", "#themes-samen-leven", "#photo_consent", "#consent", "#age_confirm"]
    for target, _ in links:
        assert page.locator(target).count() == 1, target

    described = {item["name"]: item for item in page.evaluate(DESCRIBED)}
    title = described["title"]
    assert title["invalid"] == "true"
    assert None not in title["texts"]
    assert any("hoogstens 120 tekens" in text for text in title["texts"])
    for name in ("consent", "age_confirm", "photo_consent"):
        assert described[name]["invalid"] == "true" and any(
            "Zet hier een vinkje" in t for t in described[name]["texts"]
        )
    themes = next(item for key, item in described.items() if key.startswith("fieldset:Thema"))
    assert any("Kies minstens één thema" in text for text in themes["texts"])
    assert described["community"]["invalid"] is None

    # What was typed is still there, and the photo is kept.
    assert page.get_by_label("Naam van jullie groep").input_value() == "Buren van de Walstraat"
    assert page.get_by_label("Oude Haven").is_checked()
    assert "Wij vegen samen." in page.get_by_label("Jullie verhaal").input_value()
    assert "Je foto is bewaard (640 × 480 pixels)" in page.content()

    # Following a link in the summary moves to the field.
    summary.get_by_role("link").first.click()
    page.wait_for_function("() => location.hash === '#title'")
    assert page.url.endswith("#title")

    # Put it right and send it again, still without JavaScript.
    page.get_by_label("Titel").fill("Samen vegen en soep")
    page.get_by_label("Samen leven").check()
    page.locator("#photo_consent").check()
    page.locator("#consent").check()
    page.locator("#age_confirm").check()
    page.get_by_role("button", name="Verstuur je verhaal").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Bedankt voor je verhaal!"
    link = page.locator("#intrekken").get_attribute("href")
    assert re.search(r"/intrekken/[A-Za-z0-9_-]{40,}$", link)
    assert any("samen-vegen-en-soep" in branch for branch in branches(service.repo, "inzending/"))
    # Reloading the confirmation shows the same link again, and sends nothing twice.
    sent = len(branches(service.repo, "inzending/"))
    page.reload()
    assert page.get_by_role("heading", level=1).inner_text() == "Bedankt voor je verhaal!"
    assert page.locator("#intrekken").get_attribute("href") == link
    assert len(branches(service.repo, "inzending/")) == sent

    # The withdrawal page works without JavaScript too (and is only a question until confirmed).
    page.goto(link)
    assert page.get_by_role("button", name="Ja, trek mijn verhaal in").is_visible()
    page.get_by_role("button", name="Ja, trek mijn verhaal in").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Je verhaal is ingetrokken"


# Narrow screens, the photo button, the story's language and the English form -----------------

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def text_of(locator) -> str:
    """The element's text as a screen reader reads it, hidden parts included, in single spaces."""
    return " ".join(locator.text_content().split())


def committed_story(service, slug: str) -> tuple[str, dict]:
    """The branch with the story ``slug`` in the real repository, and its front matter."""
    [branch] = [name for name in branches(service.repo, "inzending/") if re.search(rf"\d-{slug}-\w+$", name)]
    text = git(service.repo, "show", f"{branch}:stories/{slug}/index.md")
    return branch, yaml.safe_load(text.split("---\n")[1])


def fill_story(page, title: str, *, labels: dict[str, str] | None = None) -> None:
    """Fill in every required field, by the labels the resident sees (Dutch unless given)."""
    names = {
        "title": "Titel",
        "community": "Naam van jullie groep",
        "body": "Jullie verhaal",
        "consent": "#consent",
        "age": "#age_confirm",
    } | (labels or {})
    page.get_by_label(names["title"]).fill(title)
    page.get_by_label(names["community"]).fill("Breiclub De Steek")
    page.get_by_label("Marktkwartier").check()
    page.get_by_label("Samen leven").check()
    page.get_by_label(names["body"]).fill("Op dinsdag breien we samen.\n\nIedereen mag komen.")
    page.locator(names["consent"]).check()
    page.locator(names["age"]).check()


@pytest.mark.parametrize("width", [320, 390])
def test_the_form_with_errors_fits_a_phone_without_scrolling_sideways(browser, service, width):
    context = new_context(browser, java_script_enabled=False, viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        page.goto(service.base)
        # A long unbroken word is what pushes a narrow page wide.
        page.get_by_label("Titel").fill("Buurtbarbecue" * 12)
        page.get_by_label("E-mailadres").fill("niet-goed@" + "x" * 60)
        page.get_by_role("button", name="Verstuur je verhaal").click()
        page.wait_for_load_state()
        assert page.get_by_role("alert").is_visible()
        assert page.locator("#title-fout-1").is_visible()
        assert page.evaluate(OVERFLOW) == 0
        # The header names the municipality and leads back to its site.
        header = page.locator("header")
        assert header.get_by_role("link", name="Testgemeente").get_attribute("href") == (
            "https://verhalen.example.org/"
        )
        assert header.get_by_role("link", name="Terug naar de site").get_attribute("href") == (
            "https://verhalen.example.org/"
        )
        assert page.title() == "Nog niet verstuurd: Deel je verhaal – Testgemeente"
        # The photo button is the form's own, in Dutch, and as wide as its text at most.
        button = page.locator("label[for=photo]")
        assert button.inner_text() == "Kies een foto"
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
    finally:
        context.close()


def test_the_photo_button_works_with_the_keyboard_and_opens_the_file_chooser(page, service, tmp_path):
    # File choosers are caught from before the page loads. Caught only while a test waits for one,
    # Playwright switches catching on without waiting, and the key that opens one may come first.
    choosers: list = []
    page.on("filechooser", lambda chooser: choosers.append(chooser))
    page.goto(service.base)
    hidden = page.locator("#photo")
    box = hidden.bounding_box()
    assert box["width"] <= 1 and box["height"] <= 1  # out of sight: the label is the button
    assert page.get_by_label("Kies een foto").evaluate("el => el.type") == "file"

    # Tab from the field before it lands on the file input, and the button shows the focus.
    page.get_by_label("Namen van de vertellers").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "photo"
    assert page.locator("label[for=photo]").evaluate("el => getComputedStyle(el).outlineStyle") == "solid"

    photo = tmp_path / "breien.jpg"
    photo.write_bytes(phone_photo(400, 300, orientation=1))
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    assert chooser.value.element.evaluate("el => el.id") == "photo"
    chooser.value.set_files(str(photo))

    # A click on the button opens the chooser too.
    with page.expect_file_chooser() as again:
        page.get_by_text("Kies een foto", exact=True).click()
    assert again.value.element.evaluate("el => el.id") == "photo"
    assert len(choosers) == 2

    # The chosen photo arrives: sent with an error elsewhere, it is kept for the next try.
    page.get_by_role("button", name="Verstuur je verhaal").click()
    page.wait_for_load_state()
    assert "Je foto is bewaard (400 × 300 pixels)" in page.content()


def test_the_chosen_language_is_written_into_the_committed_story(page, service):
    page.goto(service.base)
    choice = page.get_by_label("Taal van je verhaal")
    assert choice.input_value() == "nl"
    options = choice.locator("option").evaluate_all("os => os.map(o => [o.value, o.textContent])")
    assert ["nl", "Nederlands"] in options
    assert ["tr", "Turks – Türkçe"] in options
    assert ["ar", "Arabisch – العربية"] in options
    fill_story(page, "Breien op dinsdag")
    choice.select_option("tr")
    page.get_by_role("button", name="Verstuur je verhaal").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Bedankt voor je verhaal!"
    _, data = committed_story(service, "breien-op-dinsdag")
    assert data["language"] == "tr"
    assert data["title"] == "Breien op dinsdag"


def test_the_english_form_speaks_english_and_keeps_what_was_typed(page, service):
    page.goto(service.base)
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.url.endswith("/?lang=en")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Share your story"
    for label in ("Title", "Name of your group", "Your story", "Language of your story", "E-mail address"):
        assert page.get_by_label(re.compile(f"^{label}")).count() == 1, label
    assert page.get_by_label("Choose a photo").evaluate("el => el.type") == "file"
    assert "Short and clear, at most 120 characters." in page.locator("#title-uitleg").inner_text()
    assert page.get_by_role("link", name="Nederlands").get_attribute("lang") == "nl"

    # Sent without consent and with a title that is too long: English messages next to the fields.
    page.get_by_label("Title").fill("A very long title " * 8)
    page.get_by_label("Name of your group").fill("Knitting club The Stitch")
    page.get_by_label("Oude Haven").check()
    page.get_by_label("Samen leven").check()
    page.locator("#body").fill("On Tuesdays we knit together.")
    page.get_by_label("Language of your story").select_option("en")
    page.get_by_role("button", name="Send your story").click()
    page.wait_for_load_state()
    assert page.url.endswith("/?lang=en")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert "Your story has not been sent yet. There are 3 things to put right:" in (
        page.get_by_role("alert").inner_text()
    )
    assert text_of(page.locator("#title-fout-1")) == (
        "Error: The title is 143 characters long; it may be at most 120."
    )
    assert text_of(page.locator("#consent-fout-1")) == (
        "Error: Tick this box if everyone in the story agrees. "
        "Without their consent we cannot publish the story."
    )
    assert text_of(page.locator("#age_confirm-fout-1")).startswith("Error: Tick this box if you are 16")
    assert "Zet hier een vinkje" not in page.content()
    # What was typed is all still there.
    assert page.get_by_label("Title").input_value() == ("A very long title " * 8).strip()
    assert page.get_by_label("Name of your group").input_value() == "Knitting club The Stitch"
    assert page.get_by_label("Oude Haven").is_checked() and page.get_by_label("Samen leven").is_checked()
    assert page.locator("#body").input_value() == "On Tuesdays we knit together."
    assert page.get_by_label("Language of your story").input_value() == "en"

    # Put right, it becomes the same kind of story and consent record as from the Dutch form.
    page.get_by_label("Title").fill("Knitting on Tuesdays")
    page.locator("#consent").check()
    page.locator("#age_confirm").check()
    page.get_by_role("button", name="Send your story").click()
    page.wait_for_load_state()
    assert page.locator("#intrekken").count() == 1
    branch, data = committed_story(service, "knitting-on-tuesdays")
    assert data["language"] == "en"
    assert set(data) == {"title", "date", "community", "neighbourhoods", "themes", "consent", "language"}
    assert data["neighbourhoods"] == ["Oude Haven"] and data["themes"] == ["Samen leven"]
    # And the same story from the Dutch form.
    page.goto(service.base)
    fill_story(page, "Breien in de Oude Haven")
    page.get_by_role("button", name="Verstuur je verhaal").click()
    page.wait_for_load_state()
    dutch_branch, dutch = committed_story(service, "breien-in-de-oude-haven")
    assert set(dutch) == set(data) and dutch["language"] == "nl"
    rows = {row["branch"]: row for row in register_rows(service.data)}
    assert rows[branch]["consent_version"] == rows[dutch_branch]["consent_version"]
    for row in (rows[branch], rows[dutch_branch]):
        assert row["status"] == "submitted" and row["age_confirmed"] == 1


def test_an_unknown_form_language_is_dutch(page, service):
    page.goto(service.base + "?lang=xx")
    assert page.evaluate("document.documentElement.lang") == "nl"
    assert page.get_by_role("heading", level=1).inner_text() == "Deel je verhaal"


@pytest.mark.parametrize("query", ["", "?lang=en"])
def test_axe_finds_nothing_on_the_form_with_errors(browser, service, query):
    axe = importlib.resources.files("axe_playwright_python") / "axe.min.js"
    # axe is a script, which the form's own policy forbids: this context alone looks past it.
    context = new_context(browser, bypass_csp=True, viewport={"width": 390, "height": 800})
    try:
        page = context.new_page()
        page.goto(service.base + query)
        page.locator("#title").fill("Een titel")
        page.locator("button[type=submit]").click()
        page.wait_for_load_state()
        assert page.get_by_role("alert").is_visible()
        page.add_script_tag(content=axe.read_text(encoding="utf-8"))
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
            ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
        )
    finally:
        context.close()
    assert [(rule["id"], [node["target"] for node in rule["nodes"]]) for rule in result["violations"]] == []
