"""Stats for benchmarks: path-form queries per task (by task_id and external id), the
?external_task_id= lookups, and all list requests of the account."""

from __future__ import annotations

NO_RENDER = {"fail_rate": 1.0}


def test_path_queries_are_counted_per_task_and_per_external_id(simulator_factory, api_for):
    api = api_for(simulator_factory(latency=30.0, concurrency=2, **NO_RENDER))
    first = api.create_ok(external_task_id="kts-stat-1")["task_id"]
    second = api.create_ok()["task_id"]
    for _ in range(3):
        api.get(first)
    api.get("kts-stat-1")
    api.get(second)
    stats = api.stats()
    assert stats["per_task"][first] == {
        "external_task_id": "kts-stat-1",
        "path_queries": 4,
        "lookups": 0,
    }
    assert stats["per_task"][second]["path_queries"] == 1
    assert stats["per_external"] == {
        "kts-stat-1": {"task_id": first, "path_queries": 4, "lookups": 0}
    }
    assert stats["query_requests"] == 5 and stats["path_queries_per_task"] == 2.5


def test_unknown_path_queries_are_counted_apart(api):
    api.get("no-such-task")
    stats = api.stats()
    assert stats["query_requests"] == 1 and stats["unknown_queries"] == 1
    assert stats["path_queries"] == {}


def test_list_requests_and_lookups_are_counted_in_all(simulator_factory, api_for):
    api = api_for(simulator_factory(latency=30.0, **NO_RENDER))
    task_id = api.create_ok(external_task_id="kts-stat-look")["task_id"]
    api.list()
    api.list(pageNum=2, pageSize=5)
    api.list(external_task_id="kts-stat-look")
    stats = api.stats()
    assert stats["list_requests"] == 2 and stats["lookup_requests"] == 1
    assert stats["per_task"][task_id]["lookups"] == 1
    assert stats["query_requests"] == 0


def test_queries_that_fail_auth_still_count_as_requests_for_the_task(simulator_factory, api_for):
    api = api_for(simulator_factory(latency=30.0, **NO_RENDER))
    task_id = api.create_ok()["task_id"]
    api.http.get(f"/v1/videos/image2video/{task_id}")
    assert api.stats()["per_task"][task_id]["path_queries"] == 1


def test_realworld_integer_ids_are_counted_under_their_string_form(simulator_factory, api_for):
    api = api_for(simulator_factory(realworld=True, latency=30.0, **NO_RENDER))
    task_id = api.create_ok()["task_id"]
    assert isinstance(task_id, int)
    api.get(str(task_id))
    assert api.stats()["per_task"][str(task_id)]["path_queries"] == 1
