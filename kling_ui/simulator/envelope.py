"""Kling's answer envelope `{code, message, request_id, data}` and the error that carries one."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.responses import JSONResponse

# Kling's wording for 1303 (the account's concurrency is used up).
OVER_LIMIT_MESSAGE = "parallel task over resource pack limit"

SUCCESS_MESSAGE = "SUCCEED"


class ApiError(Exception):
    """A refusal answered the way Kling answers it: an HTTP status, a business code, a message."""

    def __init__(self, http_status: int, code: int, message: str) -> None:
        super().__init__(f"{http_status}/{code} {message}")
        self.http_status = http_status
        self.code = code
        self.message = message


def new_request_id() -> str:
    """A fresh request id, as Kling puts on every answer."""
    return str(uuid.uuid4())


def envelope(code: int, message: str, data: Any = None) -> dict[str, Any]:
    """The JSON body of any API answer."""
    return {"code": code, "message": message, "request_id": new_request_id(), "data": data}


def failure(error: ApiError) -> JSONResponse:
    """The error's HTTP status with its code and message and no data."""
    return JSONResponse(envelope(error.code, error.message), status_code=error.http_status)


def bad_request(message: str) -> ApiError:
    """400 / 1201: an invalid parameter, the message naming it."""
    return ApiError(400, 1201, message)
