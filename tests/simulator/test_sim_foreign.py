"""Foreign tasks: other apps of the same account show up in its list and share its slots."""

from __future__ import annotations

import time

NO_RENDER = {"fail_rate": 1.0}


def test_foreign_tasks_are_listed_finished_with_their_own_external_ids(simulator_factory, api_for):
    api = api_for(simulator_factory(foreign_tasks=40, **NO_RENDER))
    ours = api.create_ok(external_task_id="kts-ours")["task_id"]
    items = api.list(pageSize=500).json()["data"]
    foreign = [item for item in items if item["task_id"] != ours]
    assert len(foreign) == 40
    assert {item["task_status"] for item in foreign} <= {"succeed", "failed"}
    externals = [item["task_info"].get("external_task_id") for item in foreign]
    assert any(e is None for e in externals) and any(e is not None for e in externals)
    assert "kts-ours" not in externals


def test_foreign_tasks_are_not_counted_as_ours(simulator_factory, api_for):
    api = api_for(simulator_factory(foreign_tasks=40))
    stats = api.stats()
    assert stats["tasks"] == 0 and stats["foreign_tasks"] == 40 and stats["per_task"] == {}


def test_foreign_task_count_follows_the_config_at_runtime(simulator_factory, api_for):
    api = api_for(simulator_factory(foreign_tasks=5))
    api.debug_config(foreign_tasks=12)
    assert len(api.list(pageSize=500).json()["data"]) == 12
    api.debug_config(foreign_tasks=2)
    assert len(api.list(pageSize=500).json()["data"]) == 2


def test_foreign_in_flight_tasks_take_the_accounts_slots(simulator_factory, api_for):
    api = api_for(simulator_factory(concurrency=3, foreign_in_flight=3, latency=30.0))
    response = api.create()
    assert response.status_code == 429 and response.json()["code"] == 1303
    stats = api.stats()
    assert stats["active"] == 3 and stats["foreign_active"] == 3 and stats["in_flight"] == 0


def test_foreign_in_flight_tasks_leave_the_other_slots_free(simulator_factory, api_for):
    api = api_for(simulator_factory(concurrency=3, foreign_in_flight=2, latency=30.0, **NO_RENDER))
    api.create_ok()
    assert api.create().json()["code"] == 1303


def test_foreign_in_flight_tasks_end_after_latency(simulator_factory, api_for):
    started = time.monotonic()
    api = api_for(simulator_factory(concurrency=1, foreign_in_flight=1, latency=1.0))
    while (answer := api.create().json())["code"] == 1303:  # the foreign task holds the slot
        assert time.monotonic() - started < 60, "the foreign task never ended"
        time.sleep(0.05)
    assert time.monotonic() - started >= 1.0
    ours = answer["data"]["task_id"]
    (foreign,) = [item for item in api.list().json()["data"] if item["task_id"] != ours]
    assert foreign["task_status"] in ("succeed", "failed")
    assert api.stats()["foreign_active"] == 0 and api.stats()["foreign_tasks"] == 1


def test_foreign_in_flight_set_at_runtime_takes_slots_at_once(simulator_factory, api_for):
    api = api_for(simulator_factory(concurrency=2, latency=30.0))
    assert api.debug_config(foreign_in_flight=2).status_code == 200
    assert api.stats()["foreign_active"] == 2
    assert api.create().json()["code"] == 1303
    api.debug_config(foreign_in_flight=0)
    assert api.stats()["foreign_active"] == 0


def test_foreign_tasks_can_be_queried_by_id(simulator_factory, api_for):
    api = api_for(simulator_factory(foreign_tasks=3))
    item = api.list().json()["data"][0]
    assert api.get(str(item["task_id"])).json()["data"] == item
