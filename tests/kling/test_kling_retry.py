"""The client's retry and re-sign rules, unit-tested with httpx.MockTransport: which answers are
tried again and how long it waits (Retry-After, the cap), network errors tried again, 1303 left
to the caller or waited out, a token signed anew before it runs out and one Kling finds too
early or too late signed again once, refusals that are final, downloads that are not videos,
and no key or token in a log line or an error."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import jwt
import pytest

from kling_ui.kling import errors
from kling_ui.kling.client import KlingClient, RetryPolicy
from kling_ui.kling.models import CreateTaskRequest, TaskStatus

BASE = "https://kling.test"
ACCESS, SECRET = "ak-retry-test-access", "sk-retry-test-secret-value"
FEW_TRIES = RetryPolicy(attempts=4, initial_wait=0.5, max_wait=10.0)

Answer = Callable[[httpx.Request], httpx.Response]


def ok(data: object) -> httpx.Response:
    return httpx.Response(
        200, json={"code": 0, "message": "SUCCEED", "request_id": "r", "data": data}
    )


def refusal(status: int, code: int, message: str = "refused", **headers: str) -> httpx.Response:
    body = {"code": code, "message": message, "request_id": "r"}
    return httpx.Response(status, json=body, headers=headers)


def task(status: str = "submitted", **extra: object) -> dict[str, object]:
    return {"task_id": "901", "task_status": status, "task_info": {}} | extra


class Scripted:
    """A Kling that answers each request with the next scripted answer (the last repeats),
    recording every request and every wait the client makes between tries."""

    def __init__(self, *answers: httpx.Response | Answer) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.slept: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return answer(request) if callable(answer) else answer

    def client(self, retry: RetryPolicy = FEW_TRIES) -> KlingClient:
        return KlingClient(
            BASE,
            ACCESS,
            SECRET,
            retry=retry,
            transport=httpx.MockTransport(self),
            sleep=self.slept.append,
        )

    def tokens(self) -> list[str]:
        return [r.headers["authorization"].removeprefix("Bearer ") for r in self.requests]


@pytest.fixture
def no_jitter(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Backoff without its random half: waits become exact."""
    monkeypatch.setattr("kling_ui.kling.client.random.uniform", lambda low, high: high)
    yield


def create_request(**fields: object) -> CreateTaskRequest:
    base: dict[str, object] = {"model_name": "kling-v2-6", "image": "AAAA", "image_tail": "BBBB"}
    return CreateTaskRequest(**(base | fields))


# ---- re-signing ---------------------------------------------------------------------------


def skewed_then_right(client: KlingClient) -> None:
    """The first token is signed an hour ahead (a skewed clock); later ones at the right time."""
    calls = iter([3600.0])
    client.signer._clock = lambda: time.time() + next(calls, 0.0)  # type: ignore[attr-defined]


@pytest.mark.parametrize("code", [1003, 1004])
def test_a_token_kling_finds_out_of_time_is_signed_again_once(code: int) -> None:
    kling = Scripted(refusal(401, code, "token not yet valid"), ok([task()]))
    with kling.client() as client:
        skewed_then_right(client)
        assert [t.task_id for t in client.list()] == ["901"]
        assert client.signer.signed_count == 2  # type: ignore[attr-defined]
    first, second = (
        jwt.decode(t, SECRET, algorithms=["HS256"], options={"verify_nbf": False})
        for t in kling.tokens()
    )
    assert first["nbf"] - second["nbf"] >= 3590 and second["iss"] == ACCESS
    assert kling.slept == []


def test_a_fresh_token_refused_again_is_not_signed_a_third_time() -> None:
    kling = Scripted(refusal(401, 1004, "token not yet valid"))
    with kling.client(RetryPolicy(attempts=1)) as client, pytest.raises(errors.TokenTimingError):
        skewed_then_right(client)
        client.list()
    assert len(kling.requests) == 2 and client.signer.signed_count == 2  # type: ignore[attr-defined]


def test_a_long_session_signs_a_new_token_before_the_old_one_runs_out() -> None:
    now = [1_700_000_000.0]
    kling = Scripted(ok([]))
    with kling.client() as client:
        client.signer._clock = lambda: now[0]  # type: ignore[attr-defined]
        client.list()
        now[0] += 1800 - 301  # more than five minutes left: the same token
        client.list()
        now[0] += 2  # less than five minutes left: a new one, before Kling could refuse it
        client.list()
    first, same, fresh = kling.tokens()
    assert first == same != fresh
    claims = jwt.decode(fresh, SECRET, algorithms=["HS256"], options={"verify_exp": False})
    assert claims["exp"] == int(now[0]) + 1800 and claims["iss"] == ACCESS
    assert kling.slept == []


def test_refused_keys_are_final_not_retried_and_name_the_secret_key() -> None:
    kling = Scripted(refusal(401, 1002, "signature invalid"))
    with kling.client() as client, pytest.raises(errors.AuthError) as refused:
        client.list()
    assert len(kling.requests) == 1 and kling.slept == []
    assert refused.value.kling_code == 1002 and refused.value.http_status == 401
    assert "Kling_Secret_Key" in refused.value.text("en")


# ---- retries ------------------------------------------------------------------------------


def test_server_errors_throttling_and_unreadable_answers_are_tried_again(no_jitter: None) -> None:
    kling = Scripted(
        refusal(500, 5000, "internal error"),
        refusal(429, 1302, "too many requests"),
        httpx.Response(200, text="<html>gateway</html>"),
        ok([task()]),
    )
    with kling.client() as client:
        assert client.list()[0].task_id == "901"
    assert len(kling.requests) == 4
    assert kling.slept == [0.5, 1.0, 2.0]  # doubling from initial_wait


