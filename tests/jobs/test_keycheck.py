"""Keys are checked with one cheap authenticated read before they are trusted."""

from __future__ import annotations

from kling_ui.jobs.accounts import Credentials
from kling_ui.jobs.keycheck import KeyState, check_keys


def test_the_simulators_keys_are_verified(simulator):
    creds = Credentials.of(
        simulator.config.access_key, simulator.config.secret_key, simulator.base_url
    )
    assert check_keys(creds).state is KeyState.VERIFIED


def test_a_wrong_secret_is_refused_with_klings_own_answer(simulator):
    creds = Credentials.of(simulator.config.access_key, "not-the-secret", simulator.base_url)
    check = check_keys(creds)
    assert check.state is KeyState.REFUSED and not check.usable
    assert check.error is not None and check.error.http_status == 401


def test_keys_for_an_unreachable_kling_are_kept_but_not_verified(dead_url: str):
    check = check_keys(Credentials.of("ak", "sk", dead_url), timeout=2.0)
    assert check.state is KeyState.UNVERIFIED and check.usable


def test_a_wrong_secret_never_shares_the_account_of_the_right_one(simulator):
    right = Credentials.of("same-access", "secret-one", simulator.base_url)
    wrong = Credentials.of("same-access", "secret-two", simulator.base_url)
    assert right.account != wrong.account
    assert "secret-one" not in right.account and "same-access" not in right.account


def test_an_api_key_and_a_key_pair_are_different_accounts(simulator):
    pair = Credentials.of("k", "s", simulator.base_url)
    single = Credentials.of_api_key("k", simulator.base_url)
    assert pair.account != single.account and single.kind == "api_key"
