"""JobSteps: the steps of a JobEngine's jobs that run on its worker threads (create, poll,
download, time out) and what each outcome writes to the store.

The engine builds one JobSteps with exactly the state the steps share with its dispatcher:
the store, the claim book, the lock (a condition), the accounts, the live jobs and the task
durations, plus its settings. Each step owns the jobs it was given (their `busy` flag is
set) and talks to Kling without holding the lock; every change of state is taken under the
lock and written to the store before anything acts on it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kling_ui.i18n import Text, UserError
from kling_ui.jobs import messages
from kling_ui.jobs.accounts import Account
from kling_ui.jobs.claims import ClaimBook
from kling_ui.jobs.durations import TaskDurations
from kling_ui.jobs.live import Live
from kling_ui.jobs.models import Job, JobStatus
from kling_ui.jobs.naming import video_file_name
from kling_ui.jobs.scheduler import NEVER, Ticket
from kling_ui.jobs.specs import create_request
from kling_ui.jobs.store import JobStore
from kling_ui.kling.client import KlingClient, RequestAborted, abort_on
from kling_ui.kling.errors import (
    ConcurrencyLimited,
    InvalidRequest,
    KlingError,
    LookupUnclear,
    NetworkError,
    NotFound,
    ProtocolError,
    ServerError,
)
from kling_ui.kling.models import Task, TaskStatus

log = logging.getLogger("kling_ui.jobs.engine")

MAX_BACKOFF = 60.0
MAX_UNEXPECTED = 5  # unexpected errors in a row before a job is failed
MAX_DOWNLOAD_TRIES = 6
MAX_UNREADABLE = 5  # unreadable answers about one task in a row before its job fails


def unreachable(exc: BaseException | None) -> bool:
    """True when Kling gave no usable answer at all: no connection, or a server error."""
    if isinstance(exc, LookupUnclear):
        exc = exc.cause
    return isinstance(exc, NetworkError | ServerError)


class JobSteps:
    """The worker-side steps of one JobEngine, over the state it shares with them."""

    def __init__(
        self,
        store: JobStore,
        claims: ClaimBook,
        cond: threading.Condition,
        accounts: dict[str, Account],
        live: dict[str, Live],
        durations: TaskDurations,
        *,
        videos_dir: Path,
        poll_interval: float,
        task_timeout: float,
        simulated: bool,
    ) -> None:
        self.store = store
        self.claims = claims
        self._cond = cond  # the engine's lock; notified on every change
        self._accounts = accounts  # shared with the engine, changed with the lock held
        self._live = live  # likewise: the jobs the engine still works on, by id
        self._durations = durations
        self.videos_dir = videos_dir
        self.poll_interval = poll_interval
        self.task_timeout = task_timeout
        self.simulated = simulated
        # Sent with each create (JobEngine.set_callback_base); None: polling alone.
        self.callback_url: str | None = None

    def run(self, step: Callable[..., None], *args: Any) -> None:
        """Run one planned step on a worker thread. A step that fails unexpectedly frees its
        jobs and tries again after a back-off."""
        try:
            step(*args)
        except Exception:
            log.exception("job step %s failed unexpectedly", step.__name__)
            lives = [a for a in args if isinstance(a, Live)]
            lives += [x for a in args if isinstance(a, list) for x in a if isinstance(x, Live)]
            with self._cond:
                for live in lives:
                    live.busy = False
                    live.due = time.monotonic() + self._backoff(live.failures)
                    live.failures += 1
                    # The create may have left before the error: look it up before another.
                    live.lookup_first = live.lookup_first or live.phase is JobStatus.SUBMITTING
                self._cond.notify_all()

    # ---- steps ----------------------------------------------------------------------------

    def create(self, live: Live) -> None:
        """Create the task (after a look-up by external id when an earlier try was unclear)."""
        account = self._accounts[live.account]
        with self._cond:
            job = self.store.get(live.job_id)
            if not live.cancelled:
                message = messages.CHECKING if live.lookup_first else messages.SUBMITTING
                job = self.write(
                    job.id,
                    message=message,
                    status=JobStatus.SUBMITTING,
                    submitting_at=job.submitting_at or time.time(),
                    attempts=job.attempts + 1,
                )
        found = False
        try:
            with abort_on(live.abort):
                task = None
                if live.lookup_first:
                    task = account.client.find_by_external_id(job.external_task_id)
                    found = task is not None
                if task is None:
                    if live.cancelled:
                        self._settle_cancelled_without_task(live)
                        return
                    # Once a create has left, its fate is unknown until Kling answers.
                    live.lookup_first = True
                    task = account.client.create(create_request(job, self.callback_url))
        except RequestAborted:
            self._park(live)
            return
        except ConcurrencyLimited as exc:
            live.lookup_first = False
            self._back_in_line(live, exc)
            return
        except KlingError as exc:
            if exc.retryable:
                self._create_unclear(live, exc)
            else:
                self._fail(live, exc, "create")
            return
        except UserError as exc:
            self._fail(live, exc, "engine")
            return
        except Exception as exc:
            log.exception("create of job %s failed unexpectedly", live.job_id)
            if live.failures + 1 >= MAX_UNEXPECTED:
                self._fail(live, messages.internal_error(type(exc).__name__), "engine")
            else:
                self._create_unclear(live, exc)
            return
        self._created(live, task, found=found)

    def poll(self, account: Account, watching: list[Live], started: float) -> None:
        """Query the account's in-flight tasks: one list call covers them all when more than
        one is in flight; a task missing from it (or alone) is queried by its id."""
        try:
            due = {live.job_id for live in watching if live.due <= started}
            listed: dict[str, Task] = {}
            if len(watching) > 1:
                listed = self._list_tasks(account, watching)
            for live in watching:
                task = listed.get(live.task_id or "")
                if task is None:
                    if live.job_id not in due or live.task_id is None:
                        continue
                    try:
                        with abort_on(live.abort):
                            task, gone = self._query(account, live)
                    except RequestAborted:
                        self._park(live)
                        continue
                    except KlingError as exc:
                        self._query_trouble(live, exc)
                        continue
                    if task is None:
                        lost = messages.simulator_restarted() if self.simulated else gone
                        assert lost is not None
                        self._fail(live, lost, "task")
                        continue
                self._on_task(live, task)
        finally:
            with self._cond:
                for live in watching:
                    live.busy = False
                self._cond.notify_all()

    def _list_tasks(self, account: Account, watching: list[Live]) -> dict[str, Task]:
        """One list call for every watched task of the account. The list has no documented
        order and holds other apps' tasks too: when a full page misses some of ours, the
        next call asks for a bigger page (up to 500); what it misses is queried by id."""
        size = min(500, max(account.list_size, 4 * len(watching)))
        try:
            tasks = account.client.list(1, size)
        except KlingError as exc:
            log.info("list call failed (%s); querying tasks one by one", exc.code)
            return {}
        listed = {t.task_id: t for t in tasks}
        missing = sum(1 for live in watching if live.task_id not in listed)
        if missing and len(tasks) >= size and size < 500:
            account.list_size = min(500, size * 4)
        return listed

    def _query(self, account: Account, live: Live) -> tuple[Task | None, KlingError | None]:
        """The task by its id; when Kling says it has no such id (404, 400, null), asked again
        by external id in both forms. (None, Kling's refusal) only when every form says the
        task is gone."""
        assert live.task_id is not None
        try:
            return account.client.get(live.task_id), None
        except (NotFound, InvalidRequest) as gone:
            return account.client.find_by_external_id(live.external_task_id), gone

    def download(self, live: Live) -> None:
        """Download the video to data_dir/videos; retry transient faults, refresh the URL once."""
        account = self._accounts[live.account]
        job = self.store.get(live.job_id)
        dest = self.videos_dir / video_file_name(job)
        try:
            if not job.video_url:
                raise NotFound("no video URL recorded")
            with abort_on(live.abort):
                account.client.download(job.video_url, dest)
        except RequestAborted:
            self._park(live)
            return
        except (KlingError, OSError) as exc:
            retryable = isinstance(exc, OSError) or (isinstance(exc, KlingError) and exc.retryable)
            reason = exc.code if isinstance(exc, KlingError) else type(exc).__name__
            if retryable and live.failures + 1 < MAX_DOWNLOAD_TRIES:
                self._later(live, messages.DOWNLOAD_TROUBLE, reason, exc)
                return
            if not live.url_refreshed and job.task_id and self._refresh_url(live, job.task_id):
                return
            error = exc if isinstance(exc, UserError) else messages.internal_error(reason)
            self._fail(live, error, "download")
            return
        with self._cond:
            self._live.pop(live.job_id, None)
            message = messages.CANCELLED_KEPT if live.cancelled else messages.DONE
            job = self._advance(
                live,
                JobStatus.DONE,
                message,
                watch=None,
                video_path=dest,
                finished_at=time.time(),
                **self._answered(live),
            )

    def time_out(self, live: Live) -> None:
        """The task ran past task_timeout: free its slot, keep watching it slowly."""
        with self._cond:
            live.slow = True
            self._release(live)
            message = messages.TIMED_OUT.format(seconds=self.task_timeout)
            self._advance(live, JobStatus.TIMED_OUT, message, watch=JobStatus.PROCESSING)
            live.busy = False
            self._cond.notify_all()

    # ---- outcomes -------------------------------------------------------------------------

    def _created(self, live: Live, task: Task, *, found: bool) -> None:
        """Kling has the task (just created, or `found` by its external id)."""
        account = self._accounts[live.account]
        now = time.monotonic()
        with self._cond:
            account.pool.created()
            job = self.store.get(live.job_id)
            live.phase, live.task_id, live.lookup_first = JobStatus.PROCESSING, task.task_id, False
            live.failures = 0
            live.deadline = now + self.task_timeout
            live.submitted_mono = now
            live.due = now + self._durations.first_query_delay(
                live.account, self.poll_interval, live.kind
            )
            live.task_status = TaskStatus.SUBMITTED.value
            live.seen_running = not task.task_status.finished
            # A task found by its external id may be older than this process.
            submitted_at = job.submitted_at or time.time()
            if found and task.created_at and not job.submitted_at:
                submitted_at = min(submitted_at, task.created_at / 1000)
            job = self._advance(
                live,
                JobStatus.SUBMITTED,
                messages.SUBMITTED,
                watch=JobStatus.PROCESSING,
                task_id=task.task_id,
                task_status=live.task_status,
                submitted_at=submitted_at,
                **self._answered(live),
            )
        if task.task_status is not TaskStatus.SUBMITTED:
            self._on_task(live, task)
        with self._cond:
            live.busy = False
            self._cond.notify_all()

    def _on_task(self, live: Live, task: Task) -> None:
        """Act on what Kling says about the task (the caller owns `live`)."""
        status = task.task_status
        if not status.finished:
            with self._cond:
                if live.slow:
                    interval = self.poll_interval * 4
                else:
                    ran = time.monotonic() - (live.submitted_mono or time.monotonic())
                    interval = self._durations.next_query_delay(
                        live.account, self.poll_interval, ran, live.kind
                    )
                # A callback that came in while this query was under way still counts.
                fresh_hint = live.hinted_at > live.polled_at
                live.due = time.monotonic() + (0.0 if fresh_hint else interval)
                live.failures = live.unreadable = 0
                live.seen_running = True
                answered = self._answered(live)
                if answered:
                    plain = {} if live.cancelled else {"message": messages.PLAIN}
                    self.write(live.job_id, **plain, **answered)
                if live.task_status == status.value:
                    return
                live.task_status = status.value
                extra: dict[str, Any] = {"task_status": status.value}
                if status is TaskStatus.PROCESSING:
                    extra["processing_at"] = time.time()
                if live.slow:
                    self.write(live.job_id, **extra)
                else:
                    new = JobStatus.PROCESSING if status is TaskStatus.PROCESSING else None
                    self._advance(
                        live,
                        new or JobStatus.SUBMITTED,
                        messages.PROCESSING if new else messages.SUBMITTED,
                        watch=JobStatus.PROCESSING,
                        **extra,
                    )
            return
        with self._cond:
            self._release(live)
            if status is TaskStatus.SUCCEED and live.seen_running:
                self._record_duration(live, task)
            live.task_status = status.value
            live.unreadable = 0
            answered = self._answered(live)
        try:
            KlingClient.outcome(task)
        except KlingError as exc:
            self._fail(live, exc, "task", units=task.final_unit_deduction, task_status=status.value)
            return
        video = task.video
        assert video is not None
        with self._cond:
            live.phase, live.due, live.failures = JobStatus.DOWNLOADING, time.monotonic(), 0
            self._advance(
                live,
                JobStatus.DOWNLOADING,
                messages.DOWNLOADING,
                watch=JobStatus.DOWNLOADING,
                task_status=status.value,
                video_url=video.url,
                units=task.final_unit_deduction,
                downloading_at=time.time(),
                **answered,
            )

    def _back_in_line(self, live: Live, exc: ConcurrencyLimited) -> None:
        """1303: nothing was created. Lower the pool and put the job back at the front."""
        account = self._accounts[live.account]
        with self._cond:
            live.not_before = time.monotonic() + account.pool.busy(exc.retry_after)
            self.claims.free_slot(live.job_id)
            live.holds_slot, live.lookup_first, live.busy = False, False, False
            if live.cancelled:
                self._live.pop(live.job_id, None)
                self.write(live.job_id, message=messages.CANCELLED_NOTHING, watch=None)
            else:
                live.phase = JobStatus.QUEUED
                ticket = live.ticket or Ticket(live.submitter, live.job_id, -1, NEVER)
                account.queue.requeue(ticket)
                self.write(live.job_id, message=messages.ACCOUNT_BUSY, status=JobStatus.QUEUED)
            self._cond.notify_all()

    def _create_unclear(self, live: Live, exc: Exception) -> None:
        """No clear answer: keep the slot (the task may exist) and look it up before retrying.
        Past the task timeout the job ends "timed out", resumable, and asks nothing more."""
        with self._cond:
            live.lookup_first = True
            started = live.trouble_since
        if started is not None and time.monotonic() - started >= self.task_timeout:
            self._give_up_creating(live)
            return
        reason = exc.code if isinstance(exc, KlingError) else type(exc).__name__
        self._later(live, messages.UNCLEAR_CREATE, reason, exc)

    def _query_trouble(self, live: Live, exc: KlingError) -> None:
        if isinstance(exc, ProtocolError):
            live.unreadable += 1
            if live.unreadable >= MAX_UNREADABLE:
                self._fail(live, messages.unreadable_task(), "task")
                return
        self._later(live, messages.QUERY_TROUBLE, exc.code, exc)

    def _later(self, live: Live, message: Text, reason: str, exc: Exception | None = None) -> None:
        """Try this job's step again after a back-off, saying why. When Kling gave no answer
        at all, the row says since when and when the next try is."""
        with self._cond:
            delay = self._backoff(live.failures)
            live.failures += 1
            now = time.monotonic()
            live.due = now + delay
            live.busy = False
            if live.trouble_since is None:
                live.trouble_since = now
            fields: dict[str, Any] = {}
            if unreachable(exc) and live.cancelled:
                # Cancelled: no retry while Kling does not answer (the paid task, if any, is
                # checked again once Kling answers this account, or at the next start).
                live.parked_at = now
                self.write(live.job_id, message=messages.CANCELLED_UNREACHABLE)
                self._cond.notify_all()
                return
            if unreachable(exc):
                live.unreachable_since = live.unreachable_since or time.time()
                message = messages.UNREACHABLE
                fields = {
                    "unreachable_since": live.unreachable_since,
                    "retry_at": time.time() + delay,
                }
            self.write(live.job_id, message=message.format(reason=reason, seconds=delay), **fields)
            self._cond.notify_all()

    def _answered(self, live: Live) -> dict[str, Any]:
        """Kling answered for this job: forget its trouble; the columns to clear, if any."""
        live.trouble_since = None
        if live.unreachable_since is None:
            return {}
        live.unreachable_since = None
        return {"unreachable_since": None, "retry_at": None}

    def _give_up_creating(self, live: Live) -> None:
        """The create has had no clear answer for the whole task timeout: free the slot and
        stop asking. The row keeps `watch = SUBMITTING`, so `resume` or the next start looks the
        task up (never creating it twice)."""
        with self._cond:
            self._release(live)
            self._live.pop(live.job_id, None)
            self.claims.release([live.job_id])
            message = messages.TIMED_OUT_CREATING.format(seconds=self.task_timeout)
            if live.cancelled:
                self.write(live.job_id, message=message, watch=JobStatus.SUBMITTING)
            else:
                self.write(
                    live.job_id,
                    message=message,
                    status=JobStatus.TIMED_OUT,
                    watch=JobStatus.SUBMITTING,
                )
            live.busy = False
            self._cond.notify_all()

    def _park(self, live: Live) -> None:
        """A cancel cut this job's step short while Kling was not answering: no more requests
        for it until Kling answers the account again (or the next start)."""
        with self._cond:
            live.parked_at = time.monotonic()
            live.busy = False
            self.write(live.job_id, message=messages.CANCELLED_UNREACHABLE)
            self._cond.notify_all()

    def _refresh_url(self, live: Live, task_id: str) -> bool:
        """Ask Kling for the task again to get a fresh video URL; True when one was found."""
        live.url_refreshed = True
        try:
            task = self._accounts[live.account].client.get(task_id)
        except KlingError:
            return False
        if task.video is None:
            return False
        with self._cond:
            live.due, live.busy, live.failures = time.monotonic(), False, 0
            self.write(live.job_id, video_url=task.video.url)
            self._cond.notify_all()
        return True

    def _settle_cancelled_without_task(self, live: Live) -> None:
        with self._cond:
            self._release(live)
            self._live.pop(live.job_id, None)
            self.write(live.job_id, message=messages.CANCELLED_NOTHING, watch=None)
            self._cond.notify_all()

    def _fail(self, live: Live, error: UserError, stage: str, **extra: Any) -> None:
        """End the job as failed, keeping Kling's code, message and remedy."""
        title = error.message
        fields: dict[str, Any] = {
            "error_code": error.code,
            "error_message": (
                error.server_message
                if isinstance(error, KlingError) and error.server_message
                else error.message.en
            ),
            "error_title_en": title.en,
            "error_title_zh": title.zh,
            "error_stage": stage,
            "remedy_en": error.remedy.en if error.remedy else None,
            "remedy_zh": error.remedy.zh if error.remedy else None,
            **{k: v for k, v in extra.items() if v is not None},
        }
        with self._cond:
            self._release(live)
            self._live.pop(live.job_id, None)
            if live.phase is JobStatus.QUEUED:
                self._accounts[live.account].queue.remove(live.job_id)
            if not live.cancelled:
                fields["finished_at"] = time.time()
            self._advance(live, JobStatus.FAILED, title, watch=None, **fields)
            live.busy = False
            self._cond.notify_all()
        log.info("job %s failed at %s: %s", live.job_id, stage, error.code)

    # ---- helpers --------------------------------------------------------------------------

    def _advance(
        self,
        live: Live,
        status: JobStatus,
        message: Text,
        *,
        watch: JobStatus | None,
        **fields: Any,
    ) -> Job:
        """Write a step's outcome (lock held). A cancelled job keeps its status and records
        the stage still followed (`watch`) instead; its finish time stays the cancel time.
        Any other job takes `status`, and a `watch` left by a create that timed out is
        cleared (nothing but a cancelled job's task is followed after its end)."""
        if live.cancelled:
            fields.pop("finished_at", None)
            return self.write(live.job_id, message=message, watch=watch, **fields)
        return self.write(live.job_id, message=message, status=status, watch=None, **fields)

    def write(self, job_id: str, *, message: Text | None = None, **fields: Any) -> Job:
        """Write a job's row (and its status message, if given); wake everyone waiting on
        the engine (`JobEngine.wait`, the dispatcher). Returns the job as stored."""
        if message is not None:
            fields["status_message"], fields["status_message_zh"] = message.en, message.zh
        with self._cond:
            job = self.store.update(job_id, **fields)
            self._cond.notify_all()
            return job

    def _release(self, live: Live) -> None:
        if live.holds_slot:
            self._accounts[live.account].pool.release()
            self.claims.free_slot(live.job_id)
            live.holds_slot = False

    def _backoff(self, failures: int) -> float:
        return min(MAX_BACKOFF, max(self.poll_interval, 0.05) * 2**failures)

    def _record_duration(self, live: Live, task: Task) -> None:
        """How long the task took: by Kling's own clock when it says (no polling lag in it),
        else from our submit time to now."""
        if live.slow:
            return
        if task.created_at and task.updated_at and task.updated_at > task.created_at:
            seconds = (task.updated_at - task.created_at) / 1000
        else:
            job = self.store.get(live.job_id)
            if job.submitted_at is None:
                return
            seconds = time.time() - job.submitted_at
        self._durations.record(live.account, seconds, live.kind)
