"""A photo's caption says "Foto:" once, or not at all when the credit already says what it is."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aanhetwoord.text import credit_caption


@pytest.mark.parametrize(
    ("credit", "caption"),
    [
        ("Sanne de Vries", "Foto: Sanne de Vries"),
        ("Tekening: redactie Aan het woord", "Tekening: redactie Aan het woord"),
        ("Foto: Jan", "Foto: Jan"),
        ("Foto en tekst: Jan", "Foto en tekst: Jan"),
        ("Illustratie:Ali", "Illustratie:Ali"),
        ("Gemeente Lindewaard, 12:30 uur", "Foto: Gemeente Lindewaard, 12:30 uur"),
        ("2024: archief", "Foto: 2024: archief"),
        ("https://example.org/foto", "Foto: https://example.org/foto"),
    ],
)
def test_credit_captions(credit: str, caption: str):
    assert credit_caption(credit, "Foto") == caption


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=80).filter(lambda text: text.strip()))
def test_a_caption_keeps_the_credit_and_never_says_foto_twice(credit: str):
    caption = credit_caption(credit, "Foto")
    assert caption.endswith(credit.strip())
    assert not caption.startswith("Foto: Foto:")
    assert caption in (credit.strip(), f"Foto: {credit.strip()}")
