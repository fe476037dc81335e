"""What a person changes in a deck, applied to its plan (`kling_ui.deck.edits`): the slide
order typed as numbers, prompts edited in the table, the duration, the negative prompt, hold
times. Pure: no engine, no page."""

from __future__ import annotations

from pathlib import Path

import pytest

from kling_ui.deck import DeckPlan, Slide, fixed_prompt
from kling_ui.deck.edits import (
    apply_deck_hold,
    apply_duration,
    apply_negative_prompt,
    apply_order,
    apply_prompt_edits,
    apply_slide_hold,
    default_negative,
    negative_for_language,
    order_text,
    pair_label,
    parse_order,
    with_negative,
)
from kling_ui.i18n import UserError
from kling_ui.prompts import DEFAULT_NEGATIVE, build_negative_prompt, load_library


def plan_of(count: int) -> DeckPlan:
    """A plan for `count` slides whose prompts are all "push in" (no image is read)."""
    slides = [
        Slide(index=i, name=f"page-{i + 1}", path=Path(f"/decks/s{i + 1}.png"), sha256=f"{i:064x}")
        for i in range(count)
    ]
    return DeckPlan.create(slides, fixed_prompt("push in"), deck_id="0123456789abcdef")


def table_rows(plan: DeckPlan) -> list[list[str]]:
    """The prompt table as the Deck tab shows it: number, slides ("1 → 2"), strategy, prompt."""
    return [[str(t.index + 1), pair_label(plan, t.index), "", t.prompt] for t in plan.transitions]


# ---- the person's edits ----------------------------------------------------------------------


def test_typed_numbers_set_the_order_and_a_number_left_out_drops_that_slide() -> None:
    plan = plan_of(4)
    apply_order(plan, "3，1 2", fixed_prompt("push in"))
    assert [s.id for s in plan.slides] == ["s003", "s001", "s002"]
    assert [s.id for s in plan.dropped] == ["s004"]
    assert order_text(plan) == "3, 1, 2"
    assert [pair_label(plan, i) for i in range(2)] == ["3 → 1", "1 → 2"]


def test_a_dropped_slide_comes_back_when_its_number_is_typed_again() -> None:
    plan = plan_of(3)
    apply_order(plan, "1, 3", fixed_prompt("push in"))
    apply_order(plan, "1 2 3", fixed_prompt("push in"))
    assert order_text(plan) == "1, 2, 3" and plan.dropped == []


def test_a_number_that_is_not_a_slide_is_refused_with_what_to_type() -> None:
    with pytest.raises(UserError) as refused:
        parse_order("1, 9", plan_of(3))
    assert refused.value.code == "deck.bad_order_text"
    assert "“9” is not a slide number of this deck (1 to 3)" in refused.value.text("en")
    assert "例如 3, 1, 2" in refused.value.text("zh-CN")


def test_a_slide_listed_twice_is_refused() -> None:
    with pytest.raises(UserError) as refused:
        parse_order("2, 1, 2", plan_of(3))
    assert refused.value.code == "deck.repeated_slide"


def test_fewer_than_two_slides_left_is_the_plans_refusal() -> None:
    with pytest.raises(UserError) as refused:
        apply_order(plan_of(3), "2", fixed_prompt("push in"))
    assert refused.value.code == "deck.too_few_slides"


def test_an_edited_prompt_is_saved_and_its_made_clip_becomes_stale() -> None:
    plan = plan_of(3)
    plan.record(1, "done", job_id="job-2", clip_path="/clips/2.mp4")
    rows = table_rows(plan)
    rows[1][3] = "orbit around the chart"
    outcome = apply_prompt_edits(plan, rows)
    assert outcome.changed == (1,) and outcome.refused == ()
    edited = plan.transitions[1]
    assert edited.prompt == "orbit around the chart" and edited.prompt_edited
    assert edited.status == "pending" and edited.clip_path is None


def test_a_prompt_of_a_transition_in_flight_is_refused_and_the_other_rows_still_apply() -> None:
    plan = plan_of(3)
    plan.record(0, "processing", job_id="job-1")
    rows = table_rows(plan)
    rows[0][3], rows[1][3] = "changed while running", "a gentle zoom"
    outcome = apply_prompt_edits(plan, rows)
    assert outcome.changed == (1,)
    assert [e.code for e in outcome.refused] == ["deck.transition_busy"]
    assert plan.transitions[0].prompt == "push in"
    assert plan.transitions[1].prompt == "a gentle zoom"


