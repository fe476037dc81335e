"""Who owns a job, who may read it, and how many unfinished jobs one owner may have.

An owner is the submitter string every door already gives a job (`JobSpec.submitter`):
"user:<login>" when the Studio has a login, "browser:<id>" for a browser without one,
"session:<hash>" for an API client without one, "cli" for the command line. Rows written
before owners were stored (owner NULL) are owned by their submitter.

Reading: a job is readable by its owner, and with a login by every teammate ("user:" owners
share read-only). Changing (cancel, new take, mark best): its owner only. Another's job is
refused exactly like an unknown id, so nothing tells that it exists.
"""

from __future__ import annotations

from kling_ui.i18n import Text, UserError
from kling_ui.jobs.models import Job

TEAM_PREFIX = "user:"
DEFAULT_MAX_QUEUED = 12


def owner_of(job: Job) -> str:
    """The job's owner: its stored owner, else (older rows) its submitter."""
    return job.owner or job.spec.submitter


def in_team(owner: str | None) -> bool:
    """True for a logged-in person's owner string: teammates read each other's work."""
    return bool(owner) and str(owner).startswith(TEAM_PREFIX)


def shares(a: str | None, b: str | None) -> bool:
    """True when what `a` owns may be read (or reused) by `b`: the same owner, or both in
    the team (logged in)."""
    if not a or not b:
        return False
    return a == b or (in_team(a) and in_team(b))


def may_read(job: Job, viewer: str | None) -> bool:
    """Whether `viewer` may see the job (its prompt, frames, video, settings)."""
    return shares(owner_of(job), viewer)


def owns(job: Job, owner: str | None) -> bool:
    """Whether `owner` may change the job (cancel it, mark it best, take it again)."""
    return bool(owner) and owner_of(job) == owner


class JobNotFound(UserError, KeyError):
    """No job by this id for the caller: unknown, or someone else's (told alike). Also a
    KeyError, so callers that catch an unknown id keep working."""

    def __init__(self, job_id: str) -> None:
        shown = str(job_id)[:64]
        UserError.__init__(
            self,
            "job.unknown",
            Text(f"There is no job {shown}.", f"没有任务 {shown}。"),
            remedy=Text(
                "Check the job id; the History tab lists your jobs.",
                "请检查任务 ID；“历史记录”页列出了您的任务。",
            ),
        )

    def __str__(self) -> str:  # KeyError would quote its argument
        return UserError.__str__(self)


def queue_full(limit: int) -> UserError:
    """An owner already has `limit` jobs waiting or running (KLING_UI_MAX_QUEUED)."""
    return UserError(
        "jobs.queue_full",
        Text(
            f"You already have {limit} jobs waiting or running; wait for some to finish or "
            "cancel some.",
            f"您已有 {limit} 个任务在排队或进行中；请等待部分任务完成，或取消一些任务。",
        ),
    )
