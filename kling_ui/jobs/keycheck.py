"""Keys checked before they are trusted: one cheap authenticated read tells whether Kling
accepts a credential, refuses it, or cannot be reached to say."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from kling_ui.i18n import Text
from kling_ui.jobs.accounts import Credentials
from kling_ui.kling.client import RetryPolicy
from kling_ui.kling.errors import AuthError, KlingError, TokenTimingError

log = logging.getLogger("kling_ui.jobs.keycheck")

# A person waits on this: a couple of quick tries, then "not verified".
CHECK_RETRY = RetryPolicy(attempts=2, initial_wait=0.3, max_wait=1.0)


class KeyState(StrEnum):
    """What is known about a credential."""

    VERIFIED = "verified"  # Kling accepted it just now
    REFUSED = "refused"  # Kling refused it: wrong or revoked keys
    UNVERIFIED = "unverified"  # Kling could not be reached (or answered oddly) to tell
    DEMO = "demo"  # the embedded simulator: nothing to check


KEY_STATE_TEXT: dict[KeyState, Text] = {
    KeyState.VERIFIED: Text("verified with Kling", "已通过可灵验证"),
    KeyState.REFUSED: Text("refused by Kling", "被可灵拒绝"),
    KeyState.UNVERIFIED: Text(
        "not verified: Kling could not be reached to check them",
        "未验证：暂时无法连接可灵进行检查",
    ),
    KeyState.DEMO: Text("the embedded simulator's", "内置模拟器的密钥"),
}


@dataclass(frozen=True)
class KeyCheck:
    """The outcome of checking one credential, with Kling's refusal when there was one."""

    state: KeyState
    error: KlingError | None = None

    @property
    def usable(self) -> bool:
        """True unless Kling refused the keys (unverified keys are kept and tried)."""
        return self.state is not KeyState.REFUSED


def check_keys(credentials: Credentials, *, timeout: float = 10.0) -> KeyCheck:
    """Ask Kling for a one-item list with these credentials and say what that showed.
    Never raises for Kling's answers; never logs a key."""
    try:
        with credentials.client(retry=CHECK_RETRY, timeout=timeout) as client:
            client.verify()
    except AuthError as exc:
        if isinstance(exc, TokenTimingError):
            # The clock, not the keys: the machine's time is off.
            return KeyCheck(KeyState.UNVERIFIED, exc)
        log.info("keys of %s refused by Kling (%s)", credentials.account, exc.code)
        return KeyCheck(KeyState.REFUSED, exc)
    except KlingError as exc:
        log.info("keys of %s not verified (%s)", credentials.account, exc.code)
        return KeyCheck(KeyState.UNVERIFIED, exc)
    return KeyCheck(KeyState.VERIFIED)
