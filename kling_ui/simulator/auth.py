"""Kling's bearer check (an HS256 JWT with iss = access key, or the account's API key as it
is), and a JWT signer for tests."""

from __future__ import annotations

import hmac
import time

import jwt

from kling_ui.simulator.envelope import ApiError

_MESSAGES = {
    1001: "Authorization is empty",
    1002: "Authorization is invalid",
    1003: "Authorization is not yet valid",
    1004: "Authorization has expired",
}


def _refusal(code: int) -> ApiError:
    return ApiError(401, code, _MESSAGES[code])


def check_authorization(
    header: str | None, access_key: str, secret_key: str, api_key: str | None = None
) -> None:
    """Accept `Bearer <API key>` or a valid `Bearer <JWT>` for this key pair, or raise the
    ApiError Kling would send.

    Missing header or empty token: 1001. Bad signature, another issuer, a missing claim, a
    wrong API key or anything unreadable: 1002. `nbf` in the future: 1003. `exp` in the
    past: 1004.
    """
    if not header or not header.strip():
        raise _refusal(1001)
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer":
        raise _refusal(1002)
    if not token:
        raise _refusal(1001)
    if api_key and hmac.compare_digest(token.encode(), api_key.encode()):
        return
    try:
        jwt.decode(
            token,
            secret_key,
            algorithms=["HS256"],
            issuer=access_key,
            options={"require": ["iss", "exp"]},
        )
    except jwt.ImmatureSignatureError:
        raise _refusal(1003) from None
    except jwt.ExpiredSignatureError:
        raise _refusal(1004) from None
    except jwt.PyJWTError:
        raise _refusal(1002) from None


def sign_token(
    access_key: str,
    secret_key: str,
    exp_offset: float = 1800,
    nbf_offset: float = -5,
) -> str:
    """A Kling-style JWT: iss = access key, exp = now + exp_offset, nbf = now + nbf_offset."""
    now = int(time.time())
    return jwt.encode(
        {"iss": access_key, "exp": now + int(exp_offset), "nbf": now + int(nbf_offset)},
        secret_key,
        algorithm="HS256",
        headers={"alg": "HS256", "typ": "JWT"},
    )
