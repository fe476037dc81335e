"""Debug endpoints: stats, runtime config, occupied slots, hurried tasks and reset (no auth,
no faults)."""

from __future__ import annotations

STATS_KEYS = {"created", "create_attempts", "peak_concurrency", "active", "tasks", "queries"}


def test_stats_has_the_documented_counters(api):
    stats = api.stats()
    assert STATS_KEYS | {"requests"} <= set(stats)
    assert stats["tasks"] == 0 and stats["requests"] == 0


def test_server_stats_equal_the_debug_endpoint(api):
    api.create_ok(external_task_id="kts-stats")
    assert api.server.stats() == api.stats()


def test_api_requests_are_counted(api):
    api.list()
    api.create_ok()
    stats = api.stats()
    assert stats["requests"] == 2 and stats["create_attempts"] == 1


def test_config_change_applies_at_once(simulator_factory, api_for):
    api = api_for(simulator_factory(latency=30.0))
    assert api.debug_config(concurrency=1).json()["config"]["concurrency"] == 1
    api.create_ok()
    assert api.create().json()["code"] == 1303
    assert api.server.config.concurrency == 1


def test_config_shows_no_keys(api):
    shown = api.http.get("/debug/config").json()["config"]
    assert "secret_key" not in shown and "access_key" not in shown
    assert shown["latency"] == api.server.config.latency


def test_changed_keys_reject_old_tokens(api, sim_token):
    old = api.headers()
    api.debug_config(access_key="new-access", secret_key="new-secret")
    assert api.http.get("/v1/videos/image2video", headers=old).json()["code"] == 1002
    new = sim_token("new-access", "new-secret")
    response = api.http.get("/v1/videos/image2video", headers={"Authorization": f"Bearer {new}"})
    assert response.status_code == 200


def test_unknown_config_field_is_refused_and_nothing_changes(api):
    response = api.debug_config(latency=9.0, colour="blue")
    assert response.status_code == 400 and "colour" in response.json()["error"]
    assert api.server.config.latency != 9.0


def test_out_of_range_config_value_is_refused(api):
    response = api.debug_config(fault_5xx=2)
    assert response.status_code == 400 and "fault_5xx" in response.json()["error"]
    assert api.server.config.fault_5xx == 0.0


def test_occupy_holds_slots_as_active(api):
    stats = api.http.post("/debug/occupy", json={"slots": 2, "seconds": 30}).json()
    assert stats["active"] == 2 and stats["occupied"] == 2


def test_occupy_needs_slots_and_seconds(api):
    assert api.http.post("/debug/occupy", json={"slots": 0, "seconds": 1}).status_code == 400
    assert api.http.post("/debug/occupy", json={"slots": 1}).status_code == 400


def test_hurry_ends_the_running_tasks_now_with_their_videos(simulator_factory, api_for):
    api = api_for(simulator_factory(latency=300.0))
    first, second = api.create_ok()["task_id"], api.create_ok()["task_id"]
    assert api.http.post("/debug/hurry").json() == {"hurried": 2}
    for task_id in (first, second):
        done = api.wait(task_id, timeout=60)
        assert done["task_status"] == "succeed"
        assert done["task_result"]["videos"][0]["url"]
    assert api.http.post("/debug/hurry").json() == {"hurried": 0}


def test_reset_clears_tasks_and_counters(api):
    created = api.create_ok(external_task_id="kts-gone")
    api.get(created["task_id"])
    api.http.post("/debug/occupy", json={"slots": 1, "seconds": 30})
    assert api.http.post("/debug/reset").status_code == 200
    stats = api.stats()
    assert stats["tasks"] == 0 and stats["created"] == {} and stats["queries"] == {}
    assert stats["active"] == 0 and stats["requests"] == 0
    assert api.get("kts-gone").status_code == 404


def test_unknown_api_route_is_404_in_klings_envelope(api):
    response = api.http.get("/v1/videos/text2audio")
    assert response.status_code == 404 and response.json()["code"] == 1202
