"""The JWT the client signs, and when it signs a new one."""

import jwt

from kling_ui.kling.auth import TokenSigner


class FakeClock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_token_is_hs256_with_iss_exp_and_nbf_as_the_seed_says():
    clock = FakeClock()
    token = TokenSigner("ak-123", "sk-456", clock=clock).token()
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(
        token, "sk-456", algorithms=["HS256"], options={"verify_exp": False, "verify_nbf": False}
    )
    assert header == {"alg": "HS256", "typ": "JWT"}
    assert claims == {"iss": "ak-123", "exp": int(clock.now) + 1800, "nbf": int(clock.now) - 5}


def test_token_is_reused_while_more_than_five_minutes_remain():
    clock = FakeClock()
    signer = TokenSigner("ak", "sk", clock=clock)
    first = signer.token()
    clock.now += 1800 - 301
    assert signer.token() == first
    assert signer.signed_count == 1


def test_token_is_resigned_when_less_than_five_minutes_remain():
    clock = FakeClock()
    signer = TokenSigner("ak", "sk", clock=clock)
    first = signer.token()
    clock.now += 1800 - 299
    assert signer.token() != first
    assert signer.signed_count == 2


def test_invalidate_forces_a_fresh_token():
    clock = FakeClock()
    signer = TokenSigner("ak", "sk", clock=clock)
    signer.token()
    signer.invalidate()
    clock.now += 1
    signer.token()
    assert signer.signed_count == 2


def test_repr_hides_both_keys():
    assert "ak-visible" not in repr(TokenSigner("ak-visible", "sk-visible"))
    assert "sk-visible" not in repr(TokenSigner("ak-visible", "sk-visible"))
