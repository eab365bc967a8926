"""What the staff pages read from a posted form: decline reasons and group names (property tests)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.datastructures import FormData

from aanhetwoord.intake.review import DECLINE_REASONS, StoryEdit
from aanhetwoord.intake.staff.review_pages import _communities, _reasons, _values

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)


def test_a_chosen_reason_and_a_written_one_both_count():
    form = FormData([("reason", DECLINE_REASONS[1]), ("reason", "  Schrijf het zonder namen.  ")])
    assert _reasons(form) == ((DECLINE_REASONS[1],), "Schrijf het zonder namen.")
    assert _reasons(FormData([("reason", ""), ("reason", "   ")])) == ((), "")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(DECLINE_REASONS), TEXT), max_size=6))
def test_every_reason_sent_is_kept_and_only_list_reasons_count_as_chosen(values):
    chosen, written = _reasons(FormData([("reason", value) for value in values]))
    assert set(chosen) == {value for value in values if value in DECLINE_REASONS}
    assert len(chosen) == len(set(chosen))
    for value in values:
        if value not in DECLINE_REASONS and value.strip():
            assert value.strip() in written


def test_groups_are_split_on_commas():
    assert _communities("Kookclub Vrijdag") == "Kookclub Vrijdag"
    assert _communities(" Kookclub , Wandelclub ,") == ["Kookclub", "Wandelclub"]
    assert _communities("  ") == ""


NAME = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters=","), min_size=1
)


@settings(max_examples=150, deadline=None)
@given(st.lists(NAME.filter(lambda name: name.strip() == name and name), min_size=1, max_size=4))
def test_the_edit_form_gives_back_the_groups_it_was_filled_with(names):
    current = StoryEdit(community=names[0] if len(names) == 1 else names)
    shown = _values(current)["community"]
    assert _communities(shown) == (names[0] if len(names) == 1 else names)
