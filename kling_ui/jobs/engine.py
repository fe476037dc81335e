"""JobEngine: every Kling task of this process goes through one pool of slots per account.

A dispatcher thread decides what happens next (create, poll, download, time out) and hands
each step to a small worker pool; the steps talk to Kling without holding the engine's lock
and write every change to the store before acting on it. Front ends only submit, read,
follow and cancel jobs, so a closed browser tab never loses one.

Per account: at most `concurrency` tasks in flight, counted from the create request until
the task is seen finished; queued jobs are served round-robin between submitters; a 1303
puts the job back at the front of its submitter's line and lowers the pool's ceiling
(slots.SlotPool). In-flight tasks are polled together: one list call covers all of an
account's tasks when more than one is in flight, and the first poll of a task waits for
most of the shortest recent task time. A Kling callback only makes a task due at once.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import hashlib
import heapq
import logging
import statistics
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TextIO

from kling_ui.i18n import Text, UserError
from kling_ui.jobs import messages
from kling_ui.jobs.accounts import CountingTransport, Credentials
from kling_ui.jobs.models import EngineSnapshot, Job, JobSpec, JobStatus, PoolSnapshot
from kling_ui.jobs.naming import video_file_name
from kling_ui.jobs.scheduler import NEVER, FairQueue, Ticket
from kling_ui.jobs.slots import SlotPool
from kling_ui.jobs.store import JobStore
from kling_ui.kling import capabilities
from kling_ui.kling.client import KlingClient, RetryPolicy, new_external_task_id
from kling_ui.kling.errors import ConcurrencyLimited, KlingError, NotFound
from kling_ui.kling.models import CreateTaskRequest, Task, TaskStatus

try:  # POSIX: one engine per data folder, released by the kernel even on SIGKILL.
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["CALLBACK_PATH", "Credentials", "JobEngine", "SubmitResult"]

log = logging.getLogger("kling_ui.jobs.engine")

CALLBACK_PATH = "/kling/callback"
MAX_BACKOFF = 60.0
MAX_UNEXPECTED = 5  # unexpected errors in a row before a job is failed
MAX_DOWNLOAD_TRIES = 6
RECENT_DURATIONS = 20
# The client retries a little; the engine itself tries a step again later with its own
# back-off, so a long outage never keeps a worker (or a stopping process) waiting for minutes.
ENGINE_RETRY = RetryPolicy(attempts=3, initial_wait=0.5, max_wait=5.0, retry_concurrency=False)


class _Phase(StrEnum):
    QUEUE = "queue"  # waiting in its account's FairQueue
    CREATE = "create"  # holds a slot; create (or look-up by external id) pending or running
    WATCH = "watch"  # Kling has the task; polled until it ends
    FETCH = "fetch"  # the task succeeded; downloading its video


# What a cancelled job still needs, by where it was: its task is paid for and kept.
_WATCH_BY_PHASE = {_Phase.CREATE: "lookup", _Phase.WATCH: "poll", _Phase.FETCH: "download"}
_WATCH_BY_STATUS = {
    JobStatus.SUBMITTING: "lookup",
    JobStatus.SUBMITTED: "poll",
    JobStatus.PROCESSING: "poll",
    JobStatus.TIMED_OUT: "poll",
    JobStatus.DOWNLOADING: "download",
}


@dataclass(eq=False)
class _Live:
    """The engine's working state for one job that still needs work (not stored)."""

    job_id: str
    external_task_id: str
    account: str
    submitter: str
    fingerprint: str
    phase: _Phase
    task_id: str | None = None
    task_status: str | None = None
    due: float = 0.0  # monotonic time its next step may run
    deadline: float | None = None  # monotonic time it times out (WATCH only)
    busy: bool = False  # a step for it is running on a worker
    holds_slot: bool = False
    lookup_first: bool = False  # the last create's fate is unknown: look it up before creating
    ticket: Ticket | None = None
    slow: bool = False  # timed out: watched at a slower pace, no slot
    cancelled: bool = False
    failures: int = 0
    url_refreshed: bool = False
    seen_running: bool = False  # this process saw the task unfinished: its duration is real
    polled_at: float = 0.0  # monotonic time its latest poll was planned
    hinted_at: float = 0.0  # monotonic time of the latest callback about it


@dataclass
class _Account:
    credentials: Credentials
    client: KlingClient
    pool: SlotPool
    queue: FairQueue


@dataclass(frozen=True)
class SubmitResult:
    """The job a submit produced; `reused` when an identical job (done or in flight) answered."""

    job: Job
    reused: bool


