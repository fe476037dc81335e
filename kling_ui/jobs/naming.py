"""Readable file names for saved videos: when, what, and a short job id."""

from __future__ import annotations

import re
import time

from kling_ui.jobs.models import Job

_NOT_WORD = re.compile(r"[^\w]+")
MAX_NAME = 40


def slug(text: str | None, limit: int = MAX_NAME) -> str:
    """Lower-case words joined by '-', at most `limit` characters; '' for nothing usable."""
    if not text:
        return ""
    words = _NOT_WORD.sub("-", text.lower()).strip("-_")
    return words[:limit].rstrip("-_")


def video_file_name(job: Job) -> str:
    """E.g. `20250101-093000_slow-push-in-to-the-chart_<the job's 32-hex id>.mp4`.

    The videos folder is served by URL: the job's whole random id in the name makes the
    path unguessable to anyone who may not see the job."""
    spec = job.spec
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(job.created_at))
    what = slug(spec.label)
    if not what and spec.kind == "deck" and spec.deck_id:
        position = f"-{spec.deck_position + 1:02d}" if spec.deck_position is not None else ""
        what = f"deck-{slug(spec.deck_id, 12)}{position}"
    what = what or slug(spec.prompt) or spec.kind
    return f"{stamp}_{what}_{job.id}.mp4"
