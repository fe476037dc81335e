"""Kling accounts as the engine sees them: credentials held only in memory, and a count of
every HTTP request sent on their behalf."""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import SecretStr

from kling_ui.jobs.scheduler import FairQueue
from kling_ui.jobs.slots import SlotPool
from kling_ui.kling.client import IMAGE2VIDEO, KlingClient, tls_context


@dataclass(frozen=True)
class Credentials:
    """One Kling credential and its endpoint: an access/secret key pair, or a single API key.
    Never stored, never logged: only `account`, a keyed hash of the whole credential, is
    written anywhere.

    `account_id` fixes the account name instead of the hash: the demo simulator gets fresh
    random keys on every start but is still the same (simulated) account.
    """

    access_key: SecretStr | None
    secret_key: SecretStr | None
    base_url: str
    account_id: str | None = None
    api_key: SecretStr | None = None

    def __post_init__(self) -> None:
        if self.api_key is None and (self.access_key is None or self.secret_key is None):
            raise ValueError("credentials need an API key or both an access and a secret key")

    @classmethod
    def of(
        cls, access_key: str, secret_key: str, base_url: str, account_id: str | None = None
    ) -> Credentials:
        """Credentials from a plain key pair (wrapped as SecretStr at once)."""
        return cls(SecretStr(access_key), SecretStr(secret_key), base_url.rstrip("/"), account_id)

    @classmethod
    def of_api_key(cls, api_key: str, base_url: str, account_id: str | None = None) -> Credentials:
        """Credentials from a plain single API key (wrapped as SecretStr at once)."""
        return cls(None, None, base_url.rstrip("/"), account_id, SecretStr(api_key))

    @property
    def kind(self) -> str:
        """ "api_key" or "key_pair": which kind of credential this is."""
        return "api_key" if self.api_key is not None else "key_pair"

    @property
    def account(self) -> str:
        """A short keyed hash of base URL + the whole credential, the same on every run.

        HMAC-SHA256 keyed by the secret part (the secret key, or the API key) over the base
        URL and the public part: two different secrets never share a name, and the name
        cannot be turned back into either key.
        """
        if self.account_id:
            return self.account_id
        base = self.base_url.rstrip("/")
        if self.api_key is not None:
            key, public = self.api_key.get_secret_value(), "api-key"
        else:
            assert self.access_key is not None and self.secret_key is not None
            key, public = self.secret_key.get_secret_value(), self.access_key.get_secret_value()
        digest = hmac.new(key.encode(), f"{base}\n{public}".encode(), hashlib.sha256)
        return f"acct-{digest.hexdigest()[:20]}"

    @property
    def legacy_account(self) -> str | None:
        """The name older versions gave a key pair (base URL + access key only), so jobs
        stored by them can be resumed with the operator's own keys; never used for lookups
        of keys a browser typed."""
        if self.account_id or self.access_key is None:
            return None
        digest = hashlib.sha256(
            f"{self.base_url.rstrip('/')}\n{self.access_key.get_secret_value()}".encode()
        ).hexdigest()
        return f"acct-{digest[:16]}"

    def client(self, **kwargs: Any) -> KlingClient:
        """A KlingClient speaking with these credentials (`kwargs` go to KlingClient)."""
        return KlingClient(
            self.base_url, self.access_key, self.secret_key, api_key=self.api_key, **kwargs
        )

    def __repr__(self) -> str:
        return f"Credentials(account={self.account!r}, base_url={self.base_url!r})"

    __str__ = __repr__


@dataclass
class Account:
    """One account at work in the engine: its keys (memory only), client, slots and line.

    `answered_at` is the monotonic time Kling last answered any request of this account
    (jobs parked while it was unreachable wait for that); `list_size` is the page size the
    poller asks for, grown when the account holds more tasks than a page shows.
    """

    credentials: Credentials
    client: KlingClient
    pool: SlotPool
    queue: FairQueue
    answered_at: float = 0.0
    list_size: int = 30
    blocked_until: float = 0.0  # monotonic: every slot was held by other processes


class CountingTransport(httpx.BaseTransport):
    """An httpx transport that counts requests by kind (create, query, list, find, download)
    before handing them to the real transport, and reports each HTTP answer (`on_answer`)."""

    def __init__(
        self,
        counts: Counter[str],
        lock: threading.Lock,
        on_answer: Callable[[], None] | None = None,
    ) -> None:
        self._inner = httpx.HTTPTransport(verify=tls_context())  # not a CA bundle read each
        self._counts = counts
        self._lock = lock
        self.on_answer = on_answer

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Count the request, then send it."""
        kind = request_kind(request.method, request.url.path, set(request.url.params.keys()))
        with self._lock:
            self._counts[kind] += 1
        response = self._inner.handle_request(request)
        if self.on_answer is not None and response.status_code < 500:
            self.on_answer()
        return response

    def close(self) -> None:
        """Close the real transport."""
        self._inner.close()


def request_kind(method: str, path: str, params: set[str]) -> str:
    """Name the kind of a Kling request from its method, path and query parameters."""
    path = path.rstrip("/")
    if path == IMAGE2VIDEO:
        if method == "POST":
            return "create"
        return "find" if "external_task_id" in params else "list"
    if path.startswith(IMAGE2VIDEO + "/"):
        return "query"
    return "download"
