"""The unreachable phase: every Kling API request loses its connection without an answer
until the phase ends; debug routes and video files stay reachable."""

from __future__ import annotations

import time

import httpx
import pytest


def _unreachable(api, **body):
    return api.http.post("/debug/unreachable", json=body)


def test_unreachable_phase_drops_api_requests(api):
    assert _unreachable(api, seconds=30).json()["unreachable"] is True
    with pytest.raises(httpx.TransportError):
        api.list()
    with pytest.raises(httpx.TransportError):
        api.get("anything")


def test_create_during_the_unreachable_phase_creates_nothing(api):
    _unreachable(api, seconds=30)
    with pytest.raises(httpx.TransportError):
        api.create(external_task_id="kts-unreachable")
    assert api.stats()["tasks"] == 0 and api.stats()["create_attempts"] == 0


def test_unreachable_phase_ends_after_its_seconds(api):
    started = time.monotonic()
    assert _unreachable(api, seconds=1.0).json()["seconds_left"] <= 1.0
    while True:  # refused until the phase ends, however late this loop gets to ask
        try:
            assert api.list().status_code == 200
            break
        except httpx.TransportError:
            assert time.monotonic() - started < 60, "the phase never ended"
            time.sleep(0.05)
    assert time.monotonic() - started >= 1.0
    assert api.http.get("/debug/unreachable").json() == {"unreachable": False, "seconds_left": None}


def test_unreachable_phase_can_be_turned_on_and_off(api):
    assert _unreachable(api, on=True).json() == {"unreachable": True, "seconds_left": None}
    with pytest.raises(httpx.TransportError):
        api.list()
    assert _unreachable(api, on=False).json()["unreachable"] is False
    assert api.list().status_code == 200


def test_debug_routes_stay_reachable(api):
    _unreachable(api, on=True)
    assert api.http.get("/debug/stats").status_code == 200
    assert api.http.get("/debug/config").status_code == 200


def test_unknown_api_routes_are_dropped_too(api):
    _unreachable(api, on=True)
    with pytest.raises(httpx.TransportError):
        api.http.get("/v1/videos/text2audio")


def test_requests_dropped_as_unreachable_are_counted(api):
    _unreachable(api, on=True)
    for _ in range(3):
        with pytest.raises(httpx.TransportError):
            api.list()
    stats = api.stats()
    assert stats["unreachable_dropped"] == 3 and stats["requests"] == 0


def test_reset_ends_the_unreachable_phase(api):
    _unreachable(api, on=True)
    api.http.post("/debug/reset")
    assert api.list().status_code == 200


@pytest.mark.parametrize("body", [{}, {"seconds": 0}, {"seconds": "5"}, {"on": "yes"}, []])
def test_unreachable_needs_seconds_or_on(api, body):
    assert api.http.post("/debug/unreachable", json=body).status_code == 400
