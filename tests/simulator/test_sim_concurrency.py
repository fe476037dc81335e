"""The account's concurrency limit: a task holds a slot from create until it ends."""

from __future__ import annotations

import time


def _wait_idle(api, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while api.stats()["active"] and time.monotonic() < deadline:
        time.sleep(0.05)


def test_create_over_the_limit_is_429_1303(simulator_factory, api_for):
    api = api_for(simulator_factory(concurrency=1, latency=30.0))
    api.create_ok()
    response = api.create()
    body = response.json()
    assert response.status_code == 429
    assert body["code"] == 1303
    assert body["message"] == "parallel task over resource pack limit"


def test_a_rejected_create_creates_nothing(simulator_factory, api_for):
    api = api_for(simulator_factory(concurrency=1, latency=30.0))
    api.create_ok(external_task_id="kts-in")
    api.create(external_task_id="kts-out")
    stats = api.stats()
    assert stats["created"] == {"kts-in": 1}
    assert stats["create_attempts"] == 2 and stats["rejected_concurrency"] == 1


def test_slot_is_released_when_the_task_succeeds(simulator_factory, api_for):
    api = api_for(simulator_factory(concurrency=1))
    first = api.create_ok()
    assert api.wait(first["task_id"])["task_status"] == "succeed"
    assert api.create().status_code == 200


def test_slot_is_released_when_the_task_fails(simulator_factory, api_for):
    api = api_for(simulator_factory(concurrency=1, fail_rate=1.0))
    first = api.create_ok()
    assert api.wait(first["task_id"])["task_status"] == "failed"
    assert api.create().status_code == 200


def test_queries_and_lists_take_no_slot(simulator_factory, api_for):
    api = api_for(simulator_factory(concurrency=1, latency=30.0))
    created = api.create_ok()
    for _ in range(5):
        assert api.get(created["task_id"]).status_code == 200
        assert api.list().status_code == 200
    assert api.stats()["active"] == 1


def test_occupied_slots_count_against_the_limit(simulator_factory, api_for):
    api = api_for(simulator_factory(concurrency=3))
    api.http.post("/debug/occupy", json={"slots": 3, "seconds": 30})
    assert api.create().json()["code"] == 1303


def test_occupied_slots_free_when_their_time_is_up(simulator_factory, api_for):
    api = api_for(simulator_factory(concurrency=2))
    api.http.post("/debug/occupy", json={"slots": 2, "seconds": 0.3})
    _wait_idle(api)
    assert api.create().status_code == 200


def test_peak_concurrency_is_the_most_slots_held_at_once(simulator_factory, api_for):
    api = api_for(simulator_factory(concurrency=3, latency=30.0))
    for _ in range(3):
        api.create_ok()
    api.create()  # refused: does not raise the peak
    stats = api.stats()
    assert stats["peak_concurrency"] == 3 and stats["active"] == 3
