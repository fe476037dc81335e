"""Who may spend which keys: login settings, per-browser keys, and the shared-Space rule.

A deployment reachable by others must not let strangers spend its keys. `KLING_UI_AUTH`
turns on a login; on a Hugging Face Space (`SPACE_ID` set) with shared keys and no login the
shared keys are switched off and every browser brings its own. Per-browser keys live in the
browser (a `gr.BrowserState`) and reach the engine only as `Credentials` for that browser's
jobs; they are never stored on the server, logged, or shown.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kling_ui.config import Settings
from kling_ui.i18n import Text, UserError
from kling_ui.jobs.accounts import Credentials

log = logging.getLogger("kling_ui.ui.access")

BROWSER_KEYS_STORAGE = "kling-ui-browser-keys"
BROWSER_ID_STORAGE = "kling-ui-browser-id"
BROWSER_SECRET_ENV = "KLING_UI_BROWSER_SECRET"
_SECRET_FILE = "browser-state.secret"


@dataclass(frozen=True)
class AccessPolicy:
    """Whether the deployment's own keys may be used, and what a browser must bring."""

    demo: bool
    on_space: bool
    shared_keys: bool
    auth_on: bool

    @classmethod
    def from_settings(
        cls, settings: Settings, *, demo: bool, environ: Mapping[str, str] | None = None
    ) -> AccessPolicy:
        """The policy for these settings; `SPACE_ID` in the environment marks a Space."""
        env = os.environ if environ is None else environ
        return cls(
            demo=demo,
            on_space=bool(env.get("SPACE_ID")),
            shared_keys=settings.has_keys,
            auth_on=settings.auth is not None,
        )

    @property
    def shared_keys_usable(self) -> bool:
        """True when a job without browser keys may run on the deployment's account
        (the simulator in demo mode, or real keys that strangers cannot reach)."""
        if self.demo:
            return True
        if not self.shared_keys:
            return False
        return not (self.on_space and not self.auth_on)

    @property
    def shared_keys_refused(self) -> bool:
        """True when keys are configured but switched off: a Space with no login."""
        return self.shared_keys and not self.demo and not self.shared_keys_usable

    def credentials_for(self, browser: Credentials | None) -> Credentials | None:
        """The credentials a job should run with: the browser's own, else None (the engine's
        default account) when that is allowed; refuses with a remedy otherwise."""
        if browser is not None:
            return browser
        if self.shared_keys_usable:
            return None
        raise keys_required(refused=self.shared_keys_refused)


def keys_required(*, refused: bool) -> UserError:
    """No keys a job may use: the browser must enter its own."""
    if refused:
        message = Text(
            "This shared deployment has no login, so its own Kling keys are switched off.",
            "此共享部署未开启登录，因此不会使用部署者的可灵密钥。",
        )
    else:
        message = Text("No Kling keys are set for this server.", "此服务器未设置可灵密钥。")
    return UserError(
        "keys.required",
        message,
        remedy=Text(
            "Enter your own Access key and Secret key (or a single API key) in the Settings "
            "tab; they are kept in your browser only.",
            "请在“设置”页填写您自己的 Access Key 和 Secret Key（或一个 API Key），"
            "它们只保存在您的浏览器中。",
        ),
    )


def parse_auth(value: str | None) -> list[tuple[str, str]] | None:
    """`KLING_UI_AUTH` ("user:pass,user2:pass2") as Gradio's list of (user, password);
    None when unset. A malformed entry is refused without echoing any password."""
    if value is None or not value.strip():
        return None
    pairs: list[tuple[str, str]] = []
    for index, entry in enumerate(value.split(","), start=1):
        user, sep, password = entry.strip().partition(":")
        if not sep or not user.strip() or not password:
            raise UserError(
                "config.auth",
                Text(
                    f"KLING_UI_AUTH entry {index} is not of the form user:password.",
                    f"KLING_UI_AUTH 的第 {index} 项不是 用户名:密码 的形式。",
                ),
                remedy=Text(
                    'Write it as "alice:secret1,bob:secret2".',
                    "请写成“alice:secret1,bob:secret2”的形式。",
                ),
            )
        pairs.append((user.strip(), password))
    return pairs


def clean_key(value: str | None) -> str:
    """A pasted key without surrounding spaces, quotes or line breaks."""
    return (value or "").strip().strip("\"'").strip()


def browser_keys(
    access_key: str | None, secret_key: str | None, api_key: str | None = None
) -> dict[str, str]:
    """The value stored in the browser for the keys the person entered: {"api_key": ...} for
    a single API key, {"access_key": ..., "secret_key": ...} for a pair. Refuses blanks, half
    a pair, both kinds at once, and keys with spaces inside."""
    access, secret, single = clean_key(access_key), clean_key(secret_key), clean_key(api_key)
    if single and (access or secret):
        raise UserError(
            "keys.both_kinds",
            Text(
                "Enter either an API key or an Access key and Secret key pair, not both.",
                "请只填写 API Key，或只填写 Access Key 与 Secret Key 这一对，不要同时填写。",
            ),
            remedy=Text(
                "Clear the fields of the kind you do not use, then save again.",
                "请清空不使用的那一种密钥，然后重新保存。",
            ),
        )
    if not single and (not access or not secret):
        raise UserError(
            "keys.incomplete",
            Text(
                "Enter either an API key, or both the Access key and the Secret key.",
                "请填写 API Key，或同时填写 Access Key 和 Secret Key。",
            ),
            remedy=Text(
                "Copy them from the API keys page of the Kling console.",
                "请从可灵控制台的 API 密钥页面复制。",
            ),
        )
    if any(ch.isspace() for ch in access + secret + single):
        raise UserError(
            "keys.malformed",
            Text("A key contains spaces or line breaks.", "密钥中包含空格或换行。"),
            remedy=Text(
                "Copy the keys again, exactly as the Kling console shows them.",
                "请按可灵控制台显示的内容重新复制密钥。",
            ),
        )
    if single:
        return {"api_key": single}
    return {"access_key": access, "secret_key": secret}


def credentials_from_browser(stored: Any, endpoint: str) -> Credentials | None:
    """Credentials for the keys a browser holds (its BrowserState value), or None: a single
    API key (preferred, as for the server's own keys) or an access/secret key pair."""
    if not isinstance(stored, Mapping):
        return None
    # The page may hand back anything: only strings count as keys.
    single, access, secret = (
        clean_key(value if isinstance(value, str) else None)
        for value in (stored.get(name) for name in ("api_key", "access_key", "secret_key"))
    )
    if single:
        return Credentials.of_api_key(single, endpoint)
    if not access or not secret:
        return None
    return Credentials.of(access, secret, endpoint)


def browser_state_secret(data_dir: Path, environ: Mapping[str, str] | None = None) -> str:
    """The secret that encrypts per-browser keys in localStorage.

    From `KLING_UI_BROWSER_SECRET` when set; otherwise a random secret kept in the data folder
    (created once, owner-only), so stored keys survive a restart. Gradio sends this secret to
    the page: it keeps keys from casual eyes, not from someone with the browser itself.
    """
    env = os.environ if environ is None else environ
    configured = env.get(BROWSER_SECRET_ENV, "").strip()
    if configured:
        return configured
    path = data_dir / _SECRET_FILE
    try:
        existing = path.read_text(encoding="utf-8").strip()
        if existing:
            return existing
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value)
    log.info("created a browser-state secret in %s", data_dir)
    return value
