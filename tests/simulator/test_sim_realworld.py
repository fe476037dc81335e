"""Realworld mode: answers take every shape the docs allow (nulls, integer ids, an unknown
early status, unknown fields, an unordered list, a terse duplicate refusal)."""

from __future__ import annotations

# Tasks drawn to fail are never rendered: the cheap choice where the video does not matter.
NO_RENDER = {"fail_rate": 1.0}


def test_running_task_has_null_optional_fields(simulator_factory, api_for):
    api = api_for(simulator_factory(realworld=True, latency=30.0, **NO_RENDER))
    created = api.create_ok()
    assert created["task_info"] is None
    data = api.get(created["task_id"]).json()["data"]
    assert data["task_status_msg"] is None
    assert data["task_result"] is None
    assert data["final_unit_deduction"] is None
    assert data["task_info"] is None


def test_task_without_external_id_has_null_task_info_in_the_list(simulator_factory, api_for):
    api = api_for(simulator_factory(realworld=True, latency=30.0, **NO_RENDER))
    api.create_ok()
    (item,) = api.list().json()["data"]
    assert item["task_info"] is None and item["task_status_msg"] is None


def test_succeeded_tasks_have_null_video_id_or_duration_for_some(simulator_factory, api_for):
    api = api_for(simulator_factory(realworld=True, concurrency=3))
    ids = [api.create_ok(external_task_id=f"kts-rw-video-{n}")["task_id"] for n in range(3)]
    videos = [api.wait(str(task_id))["task_result"]["videos"][0] for task_id in ids]
    assert all(video["url"] for video in videos)
    assert videos[0]["id"] and videos[0]["duration"]
    assert videos[1]["id"] is None and videos[1]["duration"]
    assert videos[2]["id"] and videos[2]["duration"] is None


def test_some_list_items_have_null_times(simulator_factory, api_for):
    api = api_for(simulator_factory(realworld=True, concurrency=4, latency=30.0, **NO_RENDER))
    fourth = [api.create_ok()["task_id"] for _ in range(4)][3]
    items = {item["task_id"]: item for item in api.list().json()["data"]}
    assert items[fourth]["created_at"] is None and items[fourth]["updated_at"] is None
    assert sum(item["created_at"] is None for item in items.values()) == 1
    assert isinstance(api.get(str(fourth)).json()["data"]["created_at"], int)


def test_answers_carry_unknown_fields(simulator_factory, api_for):
    api = api_for(simulator_factory(realworld=True, latency=30.0, **NO_RENDER))
    created = api.create_ok()
    data = api.get(str(created["task_id"])).json()["data"]
    for answer in (created, data):
        assert answer["task_type"] == "image2video" and answer["aspect_ratio"] == "16:9"
        assert isinstance(answer["task_extra"], dict)
        assert isinstance(answer["task_extra"]["queue"], dict)


def test_every_other_task_id_is_an_integer_that_works_in_the_path(simulator_factory, api_for):
    api = api_for(simulator_factory(realworld=True, latency=30.0, **NO_RENDER))
    first, second = api.create_ok()["task_id"], api.create_ok()["task_id"]
    assert isinstance(first, int) and isinstance(second, str) and second.isdigit()
    for task_id in (first, second):
        data = api.get(str(task_id)).json()["data"]
        assert data["task_id"] == task_id
    listed = {item["task_id"] for item in api.list().json()["data"]}
    assert listed == {first, second}


def test_task_is_queueing_early_but_created_as_submitted(simulator_factory, api_for):
    api = api_for(simulator_factory(realworld=True, latency=30.0, **NO_RENDER))
    created = api.create_ok()
    assert created["task_status"] == "submitted"
    assert api.get(str(created["task_id"])).json()["data"]["task_status"] == "queueing"
    (item,) = api.list().json()["data"]
    assert item["task_status"] == "queueing"


def test_queueing_phase_ends_in_a_documented_status(simulator_factory, api_for):
    api = api_for(simulator_factory(realworld=True, latency=2.0, **NO_RENDER))
    task_id = str(api.create_ok()["task_id"])
    data = api.wait(task_id)
    assert data["task_status"] == "failed" and data["task_status_msg"]


def test_list_is_not_newest_first_and_pages_exactly(simulator_factory, api_for):
    server = simulator_factory(realworld=True, foreign_tasks=40, seed=7, latency=30.0, **NO_RENDER)
    api = api_for(server)
    ours = [api.create_ok()["task_id"] for _ in range(3)]
    pages = [api.list(pageNum=n, pageSize=10).json()["data"] for n in range(1, 7)]
    assert [len(page) for page in pages] == [10, 10, 10, 10, 3, 0]
    shuffled = [item["task_id"] for page in pages for item in page]
    assert len(set(shuffled)) == 43 and set(ours) <= set(shuffled)
    assert not set(ours) <= {item["task_id"] for item in pages[0]}
    api.debug_config(realworld=False)
    newest_first = [item["task_id"] for item in api.list(pageSize=500).json()["data"]]
    assert {str(task_id) for task_id in shuffled} == set(newest_first)
    assert [str(task_id) for task_id in shuffled] != newest_first


def test_list_order_is_stable_between_requests(simulator_factory, api_for):
    api = api_for(simulator_factory(realworld=True, foreign_tasks=20))
    first = [item["task_id"] for item in api.list(pageSize=500).json()["data"]]
    assert first == [item["task_id"] for item in api.list(pageSize=500).json()["data"]]


def test_duplicate_external_id_is_refused_without_naming_the_field(simulator_factory, api_for):
    api = api_for(simulator_factory(realworld=True, latency=30.0, concurrency=2, **NO_RENDER))
    api.create_ok(external_task_id="kts-rw-dup")
    response = api.create(external_task_id="kts-rw-dup")
    body = response.json()
    assert response.status_code == 400 and body["code"] == 1201
    assert body["message"] == "Duplicate request: the task already exists"
    assert "external_task_id" not in body["message"] and body["data"] is None


def test_query_form_answers_a_list_holding_the_task(simulator_factory, api_for):
    api = api_for(simulator_factory(realworld=True, latency=30.0, **NO_RENDER))
    created = api.create_ok(external_task_id="kts-rw-param")
    (item,) = api.list(external_task_id="kts-rw-param").json()["data"]
    assert item["task_id"] == created["task_id"]
    assert item["task_info"] == {"external_task_id": "kts-rw-param"}


def test_path_form_finds_a_task_by_its_external_id(simulator_factory, api_for):
    api = api_for(simulator_factory(realworld=True, latency=30.0, **NO_RENDER))
    created = api.create_ok(external_task_id="kts-rw-path")
    assert api.get("kts-rw-path").json()["data"]["task_id"] == created["task_id"]


def test_realworld_can_be_switched_at_runtime(api):
    api.create_ok()
    assert api.debug_config(realworld=True).json()["config"]["realworld"] is True
    (item,) = api.list().json()["data"]
    assert item["task_type"] == "image2video" and item["task_info"] is None
    api.debug_config(realworld=False)
    (item,) = api.list().json()["data"]
    assert "task_type" not in item and item["task_info"] == {}


def test_callbacks_carry_the_realworld_shape(simulator_factory, api_for, receiver):
    api = api_for(simulator_factory(realworld=True, **NO_RENDER))
    api.create_ok(callback_url=receiver.url)
    posts = receiver.wait_for(lambda p: any(d["task_status"] == "failed" for d in p))
    statuses = [post["task_status"] for post in posts]
    assert "queueing" not in statuses and statuses[-1] == "failed"
    assert posts[-1]["task_result"] is None and posts[-1]["task_info"] is None
