"""The single API key: `Authorization: Bearer <API key>` works beside the JWT, a wrong value
is Kling's 401, and the key is never shown."""

from __future__ import annotations

from kling_ui.simulator import SimulatorConfig
from kling_ui.simulator.config import DEFAULT_API_KEY

IMAGE2VIDEO = "/v1/videos/image2video"


def _bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def test_api_key_bearer_is_accepted(api):
    response = api.http.get(IMAGE2VIDEO, headers=_bearer(DEFAULT_API_KEY))
    assert response.status_code == 200 and response.json()["code"] == 0


def test_api_key_bearer_can_create(api):
    response = api.http.post(IMAGE2VIDEO, json=api.body(), headers=_bearer(DEFAULT_API_KEY))
    assert response.status_code == 200 and response.json()["data"]["task_status"] == "submitted"


def test_wrong_bearer_value_is_refused_401_1002(api):
    response = api.http.get(IMAGE2VIDEO, headers=_bearer(DEFAULT_API_KEY + "x"))
    body = response.json()
    assert response.status_code == 401 and body["code"] == 1002
    assert body["message"] == "Authorization is invalid"


def test_jwt_is_still_accepted_beside_the_api_key(api):
    assert api.list().status_code == 200


def test_changed_api_key_refuses_the_old_one(api):
    api.debug_config(api_key="fresh-key")
    assert api.http.get(IMAGE2VIDEO, headers=_bearer(DEFAULT_API_KEY)).status_code == 401
    assert api.http.get(IMAGE2VIDEO, headers=_bearer("fresh-key")).status_code == 200


def test_api_key_is_hidden_in_repr_and_debug_config(api):
    config = SimulatorConfig(api_key="very-secret-api-key")
    assert "very-secret-api-key" not in repr(config) and "api_key" not in repr(config)
    assert "api_key" not in api.http.get("/debug/config").json()["config"]


def test_empty_api_key_is_refused_as_config(api):
    response = api.debug_config(api_key="")
    assert response.status_code == 400 and "api_key" in response.json()["error"]
