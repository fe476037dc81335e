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


# Started as from a terminal: Ctrl-C raises KeyboardInterrupt. (A process inherits an ignored
# SIGINT, and Python then leaves it ignored: a test run started as a shell's background job
# would hand that on to the simulator, which is right for a background job, not for this test.)
FROM_A_TERMINAL = """
import runpy, signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)
sys.argv = ["kling_ui", *sys.argv[1:]]
runpy.run_module("kling_ui", run_name="__main__", alter_sys=True)
"""


def test_runs_in_the_foreground_until_ctrl_c():
    process = subprocess.Popen(
        [sys.executable, "-c", FROM_A_TERMINAL, "simulator", "--port", "0", "--latency", "1"],
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


def test_realworld_options_reach_the_config(monkeypatch):
    monkeypatch.delenv("KLING_SIM_REALWORLD", raising=False)
    config = config_from_args(
        _args(
            "--realworld",
            "--foreign-tasks",
            "40",
            "--foreign-in-flight",
            "2",
            "--unknown-id-answer",
            "null",
        )
    )
    assert config.realworld and config.foreign_tasks == 40 and config.foreign_in_flight == 2
    assert config.unknown_id_answer == "null" and config.unknown_id_mode == "null"


def test_realworld_is_off_by_default_and_unknown_ids_follow_the_mode(monkeypatch):
    monkeypatch.delenv("KLING_SIM_REALWORLD", raising=False)
    config = config_from_args(_args())
    assert not config.realworld and config.unknown_id_mode == "404"
    assert config.foreign_tasks == config.foreign_in_flight == 0


def test_realworld_default_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("KLING_SIM_REALWORLD", "1")
    assert config_from_args(_args()).realworld
    assert config_from_args(_args()).unknown_id_mode == "400"
    assert not config_from_args(_args("--no-realworld")).realworld


def test_api_key_comes_from_the_option_then_environment(monkeypatch):
    monkeypatch.delenv("KLING_SIM_API_KEY", raising=False)
    monkeypatch.delenv("KLING_API_KEY", raising=False)
    assert config_from_args(_args()).api_key == "sim-api-key"
    monkeypatch.setenv("KLING_SIM_API_KEY", "env-api")
    assert config_from_args(_args()).api_key == "env-api"
    assert config_from_args(_args("--api-key", "opt-api")).api_key == "opt-api"


def test_keys_starting_with_a_dash_are_accepted():
    config = config_from_args(
        _args("--access-key=-acc", "--secret-key=-sec", "--api-key=--api-key-value")
    )
    assert (config.access_key, config.secret_key, config.api_key) == (
        "-acc",
        "-sec",
        "--api-key-value",
    )


def test_negative_foreign_tasks_is_a_usage_error(capsys):
    args = _args("--foreign-tasks", "-1")
    assert args.func(args) == EXIT_USAGE
    assert "foreign_tasks" in capsys.readouterr().err


def test_unknown_id_answer_must_be_a_known_choice(capsys):
    with pytest.raises(SystemExit):
        _args("--unknown-id-answer", "500")