class JobEngine:
    """Runs jobs against Kling on its own threads; see the module docstring for the rules."""

    def __init__(
        self,
        store: JobStore,
        credentials: Credentials,
        *,
        data_dir: Path,
        concurrency: int = 3,
        poll_interval: float = 5.0,
        task_timeout: float = 300.0,
        callback_base_url: str | None = None,
        retry: RetryPolicy | None = None,
        simulated: bool = False,
        typical_task_seconds: float = 100.0,
    ) -> None:
        if concurrency < 1 or poll_interval <= 0 or task_timeout <= 0:
            raise ValueError("concurrency >= 1, poll_interval > 0 and task_timeout > 0")
        self.store = store
        self.data_dir = Path(data_dir)
        self.videos_dir = self.data_dir / "videos"
        self.frames_dir = self.data_dir / "frames"
        self.concurrency = concurrency
        self.poll_interval = poll_interval
        self.task_timeout = task_timeout
        self.callback_url: str | None = None
        self.set_callback_base(callback_base_url)
        # 1303 must come back to the engine (it re-queues the job); the client never retries it.
        self.retry = dataclasses.replace(retry or ENGINE_RETRY, retry_concurrency=False)
        self.simulated = simulated
        self.typical_task_seconds = typical_task_seconds
        self.default_credentials = credentials

        self._cond = threading.Condition(threading.RLock())
        self._accounts: dict[str, _Account] = {}
        self._live: dict[str, _Live] = {}
        self._waiting_keys: dict[str, set[str]] = {}
        self._durations: dict[str, deque[float]] = {}
        self._subscribers: list[Callable[[Job], None]] = []
        self._requests: Counter[str] = Counter()
        self._requests_lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._thread: threading.Thread | None = None
        self._lock_file: TextIO | None = None
        self._stopping = False
        self._account_for(credentials)

    # ---- life -----------------------------------------------------------------------------

    def start(self) -> None:
        """Take the data folder, start the threads, and resume every unfinished job."""
        with self._cond:
            if self._thread is not None:
                return
            self._lock_data_dir()
            self._stopping = False
            self._executor = ThreadPoolExecutor(
                max_workers=max(4, 2 * self.concurrency + 2), thread_name_prefix="kling-job"
            )
            self._load_durations()
            self._resume()
            self._thread = threading.Thread(
                target=self._dispatch_loop, name="kling-dispatch", daemon=True
            )
            self._thread.start()
        log.info("job engine started with %d live jobs", len(self._live))

    def stop(self, wait: bool = True) -> None:
        """Stop the threads; with `wait`, steps already running finish (and are recorded).
        Unfinished jobs stay in the store and resume on the next start."""
        with self._cond:
            if self._thread is None:
                return
            self._stopping = True
            self._cond.notify_all()
            thread, executor = self._thread, self._executor
        thread.join()
        if executor is not None:
            executor.shutdown(wait=wait, cancel_futures=True)
        with self._cond:
            self._thread = None
            self._executor = None
            for account in self._accounts.values():
                account.client.close()
            self._accounts.clear()
            self._live.clear()
            self._waiting_keys.clear()
            self._release_data_dir()
            self._account_for(self.default_credentials)

    def __enter__(self) -> JobEngine:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def set_callback_base(self, base_url: str | None) -> None:
        """Send `callback_url = base_url + CALLBACK_PATH` with each create from now on
        (None: no callbacks; polling alone)."""
        self.callback_url = base_url.rstrip("/") + CALLBACK_PATH if base_url else None

    # ---- front-end calls ------------------------------------------------------------------

    def save_frame(self, data: bytes, suffix: str) -> Path:
        """Store prepared frame bytes under data_dir/frames, named by their sha256."""
        digest = hashlib.sha256(data).hexdigest()
        path = self.frames_dir / f"{digest}.{suffix.lstrip('.').lower()}"
        if not path.is_file():
            self.frames_dir.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
            partial.write_bytes(data)
            partial.replace(path)
        return path

    def submit(self, spec: JobSpec, *, credentials: Credentials | None = None) -> SubmitResult:
        """Queue a job and return at once. `credentials` None uses the engine's default account.

        An identical job (same frame hashes, prompt and settings) that is done or in flight
        answers instead, unless `spec.new_take`. Raises UserError for a spec Kling would
        refuse (capability table, prompt length) or whose frame files are missing.
        """
        self._check_spec(spec)
        creds = credentials or self.default_credentials
        first_hash = _file_sha256(spec.first_frame)
        last_hash = _file_sha256(spec.last_frame) if spec.last_frame else None
        origin = "simulator" if self.simulated else creds.base_url.rstrip("/")
        fingerprint = spec.fingerprint(first_hash, last_hash, origin)
        if not spec.new_take:
            done = self.store.find_reusable(fingerprint)
            if done is not None:
                return SubmitResult(self._reuse(done, spec, creds), reused=True)
        now = time.time()
        job = Job(
            id=uuid.uuid4().hex,
            external_task_id=new_external_task_id(),
            task_id=None,
            account=creds.account,
            spec=spec,
            first_hash=first_hash,
            last_hash=last_hash,
            fingerprint=fingerprint,
            status=JobStatus.QUEUED,
            status_message=messages.QUEUED.en,
            status_message_zh=messages.QUEUED.zh,
            created_at=now,
            updated_at=now,
        )
        with self._cond:
            twin = None if spec.new_take else self._twin_in_flight(fingerprint)
            if twin is not None:
                return SubmitResult(self.store.get(twin), reused=True)
            account = self._account_for(creds)
            self.store.insert(job)
            self._live[job.id] = _Live(
                job.id,
                job.external_task_id,
                account.credentials.account,
                spec.submitter,
                fingerprint,
                _Phase.QUEUE,
            )
            account.queue.push(spec.submitter, job.id)
            self._cond.notify_all()
        self._emit(job)
        return SubmitResult(job, reused=False)

    def _twin_in_flight(self, fingerprint: str) -> str | None:
        """The id of a job with this fingerprint the engine is still working on (lock held)."""
        return next(
            (
                live.job_id
                for live in self._live.values()
                if live.fingerprint == fingerprint and not live.cancelled
            ),
            None,
        )

    def provide_credentials(self, credentials: Credentials) -> int:
        """Make an account's keys known (e.g. re-entered in a browser after a restart) and
        resume the jobs that waited for them; returns how many resumed."""
        with self._cond:
            waiting = len(self._waiting_keys.get(credentials.account, ()))
            self._account_for(credentials)
            return waiting

    def get(self, job_id: str) -> Job:
        """The job as stored; KeyError if unknown."""
        return self.store.get(job_id)

    def jobs(self, **filters: Any) -> list[Job]:
        """Jobs from the store (see JobStore.list for the filters)."""
        return self.store.list(**filters)

    def mark_best(self, job_id: str) -> Job:
        """Mark a prompt-lab variant as the best of its group."""
        job = self.store.mark_best(job_id)
        self._emit(job)
        return job

    def queue_position(self, job_id: str) -> int | None:
        """1-based place in its account's line (fair order), None when not queued."""
        with self._cond:
            live = self._live.get(job_id)
            if live is None or live.phase is not _Phase.QUEUE:
                return None
            order = self._accounts[live.account].queue.order()
            return order.index(job_id) + 1 if job_id in order else None

    def estimate(self, job_id: str) -> float | None:
        """Seconds until the job is done, from recent task durations; None when it is not
        running or cannot be told (finished, timed out, waiting for keys)."""
        job = self.store.get(job_id)
        with self._cond:
            live = self._live.get(job_id)
            if live is None or live.cancelled or live.slow:
                return None
            typical = self._typical_duration(live.account)
            download = 1.0
            if live.phase is _Phase.FETCH:
                return download
            if live.phase is _Phase.WATCH:
                ran = time.time() - (job.submitted_at or time.time())
                return max(0.0, typical - ran) + download
            if live.phase is _Phase.CREATE:
                return typical + download
            return self._queued_estimate(live, typical) + download

    def cancel(self, job_id: str) -> Job:
        """Cancel a job. Queued: it never runs. Already at Kling: the person stops waiting,
        and the paid-for task is still watched so its video is kept if it arrives."""
        with self._cond:
            job = self.store.get(job_id)
            if job.status.finished:
                return job
            live = self._live.get(job_id)
            fields: dict[str, Any] = {"status": JobStatus.CANCELLED, "finished_at": time.time()}
            if live is None:
                # Waiting for its keys: a task already at Kling is still watched once they come.
                watch = _WATCH_BY_STATUS.get(job.status)
                if watch is None:
                    for waiting in self._waiting_keys.values():
                        waiting.discard(job_id)
            elif live.phase is _Phase.QUEUE:
                self._accounts[live.account].queue.remove(job_id)
                del self._live[job_id]
                watch = None
            else:
                live.cancelled = True
                watch = _WATCH_BY_PHASE[live.phase]
            message = messages.CANCELLED if watch is None else messages.CANCELLED_RUNNING
            job = self._write(job_id, message=message, watch=watch, **fields)
        self._emit(job)
        return job

    def wait(self, job_id: str, timeout: float | None = None) -> Job:
        """Block until the job is settled (done, failed, cancelled or timed out) or `timeout`
        seconds pass; return it as stored."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while True:
                job = self.store.get(job_id)
                if job.status.settled:
                    return job
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return job
                self._cond.wait(1.0 if remaining is None else min(remaining, 1.0))

    def subscribe(self, fn: Callable[[Job], None]) -> Callable[[], None]:
        """Call `fn(job)` after every change of any job (from engine threads; keep it quick).
        Returns a function that unsubscribes."""
        with self._cond:
            self._subscribers.append(fn)

        def unsubscribe() -> None:
            with self._cond, contextlib.suppress(ValueError):
                self._subscribers.remove(fn)

        return unsubscribe

    def on_callback(self, payload: dict[str, Any]) -> None:
        """A Kling callback arrived: query that task now. Its content is never trusted."""
        data = payload.get("data") if isinstance(payload.get("data"), dict) else payload
        if not isinstance(data, dict):
            return
        task_id = data.get("task_id")
        info = data.get("task_info") if isinstance(data.get("task_info"), dict) else {}
        external = info.get("external_task_id")
        with self._cond:
            for live in self._live.values():
                if live.phase is _Phase.WATCH and (
                    (task_id and live.task_id == task_id)
                    or (external and live.external_task_id == external)
                ):
                    # A status we already know tells nothing new: no query for it.
                    if data.get("task_status") != live.task_status:
                        live.due = live.hinted_at = time.monotonic()
                    self._cond.notify_all()
                    return

    def snapshot(self) -> EngineSnapshot:
        """Counts per status, each account's pool, and the HTTP requests sent to Kling."""
        counts = self.store.counts()
        with self._cond:
            pools = [
                PoolSnapshot(
                    account=name,
                    limit=account.pool.limit,
                    ceiling=account.pool.ceiling,
                    in_flight=account.pool.in_flight,
                    queued=len(account.queue),
                )
                for name, account in self._accounts.items()
            ]
        with self._requests_lock:
            requests = dict(self._requests)
        return EngineSnapshot(counts=counts, pools=pools, requests=requests)

    # ---- the dispatcher -------------------------------------------------------------------

    def _dispatch_loop(self) -> None:
        while True:
            with self._cond:
                if self._stopping:
                    return
                steps = self._plan(time.monotonic())
                if not steps:
                    self._cond.wait(self._wake_in(time.monotonic()))
                    continue
                executor = self._executor
            assert executor is not None
            for step, args in steps:
                try:
                    executor.submit(self._run_step, step, *args)
                except RuntimeError:  # shutting down
                    return

    def _plan(self, now: float) -> list[tuple[Callable[..., None], tuple[Any, ...]]]:
        """Choose every step that may start now and mark its jobs busy (lock held)."""
        steps: list[tuple[Callable[..., None], tuple[Any, ...]]] = []
        by_account: dict[str, list[_Live]] = {}
        for live in self._live.values():
            by_account.setdefault(live.account, []).append(live)
            if live.busy or live.phase is _Phase.QUEUE:
                continue
            if (
                live.phase is _Phase.WATCH
                and not live.slow
                and live.deadline is not None
                and now >= live.deadline
            ):
                live.busy = True
                steps.append((self._time_out, (live,)))
            elif live.phase is _Phase.CREATE and live.due <= now:
                live.busy = True
                steps.append((self._create, (live,)))
            elif live.phase is _Phase.FETCH and live.due <= now:
                live.busy = True
                steps.append((self._download, (live,)))
        for name, account in self._accounts.items():
            while len(account.queue) and account.pool.available():
                ticket = account.queue.pop()
                assert ticket is not None
                live = self._live[ticket.job_id]
                live.phase, live.ticket, live.busy = _Phase.CREATE, ticket, True
                live.holds_slot = True
                account.pool.acquire()
                steps.append((self._create, (live,)))
            watching = [
                live
                for live in by_account.get(name, [])
                if live.phase is _Phase.WATCH and not live.busy
            ]
            if any(live.due <= now for live in watching):
                for live in watching:
                    live.busy, live.polled_at = True, now
                steps.append((self._poll, (account, watching, now)))
        return steps

    def _wake_in(self, now: float) -> float:
        """Seconds until the next planned step could start (lock held)."""
        times: list[float] = []
        for live in self._live.values():
            if live.busy or live.phase is _Phase.QUEUE:
                continue
            times.append(live.due)
            if live.phase is _Phase.WATCH and not live.slow and live.deadline is not None:
                times.append(live.deadline)
        for account in self._accounts.values():
            change = account.pool.next_change()
            if change is not None and len(account.queue):
                times.append(change)
        # A bounded wait keeps the loop honest even if a notify were ever missed.
        return min(5.0, max(0.0, min(times) - now)) if times else 5.0

    def _run_step(self, step: Callable[..., None], *args: Any) -> None:
        try:
            step(*args)
        except Exception:
            log.exception("job step %s failed unexpectedly", step.__name__)
            lives = [a for a in args if isinstance(a, _Live)]
            lives += [x for a in args if isinstance(a, list) for x in a if isinstance(x, _Live)]
            with self._cond:
                for live in lives:
                    live.busy = False
                    live.due = time.monotonic() + self._backoff(live.failures)
                    live.failures += 1
                    # The create may have left before the error: look it up before another.
                    live.lookup_first = live.lookup_first or live.phase is _Phase.CREATE
                self._cond.notify_all()

    # ---- steps (run on workers) -----------------------------------------------------------

    def _create(self, live: _Live) -> None:
        """Create the task (after a look-up by external id when an earlier try was unclear)."""
        account = self._accounts[live.account]
        with self._cond:
            job = self.store.get(live.job_id)
            if not live.cancelled:
                message = messages.CHECKING if live.lookup_first else messages.SUBMITTING
                job = self._write(
                    job.id,
                    message=message,
                    status=JobStatus.SUBMITTING,
                    submitting_at=job.submitting_at or time.time(),
                    attempts=job.attempts + 1,
                )
        self._emit(job)
        found = False
        try:
            task = None
            if live.lookup_first:
                task = account.client.find_by_external_id(job.external_task_id)
                found = task is not None
            if task is None:
                if live.cancelled:
                    self._settle_cancelled_without_task(live)
                    return
                task = account.client.create(self._request(job))
        except ConcurrencyLimited as exc:
            self._back_in_line(live, exc)
            return
        except KlingError as exc:
            if exc.retryable:
                self._create_unclear(live, f"{exc.code}")
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
                self._create_unclear(live, type(exc).__name__)
            return
        self._created(live, task, found=found)

    def _poll(self, account: _Account, watching: list[_Live], started: float) -> None:
        """Query the account's in-flight tasks: one list call covers them all when more than
        one is in flight; a task missing from it (or alone) is queried by its id."""
        try:
            due = {live.job_id for live in watching if live.due <= started}
            listed: dict[str, Task] = {}
            if len(watching) > 1:
                size = min(500, max(30, 4 * len(watching)))
                try:
                    listed = {t.task_id: t for t in account.client.list(1, size)}
                except KlingError as exc:
                    log.info("list call failed (%s); querying tasks one by one", exc.code)
            for live in watching:
                task = listed.get(live.task_id or "")
                if task is None:
                    if live.job_id not in due or live.task_id is None:
                        continue
                    try:
                        task = account.client.get(live.task_id)
                    except NotFound as exc:
                        lost = messages.simulator_restarted() if self.simulated else exc
                        self._fail(live, lost, "task")
                        continue
                    except KlingError as exc:
                        self._query_trouble(live, exc)
                        continue
                self._on_task(live, task)
        finally:
            with self._cond:
                for live in watching:
                    live.busy = False
                self._cond.notify_all()

    def _download(self, live: _Live) -> None:
        """Download the video to data_dir/videos; retry transient faults, refresh the URL once."""
        account = self._accounts[live.account]
        job = self.store.get(live.job_id)
        dest = self.videos_dir / video_file_name(job)
        try:
            if not job.video_url:
                raise NotFound("no video URL recorded")
            account.client.download(job.video_url, dest)
        except (KlingError, OSError) as exc:
            retryable = isinstance(exc, OSError) or (isinstance(exc, KlingError) and exc.retryable)
            reason = exc.code if isinstance(exc, KlingError) else type(exc).__name__
            if retryable and live.failures + 1 < MAX_DOWNLOAD_TRIES:
                self._later(live, messages.DOWNLOAD_TROUBLE, reason)
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
            )
        self._emit(job)

    def _time_out(self, live: _Live) -> None:
        """The task ran past task_timeout: free its slot, keep watching it slowly."""
        with self._cond:
            live.slow = True
            self._release(live)
            message = messages.TIMED_OUT.format(seconds=self.task_timeout)
            job = self._advance(live, JobStatus.TIMED_OUT, message, watch="poll")
            live.busy = False
            self._cond.notify_all()
        self._emit(job)

    # ---- outcomes -------------------------------------------------------------------------

    def _created(self, live: _Live, task: Task, *, found: bool) -> None:
        """Kling has the task (just created, or `found` by its external id)."""
        account = self._accounts[live.account]
        now = time.monotonic()
        with self._cond:
            account.pool.created()
            job = self.store.get(live.job_id)
            live.phase, live.task_id, live.lookup_first = _Phase.WATCH, task.task_id, False
            live.failures = 0
            live.deadline = now + self.task_timeout
            live.due = now + self._first_poll_delay(live.account)
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
                watch="poll",
                task_id=task.task_id,
                task_status=live.task_status,
                submitted_at=submitted_at,
            )
        self._emit(job)
        if task.task_status is not TaskStatus.SUBMITTED:
            self._on_task(live, task)
        with self._cond:
            live.busy = False
            self._cond.notify_all()

    def _on_task(self, live: _Live, task: Task) -> None:
        """Act on what Kling says about the task (the caller owns `live`)."""
        status = task.task_status
        if not status.finished:
            interval = self.poll_interval * (4 if live.slow else 1)
            with self._cond:
                # A callback that came in while this query was under way still counts.
                fresh_hint = live.hinted_at > live.polled_at
                live.due = time.monotonic() + (0.0 if fresh_hint else interval)
                live.failures = 0
                live.seen_running = True
                if live.task_status == status.value:
                    return
                live.task_status = status.value
                extra: dict[str, Any] = {"task_status": status.value}
                if status is TaskStatus.PROCESSING:
                    extra["processing_at"] = time.time()
                if live.slow:
                    job = self._write(live.job_id, **extra)
                else:
                    new = JobStatus.PROCESSING if status is TaskStatus.PROCESSING else None
                    job = self._advance(
                        live,
                        new or JobStatus.SUBMITTED,
                        messages.PROCESSING if new else messages.SUBMITTED,
                        watch="poll",
                        **extra,
                    )
            self._emit(job)
            return
        with self._cond:
            self._release(live)
            if status is TaskStatus.SUCCEED and live.seen_running:
                self._record_duration(live)
            live.task_status = status.value
        try:
            KlingClient.outcome(task)
        except KlingError as exc:
            self._fail(live, exc, "task", units=task.final_unit_deduction, task_status=status.value)
            return
        video = task.video
        assert video is not None
        with self._cond:
            live.phase, live.due, live.failures = _Phase.FETCH, time.monotonic(), 0
            job = self._advance(
                live,
                JobStatus.DOWNLOADING,
                messages.DOWNLOADING,
                watch="download",
                task_status=status.value,
                video_url=video.url,
                units=task.final_unit_deduction,
                downloading_at=time.time(),
            )
        self._emit(job)

    def _back_in_line(self, live: _Live, exc: ConcurrencyLimited) -> None:
        """1303: nothing was created. Lower the pool and put the job back at the front."""
        account = self._accounts[live.account]
        with self._cond:
            account.pool.busy(exc.retry_after)
            live.holds_slot, live.lookup_first, live.busy = False, False, False
            if live.cancelled:
                self._live.pop(live.job_id, None)
                job = self._write(live.job_id, message=messages.CANCELLED_NOTHING, watch=None)
            else:
                live.phase = _Phase.QUEUE
                ticket = live.ticket or Ticket(live.submitter, live.job_id, -1, NEVER)
                account.queue.requeue(ticket)
                job = self._write(
                    live.job_id, message=messages.ACCOUNT_BUSY, status=JobStatus.QUEUED
                )
            self._cond.notify_all()
        self._emit(job)

    def _create_unclear(self, live: _Live, reason: str) -> None:
        """No clear answer: keep the slot (the task may exist) and look it up before retrying."""
        with self._cond:
            live.lookup_first = True
        self._later(live, messages.UNCLEAR_CREATE, reason)

    def _query_trouble(self, live: _Live, exc: KlingError) -> None:
        self._later(live, messages.QUERY_TROUBLE, exc.code)

    def _later(self, live: _Live, message: Text, reason: str) -> None:
        """Try this job's step again after a back-off, saying why."""
        with self._cond:
            delay = self._backoff(live.failures)
            live.failures += 1
            live.due = time.monotonic() + delay
            live.busy = False
            job = self._write(live.job_id, message=message.format(reason=reason, seconds=delay))
            self._cond.notify_all()
        self._emit(job)

    def _refresh_url(self, live: _Live, task_id: str) -> bool:
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
            job = self._write(live.job_id, video_url=task.video.url)
            self._cond.notify_all()
        self._emit(job)
        return True

    def _settle_cancelled_without_task(self, live: _Live) -> None:
        with self._cond:
            self._release(live)
            self._live.pop(live.job_id, None)
            job = self._write(live.job_id, message=messages.CANCELLED_NOTHING, watch=None)
            self._cond.notify_all()
        self._emit(job)

    def _fail(self, live: _Live, error: UserError, stage: str, **extra: Any) -> None:
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
            if live.phase is _Phase.QUEUE:
                self._accounts[live.account].queue.remove(live.job_id)
            if not live.cancelled:
                fields["finished_at"] = time.time()
            job = self._advance(live, JobStatus.FAILED, title, watch=None, **fields)
            live.busy = False
            self._cond.notify_all()
        log.info("job %s failed at %s: %s", live.job_id, stage, error.code)
        self._emit(job)

    # ---- helpers --------------------------------------------------------------------------

    def _advance(
        self, live: _Live, status: JobStatus, message: Text, *, watch: str | None, **fields: Any
    ) -> Job:
        """Write a step's outcome (lock held). A cancelled job keeps its status and records
        what is still being watched instead; its finish time stays the cancel time."""
        if live.cancelled:
            fields.pop("finished_at", None)
            return self._write(live.job_id, message=message, watch=watch, **fields)
        return self._write(live.job_id, message=message, status=status, **fields)

    def _write(self, job_id: str, *, message: Text | None = None, **fields: Any) -> Job:
        if message is not None:
            fields["status_message"], fields["status_message_zh"] = message.en, message.zh
        with self._cond:
            return self.store.update(job_id, **fields)

    def _emit(self, job: Job) -> None:
        with self._cond:
            subscribers = list(self._subscribers)
            self._cond.notify_all()
        for fn in subscribers:
            try:
                fn(job)
            except Exception:
                log.exception("job subscriber failed")

    def _release(self, live: _Live) -> None:
        if live.holds_slot:
            self._accounts[live.account].pool.release()
            live.holds_slot = False

    def _backoff(self, failures: int) -> float:
        return min(MAX_BACKOFF, max(self.poll_interval, 0.05) * 2**failures)

    def _first_poll_delay(self, account: str) -> float:
        """Wait for most of the shortest recent task before the first query."""
        recent = self._durations.get(account)
        if not recent:
            return self.poll_interval
        return max(self.poll_interval, 0.8 * min(recent))

    def _typical_duration(self, account: str) -> float:
        recent = self._durations.get(account)
        return statistics.median(recent) if recent else self.typical_task_seconds

    def _record_duration(self, live: _Live) -> None:
        job = self.store.get(live.job_id)
        if job.submitted_at is not None and not live.slow:
            recent = self._durations.setdefault(live.account, deque(maxlen=RECENT_DURATIONS))
            recent.append(max(0.0, time.time() - job.submitted_at))

    def _load_durations(self) -> None:
        for job in self.store.list(status=JobStatus.DONE, limit=RECENT_DURATIONS * 5):
            if job.reused_from or job.submitted_at is None or job.downloading_at is None:
                continue
            recent = self._durations.setdefault(job.account, deque(maxlen=RECENT_DURATIONS))
            if len(recent) < RECENT_DURATIONS:
                recent.appendleft(job.downloading_at - job.submitted_at)

    def _queued_estimate(self, live: _Live, typical: float) -> float:
        """When this queued job's task would end if every task took `typical` seconds."""
        account = self._accounts[live.account]
        now = time.time()
        ends: list[float] = []
        for other in self._live.values():
            if other.account == live.account and other.holds_slot:
                submitted = self.store.get(other.job_id).submitted_at or now
                ends.append(max(0.0, typical - (now - submitted)))
        ends += [0.0] * max(0, account.pool.ceiling - len(ends))
        if not ends:
            ends = [0.0]
        heapq.heapify(ends)
        for job_id in account.queue.order():
            start = heapq.heappop(ends)
            if job_id == live.job_id:
                return start + typical
            heapq.heappush(ends, start + typical)
        return typical

    def _account_for(self, credentials: Credentials) -> _Account:
        """The account of these credentials, created on first use; adopts jobs that were
        waiting for these keys (lock held or not yet shared)."""
        name = credentials.account
        account = self._accounts.get(name)
        if account is not None:
            return account
        transport = CountingTransport(self._requests, self._requests_lock)
        account = _Account(
            credentials=credentials,
            client=KlingClient(
                credentials.base_url,
                credentials.access_key,
                credentials.secret_key,
                retry=self.retry,
                transport=transport,
            ),
            pool=SlotPool(
                self.concurrency,
                backoff_initial=min(5.0, max(self.poll_interval, 0.5)),
                backoff_max=MAX_BACKOFF,
            ),
            queue=FairQueue(),
        )
        self._accounts[name] = account
        for job_id in sorted(self._waiting_keys.pop(name, set())):
            self._adopt(self.store.get(job_id), account)
        return account

    def _resume(self) -> None:
        """Take up every unfinished job in the store (lock held)."""
        for job in self.store.unfinished():
            if job.id in self._live:
                continue
            account = self._accounts.get(job.account)
            if account is None:
                self._waiting_keys.setdefault(job.account, set()).add(job.id)
                self._write(job.id, message=messages.NEEDS_KEYS)
                continue
            self._adopt(job, account)

    def _adopt(self, job: Job, account: _Account) -> None:
        """Rebuild a stored job's working state from its row (lock held)."""
        now = time.monotonic()
        live = _Live(
            job.id,
            job.external_task_id,
            account.credentials.account,
            job.spec.submitter,
            job.fingerprint,
            _Phase.QUEUE,
            task_id=job.task_id,
            task_status=job.task_status,
            due=now,
            cancelled=job.status is JobStatus.CANCELLED,
        )
        stage = job.watch if live.cancelled else job.status.value
        if stage in ("poll", "submitted", "processing", "timed_out") and job.task_id is None:
            stage = "lookup"  # a task id was never recorded: find it by external id
        if stage == JobStatus.QUEUED.value:
            account.queue.push(live.submitter, job.id)
        elif stage in ("lookup", JobStatus.SUBMITTING.value):
            live.phase, live.lookup_first, live.holds_slot = _Phase.CREATE, True, True
            account.pool.acquire()
        elif stage in ("poll", JobStatus.SUBMITTED.value, JobStatus.PROCESSING.value):
            live.phase, live.holds_slot = _Phase.WATCH, True
            account.pool.acquire()
            left = (job.submitted_at or time.time()) + self.task_timeout - time.time()
            # Give a task that ended while we were away the chance of one query first.
            live.deadline = now + max(left, 3 * self.poll_interval)
        elif stage == JobStatus.TIMED_OUT.value:
            live.phase, live.slow = _Phase.WATCH, True
        elif stage in ("download", JobStatus.DOWNLOADING.value):
            live.phase = _Phase.FETCH
        else:
            return
        self._live[job.id] = live
        self._cond.notify_all()

    def _check_spec(self, spec: JobSpec) -> None:
        for frame in (spec.first_frame, spec.last_frame):
            if frame is not None and not Path(frame).is_file():
                raise messages.frame_missing(Path(frame).name)
        capabilities.check(
            CreateTaskRequest(
                model_name=spec.model,
                image="-",
                image_tail="-" if spec.last_frame else None,
                prompt=spec.prompt or None,
                negative_prompt=spec.negative_prompt or None,
                cfg_scale=spec.cfg_scale,
                mode=spec.mode,
                duration=spec.duration,
            )
        )

    def _request(self, job: Job) -> CreateTaskRequest:
        spec = job.spec
        return CreateTaskRequest(
            model_name=spec.model,
            image=_file_b64(spec.first_frame),
            image_tail=_file_b64(spec.last_frame) if spec.last_frame else None,
            prompt=spec.prompt or None,
            negative_prompt=spec.negative_prompt or None,
            cfg_scale=spec.cfg_scale,
            mode=spec.mode,
            duration=spec.duration,
            callback_url=self.callback_url,
            external_task_id=job.external_task_id,
        )

    def _reuse(self, done: Job, spec: JobSpec, creds: Credentials) -> Job:
        """A new row answered by a finished identical job's video; nothing is paid."""
        now = time.time()
        job = Job(
            id=uuid.uuid4().hex,
            external_task_id=new_external_task_id(),
            task_id=done.task_id,
            account=creds.account,
            spec=spec,
            first_hash=done.first_hash,
            last_hash=done.last_hash,
            fingerprint=done.fingerprint,
            status=JobStatus.DONE,
            status_message=messages.REUSED.en,
            status_message_zh=messages.REUSED.zh,
            task_status=done.task_status,
            video_path=done.video_path,
            video_url=done.video_url,
            units=0.0,
            created_at=now,
            finished_at=now,
            updated_at=now,
            reused_from=done.id,
        )
        self.store.insert(job)
        self._emit(job)
        return job

    def _lock_data_dir(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        handle = (self.data_dir / ".engine.lock").open("a+")
        if fcntl is not None:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                raise messages.engine_busy(str(self.data_dir)) from None
        self._lock_file = handle

    def _release_data_dir(self) -> None:
        if self._lock_file is not None:
            self._lock_file.close()  # closing drops the flock
            self._lock_file = None


def _file_sha256(path: Path | None) -> str:
    assert path is not None
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _file_b64(path: Path | None) -> str:
    assert path is not None
    try:
        return base64.b64encode(Path(path).read_bytes()).decode("ascii")
    except FileNotFoundError:
        raise messages.frame_missing(Path(path).name) from None
