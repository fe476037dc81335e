"""KlingClient: create, query, list and download image-to-video tasks over httpx.

Transient faults (network, 429 with 1302/1303, 5xx, unreadable answers) are retried with
exponential backoff and jitter, honouring Retry-After. A create whose fate is unclear is
never simply sent again: the task is first looked up by its external_task_id in both
documented forms, and only when both say there is no such task may a create leave again.
Every wait between tries can be cut short for one job (`abort_on`), so a cancel stops its
retries at once.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import os
import random
import ssl
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import certifi
import httpx
from pydantic import SecretStr, ValidationError
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from kling_ui.kling import capabilities
from kling_ui.kling.auth import ApiKeyAuth, BearerAuth, TokenSigner
from kling_ui.kling.errors import (
    AuthError,
    BadVideo,
    ConcurrencyLimited,
    EmptyResult,
    ImageRejected,
    InvalidRequest,
    KlingError,
    LookupUnclear,
    NetworkError,
    NotFound,
    ProtocolError,
    TaskFailed,
    TokenTimingError,
    error_from_response,
)
from kling_ui.kling.models import CreateTaskRequest, Envelope, Task, TaskStatus
from kling_ui.video import NotAVideo, probe

log = logging.getLogger("kling_ui.kling.client")

IMAGE2VIDEO = "/v1/videos/image2video"
# Kling's docs list this header for every request, GET included.
JSON_HEADERS = {"Content-Type": "application/json", "User-Agent": "kling-transition-studio"}
SCAN_PAGE_SIZE = 500
SCAN_MAX_PAGES = 20
T = TypeVar("T")

_abort: contextvars.ContextVar[threading.Event | None] = contextvars.ContextVar(
    "kling_abort", default=None
)


class RequestAborted(Exception):
    """The caller gave up on this call (a cancelled job): no further request or wait."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How transient faults are retried: attempts in all, first wait, cap on any wait."""

    attempts: int = 6
    initial_wait: float = 1.0
    max_wait: float = 30.0
    retry_concurrency: bool = True

    def wait(self, attempt: int, retry_after: float | None) -> float:
        """Seconds before retry number `attempt` (1-based): full-jitter exponential backoff,
        never shorter than the server's Retry-After."""
        backoff = min(self.max_wait, self.initial_wait * 2 ** (attempt - 1))
        jittered = backoff / 2 + random.uniform(0, backoff / 2)
        return min(self.max_wait, max(jittered, retry_after or 0.0))


def new_external_task_id() -> str:
    """A fresh id for `external_task_id`, unique per account for all practical purposes."""
    return f"kts-{uuid.uuid4().hex}"


@contextlib.contextmanager
def abort_on(event: threading.Event) -> Iterator[None]:
    """Within this block, every call of any KlingClient stops (RequestAborted) as soon as
    `event` is set: before a request leaves and during any wait between tries."""
    token = _abort.set(event)
    try:
        yield
    finally:
        _abort.reset(token)


def _check_abort() -> None:
    event = _abort.get()
    if event is not None and event.is_set():
        raise RequestAborted


