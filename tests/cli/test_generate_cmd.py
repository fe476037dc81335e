"""`python -m kling_ui generate`: one transition end to end, exit codes, one-line errors.

Run in this process through `kling_ui.cli.main`; one smoke test runs a real process."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cli_helpers import base_env, run_cli, run_process

from kling_ui.cli import EXIT_FAILED, EXIT_OK, EXIT_REFUSED, EXIT_USAGE
from kling_ui.simulator import SimulatorServer
from kling_ui.video import probe

SimFactory = Callable[..., SimulatorServer]


def keys_env(server: SimulatorServer, data_dir: Path, secret: str | None = None) -> dict[str, str]:
    """Point the command at `server` with its keys (or a wrong secret)."""
    return base_env(
        data_dir,
        KLING_BASE_URL=server.base_url,
        KLING_ACCESS_KEY=server.config.access_key,
        KLING_SECRET_KEY=secret or server.config.secret_key,
    )


def test_demo_mode_makes_a_video_and_says_it_used_the_simulator(workdir: Path) -> None:
    run = run_process(
        ["generate", "first.png", "last.png", "--json"], base_env(workdir / "d"), workdir
    )
    assert run.code == EXIT_OK, run.err
    summary = run.last_json()
    assert summary["status"] == "done" and summary["error"] is None
    assert summary["job_id"] and summary["task_id"] and summary["external_task_id"]
    assert probe(summary["video"]).height == 180
    assert "simulator" in run.err.lower()


def test_without_json_stdout_is_just_the_video_path(workdir: Path) -> None:
    run = run_cli(
        ["generate", "first.png", "last.png", "--prompt", "slow push-in", "--out", "videos"],
        base_env(workdir / "d"),
        workdir,
    )
    assert run.code == EXIT_OK, run.err
    path = Path(run.out.strip())
    assert run.out.strip().count("\n") == 0
    assert path.parent == workdir / "videos" and path.is_file()


def test_a_missing_frame_is_bad_input_in_one_line(workdir: Path) -> None:
    run = run_cli(["generate", "nope.png", "last.png", "--json"], base_env(workdir / "d"), workdir)
    assert run.code == EXIT_USAGE
    assert run.last_json()["error"]["code"].startswith("frame.")
    assert "Traceback" not in run.err
    assert len(run.err.strip().splitlines()) == 1


def test_settings_kling_cannot_use_with_a_last_frame_are_bad_input(workdir: Path) -> None:
    run = run_cli(
        ["generate", "first.png", "last.png", "--model", "kling-v2-master", "--json"],
        base_env(workdir / "d"),
        workdir,
    )
    assert run.code == EXIT_USAGE
    assert run.last_json()["error"]["code"] == "kling.UnsupportedRequest"
    assert "Traceback" not in run.err


def test_usage_errors_exit_2(workdir: Path) -> None:
    run = run_cli(["generate", "first.png"], base_env(workdir / "d"), workdir)
    assert run.code == EXIT_USAGE
    assert "Traceback" not in run.err


def test_keys_kling_refuses_exit_3_with_the_reason(
    workdir: Path, simulator_factory: SimFactory
) -> None:
    server = simulator_factory()
    env = keys_env(server, workdir / "d", secret="wrong-secret-key")
    run = run_cli(["generate", "first.png", "last.png", "--json"], env, workdir)
    assert run.code == EXIT_REFUSED, run.err
    summary = run.last_json()
    assert summary["status"] == "failed"
    assert summary["error"]["code"].startswith("kling.10")
    assert "Kling_Secret_Key" in run.err
    assert "wrong-secret-key" not in run.out + run.err
    assert "Traceback" not in run.err


def test_a_task_kling_fails_exits_4_with_klings_message(
    workdir: Path, simulator_factory: SimFactory
) -> None:
    server = simulator_factory(fail_rate=1.0)
    run = run_cli(
        ["generate", "first.png", "last.png", "--json"], keys_env(server, workdir / "d"), workdir
    )
    assert run.code == EXIT_FAILED, run.err
    summary = run.last_json()
    assert summary["status"] == "failed" and summary["video"] is None
    assert summary["error"]["message"] and summary["error"]["message"] in run.err


def test_the_same_request_again_reuses_the_video_unless_a_new_take_is_asked(
    workdir: Path,
) -> None:
    env = base_env(workdir / "d")
    first = run_cli(["generate", "first.png", "last.png", "--json"], env, workdir).last_json()
    again = run_cli(["generate", "first.png", "last.png", "--json"], env, workdir)
    assert again.code == EXIT_OK
    assert again.last_json()["reused_from"] == first["job_id"]
    assert again.last_json()["video"] == first["video"]
    take = run_cli(["generate", "first.png", "last.png", "--json", "--new-take"], env, workdir)
    assert take.last_json()["reused_from"] is None
    assert take.last_json()["video"] != first["video"]


def test_an_invalid_setting_is_named_in_one_line(workdir: Path) -> None:
    env = base_env(workdir / "d", KLING_UI_CONCURRENCY="three")
    run = run_cli(["generate", "first.png", "last.png"], env, workdir)
    assert run.code == EXIT_USAGE
    assert "config.invalid" in run.err and "kling_ui_concurrency" in run.err
    assert "Traceback" not in run.err
