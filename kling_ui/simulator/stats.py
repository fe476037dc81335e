"""The simulated account's counters and the query part of /debug/stats."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from kling_ui.simulator.simtask import SimTask


@dataclass
class Stats:
    """The account's counters, kept by the TaskStore under its lock."""

    created: Counter[str] = field(default_factory=Counter)
    create_attempts: int = 0
    query_requests: int = 0
    path_queries: Counter[str] = field(default_factory=Counter)
    unknown_queries: int = 0
    lookup_requests: int = 0
    lookups: Counter[str] = field(default_factory=Counter)
    list_requests: int = 0
    unreachable_dropped: int = 0
    peak_concurrency: int = 0
    queries: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    rejected_concurrency: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    callbacks_sent: int = 0
    callbacks_failed: int = 0


def query_stats(s: Stats, ours: list[SimTask]) -> dict[str, Any]:
    """The query counters: totals, and per task (by task_id and by external id)."""
    per_task = {
        t.task_id: {
            "external_task_id": t.external_task_id,
            "path_queries": s.path_queries[t.task_id],
            "lookups": s.lookups[t.task_id],
        }
        for t in ours
    }
    per_external = {
        t.external_task_id: {
            "task_id": t.task_id,
            "path_queries": s.path_queries[t.task_id],
            "lookups": s.lookups[t.task_id],
        }
        for t in ours
        if t.external_task_id is not None
    }
    own_path_queries = sum(s.path_queries[t.task_id] for t in ours)
    return {
        "query_requests": s.query_requests,
        "path_queries": dict(s.path_queries),
        "unknown_queries": s.unknown_queries,
        "lookup_requests": s.lookup_requests,
        "list_requests": s.list_requests,
        "path_queries_per_task": round(own_path_queries / len(ours), 3) if ours else 0.0,
        "per_task": per_task,
        "per_external": per_external,
    }
