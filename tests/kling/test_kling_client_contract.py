"""The real KlingClient against the simulator over loopback HTTP: the API contract end to end.

A focused set: what only a Kling on the other end of a socket shows (a playable video, both
lookup forms, JWT checks, validation, the 1303 limit, a dropped answer). The shapes of the
answers run in both simulator modes; the rules (retries, backoff, re-signing, refusals,
downloads, secrets) are unit-tested with httpx.MockTransport in test_kling_retry.py and
test_kling_lookup.py."""

from __future__ import annotations

import base64
import time

import httpx
import pytest

from kling_ui.kling import errors
from kling_ui.kling.client import KlingClient, RetryPolicy
from kling_ui.kling.models import CreateTaskRequest, TaskStatus
from kling_ui.video import probe

FAST = RetryPolicy(attempts=8, initial_wait=0.01, max_wait=0.05)


def make_client(sim, *, access=None, secret=None, retry=FAST, **kwargs) -> KlingClient:
    return KlingClient(
        sim.base_url,
        access or sim.config.access_key,
        secret or sim.config.secret_key,
        retry=retry,
        **kwargs,
    )


def transition(slide_png, **fields) -> CreateTaskRequest:
    first = base64.b64encode(slide_png(640, 360, text="Slide 1")).decode()
    last = base64.b64encode(slide_png(640, 360, text="Slide 2")).decode()
    base = {"model_name": "kling-v2-6", "image": first, "image_tail": last, "prompt": "push in"}
    return CreateTaskRequest(**(base | fields))


def wait_finished(client: KlingClient, task_id: str, timeout: float = 120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        task = client.get(task_id)
        if task.task_status.finished:
            return task
        time.sleep(0.1)
    raise AssertionError("task did not finish")


def stats(sim) -> dict:
    return httpx.get(f"{sim.base_url}/debug/stats").json()


def test_create_poll_and_download_a_playable_video(simulator, slide_png, tmp_path):
    with make_client(simulator) as client:
        created = client.create(transition(slide_png))
        assert created.task_status is TaskStatus.SUBMITTED
        assert created.external_task_id
        done = client.outcome(wait_finished(client, created.task_id))
        path = client.download(done.video.url, tmp_path / "out.mp4")
    info = probe(path)
    assert info.codec == "h264" and info.fps == 24
    assert abs(info.duration - 5.0) < 0.2


def test_task_is_found_by_external_task_id(simulator, slide_png):
    with make_client(simulator) as client:
        created = client.create(transition(slide_png))
        found = client.find_by_external_id(created.external_task_id)
    assert found is not None and found.task_id == created.task_id


def test_unknown_external_task_id_is_none(simulator):
    with make_client(simulator) as client:
        assert client.find_by_external_id("kts-never-created") is None


def test_unknown_task_id_is_refused_as_not_found_or_invalid(simulator):
    # Undocumented: 404/1203 in plain mode, 400/1201 in realworld mode; both mean "no such id".
    refused = (errors.NotFound, errors.InvalidRequest)
    with make_client(simulator) as client, pytest.raises(refused):
        client.get("no-such-task")


def test_list_holds_the_created_tasks_in_whatever_order(simulator, slide_png):
    # The list's order is undocumented: plain mode is newest first, realworld mode shuffled.
    with make_client(simulator) as client:
        first = client.create(transition(slide_png))
        second = client.create(transition(slide_png))
        listed = [t.task_id for t in client.list(1, 100)]
    assert {first.task_id, second.task_id} <= set(listed)


@pytest.mark.parametrize("sim_mode", [{}], ids=["plain"])
def test_wrong_secret_is_an_auth_error_with_a_remedy(simulator, slide_png):
    client = make_client(simulator, secret="not-the-secret")
    with client, pytest.raises(errors.AuthError) as info:
        client.create(transition(slide_png))
    assert info.value.kling_code == 1002 and info.value.http_status == 401
    assert "Kling_Secret_Key" in info.value.text("en")


@pytest.mark.parametrize("sim_mode", [{}], ids=["plain"])
def test_not_yet_valid_token_is_resigned_once_and_the_call_succeeds(simulator):
    calls = {"n": 0}

    def clock() -> float:
        calls["n"] += 1
        # The first token is signed an hour in the future (a skewed clock), then time is right.
        return time.time() + (3600 if calls["n"] == 1 else 0)

    with make_client(simulator) as client:
        client.signer._clock = clock
        client.list()
        assert client.signer.signed_count == 2


@pytest.mark.parametrize("sim_mode", [{}], ids=["plain"])
def test_parameter_rejected_by_kling_is_an_invalid_request(simulator, slide_png):
    bad = transition(slide_png)
    bad = bad.model_copy(update={"image": "data:image/png;base64," + bad.image})
    with make_client(simulator) as client, pytest.raises(errors.InvalidRequest) as info:
        client.create(bad)
    assert info.value.kling_code == 1201 and info.value.server_message


@pytest.mark.parametrize("sim_mode", [{}], ids=["plain"])
def test_over_the_concurrency_limit_is_1303_when_not_retried(simulator_factory, slide_png):
    sim = simulator_factory(latency=30.0, concurrency=1)
    no_wait = RetryPolicy(attempts=3, initial_wait=0.01, max_wait=0.02, retry_concurrency=False)
    with make_client(sim, retry=no_wait) as client:
        client.create(transition(slide_png))
        with pytest.raises(errors.ConcurrencyLimited) as info:
            client.create(transition(slide_png))
    assert info.value.kling_code == 1303 and info.value.http_status == 429


@pytest.mark.parametrize("sim_mode", [{}], ids=["plain"])
def test_dropped_create_response_never_creates_twice(simulator_factory, slide_png):
    sim = simulator_factory(fault_drop=1.0)
    with make_client(sim) as client:
        request = transition(slide_png, external_task_id="kts-dropped-once")
        # Every answer is dropped, so create's lookups cannot see the task either: it gives up
        # (whether the task exists is still unknown) rather than paying again.
        with pytest.raises(errors.LookupUnclear):
            client.create(request)
        httpx.post(f"{sim.base_url}/debug/config", json={"fault_drop": 0.0})
        task = client.create(request)
    assert task.external_task_id == "kts-dropped-once"
    assert stats(sim)["created"] == {"kts-dropped-once": 1}
