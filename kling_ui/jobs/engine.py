"""JobEngine: every Kling task of this process goes through one pool of slots per account.

A dispatcher thread decides what happens next (create, poll, download, time out) and hands
each step to a small worker pool (steps.JobSteps, built with the state it shares with the
dispatcher); the steps talk to Kling without holding the engine's lock and write every
change to the store before acting on it. Front ends only submit, read, follow and cancel
jobs, so a closed browser tab never loses one.

Per account: at most `concurrency` tasks in flight, counted from the create request until
the task is seen finished; queued jobs are served round-robin between submitters; a 1303
puts the job back at the front of its submitter's line and lowers the pool's ceiling
(slots.SlotPool). In-flight tasks are polled together: one list call covers all of an
account's tasks when more than one is in flight, and the first poll of a task waits for
most of the shortest recent task time. A Kling callback only makes a task due at once.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kling_ui.jobs import messages
from kling_ui.jobs.accounts import Account, CountingTransport, Credentials
from kling_ui.jobs.claims import ClaimBook
from kling_ui.jobs.durations import TaskDurations, kind_of, queued_finish
from kling_ui.jobs.live import WATCHED, Live, stage_of
from kling_ui.jobs.models import (
    KEYS_DEMO,
    KEYS_OWN,
    KEYS_SHARED,
    EngineSnapshot,
    Job,
    JobSpec,
    JobStatus,
    PoolSnapshot,
)
from kling_ui.jobs.owners import DEFAULT_MAX_QUEUED, JobNotFound, may_read, owns, queue_full
from kling_ui.jobs.scheduler import FairQueue
from kling_ui.jobs.slots import BUSY_BACKOFF, SlotPool
from kling_ui.jobs.specs import check_spec, file_sha256, reused_job, store_frame
from kling_ui.jobs.steps import JobSteps
from kling_ui.jobs.store import JobStore
from kling_ui.kling.client import RetryPolicy, new_external_task_id

__all__ = ["CALLBACK_PATH", "Credentials", "JobEngine", "SubmitResult"]

log = logging.getLogger("kling_ui.jobs.engine")

CALLBACK_PATH = "/kling/callback"
# How long a claim on a job outlives its engine: a killed process's jobs are taken over by
# another live process after this; renewed every sixth of it.
LEASE_SECONDS = 30.0
SLOT_RECHECK = 0.2  # seconds between looks at the store while other processes hold every slot
# The client retries a little; the engine itself tries a step again later with its own
# back-off, so a long outage never keeps a worker (or a stopping process) waiting for minutes.
ENGINE_RETRY = RetryPolicy(attempts=3, initial_wait=0.5, max_wait=5.0, retry_concurrency=False)


@dataclass(frozen=True)
class SubmitResult:
    """The job a submit produced; `reused` when an identical job (done or in flight) answered."""

    job: Job
    reused: bool


class JobEngine:
    """Runs jobs against Kling on its own threads; see the module docstring for the rules."""

    # Unfinished jobs one owner may have at once (KLING_UI_MAX_QUEUED); None: no cap.
    max_queued: int | None = DEFAULT_MAX_QUEUED

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
        busy_backoff: float = BUSY_BACKOFF,
        lease_seconds: float = LEASE_SECONDS,
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
        # 1303 must come back to the engine (it re-queues the job); the client never retries it.
        self.retry = dataclasses.replace(retry or ENGINE_RETRY, retry_concurrency=False)
        self.simulated = simulated
        self.typical_task_seconds = typical_task_seconds
        self.busy_backoff = busy_backoff
        self.default_credentials = credentials

        self._cond = threading.Condition(threading.RLock())
        self._accounts: dict[str, Account] = {}
        self._live: dict[str, Live] = {}
        self._waiting_keys: dict[str, set[str]] = {}
        self._durations = TaskDurations(typical_task_seconds)
        self._requests: Counter[str] = Counter()
        self._requests_lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._thread: threading.Thread | None = None
        self.engine_id = uuid.uuid4().hex
        self.claims = ClaimBook(store, self.engine_id, lease_seconds)
        self._steps = JobSteps(
            store,
            self.claims,
            self._cond,
            self._accounts,
            self._live,
            self._durations,
            videos_dir=self.videos_dir,
            poll_interval=poll_interval,
            task_timeout=task_timeout,
            simulated=simulated,
        )
        self.set_callback_base(callback_base_url)
        self._next_claims_tick = 0.0
        self._stopping = False
        self._account_for(credentials)

    # ---- life -----------------------------------------------------------------------------

    def start(self) -> None:
        """Start the threads and take up every unfinished job no other live process holds
        (other engines on the same data folder keep theirs: the store is one queue)."""
        with self._cond:
            if self._thread is not None:
                return
            self._stopping = False
            self._executor = ThreadPoolExecutor(
                max_workers=max(4, 2 * self.concurrency + 2), thread_name_prefix="kling-job"
            )
            self._durations.load(self.store.list(status=JobStatus.DONE, limit=100))
            self._resume()
            self._thread = threading.Thread(
                target=self._dispatch_loop, name="kling-dispatch", daemon=True
            )
            self._thread.start()
        log.info("job engine started with %d live jobs", len(self._live))

    def stop(self, wait: bool = True) -> None:
        """Stop the threads; with `wait`, steps already running finish (and are recorded).
        Unfinished jobs stay in the store, given up so that another live process on the same
        folder (or the next start) takes them over."""
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
            self.claims.release(self._live)
            self._live.clear()
            self._waiting_keys.clear()
            self._account_for(self.default_credentials)

    def __enter__(self) -> JobEngine:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def set_callback_base(self, base_url: str | None) -> None:
        """Send `callback_url = base_url + CALLBACK_PATH` with each create from now on
        (None: no callbacks; polling alone)."""
        self._steps.callback_url = base_url.rstrip("/") + CALLBACK_PATH if base_url else None

    @property
    def callback_url(self) -> str | None:
        """The callback URL sent with each create; None when Kling is polled alone."""
        return self._steps.callback_url

    # ---- front-end calls ------------------------------------------------------------------

    def save_frame(self, data: bytes, suffix: str) -> Path:
        """Store prepared frame bytes under data_dir/frames, named by their sha256."""
        return store_frame(self.frames_dir, data, suffix)

    def submit(self, spec: JobSpec, *, credentials: Credentials | None = None) -> SubmitResult:
        """Queue a job and return at once. `credentials` None uses the engine's default account.

        The job's owner is `spec.submitter`. An identical job (same frame hashes, prompt and
        settings) on the same Kling account answers instead, unless `spec.new_take`: a done
        one of the same owner or, logged in, of a teammate; one in flight of the same owner.
        Raises UserError for a spec Kling would refuse (capability table, prompt length),
        whose frame files are missing, or when the owner already has `max_queued` jobs
        waiting or running (jobs.queue_full).
        """
        check_spec(spec)
        creds = credentials or self.default_credentials
        owner = spec.submitter
        first_hash = file_sha256(spec.first_frame)
        last_hash = file_sha256(spec.last_frame) if spec.last_frame else None
        # Jobs on the demo simulator are alike wherever they came from; a browser's own keys
        # reach a real endpoint even in demo mode, and never share the simulator's videos.
        on_simulator = self.simulated and creds.account == self.default_credentials.account
        origin = "simulator" if on_simulator else creds.base_url.rstrip("/")
        fingerprint = spec.fingerprint(first_hash, last_hash, origin)
        runs_on = self._runs_on(credentials)
        if not spec.new_take:
            done = self.store.find_reusable(fingerprint, owner=owner, account=creds.account)
            if done is not None:
                reused = dataclasses.replace(
                    reused_job(done, spec, creds.account), runs_on=runs_on, owner=owner
                )
                job = self.store.insert(reused)
                self._notify()
                return SubmitResult(job, reused=True)
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
            runs_on=runs_on,
            owner=owner,
        )
        with self._cond:
            twin = (
                None
                if spec.new_take
                else self.store.find_in_flight(fingerprint, owner=owner, account=creds.account)
            )
            if twin is not None:
                return SubmitResult(twin, reused=True)
            if self.max_queued is not None and self.unfinished_of(owner) >= self.max_queued:
                raise queue_full(self.max_queued)
            account = self._account_for(creds)
            self.store.insert(job, **self.claims.claim_columns())
            self._live[job.id] = Live(
                job.id,
                job.external_task_id,
                account.credentials.account,
                spec.submitter,
                fingerprint,
                JobStatus.QUEUED,
                kind=kind_of(spec.model, spec.mode, spec.duration),
            )
            account.queue.push(spec.submitter, job.id)
            self._cond.notify_all()
        return SubmitResult(job, reused=False)

    def _notify(self) -> None:
        """Wake everyone waiting on the engine (`wait`, the dispatcher): a job changed."""
        with self._cond:
            self._cond.notify_all()

    def _runs_on(self, credentials: Credentials | None) -> str:
        """Whose keys a job submitted with these credentials runs on, for the page."""
        if credentials is not None and credentials.account != self.default_credentials.account:
            return KEYS_OWN
        return KEYS_DEMO if self.simulated else KEYS_SHARED

    def provide_credentials(self, credentials: Credentials) -> int:
        """Make an account's keys known (e.g. re-entered in a browser after a restart) and
        resume the jobs that waited for them; returns how many resumed."""
        with self._cond:
            waiting = len(self._waiting_keys.get(credentials.account, ()))
            self._account_for(credentials)
            return waiting

    def get(self, job_id: str) -> Job:
        """The job as stored; KeyError if unknown. Unchecked: for the operator's own doors
        (CLI, engine threads); a person's door uses `get_for` or `owned`."""
        return self.store.get(job_id)

    def get_for(self, job_id: str, viewer: str) -> Job:
        """The job if `viewer` may read it (its owner, or a logged-in teammate); JobNotFound
        (a UserError and a KeyError) for an unknown id and for anyone else's job alike."""
        job = self._stored_or_not_found(job_id)
        if not may_read(job, viewer):
            raise JobNotFound(job_id)
        return job

    def owned(self, job_id: str, owner: str) -> Job:
        """The job if `owner` owns it (may cancel it, take it again, mark it best);
        JobNotFound otherwise, exactly as for an unknown id."""
        job = self._stored_or_not_found(job_id)
        if not owns(job, owner):
            raise JobNotFound(job_id)
        return job

    def _stored_or_not_found(self, job_id: str) -> Job:
        try:
            return self.store.get(str(job_id))
        except KeyError:
            raise JobNotFound(str(job_id)) from None

    def unfinished_of(self, owner: str) -> int:
        """How many of `owner`'s jobs are waiting or running (what `max_queued` caps)."""
        return self.store.count_unfinished(owner)

    def jobs(self, **filters: Any) -> list[Job]:
        """Jobs from the store (see JobStore.list for the filters; `owner=` keeps one
        owner's jobs, `team=True` the logged-in team's)."""
        return self.store.list(**filters)

    def mark_best(self, job_id: str) -> Job:
        """Mark a prompt-lab variant as the best of its group."""
        job = self.store.mark_best(job_id)
        self._notify()
        return job

    def queue_position(self, job_id: str) -> int | None:
        """1-based place in its account's line (fair order), None when not queued."""
        with self._cond:
            live = self._live.get(job_id)
            if live is None or live.phase is not JobStatus.QUEUED:
                return None
            order = self._accounts[live.account].queue.order()
            return order.index(job_id) + 1 if job_id in order else None

    def estimate(self, job_id: str) -> float | None:
        """Seconds until the job is done, from recent task durations; None when it is not
        running or cannot be told (finished, timed out, waiting for keys)."""
        job = self.store.get(job_id)
        with self._cond:
            live = self._live.get(job_id)
            if live is None or live.cancelled or live.slow or live.unreachable_since:
                return None
            typical = self._durations.typical(live.account, live.kind)
            download = 1.0
            if live.phase is JobStatus.DOWNLOADING:
                return download
            if live.phase is JobStatus.PROCESSING:
                ran = time.time() - (job.submitted_at or time.time())
                return max(0.0, typical - ran) + download
            if live.phase is JobStatus.SUBMITTING:
                return typical + download
            return self._queued_estimate(live, typical) + download

    def cancel(self, job_id: str, *, owner: str | None = None) -> Job:
        """Cancel a job. Queued: it never runs. Already at Kling: the person stops waiting,
        and the paid-for task is still watched so its video is kept if it arrives.

        With `owner` (every door a person uses), only that owner's job: JobNotFound for
        anyone else's, exactly as for an unknown id. None: unchecked (CLI, engine)."""
        with self._cond:
            job = self.store.get(job_id) if owner is None else self.owned(job_id, owner)
            if job.status.finished:
                return job
            live = self._live.get(job_id)
            if live is None and self.claims.request_cancel(job_id):
                return job  # another process runs it: it cancels within a few seconds
            fields: dict[str, Any] = {"status": JobStatus.CANCELLED, "finished_at": time.time()}
            if live is None:
                # Waiting for its keys: a task already at Kling is still watched once they come.
                stage = stage_of(job.status)
                watch = stage if stage in WATCHED else None
                if watch is None:
                    for waiting in self._waiting_keys.values():
                        waiting.discard(job_id)
            elif live.phase is JobStatus.QUEUED:
                self._accounts[live.account].queue.remove(job_id)
                del self._live[job_id]
                watch = None
            else:
                live.cancelled = True
                watch = live.phase
                if live.trouble_since is not None:
                    # Its step is failing and retrying: every pending retry stops at once.
                    live.abort.set()
            message = messages.CANCELLED if watch is None else messages.CANCELLED_RUNNING
            return self._steps.write(job_id, message=message, watch=watch, **fields)

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
                if live.phase is JobStatus.PROCESSING and (
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
                now = time.monotonic()
                if now >= self._next_claims_tick:
                    self._next_claims_tick = now + min(5.0, self.claims.lease_seconds / 6)
                    try:
                        self._tick_claims()
                    except Exception:
                        log.exception("renewing job claims failed; trying again shortly")
                steps = self._plan(time.monotonic())
                if not steps:
                    self._cond.wait(self._wake_in(time.monotonic()))
                    continue
                executor = self._executor
            assert executor is not None
            for step, args in steps:
                try:
                    executor.submit(self._steps.run, step, *args)
                except RuntimeError:  # shutting down
                    return

    def _plan(self, now: float) -> list[tuple[Callable[..., None], tuple[Any, ...]]]:
        """Choose every step that may start now and mark its jobs busy (lock held)."""
        steps: list[tuple[Callable[..., None], tuple[Any, ...]]] = []
        by_account: dict[str, list[Live]] = {}
        for live in self._live.values():
            if live.parked_at is not None:
                if self._accounts[live.account].answered_at <= live.parked_at:
                    continue
                # Kling answers this account again: check the cancelled job's task once more.
                live.parked_at, live.abort, live.due = None, threading.Event(), now
                live.failures, live.trouble_since = 0, None
            by_account.setdefault(live.account, []).append(live)
            if live.busy or live.phase is JobStatus.QUEUED:
                continue
            if (
                live.phase is JobStatus.PROCESSING
                and not live.slow
                and live.deadline is not None
                and now >= live.deadline
            ):
                live.busy = True
                steps.append((self._steps.time_out, (live,)))
            elif live.phase is JobStatus.SUBMITTING and live.due <= now:
                live.busy = True
                steps.append((self._steps.create, (live,)))
            elif live.phase is JobStatus.DOWNLOADING and live.due <= now:
                live.busy = True
                steps.append((self._steps.download, (live,)))
        for name, account in self._accounts.items():
            while len(account.queue) and now >= account.blocked_until and account.pool.available():
                ticket = account.queue.pop(lambda job_id: self._live[job_id].not_before <= now)
                if ticket is None:
                    break  # every queued job is a refused create waiting its back-off
                if not self.claims.take_slot(ticket.job_id, name, self.concurrency):
                    # Other processes on this folder hold the account's slots: look again soon.
                    account.queue.requeue(ticket)
                    account.blocked_until = now + SLOT_RECHECK
                    break
                live = self._live[ticket.job_id]
                live.phase, live.ticket, live.busy = JobStatus.SUBMITTING, ticket, True
                live.holds_slot = True
                account.pool.acquire()
                # Out of the line now: the row says so at once, so no reader ever sees a
                # "queued" job without a place in the line.
                self._steps.write(
                    live.job_id, status=JobStatus.SUBMITTING, message=messages.SUBMITTING
                )
                steps.append((self._steps.create, (live,)))
            watching = [
                live
                for live in by_account.get(name, [])
                if live.phase is JobStatus.PROCESSING and not live.busy
            ]
            if any(live.due <= now for live in watching):
                for live in watching:
                    live.busy, live.polled_at = True, now
                steps.append((self._steps.poll, (account, watching, now)))
        return steps

    def _wake_in(self, now: float) -> float:
        """Seconds until the next planned step could start (lock held)."""
        times: list[float] = []
        for live in self._live.values():
            if live.busy or live.phase is JobStatus.QUEUED or live.parked_at is not None:
                continue
            times.append(live.due)
            if live.phase is JobStatus.PROCESSING and not live.slow and live.deadline is not None:
                times.append(live.deadline)
        for account in self._accounts.values():
            change = account.pool.next_change()
            if change is not None and len(account.queue):
                times.append(change)
            if len(account.queue) and account.blocked_until > now:
                times.append(account.blocked_until)
        times.extend(
            live.not_before
            for live in self._live.values()
            if live.phase is JobStatus.QUEUED and live.not_before > now
        )
        times.append(self._next_claims_tick)
        # A bounded wait keeps the loop honest even if a notify were ever missed.
        return min(5.0, max(0.0, min(times) - now)) if times else 5.0

    def _queued_estimate(self, live: Live, typical: float) -> float:
        """When this queued job's task would end if every task took `typical` seconds."""
        account = self._accounts[live.account]
        now = time.time()
        remaining = [
            max(0.0, typical - (now - (self.store.get(other.job_id).submitted_at or now)))
            for other in self._live.values()
            if other.account == live.account and other.holds_slot
        ]
        order = account.queue.order()
        return queued_finish(remaining, account.pool.ceiling, order, live.job_id, typical)

    def _account_for(self, credentials: Credentials) -> Account:
        """The account of these credentials, created on first use; adopts jobs that were
        waiting for these keys (lock held or not yet shared)."""
        name = credentials.account
        account = self._accounts.get(name)
        if account is not None:
            return account
        transport = CountingTransport(self._requests, self._requests_lock)
        account = Account(
            credentials=credentials,
            client=credentials.client(retry=self.retry, transport=transport),
            pool=SlotPool(self.concurrency, backoff_initial=self.busy_backoff),
            queue=FairQueue(),
        )
        transport.on_answer = lambda: setattr(account, "answered_at", time.monotonic())
        self._accounts[name] = account
        if self._waiting_keys.pop(name, None) is not None and self._thread is not None:
            for job in self.claims.take_orphans([name]):
                self._adopt(job, account)
        return account

    def _resume(self) -> None:
        """Take up every unfinished job no live engine holds, for the accounts whose keys
        this engine has; the others wait for their keys (lock held)."""
        default = self.default_credentials
        if default.legacy_account:
            # Stored by an older version under a name without the secret: the operator's own
            # keys are the ones they ran on.
            self.store.execute(
                "UPDATE jobs SET account = ? WHERE account = ? AND claimed_by IS NULL",
                (default.account, default.legacy_account),
            )
        self._take_orphans()
        for job in self.claims.unheld_of_other_accounts(self._accounts):
            if job.id not in self._waiting_keys.get(job.account, set()):
                self._waiting_keys.setdefault(job.account, set()).add(job.id)
                self._steps.write(job.id, message=messages.NEEDS_KEYS)

    def _take_orphans(self) -> None:
        """Claim and resume the unfinished jobs of known accounts that no live engine holds:
        never claimed, or their process died and its lease ran out (lock held)."""
        for job in self.claims.take_orphans(self._accounts):
            if job.id not in self._live:
                self._adopt(job, self._accounts[job.account])

    def _tick_claims(self) -> None:
        """Renew this engine's leases, act on cancels asked for by other processes, drop jobs
        another engine took over, and take up orphans (lock held)."""
        ours, cancels = self.claims.renew(self._live)
        for job_id in [j for j in self._live if j not in ours]:
            live = self._live.pop(job_id)
            log.warning("job %s was taken over by another process", job_id)
            if live.holds_slot:
                self._accounts[live.account].pool.release()
            if live.phase is JobStatus.QUEUED:
                self._accounts[live.account].queue.remove(job_id)
        for job_id in cancels:
            self.claims.clear_cancel_request(job_id)
            self.cancel(job_id)
        self._take_orphans()

    def _adopt(self, job: Job, account: Account) -> None:
        """Rebuild a stored job's working state from its row (lock held)."""
        now = time.monotonic()
        live = Live(
            job.id,
            job.external_task_id,
            account.credentials.account,
            job.spec.submitter,
            job.fingerprint,
            JobStatus.QUEUED,
            task_id=job.task_id,
            task_status=job.task_status,
            due=now,
            cancelled=job.status is JobStatus.CANCELLED,
            unreachable_since=job.unreachable_since,
            kind=kind_of(job.spec.model, job.spec.mode, job.spec.duration),
        )
        if job.submitted_at is not None:
            live.submitted_mono = now - max(0.0, time.time() - job.submitted_at)
        # A cancelled job's row keeps the stage its paid-for task is still at.
        status = job.watch if live.cancelled else job.status
        stage = None if status is None else stage_of(status)
        if stage is JobStatus.PROCESSING and job.task_id is None:
            stage = JobStatus.SUBMITTING  # a task id was never recorded: find it by external id
        if stage is JobStatus.QUEUED:
            account.queue.push(live.submitter, job.id)
        elif stage is JobStatus.SUBMITTING:
            live.phase, live.lookup_first, live.holds_slot = JobStatus.SUBMITTING, True, True
            account.pool.acquire()
            self.claims.hold_slot(job.id)
        elif stage is JobStatus.PROCESSING and status is JobStatus.TIMED_OUT:
            live.phase, live.slow = JobStatus.PROCESSING, True
        elif stage is JobStatus.PROCESSING:
            live.phase, live.holds_slot = JobStatus.PROCESSING, True
            account.pool.acquire()
            self.claims.hold_slot(job.id)
            left = (job.submitted_at or time.time()) + self.task_timeout - time.time()
            # Give a task that ended while we were away the chance of one query first.
            live.deadline = now + max(left, 3 * self.poll_interval)
        elif stage is JobStatus.DOWNLOADING:
            live.phase = JobStatus.DOWNLOADING
        else:
            return
        self._live[job.id] = live
        self._cond.notify_all()
