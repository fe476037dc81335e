"""The simulator checks Kling's bearer JWT and answers each failure with Kling's code."""

from __future__ import annotations

import logging
import time

import jwt
import pytest

IMAGE2VIDEO = "/v1/videos/image2video"


def _list_with(api, authorization: str | None):
    headers = {} if authorization is None else {"Authorization": authorization}
    return api.http.get(IMAGE2VIDEO, headers=headers)


def _assert_refused(response, code: int) -> None:
    body = response.json()
    assert response.status_code == 401
    assert body["code"] == code and body["message"] and body["request_id"]
    assert body["data"] is None


def test_missing_authorization_header_is_1001(api):
    _assert_refused(_list_with(api, None), 1001)


def test_bearer_without_a_token_is_1001(api):
    _assert_refused(_list_with(api, "Bearer"), 1001)


def test_garbage_token_is_1002(api):
    _assert_refused(_list_with(api, "Bearer not.a.jwt"), 1002)


def test_other_scheme_is_1002(api, sim_token, simulator):
    token = sim_token(simulator.config.access_key, simulator.config.secret_key)
    _assert_refused(_list_with(api, f"Basic {token}"), 1002)


def test_token_signed_with_another_secret_is_1002(api, sim_token, simulator):
    token = sim_token(simulator.config.access_key, "another-secret")
    _assert_refused(_list_with(api, f"Bearer {token}"), 1002)


def test_token_from_an_unknown_access_key_is_1002(api, sim_token, simulator):
    token = sim_token("someone-else", simulator.config.secret_key)
    _assert_refused(_list_with(api, f"Bearer {token}"), 1002)


def test_token_without_exp_is_1002(api, simulator):
    token = jwt.encode(
        {"iss": simulator.config.access_key, "nbf": int(time.time()) - 5},
        simulator.config.secret_key,
        algorithm="HS256",
    )
    _assert_refused(_list_with(api, f"Bearer {token}"), 1002)


def test_token_not_yet_valid_is_1003(api, sim_token, simulator):
    token = sim_token(simulator.config.access_key, simulator.config.secret_key, nbf_offset=600)
    _assert_refused(_list_with(api, f"Bearer {token}"), 1003)


def test_expired_token_is_1004(api, sim_token, simulator):
    token = sim_token(
        simulator.config.access_key, simulator.config.secret_key, exp_offset=-60, nbf_offset=-600
    )
    _assert_refused(_list_with(api, f"Bearer {token}"), 1004)


def test_valid_token_is_accepted(api, sim_token, simulator):
    token = sim_token(simulator.config.access_key, simulator.config.secret_key)
    response = _list_with(api, f"Bearer {token}")
    assert response.status_code == 200 and response.json()["code"] == 0


@pytest.mark.parametrize("path", ["/v1/videos/image2video/anything", IMAGE2VIDEO])
def test_every_api_route_needs_the_token(api, path):
    _assert_refused(api.http.get(path), 1001)
    _assert_refused(api.http.post(IMAGE2VIDEO, json=api.body()), 1001)


def test_a_refused_create_creates_nothing(api):
    api.http.post(IMAGE2VIDEO, json=api.body(), headers={"Authorization": "Bearer x.y.z"})
    assert api.stats()["tasks"] == 0


def test_tokens_never_reach_the_logs(api, simulator, sim_token, caplog):
    caplog.set_level(logging.DEBUG)
    good = sim_token(simulator.config.access_key, simulator.config.secret_key)
    bad = sim_token(simulator.config.access_key, "wrong-secret")
    for token in (good, bad):
        api.http.get(IMAGE2VIDEO, headers={"Authorization": f"Bearer {token}"})
        api.http.post(IMAGE2VIDEO, json=api.body(), headers={"Authorization": f"Bearer {token}"})
    for secret in (good, bad, simulator.config.secret_key):
        assert secret not in caplog.text
