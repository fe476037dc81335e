"""JWT signing for Kling: HS256 with iss = access key, exp = now + 1800, nbf = now - 5.

One token serves many requests and is re-signed once less than five minutes remain, so
long polls never send a token that expires in flight.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import jwt
from pydantic import SecretStr

from kling_ui.logs import register_secret

TOKEN_TTL = 1800
NOT_BEFORE_SKEW = 5
REFRESH_MARGIN = 300


class TokenSigner:
    """Makes and caches the bearer token for one key pair; safe to share between threads."""

    def __init__(
        self,
        access_key: SecretStr | str,
        secret_key: SecretStr | str,
        *,
        ttl: int = TOKEN_TTL,
        refresh_margin: int = REFRESH_MARGIN,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._access = _secret(access_key)
        self._secret = _secret(secret_key)
        self._ttl = ttl
        self._margin = refresh_margin
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0
        self.signed_count = 0
        register_secret(self._access.get_secret_value())
        register_secret(self._secret.get_secret_value())

    def token(self) -> str:
        """A valid token: the cached one while more than the margin remains, else a new one."""
        with self._lock:
            now = self._clock()
            if self._token is None or self._expires_at - now < self._margin:
                self._token = self._sign(now)
            return self._token

    def invalidate(self) -> None:
        """Forget the cached token so the next call signs a fresh one (after 1003/1004)."""
        with self._lock:
            self._token = None

    def _sign(self, now: float) -> str:
        issued = int(now)
        self._expires_at = issued + self._ttl
        self.signed_count += 1
        token = jwt.encode(
            {
                "iss": self._access.get_secret_value(),
                "exp": issued + self._ttl,
                "nbf": issued - NOT_BEFORE_SKEW,
            },
            self._secret.get_secret_value(),
            algorithm="HS256",
            headers={"alg": "HS256", "typ": "JWT"},
        )
        register_secret(token)
        return token

    def __repr__(self) -> str:
        return "TokenSigner(access_key=**********, secret_key=**********)"


def _secret(value: SecretStr | str) -> SecretStr:
    return value if isinstance(value, SecretStr) else SecretStr(value)


class ApiKeyAuth:
    """The bearer value for Kling's single API key (no JWT): the key itself, sent as is.

    Has the same face as TokenSigner so the client need not care which kind it holds.
    """

    def __init__(self, api_key: SecretStr | str) -> None:
        self._key = _secret(api_key)
        self.signed_count = 0
        register_secret(self._key.get_secret_value())

    def token(self) -> str:
        """The API key."""
        return self._key.get_secret_value()

    def invalidate(self) -> None:
        """Nothing to re-sign: an API key does not expire by the clock."""

    def __repr__(self) -> str:
        return "ApiKeyAuth(api_key=**********)"


BearerAuth = TokenSigner | ApiKeyAuth