def test_a_table_shown_before_a_reorder_edits_the_pair_it_shows_wherever_it_went() -> None:
    plan = plan_of(3)
    stale = table_rows(plan)
    apply_order(plan, "3, 1, 2", fixed_prompt("push in"))
    stale[0][3] = "meant for 1 → 2"
    outcome = apply_prompt_edits(plan, stale)
    assert outcome.changed == (1,) and outcome.refused == ()
    assert [t.prompt for t in plan.transitions] == ["push in", "meant for 1 → 2"]


def test_an_edit_to_slides_no_longer_next_to_each_other_is_refused() -> None:
    plan = plan_of(3)
    stale = table_rows(plan)
    apply_order(plan, "2, 1, 3", fixed_prompt("push in"))
    stale[0][3] = "meant for 1 → 2"
    outcome = apply_prompt_edits(plan, stale)
    assert [e.code for e in outcome.refused] == ["deck.table_stale"]
    assert "Slides 1 → 2 are no longer next to each other" in outcome.refused[0].text("en")
    assert all(t.prompt == "push in" for t in plan.transitions)


def test_a_new_duration_remakes_made_clips_but_leaves_running_ones_alone() -> None:
    plan = plan_of(4)
    plan.record(0, "done", job_id="job-1", clip_path="/clips/1.mp4")
    plan.record(1, "processing", job_id="job-2")
    outcome = apply_duration(plan, "10")
    assert outcome.changed == (0, 2)
    assert [e.code for e in outcome.refused] == ["deck.transition_busy"]
    assert [t.duration for t in plan.transitions] == ["10", "5", "10"]
    assert plan.transitions[0].status == "pending" and plan.duration == "10"


def test_the_decks_negative_prompt_reaches_every_transition_except_the_ones_in_flight() -> None:
    plan = plan_of(4)
    plan.record(0, "done", job_id="job-1", clip_path="/clips/1.mp4")
    plan.record(1, "processing", job_id="job-2")
    outcome = apply_negative_prompt(plan, "  warped text, flicker ")
    assert outcome.changed == (0, 2)
    assert [e.code for e in outcome.refused] == ["deck.transition_busy"]
    assert [t.negative_prompt for t in plan.transitions] == [
        "warped text, flicker",
        "",
        "warped text, flicker",
    ]
    assert plan.transitions[0].status == "pending" and plan.transitions[0].clip_path is None
    assert not any(t.prompt_edited for t in plan.transitions)


def test_a_negative_prompt_over_the_limit_is_refused_before_any_transition_changes() -> None:
    plan = plan_of(3)
    with pytest.raises(UserError) as refused:
        apply_negative_prompt(plan, "x" * 2501)
    assert refused.value.code == "deck.prompt_too_long"
    assert all(t.negative_prompt == "" for t in plan.transitions)


def test_the_negative_prompt_starts_as_the_librarys_default_and_follows_the_prompt_language() -> (
    None
):
    library = load_library()
    english = default_negative(library, "en")
    chinese = default_negative(library, "zh-CN")
    assert english == build_negative_prompt(library, "en", DEFAULT_NEGATIVE) and english
    assert chinese == build_negative_prompt(library, "zh-CN", DEFAULT_NEGATIVE) != english
    langs = ["en", "zh-CN"]
    assert negative_for_language(library, english, "zh-CN", langs) == chinese
    assert negative_for_language(library, "", "en", langs) == english
    assert negative_for_language(library, " my own words ", "zh-CN", langs) == "my own words"


def test_slides_brought_together_by_a_reorder_get_the_decks_negative_prompt() -> None:
    plan = plan_of(3)
    apply_order(plan, "1, 3", with_negative(fixed_prompt("push in", "blur"), "no flicker"))
    assert plan.transitions[0].pair == ("s001", "s003")
    assert plan.transitions[0].negative_prompt == "no flicker"


def test_a_slide_keeps_its_own_hold_time_when_the_decks_hold_time_changes() -> None:
    plan = plan_of(3)
    apply_slide_hold(plan, "s002", 5)
    assert apply_deck_hold(plan, 3.5) is True
    assert plan.holds() == [3.5, 5.0, 3.5]
    assert apply_deck_hold(plan, 3.5) is False
    apply_slide_hold(plan, "s002", None)
    assert plan.holds() == [3.5, 3.5, 3.5]


def test_a_hold_time_for_no_slide_or_past_a_minute_is_refused() -> None:
    plan = plan_of(3)
    with pytest.raises(UserError) as no_slide:
        apply_slide_hold(plan, None, 4)
    assert no_slide.value.code == "deck.no_hold_slide"
    assert "请先选择一张幻灯片" in no_slide.value.text("zh-CN")
    with pytest.raises(UserError) as too_long:
        apply_slide_hold(plan, "s001", 61)
    assert too_long.value.code == "deck.bad_hold" and plan.holds() == [2.0, 2.0, 2.0]
