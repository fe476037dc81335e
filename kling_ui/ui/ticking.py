"""One timer event a second for the whole page, whatever the number of tabs that follow it.

Each tab registers what it refreshes (`Ticks.add`: its handler, inputs and outputs) and
`Ticks.wire` joins them into one event on the shared `gr.Timer`. Four events a second per open
page (Studio, Deck, Lab, History) cost the browser about a fifth of a core when idle; one event
carrying every tab's outputs costs a quarter of that. A tab whose part fails leaves its outputs
as they are (logged) and the other tabs are still refreshed.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from kling_ui.ui.common import QUIET

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TickPart:
    """One tab's share of the timer: `handler(*inputs, request)` returns its outputs' values
    (a list, or the value itself when it has one output)."""

    handler: Callable[..., Any]
    inputs: tuple[Any, ...]
    outputs: tuple[Any, ...]

    def run(self, values: Sequence[Any], request: gr.Request) -> list[Any]:
        """This part's output values; unchanged outputs (`gr.skip()`) if the handler fails."""
        try:
            got = self.handler(*values, request)
        except Exception:
            log.exception("refreshing %s failed", getattr(self.handler, "__qualname__", "?"))
            return [gr.skip()] * len(self.outputs)
        return [got] if len(self.outputs) == 1 else list(got)


@dataclass
class Ticks:
    """The parts of the page's one timer event, wired once every tab has added its own."""

    parts: list[TickPart] = field(default_factory=list)

    def add(
        self, handler: Callable[..., Any], inputs: Sequence[Any], outputs: Sequence[Any]
    ) -> None:
        """Refresh `outputs` from `inputs` with `handler` on every tick."""
        self.parts.append(TickPart(handler, tuple(inputs), tuple(outputs)))

    def handler(self) -> Callable[..., list[Any]]:
        """One function for Gradio: every part's inputs in order, then the request; every
        part's outputs in order."""
        parts = tuple(self.parts)

        def tick(*args: Any) -> list[Any]:
            *values, request = args
            results: list[Any] = []
            at = 0
            for part in parts:
                results.extend(part.run(values[at : at + len(part.inputs)], request))
                at += len(part.inputs)
            return results

        names = [
            inspect.Parameter(f"value_{n}", inspect.Parameter.POSITIONAL_ONLY)
            for n in range(sum(len(part.inputs) for part in parts))
        ]
        request = inspect.Parameter(
            "request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=gr.Request
        )
        # Gradio finds the request parameter by the signature and the annotations both.
        tick.__signature__ = inspect.Signature([*names, request])  # type: ignore[attr-defined]
        tick.__annotations__ = {"request": gr.Request, "return": list[Any]}
        tick.parts = parts  # type: ignore[attr-defined]  # for the UI benchmark
        return tick

    def wire(self, timer: gr.Timer) -> None:
        """Attach the joined handler to `timer` (no queue, no spinner)."""
        if not self.parts:
            return
        inputs = [component for part in self.parts for component in part.inputs]
        outputs = [component for part in self.parts for component in part.outputs]
        timer.tick(self.handler(), inputs, outputs, **QUIET)
