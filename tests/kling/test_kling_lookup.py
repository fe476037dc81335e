"""The client's create/lookup rules, unit-tested with httpx.MockTransport: every answer the docs
allow for an unknown id, and the rule that a create is sent again only when both lookup forms
say there is no such task."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

import httpx
import pytest

from kling_ui.kling import errors
from kling_ui.kling.client import KlingClient, RequestAborted, RetryPolicy, abort_on
from kling_ui.kling.models import CreateTaskRequest, TaskStatus

BASE = "https://kling.test"
EXT = "kts-0123456789abcdef"
ONE_TRY = RetryPolicy(attempts=1, initial_wait=0.0, max_wait=0.0)
FEW_TRIES = RetryPolicy(attempts=4, initial_wait=0.001, max_wait=0.001)


def ok(data) -> httpx.Response:
    return httpx.Response(
        200, json={"code": 0, "message": "SUCCEED", "request_id": "r", "data": data}
    )


def refusal(status: int, code: int, message: str) -> httpx.Response:
    return httpx.Response(status, json={"code": code, "message": message, "request_id": "r"})


def task(task_id="901", status="submitted", ext=EXT, **extra) -> dict:
    return {
        "task_id": task_id,
        "task_status": status,
        "task_info": {"external_task_id": ext},
    } | extra


class FakeKling:
    """A scripted Kling: each route answers from a function; every request is recorded."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.create: Callable[[httpx.Request], httpx.Response] = lambda r: ok(task())
        self.by_path: Callable[[str], httpx.Response] = lambda i: refusal(404, 1203, "not found")
        self.by_query: Callable[[str], httpx.Response] = lambda i: ok([])
        self.listing: Callable[[int, int], httpx.Response] = lambda n, s: ok([])

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if request.method == "POST":
            return self.create(request)
        if path.startswith("/v1/videos/image2video/"):
            return self.by_path(path.rsplit("/", 1)[1])
        params = request.url.params
        if "external_task_id" in params:
            return self.by_query(params["external_task_id"])
        return self.listing(int(params["pageNum"]), int(params["pageSize"]))

    def count(self, method: str) -> int:
        return sum(1 for r in self.requests if r.method == method)


def client_for(kling: FakeKling, retry: RetryPolicy = ONE_TRY, **kwargs) -> KlingClient:
    return KlingClient(
        BASE,
        "ak",
        "sk",
        retry=retry,
        transport=httpx.MockTransport(kling),
        sleep=lambda s: None,
        **kwargs,
    )


def request() -> CreateTaskRequest:
    return CreateTaskRequest(model_name="kling-v2-6", image="aGk=", external_task_id=EXT)


@pytest.mark.parametrize(
    "absent",
    [
        refusal(404, 1203, "task not found"),
        refusal(400, 1201, "task_id is invalid"),
        ok(None),
        ok([]),
    ],
    ids=["404", "400-1201", "data-null", "empty-list"],
)
def test_an_unknown_id_in_the_path_form_sends_the_question_to_the_query_form(absent):
    kling = FakeKling()
    kling.by_path = lambda i: absent
    kling.by_query = lambda i: ok([task(task_id="77")])
    found = client_for(kling).find_by_external_id(EXT)
    assert found is not None and found.task_id == "77"


@pytest.mark.parametrize(
    "absent",
    [refusal(404, 1203, "nope"), refusal(400, 1201, "bad"), ok(None), ok([])],
    ids=["404", "400-1201", "data-null", "empty-list"],
)
def test_none_only_when_both_forms_say_there_is_no_such_task(absent):
    kling = FakeKling()
    kling.by_path = lambda i: refusal(400, 1201, "invalid id")
    kling.by_query = lambda i: absent
    assert client_for(kling).find_by_external_id(EXT) is None


@pytest.mark.parametrize(
    "unclear",
    [
        httpx.Response(502, text="bad gateway"),
        refusal(500, 5000, "server error"),
        httpx.Response(200, text="<html>maintenance</html>"),
        refusal(429, 1302, "too fast"),
    ],
    ids=["502", "5000", "unreadable", "1302"],
)
def test_an_unclear_lookup_raises_instead_of_saying_none(unclear):
    kling = FakeKling()
    kling.by_path = lambda i: refusal(404, 1203, "not found")
    kling.by_query = lambda i: unclear
    with pytest.raises(errors.LookupUnclear) as caught:
        client_for(kling).find_by_external_id(EXT)
    assert caught.value.retryable


def test_a_lookup_whose_connection_drops_is_unclear():
    kling = FakeKling()

    def drop(_):
        raise httpx.ReadError("connection reset")

    kling.by_path = drop
    kling.by_query = lambda i: ok([])
    with pytest.raises(errors.LookupUnclear):
        client_for(kling).find_by_external_id(EXT)


def test_a_query_form_that_ignores_its_filter_is_settled_by_the_whole_list():
    kling = FakeKling()
    kling.by_path = lambda i: ok(None)
    kling.by_query = lambda i: ok([task(task_id="1", ext="someone-else")])
    pages = {1: [task(task_id=str(n), ext=f"other-{n}") for n in range(500)], 2: [task("42")]}
    kling.listing = lambda n, s: ok(pages.get(n, []))
    found = client_for(kling).find_by_external_id(EXT)
    assert found is not None and found.task_id == "42"


