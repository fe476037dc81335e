"""A Studio process for the chaos run: hands the plan's singles and deck to the job engine,
says "submitted", and keeps running its jobs until it is killed.

    python chaos_child.py PLAN.json

The settings (Kling endpoint, keys, data folder, poll interval) come from the environment,
as for any Studio process.
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

from kling_ui.deck import fixed_prompt
from kling_ui.deck.run import DeckRunner, DeckSettings
from kling_ui.jobs.requests import JobRequest, store_pair, submit
from kling_ui.runtime import Runtime


def main(plan_path: Path) -> None:
    """Submit everything in the plan, then wait forever (the parent kills this process)."""
    plan = json.loads(plan_path.read_text(encoding="utf-8"))
    runtime = Runtime.from_settings().start()
    engine = runtime.engine
    for single in plan["singles"]:
        frames = store_pair(engine, Path(single["first"]), Path(single["last"]), target=(640, 360))
        request = JobRequest(
            prompt=single["prompt"],
            negative_prompt="",
            model="kling-v2-6",
            mode="pro",
            duration="5",
            submitter=single["submitter"],
            label=single["label"],
        )
        submit(engine, frames, request)
    deck = plan["deck"]
    runner = DeckRunner(engine, runtime.settings.data_dir)
    opened = runner.open(
        [Path(p) for p in deck["slides"]],
        DeckSettings(**deck["settings"]),
        fixed_prompt(deck["prompt"], deck["negative"]),
    )
    runner.submit(opened, submitter="deck")
    print("submitted", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
