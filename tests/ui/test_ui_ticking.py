"""The page's one timer event: every tab's refresh joined, one failing tab never the others'."""

from __future__ import annotations

from pathlib import Path

import gradio as gr
import pytest
from ui_helpers import Launched, fast_settings

from kling_ui.runtime import Runtime
from kling_ui.ui import build_studio
from kling_ui.ui.ticking import Loads, Ticks, show


def request() -> gr.Request:
    return gr.Request(headers={"accept-language": "en"})


def timer_events(demo: gr.Blocks, timer: gr.Timer) -> list:
    return [fn for fn in demo.fns.values() if any(t[0] == timer._id for t in fn.targets)]


def test_every_tab_refreshes_through_one_timer_event_that_writes_only_states(
    tmp_path: Path,
) -> None:
    runtime = Runtime.from_settings(fast_settings(tmp_path))
    try:
        demo = build_studio(runtime)
        ctx = demo.studio_context
        (event,) = timer_events(demo, ctx.timer)
        assert event.queue is not False and event.concurrency_limit is None
        assert all(output.stateful for output in event.outputs)
        modules = {part.handler.__module__.rsplit(".", 1)[-1] for part in ctx.ticks.parts}
        assert modules == {"studio_tab", "deck_tab", "lab_tab", "history_tab", "pace"}
        assert len(event.inputs) == sum(len(part.inputs) for part in ctx.ticks.parts)
        shown_by_changes = {
            output._id
            for fn in demo.fns.values()
            if any(t[1] == "change" and t[0] in {o._id for o in event.outputs} for t in fn.targets)
            for output in fn.outputs
        }
        visible = {o._id for part in ctx.ticks.parts for o in part.outputs if not o.stateful}
        assert shown_by_changes == visible
    finally:
        runtime.close()


def test_the_timer_leaves_a_parts_pending_values_alone_when_they_are_all_skips() -> None:
    with gr.Blocks() as demo:
        timer = gr.Timer(1.0)
        seen, idle, busy = gr.State(0), gr.HTML(), gr.HTML()
        ticks = Ticks()
        ticks.add(lambda value, request: [value + 1, gr.skip()], [seen], [seen, idle])
        ticks.add(lambda value, request: f"tick {value}", [seen], [busy])
        ticks.wire(timer)
    (event,) = timer_events(demo, timer)
    counted, idle_pending, busy_pending = event.fn(4, 4, request())
    assert counted == 5
    assert idle_pending == gr.skip() and busy_pending == ["tick 4"]


def test_each_part_gets_its_own_inputs_and_the_request_and_fills_its_own_outputs() -> None:
    ticks = Ticks()
    seen: list[tuple] = []

    def first(a, b, request):
        seen.append((a, b, request.headers["accept-language"]))
        return [a + b, a * b]

    def second(c, request):
        seen.append((c,))
        return c.upper()

    ticks.add(first, ["a", "b"], ["sum", "product"])
    ticks.add(second, ["c"], ["shout"])
    assert ticks.handler()(2, 3, "hi", request()) == [5, 6, "HI"]
    assert seen == [(2, 3, "en"), ("hi",)]


def test_a_failing_part_leaves_its_outputs_unchanged_and_the_others_still_refresh() -> None:
    ticks = Ticks()

    def broken(value, request):
        raise RuntimeError("the store is locked")

    ticks.add(broken, ["x"], ["one", "two"])
    ticks.add(lambda value, request: value, ["y"], ["three"])
    values = ticks.handler()(1, "fresh", request())
    assert values[2] == "fresh"
    assert all(
        isinstance(value, dict) and value.get("__type__") == "update" for value in values[:2]
    )
    assert all(len(value) == 1 for value in values[:2])  # gr.skip(): nothing changes


def test_gradio_hands_the_joined_handler_its_request(studio: Launched) -> None:
    from gradio.utils import get_type_hints

    ctx = studio.demo.studio_context
    (event,) = [
        fn for fn in studio.demo.fns.values() if any(t[0] == ctx.timer._id for t in fn.targets)
    ]
    assert get_type_hints(event.fn).get("request") is gr.Request


def test_showing_a_parts_pending_values_hands_gradio_a_copy_it_may_take_apart() -> None:
    pending = [gr.update(value=3.0), "<p>two jobs</p>"]
    shown = show(pending)
    shown[0].pop("value")  # what Gradio does as it applies an update
    assert pending == [gr.update(value=3.0), "<p>two jobs</p>"]


def test_the_page_opens_with_one_load_event_the_browsers_id_first(tmp_path: Path) -> None:
    runtime = Runtime.from_settings(fast_settings(tmp_path))
    try:
        demo = build_studio(runtime)
        ctx = demo.studio_context
        (event,) = [fn for fn in demo.fns.values() if any(t[1] == "load" for t in fn.targets)]
        assert event.queue is False
        first, *tabs = ctx.loads.parts
        assert first.handler.__name__ == "new_browser_id" and first.outputs == (ctx.browser_id,)
        modules = {part.handler.__module__.rsplit(".", 1)[-1] for part in tabs}
        assert modules == {"studio_tab", "deck_tab", "lab_tab", "history_tab", "settings_tab"}
        assert [o._id for o in event.outputs] == [o._id for o in ctx.loads.outputs()]
    finally:
        runtime.close()


def test_two_load_parts_may_not_fill_the_same_component() -> None:
    with gr.Blocks() as demo:
        shared = gr.HTML()
        loads = Loads()
        loads.add(lambda request: "one", [], [shared])
        loads.add(lambda request: "two", [], [shared])
        with pytest.raises(ValueError, match="same component"):
            loads.wire(demo)
