"""The real KlingClient against the simulator over loopback HTTP: the API contract end to end."""

from __future__ import annotations

import base64
import logging
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


def wait_finished(client: KlingClient, task_id: str, timeout: float = 30.0):
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


def test_every_create_sends_a_fresh_external_task_id(simulator, slide_png):
    with make_client(simulator) as client:
        a = client.create(transition(slide_png))
        b = client.create(transition(slide_png))
    assert a.external_task_id != b.external_task_id


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


def test_wrong_secret_is_an_auth_error_with_a_remedy(simulator, slide_png):
    client = make_client(simulator, secret="not-the-secret")
    with client, pytest.raises(errors.AuthError) as info:
        client.create(transition(slide_png))
    assert info.value.kling_code == 1002 and info.value.http_status == 401
    assert "Kling_Secret_Key" in info.value.text("en")


def test_unknown_access_key_is_an_auth_error(simulator):
    with make_client(simulator, access="someone-else") as client, pytest.raises(errors.AuthError):
        client.list()


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


def test_parameter_rejected_by_kling_is_an_invalid_request(simulator, slide_png):
    bad = transition(slide_png)
    bad = bad.model_copy(update={"image": "data:image/png;base64," + bad.image})
    with make_client(simulator) as client, pytest.raises(errors.InvalidRequest) as info:
        client.create(bad)
    assert info.value.kling_code == 1201 and info.value.server_message


def test_forbidden_combination_is_refused_before_sending(simulator, slide_png):
    with make_client(simulator) as client, pytest.raises(errors.UnsupportedRequest):
        client.create(transition(slide_png, model_name="kling-v2-master"))
    assert stats(simulator)["create_attempts"] == 0


def test_failed_task_reports_kling_reason(simulator_factory, slide_png):
    sim = simulator_factory(fail_rate=1.0)
    with make_client(sim) as client:
        task = wait_finished(client, client.create(transition(slide_png)).task_id)
        with pytest.raises(errors.TaskFailed) as info:
            client.outcome(task)
    assert task.task_status is TaskStatus.FAILED and task.task_status_msg
    assert task.task_status_msg in info.value.text("en")


def test_over_the_concurrency_limit_is_1303_when_not_retried(simulator_factory, slide_png):
    sim = simulator_factory(latency=30.0, concurrency=1)
    no_wait = RetryPolicy(attempts=3, initial_wait=0.01, max_wait=0.02, retry_concurrency=False)
    with make_client(sim, retry=no_wait) as client:
        client.create(transition(slide_png))
        with pytest.raises(errors.ConcurrencyLimited) as info:
            client.create(transition(slide_png))
    assert info.value.kling_code == 1303 and info.value.http_status == 429


def test_1303_is_retried_until_a_slot_frees(simulator_factory, slide_png):
    sim = simulator_factory(latency=0.5, concurrency=1)
    patient = RetryPolicy(attempts=40, initial_wait=0.1, max_wait=0.2)
    with make_client(sim, retry=patient) as client:
        client.create(transition(slide_png))
        second = client.create(transition(slide_png))
    assert second.task_id
    assert stats(sim)["peak_concurrency"] == 1


def test_server_errors_and_1302_are_retried(simulator_factory, slide_png):
    sim = simulator_factory(fault_5xx=0.3, fault_1302=0.3, seed=7)
    with make_client(sim, retry=RetryPolicy(attempts=200, initial_wait=0.01, max_wait=0.02)) as c:
        tasks = [c.create(transition(slide_png)) for _ in range(4)]
        listed = c.list()
    assert len({t.task_id for t in tasks}) == 4 and listed
    assert all(n == 1 for n in stats(sim)["created"].values())


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


def test_dropped_create_response_is_recovered_by_lookup(simulator_factory, slide_png):
    sim = simulator_factory(fault_drop=0.5, seed=3)
    with make_client(sim, retry=RetryPolicy(attempts=30, initial_wait=0.01, max_wait=0.02)) as c:
        tasks = [c.create(transition(slide_png)) for _ in range(6)]
    created = stats(sim)["created"]
    assert sorted(created) == sorted(t.external_task_id for t in tasks)
    assert set(created.values()) == {1}


def test_download_of_a_non_video_is_refused(simulator, tmp_path):
    client = make_client(simulator, retry=RetryPolicy(attempts=2, initial_wait=0.01, max_wait=0.01))
    with client, pytest.raises(errors.BadVideo):
        client.download(f"{simulator.base_url}/debug/stats", tmp_path / "v.mp4")
    assert not (tmp_path / "v.mp4").exists()
    assert not list(tmp_path.glob(".*part"))


def test_no_key_secret_or_token_in_logs_or_errors(simulator_factory, slide_png, caplog):
    sim = simulator_factory(fault_5xx=0.2, fault_drop=0.1, seed=11)
    caplog.set_level(logging.DEBUG)
    shown: list[str] = []
    with make_client(sim, retry=RetryPolicy(attempts=30, initial_wait=0.01, max_wait=0.02)) as c:
        c.create(transition(slide_png))
        token = c.signer.token()
        for bad in (
            transition(slide_png, model_name="kling-v2-master"),
            transition(slide_png, prompt="x" * 3000),
        ):
            try:
                c.create(bad)
            except errors.KlingError as exc:
                shown += [exc.text("en"), exc.text("zh-CN"), repr(exc), str(exc.as_dict())]
        shown.append(repr(c))
    with make_client(sim, secret="wrong-secret-value") as bad_client:
        try:
            bad_client.list()
        except errors.KlingError as exc:
            shown += [exc.text("en"), repr(exc), str(exc.as_dict())]
    text = caplog.text + "\n".join(shown)
    for secret in (sim.config.access_key, sim.config.secret_key, "wrong-secret-value", token):
        assert secret not in text
