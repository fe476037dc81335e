"""The page's one timer event: every tab's refresh joined, one failing tab never the others'."""

from __future__ import annotations

from pathlib import Path

import gradio as gr
from ui_helpers import Launched, fast_settings

from kling_ui.runtime import Runtime
from kling_ui.ui import build_studio
from kling_ui.ui.ticking import Ticks


def request() -> gr.Request:
    return gr.Request(headers={"accept-language": "en"})


def test_every_tab_refreshes_through_one_unqueued_timer_event(tmp_path: Path) -> None:
    runtime = Runtime.from_settings(fast_settings(tmp_path))
    try:
        demo = build_studio(runtime)
        ctx = demo.studio_context
        timer_events = [
            fn for fn in demo.fns.values() if any(t[0] == ctx.timer._id for t in fn.targets)
        ]
        assert len(timer_events) == 1 and timer_events[0].queue is False
        modules = {part.handler.__module__.rsplit(".", 1)[-1] for part in ctx.ticks.parts}
        assert modules == {"studio_tab", "deck_tab", "lab_tab", "history_tab"}
        (event,) = timer_events
        assert len(event.inputs) == sum(len(part.inputs) for part in ctx.ticks.parts)
        assert len(event.outputs) == sum(len(part.outputs) for part in ctx.ticks.parts)
    finally:
        runtime.close()


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