def _says_absent(exc: KlingError) -> bool:
    """Answers of a lookup form that mean "no such task here" (404, 400/1201 and alike)."""
    return isinstance(exc, NotFound) or (
        isinstance(exc, InvalidRequest) and not isinstance(exc, ImageRejected)
    )


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One certificate-checking TLS context for every client in the process: building one
    reads the whole CA bundle (about 25 ms), and each client would otherwise build two."""
    return ssl.create_default_context(cafile=certifi.where())


class KlingClient:
    """A synchronous client for Kling's image-to-video API, safe to share between threads.

    Authenticates with an access/secret key pair (a JWT re-signed before it expires) or with
    a single API key sent as the bearer value.
    """

    def __init__(
        self,
        base_url: str,
        access_key: SecretStr | str | None = None,
        secret_key: SecretStr | str | None = None,
        *,
        api_key: SecretStr | str | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.signer: BearerAuth
        if api_key is not None:
            self.signer = ApiKeyAuth(api_key)
        elif access_key is not None and secret_key is not None:
            self.signer = TokenSigner(access_key, secret_key)
        else:
            raise ValueError("give an API key, or both an access key and a secret key")
        self.retry = retry or RetryPolicy()
        self._plain_sleep = sleep
        self.unreadable_items = 0
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=10.0),
            transport=transport,
            headers=JSON_HEADERS,
            verify=tls_context(),
        )
        # Video URLs live on a CDN: fetched without our Authorization header.
        self._cdn = httpx.Client(
            timeout=httpx.Timeout(120.0, connect=10.0),
            follow_redirects=True,
            transport=transport,
            verify=tls_context(),
        )

    def __enter__(self) -> KlingClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pools."""
        self._http.close()
        self._cdn.close()

    def __repr__(self) -> str:
        return f"KlingClient(base_url={self.base_url!r})"

    # ---- public calls -------------------------------------------------------------------

    def create(self, request: CreateTaskRequest) -> Task:
        """Create an image-to-video task and return it as Kling reports it.

        The request is checked against the capability table first (UnsupportedRequest if it
        is forbidden) and given a fresh external_task_id if it has none. After an answer that
        leaves the outcome unclear (no answer, 5xx, unreadable, or a refusal that may mean
        "this external id exists already", whatever its wording) the task is looked up by
        that id, and a create is sent again only once both lookup forms say there is none.
        A lookup that is itself unclear raises LookupUnclear (retryable) and never creates.
        """
        request = capabilities.check(request)
        if not request.external_task_id:
            request = request.model_copy(update={"external_task_id": new_external_task_id()})
        external_id = request.external_task_id
        assert external_id is not None
        lookup_pending = False

        def attempt() -> Task:
            nonlocal lookup_pending
            if lookup_pending:
                found = self._lookup(external_id)
                if found is not None:
                    return found
                lookup_pending = False
            try:
                return self._create_once(request)
            except KlingError as exc:
                unclear = isinstance(exc, NetworkError | ProtocolError) or (
                    exc.http_status is not None and exc.http_status >= 500
                )
                maybe_duplicate = isinstance(exc, InvalidRequest) and not isinstance(
                    exc, ImageRejected
                )
                if not (unclear or maybe_duplicate):
                    raise
                log.info("create of %s: %s; looking it up", external_id, exc.code)
                lookup_pending = True
                found = self._lookup(external_id)
                lookup_pending = False
                if found is not None:
                    return found
                raise

        return self._with_retries(attempt, "create")

    def get(self, task_id: str) -> Task:
        """The task with Kling's `task_id` (NotFound if Kling answers that it has none)."""

        def attempt() -> Task:
            data = self._call("GET", f"{IMAGE2VIDEO}/{task_id}")
            return self._task_from(data, lambda t: t.task_id == task_id)

        return self._with_retries(attempt, "get")

    def find_by_external_id(self, external_task_id: str) -> Task | None:
        """The task created with this external_task_id, or None once Kling clearly has none.

        Both documented forms are asked: the id in the path, then `?external_task_id=`. A
        refusal of one form (404, 400/1201, `data: null`, an empty list) only sends the
        question to the other; None only when both say there is no such task. An answer
        that settles nothing raises LookupUnclear (retryable), never None.
        """
        return self._with_retries(lambda: self._lookup(external_task_id), "find")

    def list(self, page_num: int = 1, page_size: int = 30) -> list[Task]:
        """One page of the account's tasks, in whatever order Kling gives them (pageNum
        1-1000, pageSize 1-500). An unreadable item is skipped, never the whole page."""
        if not (1 <= page_num <= 1000 and 1 <= page_size <= 500):
            raise ValueError("page_num must be 1-1000 and page_size 1-500")
        data = self._with_retries(
            lambda: self._call(
                "GET", IMAGE2VIDEO, params={"pageNum": page_num, "pageSize": page_size}
            ),
            "list",
        )
        return self._readable_tasks(data)

    def verify(self) -> None:
        """Check the keys with one cheap authenticated read (a one-item list).

        Returns quietly when Kling accepts them; raises AuthError for keys Kling refuses,
        NetworkError/ServerError when Kling cannot be reached to tell.
        """
        self.list(1, 1)

    def download(self, url: str, dest: Path) -> Path:
        """Stream the video at `url` to `dest` (via a temporary file renamed when complete)
        and check that it plays; BadVideo if it does not."""
        dest.parent.mkdir(parents=True, exist_ok=True)

        def attempt() -> Path:
            _check_abort()
            partial = dest.with_name(f".{dest.name}.{os.getpid()}.part")
            try:
                with self._cdn.stream("GET", url) as response:
                    if response.status_code >= 400:
                        raise error_from_response(response.status_code, None, "video download")
                    with partial.open("wb") as out:
                        for chunk in response.iter_bytes(1 << 16):
                            out.write(chunk)
                try:
                    probe(partial)
                except NotAVideo as exc:
                    raise BadVideo(str(exc)) from exc
                partial.replace(dest)
                return dest
            except httpx.TransportError as exc:
                raise NetworkError(_transport_message(exc)) from exc
            finally:
                partial.unlink(missing_ok=True)

        return self._with_retries(attempt, "download")

    @staticmethod
    def outcome(task: Task) -> Task:
        """Return a finished task if it succeeded with a video; raise TaskFailed/EmptyResult."""
        if task.task_status is TaskStatus.FAILED:
            raise TaskFailed(task.task_status_msg or "task failed")
        if task.task_status is TaskStatus.SUCCEED and task.video is None:
            raise EmptyResult("succeeded without a video")
        return task

    # ---- looking a task up by its external id ----------------------------------------------

    def _lookup(self, external_id: str) -> Task | None:
        """One round of both lookup forms (see find_by_external_id)."""
        unclear: list[KlingError] = []
        for form in (self._lookup_by_path, self._lookup_by_query):
            try:
                task = form(external_id)
            except KlingError as exc:
                if isinstance(exc, AuthError) and not isinstance(exc, TokenTimingError):
                    raise  # keys refused: no lookup can ever settle anything
                if not _says_absent(exc):
                    unclear.append(exc)
                continue
            if task is not None:
                return task
        if unclear:
            raise LookupUnclear(external_id, unclear[0])
        return None

    def _lookup_by_path(self, external_id: str) -> Task | None:
        data = self._call("GET", f"{IMAGE2VIDEO}/{external_id}")
        tasks = self._readable_tasks(data)
        return next((t for t in tasks if t.external_task_id in (None, external_id)), None)

    def _lookup_by_query(self, external_id: str) -> Task | None:
        data = self._call("GET", IMAGE2VIDEO, params={"external_task_id": external_id})
        tasks = self._readable_tasks(data)
        found = next((t for t in tasks if t.external_task_id == external_id), None)
        if found is not None or not tasks:
            return found
        # Other tasks came back: the filter was ignored, so their absence proves nothing.
        # Only the account's whole list can tell.
        return self._scan_for(external_id)

    def _scan_for(self, external_id: str) -> Task | None:
        for page in range(1, SCAN_MAX_PAGES + 1):
            data = self._call(
                "GET", IMAGE2VIDEO, params={"pageNum": page, "pageSize": SCAN_PAGE_SIZE}
            )
            items = data if isinstance(data, list) else []
            tasks = self._readable_tasks(items)
            found = next((t for t in tasks if t.external_task_id == external_id), None)
            if found is not None:
                return found
            if len(items) < SCAN_PAGE_SIZE:
                return None
        raise ProtocolError(f"more than {SCAN_MAX_PAGES * SCAN_PAGE_SIZE} tasks to search")

    # ---- plumbing -----------------------------------------------------------------------

    def _create_once(self, request: CreateTaskRequest) -> Task:
        return self._task_from(self._call("POST", IMAGE2VIDEO, json=request.body()))

    def _sleep(self, seconds: float) -> None:
        """Wait between tries; cut short (RequestAborted) when the caller's abort is set."""
        event = _abort.get()
        if event is not None:
            if event.wait(seconds):
                raise RequestAborted
            return
        (self._plain_sleep or time.sleep)(seconds)

    def _with_retries(self, fn: Callable[[], T], what: str) -> T:
        policy = self.retry

        def retryable(exc: BaseException) -> bool:
            if isinstance(exc, ConcurrencyLimited) and not policy.retry_concurrency:
                return False
            return isinstance(exc, KlingError) and exc.retryable

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            retry_after = getattr(exc, "retry_after", None)
            seconds = policy.wait(state.attempt_number, retry_after)
            log.info(
                "%s: retry %d in %.1fs after %s",
                what,
                state.attempt_number,
                seconds,
                getattr(exc, "code", type(exc).__name__),
            )
            return seconds

        retrying = Retrying(
            stop=stop_after_attempt(policy.attempts),
            wait=wait,
            retry=retry_if_exception(retryable),
            sleep=self._sleep,
            reraise=True,
        )
        return retrying(fn)

    def _call(
        self,
        method: str,
        path: str,
        *,
        json: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        """One API call with auth; re-signs and repeats once on a token-time rejection."""
        for resigned in (False, True):
            try:
                return self._call_once(method, path, json=json, params=params)
            except TokenTimingError:
                if resigned:
                    raise
                self.signer.invalidate()
        raise AssertionError("unreachable")

    def _call_once(
        self,
        method: str,
        path: str,
        *,
        json: dict[str, Any] | None,
        params: dict[str, Any] | None,
    ) -> Any:
        _check_abort()
        headers = {"Authorization": f"Bearer {self.signer.token()}"}
        try:
            response = self._http.request(method, path, json=json, params=params, headers=headers)
        except httpx.TransportError as exc:
            raise NetworkError(_transport_message(exc)) from exc
        try:
            envelope = Envelope.model_validate(response.json())
        except (ValueError, ValidationError, RecursionError):
            if response.status_code >= 400:
                raise error_from_response(
                    response.status_code, None, response.reason_phrase
                ) from None
            raise ProtocolError(f"unreadable answer to {method} {path}") from None
        log.debug(
            "%s %s -> %s code=%s request_id=%s",
            method,
            path,
            response.status_code,
            envelope.code,
            envelope.request_id,
        )
        if response.status_code >= 400 or envelope.code != 0:
            raise error_from_response(
                response.status_code,
                envelope.code,
                envelope.message,
                request_id=envelope.request_id,
                retry_after=_retry_after(response),
            )
        return envelope.data

    def _task_from(self, data: Any, wanted: Callable[[Task], bool] | None = None) -> Task:
        """The task in an answer's data: an object, or the wanted one of a list.
        NotFound for null or an empty list; ProtocolError for an unreadable task."""
        if isinstance(data, list):
            tasks = self._readable_tasks(data)
            if not tasks:
                if data:
                    raise ProtocolError("no readable task in answer")
                raise NotFound("no task in answer")
            return next((t for t in tasks if wanted is None or wanted(t)), tasks[0])
        if data is None:
            raise NotFound("no task in answer")
        return self._parse_task(data)

    def _readable_tasks(self, data: Any) -> list[Task]:
        """Every readable task in `data` (a list, one object or null); unreadable items are
        skipped and counted, so one odd task never hides the others."""
        items = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
        tasks: list[Task] = []
        for item in items:
            try:
                tasks.append(self._parse_task(item))
            except ProtocolError:
                self.unreadable_items += 1
                log.info("skipped an unreadable task in a list answer")
        return tasks

    @staticmethod
    def _parse_task(data: Any) -> Task:
        try:
            return Task.model_validate(data)
        except (ValidationError, RecursionError) as exc:
            count = exc.error_count() if isinstance(exc, ValidationError) else 1
            raise ProtocolError(f"task without the expected fields ({count} errors)") from None


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _transport_message(exc: httpx.TransportError) -> str:
    # The exception text can contain the URL; never the headers. Keep it short.
    return f"{type(exc).__name__}"
