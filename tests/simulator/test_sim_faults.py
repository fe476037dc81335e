"""Injected faults: 5xx, 1302, dropped connections and late answers, drawn per API request."""

from __future__ import annotations

import httpx
import pytest

SERVER_CODES = {500: 5000, 503: 5001, 504: 5002}


def test_server_error_fault_answers_5xx_with_the_matching_code(simulator_factory, api_for):
    api = api_for(simulator_factory(fault_5xx=1.0, seed=5))
    seen = set()
    for _ in range(12):
        response = api.list()
        assert SERVER_CODES[response.status_code] == response.json()["code"]
        seen.add(response.status_code)
    assert len(seen) > 1


def test_server_error_on_create_creates_nothing(simulator_factory, api_for):
    api = api_for(simulator_factory(fault_5xx=1.0))
    assert api.create(external_task_id="kts-5xx").status_code >= 500
    assert api.stats()["created"] == {}


def test_too_fast_fault_answers_429_1302(simulator_factory, api_for):
    api = api_for(simulator_factory(fault_1302=1.0))
    response = api.create()
    assert response.status_code == 429 and response.json()["code"] == 1302
    assert api.stats()["tasks"] == 0


def test_dropped_create_is_a_transport_error_but_the_task_exists(simulator_factory, api_for):
    api = api_for(simulator_factory(fault_drop=1.0))
    with pytest.raises(httpx.TransportError):
        api.create(external_task_id="kts-dropped")
    api.debug_config(fault_drop=0.0)
    assert api.stats()["created"] == {"kts-dropped": 1}
    assert api.get("kts-dropped").json()["data"]["task_info"]["external_task_id"] == "kts-dropped"


def test_dropped_query_is_a_transport_error_not_a_status(simulator_factory, api_for):
    api = api_for(simulator_factory(fault_drop=1.0))
    with pytest.raises(httpx.RemoteProtocolError):
        api.list()


def test_slow_fault_answers_only_after_slow_seconds(simulator_factory, api_for):
    api = api_for(simulator_factory(fault_slow=1.0, slow_seconds=1.5))
    with pytest.raises(httpx.ReadTimeout):
        api.http.get("/v1/videos/image2video", headers=api.headers(), timeout=0.3)
    assert api.list().status_code == 200  # the default 30 s timeout waits it out


def test_debug_endpoints_are_never_faulted(simulator_factory, api_for):
    api = api_for(
        simulator_factory(fault_5xx=0.25, fault_1302=0.25, fault_drop=0.25, fault_slow=0.25)
    )
    for _ in range(10):
        assert api.http.get("/debug/stats").status_code == 200


def test_same_seed_draws_the_same_faults(simulator_factory, api_for):
    def statuses(server) -> list[int]:
        api = api_for(server)
        return [api.list().status_code for _ in range(16)]

    rates = {"fault_5xx": 0.3, "fault_1302": 0.3, "seed": 42}
    first, second = statuses(simulator_factory(**rates)), statuses(simulator_factory(**rates))
    assert first == second and len(set(first)) > 1


def test_faults_are_counted_by_kind(simulator_factory, api_for):
    api = api_for(simulator_factory(fault_1302=1.0))
    api.list()
    api.list()
    assert api.stats()["faults"] == {"1302": 2}


def test_a_busy_account_refuses_a_share_of_creates_with_1303_whatever_they_carry(
    simulator_factory, sim_token, slide_b64
):
    import httpx

    sim = simulator_factory(fault_1303=1.0)
    token = sim_token(sim.config.access_key, sim.config.secret_key)
    body = {"model_name": "kling-v2-6", "image": slide_b64(640, 360), "mode": "pro"}
    answer = httpx.post(
        f"{sim.base_url}/v1/videos/image2video",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert answer.status_code == 429 and answer.json()["code"] == 1303
    assert httpx.get(f"{sim.base_url}/debug/stats", timeout=10).json()["created"] == {}
