"""Callbacks: the query's data POSTed to callback_url on every status change."""

from __future__ import annotations

import socket


def _ended(posts) -> bool:
    return any(p["task_status"] in ("succeed", "failed") for p in posts)


def test_callback_is_posted_on_every_status_change(api, receiver):
    created = api.create_ok(callback_url=f"{receiver.url}/hook", external_task_id="kts-cb")
    posts = receiver.wait_for(_ended)
    assert [p["task_status"] for p in posts] == ["submitted", "processing", "succeed"]
    assert all(p["task_id"] == created["task_id"] for p in posts)
    assert all(p["task_info"] == {"external_task_id": "kts-cb"} for p in posts)


def test_final_callback_equals_the_query_answer(api, receiver):
    created = api.create_ok(callback_url=f"{receiver.url}/hook")
    final = receiver.wait_for(_ended)[-1]
    assert final == api.get(created["task_id"]).json()["data"]
    assert final["task_result"]["videos"][0]["url"]


def test_failed_task_callback_carries_the_reason(simulator_factory, api_for, receiver):
    api = api_for(simulator_factory(fail_rate=1.0))
    api.create_ok(callback_url=f"{receiver.url}/hook")
    final = receiver.wait_for(_ended)[-1]
    assert final["task_status"] == "failed" and final["task_status_msg"]


def test_unreachable_callback_does_not_hold_up_the_task(api):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    created = api.create_ok(callback_url=f"http://127.0.0.1:{closed_port}/hook")
    assert api.wait(created["task_id"])["task_status"] == "succeed"
    assert api.stats()["callbacks_failed"] >= 1


def test_no_callback_without_callback_url(api, receiver):
    api.wait(api.create_ok()["task_id"])
    assert receiver.posts == []
