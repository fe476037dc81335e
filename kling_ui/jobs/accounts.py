"""Kling accounts as the engine sees them: credentials held only in memory, and a count of
every HTTP request sent on their behalf."""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from dataclasses import dataclass

import httpx
from pydantic import SecretStr

from kling_ui.jobs.scheduler import FairQueue
from kling_ui.jobs.slots import SlotPool
from kling_ui.kling.client import IMAGE2VIDEO, KlingClient


@dataclass(frozen=True)
class Credentials:
    """One Kling key pair and its endpoint. Never stored, never logged: only `account`,
    a short non-reversible fingerprint, is written anywhere.

    `account_id` fixes the account name instead of the fingerprint: the demo simulator gets
    fresh random keys on every start but is still the same (simulated) account.
    """

    access_key: SecretStr
    secret_key: SecretStr
    base_url: str
    account_id: str | None = None

    @classmethod
    def of(
        cls, access_key: str, secret_key: str, base_url: str, account_id: str | None = None
    ) -> Credentials:
        """Credentials from plain strings (wrapped as SecretStr at once)."""
        return cls(SecretStr(access_key), SecretStr(secret_key), base_url.rstrip("/"), account_id)

    @property
    def account(self) -> str:
        """A short fingerprint of base URL + access key, the same on every run."""
        if self.account_id:
            return self.account_id
        digest = hashlib.sha256(
            f"{self.base_url.rstrip('/')}\n{self.access_key.get_secret_value()}".encode()
        ).hexdigest()
        return f"acct-{digest[:16]}"

    def __repr__(self) -> str:
        return f"Credentials(account={self.account!r}, base_url={self.base_url!r})"

    __str__ = __repr__


@dataclass
class Account:
    """One account at work in the engine: its keys (memory only), client, slots and line."""

    credentials: Credentials
    client: KlingClient
    pool: SlotPool
    queue: FairQueue


class CountingTransport(httpx.BaseTransport):
    """An httpx transport that counts requests by kind (create, query, list, find, download)
    before handing them to the real transport."""

    def __init__(self, counts: Counter[str], lock: threading.Lock) -> None:
        self._inner = httpx.HTTPTransport()
        self._counts = counts
        self._lock = lock

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Count the request, then send it."""
        kind = request_kind(request.method, request.url.path, set(request.url.params.keys()))
        with self._lock:
            self._counts[kind] += 1
        return self._inner.handle_request(request)

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
