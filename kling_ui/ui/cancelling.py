"""Cancelling from the Studio tab: the menu of this browser's running jobs, and the checks
before one of them is cancelled. Pure functions over job rows: no Gradio, no engine."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kling_ui.i18n import Text, UserError
from kling_ui.jobs.models import Job, JobStatus
from kling_ui.jobs.owners import owner_of
from kling_ui.ui.texts import add_strings, say, text
from kling_ui.ui.views import job_title, status_label

SHORT_ID = 8
MENU_TITLE_CHARS = 40

add_strings(
    {
        "cancel_pick": Text("Your running job to cancel", "要取消的进行中任务"),
        "cancel_job": Text("Cancel job", "取消任务"),
        "cancel_none_chosen": Text(
            "Choose one of your running jobs first.",
            "请先选择一个进行中的任务。",
        ),
        "cancel_not_yours": Text(
            "Job {job} was not started from this browser.",
            "任务 {job} 不是从本浏览器发起的。",
        ),
        "cancel_not_yours_remedy": Text(
            "The History tab lists your jobs.",
            "“历史记录”页列出了您的任务。",
        ),
        "cancel_already_over": Text(
            "Job {job} is already over ({status}); there is nothing to cancel.",
            "任务 {job} 已经结束（{status}），无需取消。",
        ),
    }
)


@dataclass(frozen=True)
class CancelMenu:
    """The cancel menu's choices ((label, job id), newest first) and the value it keeps."""

    choices: list[tuple[str, str]]
    value: str | None

    @property
    def signature(self) -> str:
        """A fingerprint that changes whenever the choices' labels or ids change."""
        return "\n".join(f"{job_id}\t{shown}" for shown, job_id in self.choices)


def cancel_menu(
    active: Iterable[Job], submitter: str, current: str | None, lang: str | None
) -> CancelMenu:
    """The active jobs `submitter` owns, labelled "short id · status · title"; the
    current choice stays chosen while its job is still listed."""
    mine = sorted(
        (j for j in active if owner_of(j) == submitter and JobStatus(j.status).active),
        key=lambda j: j.created_at,
        reverse=True,
    )
    choices = [
        (
            f"{j.id[:SHORT_ID]} · {status_label(j.status, lang)} · "
            f"{job_title(j, MENU_TITLE_CHARS, lang)}",
            j.id,
        )
        for j in mine
    ]
    ids = {job_id for _, job_id in choices}
    return CancelMenu(choices, current if current in ids else None)


def nothing_chosen() -> UserError:
    """Cancel was pressed with no job chosen."""
    return UserError("cancel.no_selection", text("cancel_none_chosen"))


def not_yours(job_id: str) -> UserError:
    """The job was started by someone else (another browser or login)."""
    return UserError(
        "cancel.not_yours",
        text("cancel_not_yours", job=job_id[:SHORT_ID]),
        remedy=text("cancel_not_yours_remedy"),
    )


def already_over(job: Job) -> UserError:
    """The job finished (or was cancelled) before the button was pressed."""
    status, short = JobStatus(job.status), job.id[:SHORT_ID]
    shown = Text(
        say("cancel_already_over", "en", job=short, status=status_label(status, "en")),
        say("cancel_already_over", "zh-CN", job=short, status=status_label(status, "zh-CN")),
    )
    return UserError("cancel.already_over", shown)


def job_to_cancel(job_id: str | None, job: Job | None, submitter: str) -> Job:
    """The job the person may cancel: `job` is the stored job with `job_id` (None when there
    is none). Refuses (UserError) no choice, an unknown job, someone else's job, and a job
    that is already over."""
    if not job_id:
        raise nothing_chosen()
    if job is None or owner_of(job) != submitter:
        # An unknown id and another person's job read the same: nothing about it is told.
        raise not_yours(job_id)
    if not JobStatus(job.status).active:
        raise already_over(job)
    return job