def cut_off(error: type[httpx.TransportError]) -> Answer:
    """An answer that never comes: the connection fails with `error`."""

    def answer(request: httpx.Request) -> httpx.Response:
        raise error("no answer", request=request)

    return answer


def test_network_errors_are_tried_again_with_backoff(no_jitter: None) -> None:
    kling = Scripted(
        cut_off(httpx.ConnectError),
        cut_off(httpx.ReadTimeout),
        cut_off(httpx.RemoteProtocolError),
        ok(task("succeed")),
    )
    with kling.client() as client:
        assert client.get("901").task_status is TaskStatus.SUCCEED
    assert len(kling.requests) == 4
    assert kling.slept == [0.5, 1.0, 2.0]


def test_a_network_that_stays_down_ends_in_a_retryable_network_error() -> None:
    kling = Scripted(cut_off(httpx.ConnectError))
    with kling.client() as client, pytest.raises(errors.NetworkError) as failed:
        client.list()
    assert len(kling.requests) == FEW_TRIES.attempts and len(kling.slept) == 3
    assert failed.value.retryable and BASE not in failed.value.text("en")


def test_retry_after_is_honoured_up_to_the_policys_cap(no_jitter: None) -> None:
    kling = Scripted(
        refusal(429, 1302, "slow down", **{"Retry-After": "7"}),
        refusal(429, 1302, "slow down", **{"Retry-After": "99"}),
        ok([]),
    )
    with kling.client() as client:
        assert client.list() == []
    assert kling.slept == [7.0, 10.0]


def test_tries_are_bounded_and_the_last_error_is_raised() -> None:
    kling = Scripted(refusal(503, 5001, "unavailable"))
    with kling.client() as client, pytest.raises(errors.ServerError) as failed:
        client.list()
    assert len(kling.requests) == FEW_TRIES.attempts and len(kling.slept) == 3
    assert all(0 < wait <= FEW_TRIES.max_wait for wait in kling.slept)
    assert failed.value.retryable and failed.value.kling_code == 5001


def test_1303_is_waited_out_when_the_policy_allows_and_the_task_is_made_once() -> None:
    kling = Scripted(refusal(429, 1303, "parallel task over limit"), ok(task()))
    with kling.client() as client:
        made = client.create(create_request())
    assert made.task_status is TaskStatus.SUBMITTED
    posts = [r for r in kling.requests if r.method == "POST"]
    assert len(posts) == 2 and len({json.loads(p.content)["external_task_id"] for p in posts}) == 1


def test_1303_is_raised_at_once_when_the_engine_handles_it() -> None:
    kling = Scripted(refusal(429, 1303, "parallel task over limit"))
    engine_policy = RetryPolicy(attempts=5, retry_concurrency=False)
    with kling.client(engine_policy) as client, pytest.raises(errors.ConcurrencyLimited) as busy:
        client.create(create_request())
    assert busy.value.kling_code == 1303 and busy.value.http_status == 429
    assert len(kling.requests) == 1 and kling.slept == []


def test_every_create_sends_a_fresh_external_task_id() -> None:
    kling = Scripted(ok(task()))
    with kling.client() as client:
        client.create(create_request())
        client.create(create_request())
    sent = [json.loads(r.content)["external_task_id"] for r in kling.requests]
    assert len(set(sent)) == 2 and all(s.startswith("kts-") for s in sent)


def test_a_forbidden_combination_is_refused_before_anything_is_sent() -> None:
    kling = Scripted(ok(task()))
    with kling.client() as client, pytest.raises(errors.UnsupportedRequest):
        client.create(create_request(model_name="kling-v2-master"))
    assert kling.requests == []


# ---- outcomes and downloads ---------------------------------------------------------------


def test_a_failed_task_reports_klings_reason() -> None:
    kling = Scripted(ok(task("failed", task_status_msg="image pixel is invalid")))
    with kling.client() as client, pytest.raises(errors.TaskFailed) as failed:
        client.outcome(client.get("901"))
    assert "image pixel is invalid" in failed.value.text("en")


def test_a_download_that_is_not_a_video_is_refused_and_leaves_no_file(tmp_path: Path) -> None:
    kling = Scripted(httpx.Response(200, content=b"<html>not a video</html>"))
    dest = tmp_path / "v.mp4"
    client = kling.client(RetryPolicy(attempts=2, initial_wait=0.01))
    with client, pytest.raises(errors.BadVideo):
        client.download("https://cdn.kling.test/v.mp4", dest)
    assert len(kling.requests) == 2 and "authorization" not in kling.requests[0].headers
    assert list(tmp_path.iterdir()) == []


def test_no_key_secret_or_token_in_logs_or_errors(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    kling = Scripted(
        refusal(500, 5000),
        refusal(400, 1201, "prompt too long"),
        refusal(401, 1002, "signature invalid"),
    )
    shown: list[str] = []
    with kling.client(RetryPolicy(attempts=2, initial_wait=0.01)) as client:
        for call in (lambda: client.create(create_request()), client.list):
            try:
                call()
            except errors.KlingError as exc:
                shown += [exc.text("en"), exc.text("zh-CN"), repr(exc), str(exc.as_dict())]
        shown += [repr(client), repr(client.signer)]
    text = caplog.text + "\n".join(shown)
    for secret in (ACCESS, SECRET, *kling.tokens()):
        assert secret not in text
