"""The error tree: each HTTP status + Kling code becomes the right error with a remedy."""

import pytest

from kling_ui.kling import errors as e


@pytest.mark.parametrize(
    ("status", "code", "kind", "retryable"),
    [
        (401, 1000, e.AuthError, False),
        (401, 1001, e.AuthError, False),
        (401, 1002, e.AuthError, False),
        (401, 1003, e.TokenTimingError, True),
        (401, 1004, e.TokenTimingError, True),
        (429, 1100, e.QuotaError, False),
        (429, 1101, e.QuotaError, False),
        (429, 1102, e.QuotaError, False),
        (403, 1103, e.PermissionDenied, False),
        (400, 1200, e.InvalidRequest, False),
        (400, 1201, e.InvalidRequest, False),
        (404, 1202, e.NotFound, False),
        (404, 1203, e.NotFound, False),
        (400, 1300, e.PolicyRejected, False),
        (400, 1301, e.PolicyRejected, False),
        (429, 1302, e.RateLimited, True),
        (429, 1303, e.ConcurrencyLimited, True),
        (429, 1304, e.IPNotAllowed, False),
        (500, 5000, e.ServerError, True),
        (503, 5001, e.ServerError, True),
        (504, 5002, e.ServerError, True),
    ],
)
def test_kling_table_maps_each_code(status, code, kind, retryable):
    error = e.error_from_response(status, code, "server says", request_id="req-1")
    assert type(error) is kind
    assert error.retryable is retryable
    assert error.kling_code == code and error.http_status == status
    assert error.request_id == "req-1"
    assert "server says" in error.text("en")


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (401, 1001, e.AuthError),
        (400, 1002, e.InvalidRequest),
        (402, 1003, e.QuotaError),
        (400, 2001, e.ImageRejected),
        (400, 2002, e.ImageRejected),
    ],
)
def test_seed_document_codes_are_mapped_by_status(status, code, kind):
    assert type(e.error_from_response(status, code, "")) is kind


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (502, e.ServerError),
        (401, e.AuthError),
        (404, e.NotFound),
        (429, e.RateLimited),
        (418, e.InvalidRequest),
    ],
)
def test_unknown_codes_fall_back_on_the_http_status(status, kind):
    assert type(e.error_from_response(status, 9999, "")) is kind


def test_every_error_has_a_remedy_in_both_languages():
    error = e.error_from_response(429, 1102, "resource pack exhausted")
    assert "Kling console" in error.text("en")
    assert "控制台" in error.text("zh-CN")


def test_as_dict_carries_code_message_and_request_id():
    error = e.error_from_response(400, 1201, "prompt too long", request_id="r9")
    assert error.as_dict() == {
        "code": 1201,
        "message": "prompt too long",
        "http_status": 400,
        "request_id": "r9",
        "retryable": False,
    }
