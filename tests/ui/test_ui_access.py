"""Who may spend which keys: login (throttled per address), the shared-Space rule, and
per-browser keys."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from ui_helpers import Launched, fast_settings, launch

from kling_ui.i18n import UserError
from kling_ui.jobs.accounts import Credentials
from kling_ui.ui.access import (
    BROWSER_SECRET_ENV,
    AccessPolicy,
    browser_keys,
    browser_state_secret,
    credentials_from_browser,
    parse_auth,
)
from kling_ui.ui.login_throttle import LoginThrottle

BROWSER = Credentials.of("ak-browser", "sk-browser", "https://api-beijing.klingai.com")


def policy(*, demo: bool = False, space: bool = False, auth: bool = False) -> AccessPolicy:
    """A policy with shared keys unless in demo mode."""
    return AccessPolicy(demo=demo, on_space=space, shared_keys=not demo, auth_on=auth)


def test_a_private_deployment_uses_its_keys_for_every_browser() -> None:
    assert policy().credentials_for(None) is None
    assert policy().credentials_for(BROWSER) is BROWSER


def test_a_space_without_login_refuses_its_shared_keys() -> None:
    space = policy(space=True)
    assert space.shared_keys_refused
    with pytest.raises(UserError) as refused:
        space.credentials_for(None)
    assert refused.value.code == "keys.required"
    assert "Settings" in refused.value.text("en")
    assert space.credentials_for(BROWSER) is BROWSER


def test_a_space_with_login_may_use_its_shared_keys() -> None:
    assert policy(space=True, auth=True).credentials_for(None) is None


def test_demo_mode_on_a_space_needs_no_keys() -> None:
    demo = policy(demo=True, space=True)
    assert demo.credentials_for(None) is None and not demo.shared_keys_refused


def test_the_policy_reads_the_space_id_and_login_from_settings(tmp_path: Path) -> None:
    settings = fast_settings(tmp_path, access_key="ak", secret_key="sk", auth="a:b")
    found = AccessPolicy.from_settings(settings, demo=False, environ={"SPACE_ID": "me/app"})
    assert found == AccessPolicy(demo=False, on_space=True, shared_keys=True, auth_on=True)


def test_auth_pairs_are_parsed_from_kling_ui_auth() -> None:
    assert parse_auth("alice:one, bob:two:three") == [("alice", "one"), ("bob", "two:three")]
    assert parse_auth("") is None and parse_auth(None) is None


def test_a_malformed_auth_entry_is_refused_without_echoing_passwords() -> None:
    with pytest.raises(UserError) as refused:
        parse_auth("alice:hunter2,bob")
    assert "entry 2" in refused.value.text("en") and "hunter2" not in refused.value.text("en")


def test_browser_keys_are_trimmed_and_both_are_required() -> None:
    assert browser_keys(' "ak" ', "sk\n") == {"access_key": "ak", "secret_key": "sk"}
    with pytest.raises(UserError) as refused:
        browser_keys("ak", "")
    assert refused.value.code == "keys.incomplete"
    with pytest.raises(UserError):
        browser_keys("a k", "sk")


def test_stored_browser_keys_become_credentials_for_the_endpoint() -> None:
    found = credentials_from_browser({"access_key": "ak", "secret_key": "sk"}, "https://k/")
    assert found is not None and found.base_url == "https://k"
    assert found.account == Credentials.of("ak", "sk", "https://k").account
    assert credentials_from_browser(None, "https://k") is None
    assert credentials_from_browser({"access_key": "ak"}, "https://k") is None


def test_the_browser_state_secret_comes_from_the_environment(tmp_path: Path) -> None:
    assert browser_state_secret(tmp_path, {BROWSER_SECRET_ENV: "from-env"}) == "from-env"
    assert not any(tmp_path.iterdir())


def test_without_the_environment_a_secret_is_kept_in_the_data_folder(tmp_path: Path) -> None:
    first = browser_state_secret(tmp_path / "data", {})
    assert browser_state_secret(tmp_path / "data", {}) == first and len(first) >= 32
    (kept,) = (tmp_path / "data").iterdir()
    assert kept.stat().st_mode & 0o077 == 0


# ---- login throttling -------------------------------------------------------------------


class ManualClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def fail(throttle: LoginThrottle, address: str, times: int = 1) -> None:
    """`times` failed logins from `address`, each let through by the throttle."""
    for _ in range(times):
        assert throttle.begin(address) == 0.0
        throttle.end(address, succeeded=False)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def throttle(clock: ManualClock) -> LoginThrottle:
    return LoginThrottle(clock=clock)


def test_five_failed_logins_within_a_minute_make_the_address_wait_a_minute(
    throttle: LoginThrottle, clock: ManualClock
) -> None:
    fail(throttle, "10.0.0.1", 4)
    clock.advance(30)
    fail(throttle, "10.0.0.1")
    assert throttle.begin("10.0.0.1") == 60.0
    clock.advance(59)
    assert throttle.begin("10.0.0.1") == 1.0


def test_once_the_minute_has_passed_the_address_may_log_in_again(
    throttle: LoginThrottle, clock: ManualClock
) -> None:
    fail(throttle, "10.0.0.1", 5)
    clock.advance(60)
    assert throttle.begin("10.0.0.1") == 0.0
    throttle.end("10.0.0.1", succeeded=True)
    assert len(throttle) == 0


def test_after_a_lockout_the_address_gets_five_fresh_attempts(
    throttle: LoginThrottle, clock: ManualClock
) -> None:
    fail(throttle, "10.0.0.1", 5)
    clock.advance(60)
    fail(throttle, "10.0.0.1", 4)
    assert throttle.begin("10.0.0.1") == 0.0


def test_failures_more_than_a_minute_old_do_not_count(
    throttle: LoginThrottle, clock: ManualClock
) -> None:
    fail(throttle, "10.0.0.1", 4)
    clock.advance(60)
    fail(throttle, "10.0.0.1", 4)
    assert throttle.begin("10.0.0.1") == 0.0


def test_a_successful_login_forgets_the_failures_before_it(
    throttle: LoginThrottle,
) -> None:
    fail(throttle, "10.0.0.1", 4)
    assert throttle.begin("10.0.0.1") == 0.0
    throttle.end("10.0.0.1", succeeded=True)
    fail(throttle, "10.0.0.1", 4)
    assert throttle.begin("10.0.0.1") == 0.0


def test_other_addresses_are_not_affected(throttle: LoginThrottle) -> None:
    fail(throttle, "10.0.0.1", 5)
    assert throttle.begin("10.0.0.1") > 0
    assert throttle.begin("10.0.0.2") == 0.0


def test_attempts_still_being_checked_count_against_the_limit(throttle: LoginThrottle) -> None:
    for _ in range(5):
        assert throttle.begin("10.0.0.1") == 0.0
    assert throttle.begin("10.0.0.1") > 0


def test_an_attempt_that_checked_no_password_is_not_a_failure(throttle: LoginThrottle) -> None:
    for _ in range(10):
        assert throttle.begin("10.0.0.1") == 0.0
        throttle.end("10.0.0.1", succeeded=None)
    assert len(throttle) == 0


def test_the_throttle_remembers_a_bounded_number_of_addresses(clock: ManualClock) -> None:
    throttle = LoginThrottle(capacity=100, clock=clock)
    for n in range(10_000):
        fail(throttle, f"10.0.{n // 256}.{n % 256}")
    assert len(throttle) == 100


# ---- login throttling in the served Studio -------------------------------------------------


@pytest.fixture(scope="module")
def login_studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Launched]:
    """The Studio with a login (alice:wonderland), served on loopback."""
    launched = launch(fast_settings(tmp_path_factory.mktemp("login"), auth="alice:wonderland"))
    yield launched
    launched.close()


def log_in(studio: Launched, password: str, *, source: str) -> httpx.Response:
    """POST the login form as Gradio's login page does, from loopback address `source`
    (each test uses its own, so the throttle's memory of one does not reach another)."""
    transport = httpx.HTTPTransport(local_address=source)
    with httpx.Client(transport=transport, timeout=30) as client:
        form = {"username": (None, "alice"), "password": (None, password)}
        return client.post(f"{studio.url}/login", files=form)


def test_the_sixth_login_after_five_failures_is_refused_even_with_the_right_password(
    login_studio: Launched,
) -> None:
    source = "127.0.0.2"
    for _ in range(5):
        assert log_in(login_studio, "wrong", source=source).status_code == 400
    refused = log_in(login_studio, "wonderland", source=source)
    assert refused.status_code == 429
    assert "Too many failed logins" in refused.json()["detail"]
    assert 0 < int(refused.headers["retry-after"]) <= 60
    assert "access-token" not in refused.headers.get("set-cookie", "")


def test_failures_from_one_address_do_not_lock_out_another(login_studio: Launched) -> None:
    for _ in range(5):
        log_in(login_studio, "wrong", source="127.0.0.3")
    answer = log_in(login_studio, "wonderland", source="127.0.0.4")
    assert answer.status_code == 200 and answer.json() == {"success": True}


# ---- a single API key as well as a key pair ------------------------------------------------


def test_a_browser_may_enter_a_single_api_key_instead_of_a_pair() -> None:
    assert browser_keys("", "", ' "api-key-1" ') == {"api_key": "api-key-1"}
    found = credentials_from_browser({"api_key": "api-key-1"}, "https://k/")
    assert found is not None and found.kind == "api_key" and found.base_url == "https://k"
    assert found.account == Credentials.of_api_key("api-key-1", "https://k").account


def test_both_kinds_of_keys_at_once_are_refused_in_both_languages() -> None:
    with pytest.raises(UserError) as refused:
        browser_keys("ak", "", "api-key-1")
    assert refused.value.code == "keys.both_kinds"
    assert "not both" in refused.value.text("en")
    assert "不要同时填写" in refused.value.text("zh-CN")


def test_neither_a_whole_pair_nor_an_api_key_is_refused_in_both_languages() -> None:
    for entered in (("", "", ""), ("ak", "", None), ("", "sk", "  ")):
        with pytest.raises(UserError) as refused:
            browser_keys(*entered)
        assert refused.value.code == "keys.incomplete"
    assert "either an API key" in refused.value.text("en")
    assert "API Key" in refused.value.text("zh-CN")
    with pytest.raises(UserError):
        browser_keys("", "", "api key")


def test_stored_values_that_are_not_strings_are_no_keys() -> None:
    assert credentials_from_browser({"api_key": 5, "access_key": ["a"]}, "https://k") is None
    stored = {"access_key": "ak", "secret_key": "sk", "checked": "verified"}
    assert credentials_from_browser(stored, "https://k") is not None
