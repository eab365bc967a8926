"""A story without a summary gets its first paragraph, shortened to at most 300 characters."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aanhetwoord import pipeline
from aanhetwoord.config_file import load_settings
from sitefactory import Site

WORDS = ["buurt", "koffie", "samen", "zaterdag", "moestuin", "fiets", "lachen", "ouders", "ééntje"]


def summary_of(site: Site, body: str) -> str:
    site.add_story("lang", body)
    checked = pipeline.check(load_settings(site.write_config()))
    assert checked.problems == []
    (story,) = checked.stories
    return story.summary


def test_a_long_first_paragraph_is_cut_at_a_word_before_300_characters_with_an_ellipsis(site: Site):
    # Numbered words of 13 characters: 21 of them take 293 characters, 22 would take 307.
    paragraph = " ".join(f"woordnummer{number:02d}" for number in range(40))
    summary = summary_of(site, f"{paragraph}\n\nDe tweede alinea.")
    assert summary == " ".join(f"woordnummer{number:02d}" for number in range(21)) + "…"
    assert len(summary) == 294


def test_a_first_paragraph_of_300_characters_is_kept_whole(site: Site):
    paragraph = ("a" * 99 + " ") * 2 + "b" * 100  # 300 characters
    assert summary_of(site, paragraph) == paragraph


def test_the_summary_is_the_description_of_the_story_page(site: Site):
    paragraph = " ".join(f"woordnummer{number:02d}" for number in range(40))
    site.add_story("lang", paragraph, title="Lang verhaal")
    site.build(strict=True)
    expected = " ".join(f"woordnummer{number:02d}" for number in range(21)) + "…"
    assert f'<meta name="description" content="{expected}">' in site.page("verhalen/lang")


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.one_of(
        st.lists(st.sampled_from(WORDS), min_size=1, max_size=40),
        st.lists(st.sampled_from(WORDS), min_size=60, max_size=120),  # always over 300 characters
    )
)
def test_any_first_paragraph_gives_a_summary_of_at_most_300_characters(site: Site, words: list[str]):
    paragraph = " ".join(words)
    summary = summary_of(site, paragraph)
    assert len(summary) <= 300
    if len(paragraph) <= 300:
        assert summary == paragraph
    else:
        assert summary.endswith("…")
        kept = summary[:-1]
        # Whole words from the start of the paragraph, and most of the room used.
        assert paragraph.startswith(kept) and paragraph[len(kept)] == " "
        # (At most the longest word and a space short of 299, the room before the "…".)
        assert len(kept) >= 299 - len(max(WORDS, key=len)) - 1
