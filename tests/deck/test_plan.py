"""DeckPlan: ordered slides, the transitions between neighbours, hold times, saved as JSON."""

from __future__ import annotations

from pathlib import Path

import pytest

from kling_ui.deck import DeckPlan, PairDefault, Slide, SlideRef, deck_id_for, fixed_prompt
from kling_ui.i18n import UserError


def _slides(count: int) -> list[Slide]:
    return [
        Slide(
            index=i, name=f"p{i + 1}", path=Path(f"/deck/slide-{i + 1:03d}.png"), sha256=f"{i:064x}"
        )
        for i in range(count)
    ]


def _pair_prompt(first: SlideRef, last: SlideRef) -> PairDefault:
    """A defaulter whose prompt names the pair, as presets plus a per-pair hint would."""
    return PairDefault(prompt=f"from {first.id} to {last.id}", strategy="camera")


def _plan(count: int = 4) -> DeckPlan:
    return DeckPlan.create(_slides(count), _pair_prompt)


def _pairs(plan: DeckPlan) -> list[tuple[str, str]]:
    return [t.pair for t in plan.transitions]


def test_a_plan_has_one_transition_per_pair_of_neighbours() -> None:
    plan = _plan(4)
    assert [s.id for s in plan.slides] == ["s001", "s002", "s003", "s004"]
    assert _pairs(plan) == [("s001", "s002"), ("s002", "s003"), ("s003", "s004")]
    assert [t.index for t in plan.transitions] == [0, 1, 2]
    first = plan.transitions[0]
    assert (first.prompt, first.strategy, first.status, first.duration) == (
        "from s001 to s002",
        "camera",
        "pending",
        "5",
    )


def test_reordering_keeps_the_prompts_of_pairs_that_stay_neighbours() -> None:
    plan = _plan(4)
    plan.edit_transition(0, prompt="my own words")
    plan.reorder(["s001", "s002", "s004", "s003"], _pair_prompt)
    assert _pairs(plan) == [("s001", "s002"), ("s002", "s004"), ("s004", "s003")]
    assert plan.transitions[0].prompt == "my own words"
    assert plan.transitions[1].prompt == "from s002 to s004"


def test_a_pair_that_becomes_neighbours_again_gets_its_clip_back() -> None:
    plan = _plan(3)
    plan.record(1, "done", job_id="job-7", clip_path="/clips/b.mp4")
    plan.reorder(["s001", "s003", "s002"], _pair_prompt)
    assert ("s002", "s003") not in _pairs(plan)
    plan.reorder(["s001", "s002", "s003"], _pair_prompt)
    again = plan.transitions[1]
    assert (again.status, again.job_id, again.clip_path) == ("done", "job-7", "/clips/b.mp4")


def test_dropping_a_slide_joins_its_neighbours() -> None:
    plan = _plan(4)
    plan.drop("s002", _pair_prompt)
    assert [s.id for s in plan.slides] == ["s001", "s003", "s004"]
    assert [s.id for s in plan.dropped] == ["s002"]
    assert _pairs(plan) == [("s001", "s003"), ("s003", "s004")]


def test_a_dropped_slide_can_be_brought_back_by_reordering() -> None:
    plan = _plan(3)
    plan.drop("s003", _pair_prompt)
    plan.reorder(["s003", "s001", "s002"], _pair_prompt)
    assert [s.id for s in plan.slides] == ["s003", "s001", "s002"]
    assert plan.dropped == []


def test_dropping_down_to_one_slide_is_refused() -> None:
    plan = _plan(2)
    with pytest.raises(UserError) as caught:
        plan.drop("s001", _pair_prompt)
    assert caught.value.code == "deck.too_few_slides"
    assert len(plan.slides) == 2


@pytest.mark.parametrize("order", [["s001", "s001", "s002"], ["s001", "s009"]])
def test_an_order_with_repeats_or_unknown_slides_is_refused(order: list[str]) -> None:
    with pytest.raises(UserError) as caught:
        _plan(3).reorder(order, _pair_prompt)
    assert caught.value.code == "deck.bad_order"


