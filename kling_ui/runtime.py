"""Runtime: one per process. Settings -> (the embedded simulator in demo mode) -> store -> engine.

Every front end (Studio, CLI, API) builds one Runtime and hands jobs to its engine. With no
keys and no base URL the embedded simulator is started on a free loopback port with random
per-process keys, and `demo` says so, so each front end can tell the person plainly.
"""

from __future__ import annotations

import logging
import secrets
import threading

from kling_ui.config import Settings
from kling_ui.i18n import Text, UserError
from kling_ui.jobs.accounts import Credentials
from kling_ui.jobs.engine import JobEngine
from kling_ui.jobs.keycheck import KeyCheck, KeyState, check_keys
from kling_ui.jobs.store import STORE_FILE, JobStore
from kling_ui.simulator import SimulatorConfig, SimulatorServer

log = logging.getLogger("kling_ui.runtime")

DEMO_ACCOUNT = "demo-simulator"
DEMO_LABEL = Text("Embedded simulator (demo mode)", "内置模拟器（演示模式）")
# Kling's tasks take about 90-120 s: the estimate until real durations are measured.
TYPICAL_KLING_SECONDS = 100.0


def missing_keys() -> UserError:
    """A base URL is configured but no keys to go with it."""
    return UserError(
        "config.missing_keys",
        Text(
            "KLING_BASE_URL is set but no Kling keys are (Kling_API_Key, or Kling_Access_Key "
            "with Kling_Secret_Key).",
            "已设置 KLING_BASE_URL，但未设置可灵密钥（Kling_API_Key，或 Kling_Access_Key 与 "
            "Kling_Secret_Key）。",
        ),
        remedy=Text(
            "Set Kling_API_Key or both keys of a pair, or remove KLING_BASE_URL to use the "
            "built-in simulator.",
            "请设置 Kling_API_Key 或成对的两个密钥，或删除 KLING_BASE_URL 以使用内置模拟器。",
        ),
    )


class Runtime:
    """The process's store, engine and (in demo mode) simulator; a context manager too."""

    def __init__(
        self,
        settings: Settings,
        store: JobStore,
        engine: JobEngine,
        simulator: SimulatorServer | None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.engine = engine
        self.simulator = simulator
        # The operator's keys as Kling judged them at start-up (None until checked).
        self._key_check: KeyCheck | None = KeyCheck(KeyState.DEMO) if simulator else None
        self._key_checked = threading.Event()
        self._key_check_started = False
        if simulator is not None:
            self._key_checked.set()

    @property
    def demo(self) -> bool:
        """True when the embedded simulator stands in for Kling."""
        return self.simulator is not None

    @property
    def endpoint_label(self) -> str:
        """What the jobs run against, for display: never a key."""
        return DEMO_LABEL.en if self.demo else self.settings.endpoint

    def endpoint_text(self, lang: str | None = None) -> str:
        """`endpoint_label` in the person's language."""
        return DEMO_LABEL.get(lang) if self.demo else self.settings.endpoint

    @staticmethod
    def check(settings: Settings) -> None:
        """Refuse settings that cannot work (a base URL without keys) before anything starts:
        UserError, in the person's words."""
        if not settings.demo_mode and not settings.has_keys:
            raise missing_keys()

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Runtime:
        """Build everything (the simulator is started at once in demo mode; the engine waits
        for `start`). UserError when a base URL is set without keys."""
        settings = settings or Settings()
        cls.check(settings)
        data_dir = settings.data_dir.expanduser().resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
        simulator: SimulatorServer | None = None
        if settings.demo_mode:
            access_key, secret_key = secrets.token_urlsafe(18), secrets.token_urlsafe(32)
            simulator = SimulatorServer(
                SimulatorConfig(
                    access_key=access_key,
                    secret_key=secret_key,
                    latency=settings.demo_latency,
                    render_height=settings.demo_render_height,
                    realworld=settings.sim_realworld,
                )
            )
            base_url = simulator.start()
            credentials = Credentials.of(access_key, secret_key, base_url, DEMO_ACCOUNT)
            log.info("demo mode: using the embedded Kling simulator at %s", base_url)
        elif settings.api_key is not None:
            # Kling reports the single API key working for every model: preferred when set.
            credentials = Credentials(
                None, None, settings.endpoint.rstrip("/"), api_key=settings.api_key
            )
        else:
            credentials = Credentials(
                settings.access_key, settings.secret_key, settings.endpoint.rstrip("/")
            )
        try:
            store = JobStore(data_dir / STORE_FILE)
        except BaseException:
            if simulator is not None:
                simulator.stop()
            raise
        engine = JobEngine(
            store,
            credentials,
            data_dir=data_dir,
            concurrency=settings.concurrency,
            poll_interval=settings.poll_interval,
            task_timeout=settings.task_timeout,
            lease_seconds=settings.lease_seconds,
            callback_base_url=settings.public_url,
            simulated=simulator is not None,
            typical_task_seconds=(
                settings.demo_latency + 1.0 if simulator is not None else TYPICAL_KLING_SECONDS
            ),
        )
        engine.max_queued = settings.max_queued
        return cls(settings, store, engine, simulator)

    @property
    def key_check(self) -> KeyCheck | None:
        """What Kling said about the operator's keys at start-up: KeyState.DEMO in demo mode,
        None while the check is still running (or before `start`)."""
        return self._key_check

    def wait_key_check(self, timeout: float | None = None) -> KeyCheck | None:
        """`key_check` once the start-up check has finished (None if `timeout` passes)."""
        self._key_checked.wait(timeout)
        return self._key_check

    def check_keys_in_background(self) -> None:
        """Check the operator's keys once with Kling on a daemon thread, so start-up is not
        delayed (nothing to check in demo mode); `key_check` holds the answer."""
        if self._key_check_started or self._key_checked.is_set():
            return
        self._key_check_started = True
        credentials = self.engine.default_credentials

        def run() -> None:
            try:
                found = check_keys(credentials)
            except Exception:  # never let a check take the process down
                log.exception("checking the configured Kling keys failed")
                found = KeyCheck(KeyState.UNVERIFIED)
            self._key_check = found
            self._key_checked.set()
            log.info("configured Kling keys of %s: %s", credentials.account, found.state.value)

        threading.Thread(target=run, name="kling-keycheck", daemon=True).start()

    def start(self) -> Runtime:
        """Start the engine (which resumes every unfinished job) and the background check of
        the operator's keys; returns self."""
        self.engine.start()
        self.check_keys_in_background()
        return self

    def close(self) -> None:
        """Stop the engine, close the store, stop the simulator."""
        try:
            self.engine.stop()
        finally:
            self.store.close()
            if self.simulator is not None:
                self.simulator.stop()

    def __enter__(self) -> Runtime:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
