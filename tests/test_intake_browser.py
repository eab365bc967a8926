"""The form in Chromium without JavaScript: labelled, errors linked to fields, nothing from elsewhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from browser_support import keep_to_origin, new_context, origin, require_chromium
from intakekit import branches, make_repo, phone_photo, running_service

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    require_chromium()
    root = tmp_path_factory.mktemp("intake-browser")
    make_repo(root / "repo")
    with running_service(root / "repo", root / "data", min_seconds=0) as running:
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