def test_hold_time_is_two_seconds_unless_set() -> None:
    assert _plan(3).holds() == [2.0, 2.0, 2.0]


def test_a_slide_can_have_its_own_hold_time() -> None:
    plan = _plan(3)
    plan.set_hold(4.5, "s002")
    assert plan.holds() == [2.0, 4.5, 2.0]
    plan.set_hold(None, "s002")
    assert plan.holds() == [2.0, 2.0, 2.0]


def test_setting_the_hold_for_all_slides_replaces_their_own_times() -> None:
    plan = _plan(3)
    plan.set_hold(4.5, "s002")
    plan.set_hold(1.0)
    assert plan.holds() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize("seconds", [-1.0, 61.0, float("nan")])
def test_a_hold_outside_zero_to_sixty_seconds_is_refused(seconds: float) -> None:
    with pytest.raises(UserError) as caught:
        _plan(2).set_hold(seconds)
    assert caught.value.code == "deck.bad_hold"


def test_changing_a_made_transition_makes_it_pending_again() -> None:
    plan = _plan(3)
    plan.record(0, "done", job_id="job-1", clip_path="/clips/a.mp4")
    plan.edit_transition(0, duration="10")
    transition = plan.transitions[0]
    assert (transition.status, transition.job_id, transition.clip_path) == ("pending", None, None)
    assert transition.duration == "10"


def test_a_transition_being_generated_cannot_be_changed() -> None:
    plan = _plan(3)
    plan.record(1, "processing", job_id="job-2")
    with pytest.raises(UserError) as caught:
        plan.edit_transition(1, prompt="something else")
    assert caught.value.code == "deck.transition_busy"
    assert plan.transitions[1].prompt == "from s002 to s003"


def test_a_prompt_longer_than_kling_accepts_is_refused() -> None:
    with pytest.raises(UserError) as caught:
        _plan(2).edit_transition(0, prompt="x" * 2501)
    assert caught.value.code == "deck.prompt_too_long"


def test_new_presets_refresh_only_the_prompts_nobody_edited() -> None:
    plan = _plan(3)
    plan.edit_transition(1, prompt="kept as written")
    changed = plan.refresh_defaults(fixed_prompt("a slow push-in"))
    assert changed == [0]
    assert [t.prompt for t in plan.transitions] == ["a slow push-in", "kept as written"]


def test_clips_are_only_available_once_every_transition_is_done() -> None:
    plan = _plan(3)
    plan.record(0, "done", clip_path="/clips/a.mp4")
    with pytest.raises(UserError) as caught:
        plan.clip_paths()
    assert caught.value.code == "deck.not_ready" and "2" in caught.value.message.en
    plan.record(1, "done", clip_path="/clips/b.mp4")
    assert plan.clip_paths() == [Path("/clips/a.mp4"), Path("/clips/b.mp4")]
    assert plan.slide_paths() == [Path(f"/deck/slide-00{i}.png") for i in (1, 2, 3)]


def test_a_plan_survives_saving_and_loading(tmp_path: Path) -> None:
    plan = _plan(4)
    plan.set_hold(3.0, "s003")
    plan.edit_transition(2, prompt="edited")
    plan.drop("s001", _pair_prompt)
    path = tmp_path / "deck" / "plan.json"
    plan.save(path)
    assert DeckPlan.load(path) == plan
    assert [p.name for p in path.parent.iterdir()] == ["plan.json"]


def test_the_deck_id_follows_the_slides_and_settings() -> None:
    hashes = [s.sha256 for s in _slides(3)]
    same = deck_id_for(hashes, {"model": "kling-v2-6", "mode": "pro"})
    assert same == deck_id_for(list(hashes), {"mode": "pro", "model": "kling-v2-6"})
    assert same != deck_id_for(hashes[::-1], {"model": "kling-v2-6", "mode": "pro"})
    assert same != deck_id_for(hashes, {"model": "kling-v2-6", "mode": "std"})
    assert (
        DeckPlan.create(
            _slides(3), _pair_prompt, settings={"model": "kling-v2-6", "mode": "pro"}
        ).deck_id
        == same
    )
