"""Foreign tasks: what other apps of the same Kling account leave in its task list.

Kling's concurrency limit and its task list are per account, shared by every key and app.
A foreign task is listed and can be queried like ours; a running one holds a slot until it
ends after its latency. Finished ones were made hours or days ago.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from kling_ui.simulator.catalog import MODELS
from kling_ui.simulator.faults import FAILURE_MESSAGES
from kling_ui.simulator.simtask import FAILED, SUCCEED, SimTask, new_numeric_task_id

FOREIGN_APPS = ("poster-studio", "batch-render", "mobile-app")
ASPECT_RATIOS = ("16:9", "9:16", "1:1", "4:3")
FOREIGN_FAIL_SHARE = 0.2
_OLDEST_SECONDS = 3 * 24 * 3600.0
_VIDEO_SECONDS = {"5": "5.1", "10": "10.1"}


@dataclass(frozen=True, slots=True)
class ForeignSpec:
    """When foreign tasks are made, how long a running one runs, and the server's base URL."""

    now: float
    latency: float
    base_url: str


def make_foreign(rng: random.Random, spec: ForeignSpec, *, seq: int, running: bool) -> SimTask:
    """One foreign task: running from `spec.now` for `spec.latency`, or long finished.

    Every third one has no external_task_id; the others carry their app's own. About a
    fifth end `failed`. A succeeded one's video URL points at a file this server never has.
    """
    task_id = new_numeric_task_id()
    app = rng.choice(FOREIGN_APPS)
    external = None if seq % 3 == 0 else f"{app}-{rng.getrandbits(48):012x}"
    model = rng.choice(sorted(MODELS))
    mode, duration = rng.choice(("std", "pro")), rng.choice(("5", "10"))
    fails = rng.random() < FOREIGN_FAIL_SHARE
    fail_message = rng.choice(FAILURE_MESSAGES) if fails else None
    if running:
        created, latency = spec.now, spec.latency
    else:
        created = spec.now - rng.uniform(spec.latency + 60.0, _OLDEST_SECONDS)
        latency = rng.uniform(60.0, 200.0)
    task = SimTask(
        task_id=task_id,
        external_task_id=external,
        model_name=model,
        mode=mode,
        duration=duration,
        created_at=created,
        updated_at=created,
        latency=latency,
        fail_message=fail_message,
        callback_url=None,
        base_url=spec.base_url,
        video_name=f"{task_id}.mp4",
        video_duration=_VIDEO_SECONDS[duration],
        seq=seq,
        foreign=True,
        numeric_id=seq % 2 == 0,
        order_key=rng.random(),
        aspect_ratio=rng.choice(ASPECT_RATIOS),
    )
    if not running:
        ended = created + latency
        if fail_message is not None:
            task.status, task.status_msg, task.updated_at = FAILED, fail_message, ended
        else:
            task.status, task.updated_at = SUCCEED, ended
    return task
