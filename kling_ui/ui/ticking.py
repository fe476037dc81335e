"""One timer event for the whole page and one load event, whatever the number of tabs.

Each tab registers what it refreshes (`Ticks.add`: its handler, inputs and outputs) and
`Ticks.wire` joins them into one event on the shared `gr.Timer`; what it fills when the page
opens goes the same way into `Loads`. Gradio's page re-renders the loading state of every
component that has ever had one for each status message of every event, so each event costs
the browser the same whatever it carries: four timer events a second per open page (Studio,
Deck, Lab, History) cost about a fifth of a core when idle, one event carrying every tab's
outputs a quarter of that; six load events (five tabs and the browser's id) cost a page load
about a third of a second of a core more than one. A tab whose part fails leaves its outputs
as they are (logged) and the other tabs are still refreshed.

The timer itself writes only `gr.State`s. Gradio 6 builds a new component and its whole
config for every output it is handed `gr.skip()` (about 3 ms each), and an idle page skips
some thirty outputs a second: a tenth of a core of the server per open page for nothing. So
each part's States are written directly, and the values for its visible components go into
one "pending" State per part, left as it is when they are all skips; only a pending State that
changed fires the event that shows its values.
"""

from __future__ import annotations

import copy
import inspect
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from kling_ui.ui.common import QUIET

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Part:
    """One tab's share of an event: `handler(*inputs, request)` returns its outputs' values
    (a list, or the value itself when it has one output)."""

    handler: Callable[..., Any]
    inputs: tuple[Any, ...]
    outputs: tuple[Any, ...]

    def run(self, values: Sequence[Any], request: gr.Request) -> list[Any]:
        """This part's output values; unchanged outputs (`gr.skip()`) if the handler fails."""
        try:
            got = self.handler(*values, request)
        except Exception:
            log.exception("%s failed", getattr(self.handler, "__qualname__", "?"))
            return [gr.skip()] * len(self.outputs)
        return [got] if len(self.outputs) == 1 else list(got)


@dataclass
class Parts:
    """Handlers joined into one page event, each with its own inputs and outputs."""

    parts: list[Part] = field(default_factory=list)

    def add(
        self, handler: Callable[..., Any], inputs: Sequence[Any], outputs: Sequence[Any]
    ) -> None:
        """Fill `outputs` from `inputs` with `handler` whenever the event fires."""
        self.parts.append(Part(handler, tuple(inputs), tuple(outputs)))

    def handler(self) -> Callable[..., list[Any]]:
        """One function for Gradio: every part's inputs in order, then the request; every
        part's outputs in order."""
        parts = tuple(self.parts)

        def joined(*args: Any) -> list[Any]:
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
        joined.__signature__ = inspect.Signature([*names, request])  # type: ignore[attr-defined]
        joined.__annotations__ = {"request": gr.Request, "return": list[Any]}
        return joined

    def inputs(self) -> list[Any]:
        """Every part's inputs, in order (a component twice when two parts read it)."""
        return [component for part in self.parts for component in part.inputs]

    def outputs(self) -> list[Any]:
        """Every part's outputs, in order."""
        return [component for part in self.parts for component in part.outputs]


@dataclass
class Loads(Parts):
    """The parts of the page's one load event, wired once every tab has added its own."""

    def wire(self, blocks: gr.Blocks) -> None:
        """One unqueued load event (no spinner) filling every part's outputs in order."""
        outputs = self.outputs()
        if len({id(component) for component in outputs}) != len(outputs):
            raise ValueError("two parts of the page's load fill the same component")
        blocks.load(self.handler(), self.inputs(), outputs, **QUIET)


@dataclass
class Ticks(Parts):
    """The parts of the page's one timer event, wired once every tab has added its own."""

    def wire(self, timer: gr.Timer) -> None:
        """Attach the parts to `timer`: one event (no spinner, no concurrency limit) writing
        States only, and per part an unqueued event showing its values when they changed."""
        if not self.parts:
            return
        joined = self.handler()
        outputs = self.outputs()
        stateful = [n for n, component in enumerate(outputs) if component.stateful]
        shown: list[list[int]] = []  # per part: where its visible outputs are in `outputs`
        at = 0
        for part in self.parts:
            span = range(at, at + len(part.outputs))
            shown.append([n for n in span if not outputs[n].stateful])
            at += len(part.outputs)
        pending = [gr.State(None) for _ in self.parts]

        def tick(*args: Any) -> list[Any]:
            values = joined(*args)
            changes = [
                gr.skip() if all(is_skip(values[n]) for n in where) else [values[n] for n in where]
                for where in shown
            ]
            return [values[n] for n in stateful] + changes

        tick.__signature__ = joined.__signature__  # type: ignore[attr-defined]
        tick.__annotations__ = joined.__annotations__
        inputs = self.inputs()
        # Queued: Gradio tells the page which States changed only in a queued event's answer.
        timer.tick(
            tick,
            inputs,
            [outputs[n] for n in stateful] + pending,
            api_visibility="private",
            show_progress="hidden",
            concurrency_limit=None,
        )
        for state, where in zip(pending, shown, strict=True):
            if where:
                state.change(show, [state], [outputs[n] for n in where], **QUIET)


def is_skip(value: Any) -> bool:
    """Whether `value` is `gr.skip()`: an update that changes nothing."""
    return isinstance(value, dict) and value == {"__type__": "update"}


def show(values: list[Any] | None) -> Any:
    """A part's pending values, for its visible components (one value alone when it has one).

    Copies: Gradio takes updates apart as it applies them, and the pending State must keep
    what it held, or the next refresh with the same values would look like a change."""
    if values is None:
        return gr.skip()
    values = copy.deepcopy(values)
    return values[0] if len(values) == 1 else values
