"""`python -m kling_ui simulator`: arguments to config, and a foreground run until Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys

import httpx
import pytest

from kling_ui.cli import EXIT_OK, EXIT_USAGE, build_parser
from kling_ui.cli.simulator_cmd import config_from_args


def _args(*argv: str):
    return build_parser().parse_args(["simulator", *argv])


def test_fault_rate_is_spread_over_the_four_fault_kinds():
    config = config_from_args(_args("--fault-rate", "0.4"))
    rates = (config.fault_5xx, config.fault_1302, config.fault_drop, config.fault_slow)
    assert rates == pytest.approx((0.1, 0.1, 0.1, 0.1))


def test_options_reach_the_config():
    config = config_from_args(
        _args("--latency", "2.5", "--concurrency", "5", "--render-height", "240", "--seed", "9")
    )
    assert (config.latency, config.concurrency, config.render_height, config.seed) == (
        2.5,
        5,
        240,
        9,
    )


def test_keys_come_from_options_then_environment(monkeypatch):
    monkeypatch.setenv("KLING_SIM_ACCESS_KEY", "env-access")
    monkeypatch.setenv("KLING_SIM_SECRET_KEY", "env-secret")
    from_env = config_from_args(_args())
    from_options = config_from_args(_args("--access-key", "opt-access", "--secret-key", "o-s"))
    assert (from_env.access_key, from_env.secret_key) == ("env-access", "env-secret")
    assert (from_options.access_key, from_options.secret_key) == ("opt-access", "o-s")


def test_fault_rate_above_one_is_a_usage_error(capsys):
    args = _args("--fault-rate", "1.5")
    assert args.func(args) == EXIT_USAGE
    assert "--fault-rate" in capsys.readouterr().err


def test_runs_in_the_foreground_until_ctrl_c():
    process = subprocess.Popen(
        [sys.executable, "-m", "kling_ui", "simulator", "--port", "0", "--latency", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base_url = process.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:")
        assert httpx.get(f"{base_url}/debug/stats").json()["tasks"] == 0
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == EXIT_OK
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
