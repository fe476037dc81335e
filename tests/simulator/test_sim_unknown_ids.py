"""The answer to an unknown task id, selectable: 404/1203, 400/1201 or 200 with data null;
known ids work in both lookup forms in every mode."""

from __future__ import annotations

import pytest

ANSWERS = {"404": (404, 1203), "400": (400, 1201), "null": (200, 0)}


@pytest.mark.parametrize("choice", sorted(ANSWERS))
def test_unknown_id_in_the_path_answers_as_configured(simulator_factory, api_for, choice):
    api = api_for(simulator_factory(unknown_id_answer=choice))
    response = api.get("no-such-task")
    status, code = ANSWERS[choice]
    assert response.status_code == status and response.json()["code"] == code
    assert response.json()["data"] is None


@pytest.mark.parametrize("realworld", [False, True])
def test_unknown_id_answer_can_be_changed_at_runtime(simulator_factory, api_for, realworld):
    api = api_for(simulator_factory(realworld=realworld))
    api.debug_config(unknown_id_answer="null")
    assert api.get("nope").json() | {"request_id": ""} == {
        "code": 0,
        "message": "SUCCEED",
        "request_id": "",
        "data": None,
    }


def test_realworld_answers_an_unknown_id_with_400_1201(simulator_factory, api_for):
    api = api_for(simulator_factory(realworld=True))
    response = api.get("no-such-task")
    body = response.json()
    assert response.status_code == 400 and body["code"] == 1201
    assert body["message"] == "the task does not exist"


def test_plain_mode_answers_an_unknown_id_with_404_1203(api):
    response = api.get("no-such-task")
    assert response.status_code == 404 and response.json()["code"] == 1203


@pytest.mark.parametrize("choice", ["404", "400", "null"])
def test_realworld_query_form_answers_an_empty_list_or_null(simulator_factory, api_for, choice):
    api = api_for(simulator_factory(realworld=True, unknown_id_answer=choice))
    response = api.list(external_task_id="kts-unknown")
    assert response.status_code == 200 and response.json()["code"] == 0
    assert response.json()["data"] == (None if choice == "null" else [])


@pytest.mark.parametrize("choice", ["404", "400", "null"])
def test_plain_query_form_for_an_unknown_id_follows_the_choice(simulator_factory, api_for, choice):
    api = api_for(simulator_factory(unknown_id_answer=choice))
    response = api.list(external_task_id="kts-unknown")
    status, code = ANSWERS[choice]
    assert response.status_code == status and response.json()["code"] == code


@pytest.mark.parametrize("choice", ["404", "400", "null"])
def test_known_ids_work_in_both_forms_whatever_the_choice(simulator_factory, api_for, choice):
    api = api_for(simulator_factory(unknown_id_answer=choice, fail_rate=1.0))
    task_id = api.create_ok(external_task_id="kts-known")["task_id"]
    assert api.get(task_id).json()["data"]["task_id"] == task_id
    assert api.get("kts-known").json()["data"]["task_id"] == task_id
    assert api.list(external_task_id="kts-known").json()["data"]["task_id"] == task_id


def test_unknown_id_answer_rejects_other_values(api):
    response = api.debug_config(unknown_id_answer="500")
    assert response.status_code == 400 and "unknown_id_answer" in response.json()["error"]
