"""KlingClient: create, query, list and download image-to-video tasks over httpx.

Transient faults (network, 429 with 1302/1303, 5xx, unreadable answers) are retried with
exponential backoff and jitter, honouring Retry-After. A create whose fate is unclear is
never simply sent again: the task is first looked up by its external_task_id, so a lost
response never pays twice.
"""

from __future__ import annotations

import logging
import os
import random
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
from pydantic import SecretStr, ValidationError
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from kling_ui.kling import capabilities
from kling_ui.kling.auth import TokenSigner
from kling_ui.kling.errors import (
    BadVideo,
    ConcurrencyLimited,
    EmptyResult,
    InvalidRequest,
    KlingError,
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
T = TypeVar("T")


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


class KlingClient:
    """A synchronous client for Kling's image-to-video API, safe to share between threads."""

    def __init__(
        self,
        base_url: str,
        access_key: SecretStr | str,
        secret_key: SecretStr | str,
        *,
        retry: RetryPolicy | None = None,
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.signer = TokenSigner(access_key, secret_key)
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=10.0),
            transport=transport,
            headers={"User-Agent": "kling-transition-studio"},
        )
        # Video URLs live on a CDN: fetched without our Authorization header.
        self._cdn = httpx.Client(
            timeout=httpx.Timeout(120.0, connect=10.0), follow_redirects=True, transport=transport
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
        is forbidden) and given a fresh external_task_id if it has none. After a failure whose
        outcome is unclear (no answer, 5xx, unreadable answer) the task is looked up by that
        id, and a new create is sent only if Kling has no such task.
        """
        request = capabilities.check(request)
        if not request.external_task_id:
            request = request.model_copy(update={"external_task_id": new_external_task_id()})
        external_id = request.external_task_id
        assert external_id is not None

        def attempt() -> Task:
            try:
                return self._create_once(request)
            except (NetworkError, ProtocolError) as exc:
                found = self._lookup_after_unclear_create(external_id, exc)
                if found is not None:
                    return found
                raise
            except KlingError as exc:
                if exc.http_status is not None and exc.http_status >= 500:
                    found = self._lookup_after_unclear_create(external_id, exc)
                    if found is not None:
                        return found
                elif isinstance(exc, InvalidRequest) and "external_task_id" in (
                    exc.server_message or ""
                ):
                    # A previous attempt did create it after all.
                    found = self.find_by_external_id(external_id)
                    if found is not None:
                        return found
                raise

        return self._with_retries(attempt, "create")

    def get(self, task_id: str) -> Task:
        """The task with Kling's `task_id`."""
        return self._with_retries(
            lambda: self._task_from(self._call("GET", f"{IMAGE2VIDEO}/{task_id}")), "get"
        )

    def find_by_external_id(self, external_task_id: str) -> Task | None:
        """The task created with this external_task_id, or None if Kling has none.

        Kling's docs disagree on the form: the id in the path is tried first, then the
        `?external_task_id=` query.
        """

        def attempt() -> Task | None:
            try:
                task = self._task_from(self._call("GET", f"{IMAGE2VIDEO}/{external_task_id}"))
                if task.external_task_id in (None, external_task_id):
                    return task
            except NotFound:
                pass
            try:
                data = self._call("GET", IMAGE2VIDEO, params={"external_task_id": external_task_id})
            except NotFound:
                return None
            items = data if isinstance(data, list) else [data] if data else []
            for item in items:
                task = self._parse_task(item)
                if task.external_task_id == external_task_id:
                    return task
            return None

        return self._with_retries(attempt, "find")

    def list(self, page_num: int = 1, page_size: int = 30) -> list[Task]:
        """One page of the account's tasks, newest first (pageNum 1-1000, pageSize 1-500)."""
        if not (1 <= page_num <= 1000 and 1 <= page_size <= 500):
            raise ValueError("page_num must be 1-1000 and page_size 1-500")
        data = self._with_retries(
            lambda: self._call(
                "GET", IMAGE2VIDEO, params={"pageNum": page_num, "pageSize": page_size}
            ),
            "list",
        )
        return [self._parse_task(item) for item in (data or [])]

    def iter_all(self, page_size: int = 500) -> Iterator[Task]:
        """Every task of the account, page after page."""
        for page in range(1, 1001):
            tasks = self.list(page, page_size)
            yield from tasks
            if len(tasks) < page_size:
                return

    def download(self, url: str, dest: Path) -> Path:
        """Stream the video at `url` to `dest` (via a temporary file renamed when complete)
        and check that it plays; BadVideo if it does not."""
        dest.parent.mkdir(parents=True, exist_ok=True)

        def attempt() -> Path:
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

    # ---- plumbing -----------------------------------------------------------------------

    def _create_once(self, request: CreateTaskRequest) -> Task:
        return self._task_from(self._call("POST", IMAGE2VIDEO, json=request.body()))

    def _lookup_after_unclear_create(self, external_id: str, cause: KlingError) -> Task | None:
        log.info("create of %s had no clear answer (%s); looking it up", external_id, cause.code)
        return self.find_by_external_id(external_id)

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
        headers = {"Authorization": f"Bearer {self.signer.token()}"}
        try:
            response = self._http.request(method, path, json=json, params=params, headers=headers)
        except httpx.TransportError as exc:
            raise NetworkError(_transport_message(exc)) from exc
        try:
            envelope = Envelope.model_validate(response.json())
        except (ValueError, ValidationError):
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

    def _task_from(self, data: Any) -> Task:
        if isinstance(data, list):
            if not data:
                raise NotFound("no task in answer")
            data = data[0]
        return self._parse_task(data)

    @staticmethod
    def _parse_task(data: Any) -> Task:
        try:
            return Task.model_validate(data)
        except ValidationError as exc:
            raise ProtocolError(
                f"task without the expected fields ({exc.error_count()} errors)"
            ) from None


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
