"""The job engine and its history: one pool of Kling slots per account, SQLite, resume.

Start with engine.py (the rules) and store.py (the history); the public names are here.
"""

from kling_ui.jobs.accounts import Credentials
from kling_ui.jobs.engine import CALLBACK_PATH, JobEngine, SubmitResult
from kling_ui.jobs.models import (
    STATUS_LABELS,
    EngineSnapshot,
    Job,
    JobSpec,
    JobStatus,
    PoolSnapshot,
)
from kling_ui.jobs.store import JobStore

__all__ = [
    "CALLBACK_PATH",
    "STATUS_LABELS",
    "Credentials",
    "EngineSnapshot",
    "Job",
    "JobEngine",
    "JobSpec",
    "JobStatus",
    "JobStore",
    "PoolSnapshot",
    "SubmitResult",
]
