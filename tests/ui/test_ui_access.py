"""Who may spend which keys: login, the shared-Space rule, and per-browser keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from ui_helpers import fast_settings

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
