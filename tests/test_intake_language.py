"""The story's language on the form and the form in English: through the one validator, never lost."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from aanhetwoord import pipeline
from aanhetwoord.config_file import load_settings
from aanhetwoord.intake import upload, wording
from aanhetwoord.intake.form import Errors, Limits, Values, check, language_choices, one_line
from intakekit import make_repo


@pytest.fixture(scope="module")
def registers(tmp_path_factory):
    repo = tmp_path_factory.mktemp("taal") / "repo"
    make_repo(repo)
    registers, _ = pipeline.load_registers(load_settings(repo / "mkdocs.yml"))
    return registers


def submit(registers, folder: Path, **fields: list[str]):
    posted = {
        "title": ["Samen breien"],
        "community": ["Breiclub De Steek"],
        "neighbourhoods": ["oude-haven"],
        "themes": ["samen-leven"],
        "body": ["Op dinsdag breien we samen."],
        "consent": ["ja"],
        "age_confirm": ["ja"],
    } | fields
    errors = Errors()
    accepted = check(
        Values.from_post(upload.Post(fields=posted)),
        photo=None,
        registers=registers,
        today=date(2026, 11, 24),
        reference="INZ-20261124-ABCDEF",
        folder=folder,
        limits=Limits(20_000, 64 * 1024),
        errors=errors,
    )
    return accepted, errors


def front(text: str) -> dict:
    return yaml.safe_load(text.split("---\n")[1])


def test_without_a_choice_the_story_is_dutch(registers, tmp_path):
    accepted, errors = submit(registers, tmp_path)
    assert not errors
    assert front(accepted.text)["language"] == "nl"


@pytest.mark.parametrize("code", ["ar", "tr", "uk", "ti", "zgh", "pt-BR"])
def test_a_language_the_validator_knows_is_written_as_chosen(registers, tmp_path, code):
    accepted, errors = submit(registers, tmp_path, language=[code])
    assert not errors, errors.by_field
    assert front(accepted.text)["language"] == code
    assert accepted.story.language == code


def test_an_unknown_language_is_refused_next_to_its_field_in_both_languages(registers, tmp_path):
    accepted, errors = submit(registers, tmp_path, language=["klingon"])
    assert accepted is None
    [message] = errors.by_field["language"]
    assert message == "'klingon' is geen bekende taalcode (zoals nl, en, ar, tr)."
    assert wording.in_language(message, "en") == "'klingon' is not a known language code."
    assert list(errors.by_field) == ["language"]


@examples(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=st.text(max_size=60))
def test_any_language_value_is_either_written_or_refused_at_its_field(registers, tmp_path, code):
    accepted, errors = submit(registers, tmp_path, language=[code])
    if accepted is None:
        assert list(errors.by_field) == ["language"]
        for message in errors.by_field["language"]:
            assert wording.in_language(message, "en") != message  # there is an English message
    else:
        assert front(accepted.text)["language"] == (one_line(code) or "nl") == accepted.story.language


def test_the_language_list_names_each_language_in_dutch_or_english_and_in_its_own():
    dutch = dict(language_choices("nl", "nl"))
    english = dict(language_choices("en", "nl"))
    assert list(dutch)[0] == "nl" and dutch["nl"] == "Nederlands"
    assert dutch["ar"] == "Arabisch – العربية" and english["ar"] == "Arabic – العربية"
    assert dutch["tr"] == "Turks – Türkçe" and english["tr"] == "Turkish – Türkçe"
    assert dutch["pl"] == "Pools – Polski" and english["en"] == "English"
    assert 8 <= len(dutch) <= 20
    # A value that was sent but is not on the list stays on the form, as it was sent.
    assert language_choices("nl", "kl-xx")[-1] == ("kl-xx", "kl-xx")


def test_every_text_of_the_form_has_an_english_twin():
    texts = [
        *wording.LABELS.values(),
        *wording.HINTS.values(),
        wording.CONSENT,
        wording.PHOTO_CONSENT,
        wording.AGE,
        wording.WITHDRAW,
        wording.email_note(30),
        wording.photo_hint(25),
        wording.not_sent_heading(2),
        wording.BAD_TOKEN,
        wording.TOO_FAST,
        wording.TOO_OLD,
        wording.HONEYPOT_FILLED,
        wording.CHOOSE_PHOTO_AGAIN,
        wording.photo_too_large(25),
        *wording.NOT_FOUND.paragraphs,
    ]
    for text in texts:
        english = wording.in_language(text, "en")
        assert english and english != text, text
        assert wording.in_language(text, "nl") == text
    assert wording.in_language(wording.LABELS["title"], "en") == "Title"
    assert wording.form_language("en") == "en"
    assert wording.form_language("de") == wording.form_language(None) == "nl"
