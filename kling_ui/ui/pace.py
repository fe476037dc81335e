"""How often the page refreshes: every second while something of the person's is under way,
every few seconds while nothing is.

A refresh costs the browser far more than the server. For each status message of any event
(a timer tick sends four), Gradio's page re-renders the loading state of every component that
has ever had one: about a fifth of a core for a Studio page refreshed every second, even with
nothing on it changing. A tab left open all day should not cost that, so the timer slows down
once the person's jobs (Studio, Deck and Lab alike) have all ended, and speeds up again at the
first refresh that finds one queued or running. A job's card appears at once when it is
submitted (the submitting event draws it); only its later steps wait for that refresh.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from kling_ui.ui import views
from kling_ui.ui.common import submitter_of
from kling_ui.ui.context import StudioContext

FOLLOWING_SECONDS = 1.0  # while a job of the person's is queued or running
RESTING_SECONDS = 3.0  # while none is: teammates' jobs and finished decks still show up


def refresh_seconds(ctx: StudioContext, owner: str) -> float:
    """How long the page of `owner` waits between refreshes."""
    moving = ctx.engine.jobs(status=views.ACTIVE_STATUSES, limit=1, owner=owner)
    return FOLLOWING_SECONDS if moving else RESTING_SECONDS


def on_pace(ctx: StudioContext, browser_id: Any, request: gr.Request) -> Any:
    """The timer's part of the refresh: its interval for this page's owner (a change is sent
    to the page only when the interval differs from the one sent before)."""
    return gr.update(value=refresh_seconds(ctx, submitter_of(request, browser_id)))
