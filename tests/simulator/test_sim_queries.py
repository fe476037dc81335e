"""Finding tasks: by task_id, by external_task_id (path or query), and the paged list."""

from __future__ import annotations

import pytest


def test_query_by_task_id(api):
    created = api.create_ok()
    data = api.get(created["task_id"]).json()["data"]
    assert data["task_id"] == created["task_id"]


def test_query_by_external_task_id_in_the_path(api):
    created = api.create_ok(external_task_id="kts-path")
    data = api.get("kts-path").json()["data"]
    assert data["task_id"] == created["task_id"]
    assert data["task_info"]["external_task_id"] == "kts-path"


def test_query_by_external_task_id_parameter(api):
    created = api.create_ok(external_task_id="kts-param")
    response = api.list(external_task_id="kts-param")
    assert response.status_code == 200
    assert response.json()["data"]["task_id"] == created["task_id"]


def test_external_task_id_parameter_does_not_match_a_task_id(api):
    created = api.create_ok()
    response = api.list(external_task_id=created["task_id"])
    assert response.status_code == 404 and response.json()["code"] == 1203


@pytest.mark.parametrize("how", ["path", "param"])
def test_unknown_task_is_404_1203(api, how):
    response = api.get("no-such-task") if how == "path" else api.list(external_task_id="nope")
    body = response.json()
    assert response.status_code == 404 and body["code"] == 1203 and body["data"] is None


def test_list_is_newest_first_and_paged(simulator_factory, api_for):
    api = api_for(simulator_factory(concurrency=3))
    ids = [api.create_ok()["task_id"] for _ in range(3)]
    first_page = api.list(pageNum=1, pageSize=2).json()["data"]
    second_page = api.list(pageNum=2, pageSize=2).json()["data"]
    assert [t["task_id"] for t in first_page] == [ids[2], ids[1]]
    assert [t["task_id"] for t in second_page] == [ids[0]]
    assert api.list(pageNum=3, pageSize=2).json()["data"] == []


def test_list_items_have_the_query_shape(api):
    created = api.create_ok(external_task_id="kts-listed")
    data = api.wait(created["task_id"])
    (item,) = api.list().json()["data"]
    assert item == data


@pytest.mark.parametrize(
    "params",
    [
        {"pageNum": 0},
        {"pageNum": 1001},
        {"pageSize": 0},
        {"pageSize": 501},
        {"pageNum": "one"},
    ],
)
def test_list_page_out_of_range_is_1201(api, params):
    response = api.list(**params)
    body = response.json()
    name = next(iter(params))
    assert response.status_code == 400 and body["code"] == 1201 and name in body["message"]


def test_list_accepts_the_range_limits(api):
    assert api.list(pageNum=1000, pageSize=500).json()["data"] == []


def test_queries_are_counted_per_task(api):
    created = api.create_ok(external_task_id="kts-counted")
    api.get(created["task_id"])
    api.get("kts-counted")
    api.list(external_task_id="kts-counted")
    assert api.stats()["queries"] == {created["task_id"]: 3}