def test_a_create_whose_answer_is_lost_is_found_instead_of_sent_again():
    kling = FakeKling()
    created: list[str] = []

    def create(request: httpx.Request) -> httpx.Response:
        created.append(json.loads(request.content)["external_task_id"])
        raise httpx.ReadTimeout("no answer")

    kling.create = create
    kling.by_path = lambda i: ok(task(task_id="555")) if created else refusal(404, 1203, "no")
    found = client_for(kling, retry=FEW_TRIES).create(request())
    assert found.task_id == "555"
    assert created == [EXT]


def test_a_create_is_sent_again_only_after_both_forms_say_none():
    kling = FakeKling()
    answers = iter([httpx.ReadTimeout("lost"), None])

    def create(_: httpx.Request) -> httpx.Response:
        outcome = next(answers)
        if outcome is not None:
            raise outcome
        return ok(task(task_id="9"))

    kling.create = create
    got = client_for(kling, retry=FEW_TRIES).create(request())
    assert got.task_id == "9"
    methods = [(r.method, "external_task_id" in r.url.params) for r in kling.requests]
    # create, path lookup, query lookup, create again
    assert methods == [("POST", False), ("GET", False), ("GET", True), ("POST", False)]


def test_an_unclear_lookup_after_a_lost_create_never_creates_again():
    kling = FakeKling()

    def lost(_):
        raise httpx.ReadTimeout("lost")

    kling.create = lost
    kling.by_path = lambda i: httpx.Response(503, text="unavailable")
    kling.by_query = lambda i: httpx.Response(503, text="unavailable")
    with pytest.raises(errors.LookupUnclear):
        client_for(kling, retry=FEW_TRIES).create(request())
    assert kling.count("POST") == 1


@pytest.mark.parametrize(
    "wording",
    ["external_task_id already exists", "duplicate request: task already exists", "参数错误"],
)
def test_a_refused_create_whose_task_exists_is_answered_by_that_task(wording):
    kling = FakeKling()
    kling.create = lambda r: refusal(400, 1201, wording)
    kling.by_path = lambda i: ok(task(task_id="31", status="processing"))
    got = client_for(kling).create(request())
    assert got.task_id == "31" and got.task_status is TaskStatus.PROCESSING


def test_a_genuine_parameter_refusal_is_raised_after_the_lookup_finds_nothing():
    kling = FakeKling()
    kling.create = lambda r: refusal(400, 1201, "prompt is too long")
    with pytest.raises(errors.InvalidRequest) as caught:
        client_for(kling).create(request())
    assert caught.value.server_message == "prompt is too long"
    assert kling.count("POST") == 1


def test_every_request_carries_json_content_type_and_bearer():
    kling = FakeKling()
    kling.by_query = lambda i: ok([task()])
    client_for(kling).find_by_external_id(EXT)
    client_for(kling).list(1, 5)
    assert kling.requests
    for sent in kling.requests:
        assert sent.headers["content-type"] == "application/json"
        assert sent.headers["authorization"].startswith("Bearer ")


def test_a_single_api_key_is_sent_as_the_bearer_value():
    kling = FakeKling()
    client = KlingClient(BASE, api_key="my-api-key", transport=httpx.MockTransport(kling))
    client.list(1, 1)
    assert kling.requests[0].headers["authorization"] == "Bearer my-api-key"


def test_a_client_needs_an_api_key_or_a_whole_key_pair():
    with pytest.raises(ValueError):
        KlingClient(BASE, "access-only")


def test_one_unreadable_task_never_hides_the_others_in_a_list():
    kling = FakeKling()
    kling.listing = lambda n, s: ok([task("1"), {"task_status": "succeed"}, "junk", task("3")])
    client = client_for(kling)
    assert [t.task_id for t in client.list(1, 30)] == ["1", "3"]
    assert client.unreadable_items == 2


def test_verify_is_one_cheap_authenticated_read():
    kling = FakeKling()
    client_for(kling).verify()
    (sent,) = kling.requests
    assert sent.url.params["pageSize"] == "1"


def test_verify_raises_auth_error_for_refused_keys():
    kling = FakeKling()
    kling.listing = lambda n, s: refusal(401, 1002, "authorization is invalid")
    with pytest.raises(errors.AuthError):
        client_for(kling).verify()


def test_an_abort_cuts_a_wait_between_tries_short():
    kling = FakeKling()
    kling.listing = lambda n, s: refusal(500, 5000, "down")
    client = KlingClient(
        BASE,
        "ak",
        "sk",
        transport=httpx.MockTransport(kling),
        retry=RetryPolicy(attempts=5, initial_wait=30.0, max_wait=30.0),
    )
    stop = threading.Event()
    threading.Timer(0.05, stop.set).start()
    with abort_on(stop), pytest.raises(RequestAborted):
        client.list(1, 1)
    assert len(kling.requests) == 1


def test_an_aborted_caller_sends_nothing():
    kling = FakeKling()
    stop = threading.Event()
    stop.set()
    with abort_on(stop), pytest.raises(RequestAborted):
        client_for(kling).list(1, 1)
    assert kling.requests == []
