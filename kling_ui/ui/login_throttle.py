"""Login throttling: after 5 failed logins from one address within a minute, that address
waits a minute.

Gradio hands its `auth` callable only the user name and password, so the throttle sits in
front of Gradio's `POST /login` route as an ASGI middleware keyed by the client address
(uvicorn's view of it: X-Forwarded-For counts only from the proxies in FORWARDED_ALLOW_IPS).
While an address waits, its attempts are refused with 429 before any password is checked;
the login page (`LOGIN_NOTICE`) tells people the rule, since it shows no message for a 429.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kling_ui.i18n import Text, pick_lang

log = logging.getLogger("kling_ui.ui.login")

MAX_FAILURES = 5
WINDOW = 60.0
LOCKOUT = 60.0
REMEMBERED_ADDRESSES = 10_000
LOGIN_PATHS = frozenset({"/login", "/login/"})
LOGIN_NOTICE = (
    "After 5 failed logins, wait a minute before trying again. 登录失败 5 次后，请等待一分钟再试。"
)
# Gradio's login route: 200 logged in, 400 wrong user name or password.
_SUCCEEDED, _FAILED = 200, 400


@dataclass
class _Address:
    failures: deque[float] = field(default_factory=deque)
    pending: int = 0
    locked_until: float = 0.0


class LoginThrottle:
    """Counts failed logins per address: `max_failures` within `window` seconds lock it out
    for `lockout` seconds. Attempts still being checked count against the limit too, so
    parallel guesses cannot slip past it. Remembers at most `capacity` addresses."""

    def __init__(
        self,
        *,
        max_failures: int = MAX_FAILURES,
        window: float = WINDOW,
        lockout: float = LOCKOUT,
        capacity: int = REMEMBERED_ADDRESSES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window = window
        self.lockout = lockout
        self.capacity = capacity
        self._clock = clock
        self._addresses: OrderedDict[str, _Address] = OrderedDict()
        self._lock = threading.Lock()

    def begin(self, address: str) -> float:
        """Start a login attempt from `address`: 0.0 when it may go ahead (then call `end`),
        else the seconds the address must still wait."""
        with self._lock:
            now = self._clock()
            entry = self._entry(address)
            if entry.locked_until > now:
                return entry.locked_until - now
            if entry.locked_until:
                entry.locked_until = 0.0
                entry.failures.clear()
            while entry.failures and now - entry.failures[0] >= self.window:
                entry.failures.popleft()
            if len(entry.failures) + entry.pending >= self.max_failures:
                oldest = entry.failures[0] if entry.failures else now
                return max(1.0, self.window - (now - oldest))
            entry.pending += 1
            return 0.0

    def end(self, address: str, *, succeeded: bool | None) -> None:
        """Finish an attempt `begin` let through: True resets the address's failures, False
        counts one (locking the address out at the limit), None (the request never got to
        check a password) only releases it."""
        with self._lock:
            now = self._clock()
            entry = self._entry(address)
            entry.pending = max(0, entry.pending - 1)
            if succeeded:
                entry.failures.clear()
            elif succeeded is False:
                entry.failures.append(now)
                if len(entry.failures) >= self.max_failures:
                    entry.locked_until = now + self.lockout
                    entry.failures.clear()
                    log.warning(
                        "login: %s locked out for %.0f s after failed logins", address, self.lockout
                    )
            if not entry.failures and not entry.pending and not entry.locked_until:
                del self._addresses[address]

    def __len__(self) -> int:
        return len(self._addresses)

    def _entry(self, address: str) -> _Address:
        entry = self._addresses.get(address)
        if entry is None:
            entry = self._addresses[address] = _Address()
            if len(self._addresses) > self.capacity:
                self._addresses.popitem(last=False)
        else:
            self._addresses.move_to_end(address)
        return entry


def too_many_failures(wait: float) -> Text:
    """The refusal while an address waits."""
    seconds = max(1, math.ceil(wait))
    return Text(
        f"Too many failed logins from your address. Try again in {seconds} s.",
        f"您的地址登录失败次数过多，请在 {seconds} 秒后重试。",
    )


def client_address(scope: Scope) -> str:
    """The address a request came from, as the server saw it."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def _is_login(scope: Scope) -> bool:
    if scope["type"] != "http" or scope["method"] != "POST":
        return False
    path: str = scope["path"]
    root: str = scope.get("root_path") or ""
    if root and path.startswith(root):
        path = path[len(root) :]
    return path in LOGIN_PATHS


class LoginThrottleMiddleware:
    """ASGI middleware passing every `POST /login` through a `LoginThrottle` keyed by the
    client address; add it with `Middleware(LoginThrottleMiddleware, throttle=...)`."""

    def __init__(self, app: ASGIApp, throttle: LoginThrottle | None = None) -> None:
        self.app = app
        self.throttle = LoginThrottle() if throttle is None else throttle

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse a waiting address at once; otherwise count the login's outcome."""
        if not _is_login(scope):
            await self.app(scope, receive, send)
            return
        address = client_address(scope)
        wait = self.throttle.begin(address)
        if wait > 0:
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            message = too_many_failures(wait).get(pick_lang(headers.get("accept-language")))
            refusal = JSONResponse(
                {"detail": message},
                status_code=429,
                headers={"retry-after": str(max(1, math.ceil(wait)))},
            )
            await refusal(scope, receive, send)
            return
        status = 0

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            outcome = {_SUCCEEDED: True, _FAILED: False}.get(status)
            self.throttle.end(address, succeeded=outcome)
