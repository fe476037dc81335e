"""Hostile input through the doors that are not the web page: frame preparation, deck
loading, the job engine, and the command line. Each input gets a clear refusal (a stable
code, English and Chinese text, a remedy; on the CLI exit 2 and one line, no traceback),
and nothing in the job store changes. The Studio's API endpoints: test_hostile_api.py."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile_corpus import (
    CONTROL,
    DECK_CASES,
    FRAME_CASES,
    REQUEST_CASES,
    FileCase,
    RequestCase,
    has_control_characters,
)
from reliability_helpers import child_env, sim_stats, store_snapshot

from kling_ui import cli
from kling_ui.cli import EXIT_OK, EXIT_USAGE
from kling_ui.cli.common import DEMO_NOTICE
from kling_ui.deck import load_slides
from kling_ui.frames import MAX_RATIO, MIN_SIDE, prepare_pair
from kling_ui.i18n import UserError
from kling_ui.jobs.accounts import Credentials
from kling_ui.jobs.engine import JobEngine
from kling_ui.jobs.models import JobSpec
from kling_ui.jobs.store import JobStore
from kling_ui.runtime import STORE_FILE
from kling_ui.simulator import SimulatorServer, slide_png

REFUSED_FRAMES = [c for c in FRAME_CASES if c.code]
FIXED_FRAMES = [c for c in FRAME_CASES if not c.code]
ENGINE_REQUESTS = [c for c in REQUEST_CASES if c.spec is not None]
CLI_REQUESTS = [c for c in REQUEST_CASES if c.cli]


def ids(cases: list[FileCase] | list[RequestCase] | tuple[FileCase, ...]) -> list[str]:
    """Readable test ids from case names."""
    return [case.name.replace(" ", "-") for case in cases]


def assert_clear_refusal(error: UserError, code: str | None, says: str) -> None:
    """The refusal has the expected code, words, both languages and a remedy."""
    if code is not None:
        assert error.code == code
    assert says in error.text("en")
    assert error.message.en.strip() and error.message.zh.strip()
    assert error.message.en != error.message.zh
    assert error.remedy is not None and error.remedy.en.strip() and error.remedy.zh.strip()
    assert "Traceback" not in error.text("en")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the hostile files are written, with a good slide beside them."""
    made = tmp_path_factory.mktemp("hostile")
    (made / "good.png").write_bytes(slide_png(640, 360, "Good slide"))
    return made


# ---- frame preparation and deck loading --------------------------------------------------


@pytest.mark.parametrize("case", REFUSED_FRAMES, ids=ids(REFUSED_FRAMES))
def test_frame_preparation_refuses_a_hostile_file_clearly(case: FileCase, folder: Path) -> None:
    (path,) = case.make(folder)
    with pytest.raises(UserError) as refused:
        prepare_pair(path, folder / "good.png")
    assert_clear_refusal(refused.value, case.code, case.says)


@pytest.mark.parametrize("case", FIXED_FRAMES, ids=ids(FIXED_FRAMES))
def test_frame_preparation_fixes_tiny_and_extreme_images_and_says_so(
    case: FileCase, folder: Path
) -> None:
    (path,) = case.make(folder)
    pair = prepare_pair(path, folder / "good.png")
    width, height = pair.target
    assert min(width, height) >= MIN_SIDE and max(width, height) <= MAX_RATIO * min(width, height)
    assert case.says in pair.report_text("en")


@pytest.mark.parametrize("case", DECK_CASES, ids=ids(DECK_CASES))
def test_deck_loading_refuses_a_hostile_upload_clearly(
    case: FileCase, tmp_path: Path, folder: Path
) -> None:
    inputs = case.make(folder)
    workdir = tmp_path / "deck" / "work"
    with pytest.raises(UserError) as refused:
        load_slides(inputs, workdir=workdir)
    assert_clear_refusal(refused.value, case.code, case.says)
    outside = [p for p in tmp_path.rglob("*") if p.is_file() and workdir not in p.parents]
    assert outside == []  # nothing unpacked above the work folder


# ---- the job engine ----------------------------------------------------------------------


@pytest.fixture
def idle_engine(tmp_path: Path, simulator: SimulatorServer) -> Iterator[JobEngine]:
    """An engine (not started) on an empty store, pointed at a simulator."""
    config = simulator.config
    credentials = Credentials.of(config.access_key, config.secret_key, simulator.base_url)
    store = JobStore(tmp_path / "data" / STORE_FILE)
    yield JobEngine(store, credentials, data_dir=tmp_path / "data")
    store.close()


@pytest.mark.parametrize("case", ENGINE_REQUESTS, ids=ids(ENGINE_REQUESTS))
def test_the_engine_refuses_what_kling_would_refuse_before_storing_anything(
    case: RequestCase, idle_engine: JobEngine, simulator: SimulatorServer, folder: Path
) -> None:
    frame = idle_engine.save_frame((folder / "good.png").read_bytes(), "png")
    spec = JobSpec(first_frame=frame, last_frame=frame, **(case.spec or {}))
    with pytest.raises(UserError) as refused:
        idle_engine.submit(spec)
    assert_clear_refusal(refused.value, case.code, case.says)
    assert store_snapshot(idle_engine.store.path) == []
    assert sim_stats(simulator)["create_attempts"] == 0


def test_the_engine_refuses_a_frame_file_that_has_gone(idle_engine: JobEngine) -> None:
    missing = idle_engine.frames_dir / "gone.png"
    with pytest.raises(UserError) as refused:
        idle_engine.submit(JobSpec(first_frame=missing, last_frame=missing))
    assert_clear_refusal(refused.value, "job.frame_missing", "gone.png")
    assert store_snapshot(idle_engine.store.path) == []


def test_control_characters_in_a_prompt_never_reach_the_store(
    idle_engine: JobEngine, folder: Path
) -> None:
    frame = idle_engine.save_frame((folder / "good.png").read_bytes(), "png")
    spec = JobSpec(first_frame=frame, last_frame=frame, prompt=CONTROL, negative_prompt=CONTROL)
    try:
        job = idle_engine.submit(spec).job
    except UserError as refused:
        assert_clear_refusal(refused, None, "")
        assert store_snapshot(idle_engine.store.path) == []
        return
    stored = idle_engine.store.get(job.id)
    assert not has_control_characters(stored.spec.prompt + stored.spec.negative_prompt)
    assert "Push in slowly" in stored.spec.prompt.replace("  ", " ")


# ---- the command line (in this process, as `python -m kling_ui` runs it) -----------------


@pytest.fixture(scope="module")
def cli_home(tmp_path_factory: pytest.TempPathFactory, folder: Path) -> Path:
    """A data folder whose history already holds one finished job (made by the real CLI)."""
    home = tmp_path_factory.mktemp("cli-home")
    good = str(folder / "good.png")
    other = folder / "other.png"
    other.write_bytes(slide_png(640, 360, "Other slide"))
    done = subprocess.run(
        [sys.executable, "-m", "kling_ui", "generate", good, str(other), "--json"],
        env=child_env(home / "data"),
        cwd=home,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == EXIT_OK, done.stderr
    return home


@pytest.fixture
def in_cli_home(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run `cli.main` as `python -m kling_ui` would in `cli_home` (demo mode)."""
    env = child_env(cli_home / "data")
    for name in list(os.environ):
        if name not in env:
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(cli_home)
    return cli_home


def run_in_process(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """`python -m kling_ui ARGS` in this process: the exit code and what went to stderr."""
    try:
        code = cli.main(args)
    except SystemExit as exit_:  # argparse's usage errors
        code = int(exit_.code or 0)
    return code, capsys.readouterr().err


def assert_one_line_refusal(code: int, err: str, expected: str | None, says: str) -> None:
    """Exit 2 and exactly one line `[code] message remedy` (after the demo-mode notice, when
    the command got as far as starting the simulator), without a traceback."""
    lines = [line for line in err.splitlines() if line.strip() and line != DEMO_NOTICE.en]
    assert code == EXIT_USAGE, err
    assert "Traceback" not in err
    assert len(lines) == 1, err
    if expected is not None:
        assert lines[0].startswith(f"[{expected}] ")
    assert says in lines[0]


@pytest.mark.parametrize("case", REFUSED_FRAMES, ids=ids(REFUSED_FRAMES))
def test_cli_generate_refuses_a_hostile_frame_in_one_line(
    case: FileCase, in_cli_home: Path, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = store_snapshot(in_cli_home / "data" / STORE_FILE)
    (path,) = case.make(folder)
    code, err = run_in_process(["generate", str(path), str(folder / "good.png")], capsys)
    assert_one_line_refusal(code, err, case.code, case.says)
    assert store_snapshot(in_cli_home / "data" / STORE_FILE) == before


@pytest.mark.parametrize("case", DECK_CASES, ids=ids(DECK_CASES))
def test_cli_deck_refuses_a_hostile_upload_in_one_line(
    case: FileCase, in_cli_home: Path, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = store_snapshot(in_cli_home / "data" / STORE_FILE)
    inputs = [str(p) for p in case.make(folder)]
    code, err = run_in_process(["deck", *inputs, "--prompt", "push in"], capsys)
    assert_one_line_refusal(code, err, case.code, case.says)
    assert store_snapshot(in_cli_home / "data" / STORE_FILE) == before


@pytest.mark.parametrize("case", CLI_REQUESTS, ids=ids(CLI_REQUESTS))
def test_cli_generate_refuses_hostile_text_and_settings(
    case: RequestCase, in_cli_home: Path, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = store_snapshot(in_cli_home / "data" / STORE_FILE)
    good = str(folder / "good.png")
    code, err = run_in_process(["generate", good, good, *case.cli], capsys)
    if case.cli_says:  # argparse refuses it as usage: its usage line, then the reason
        assert code == EXIT_USAGE and "Traceback" not in err
        assert case.cli_says in err.strip().splitlines()[-1]
    else:
        assert_one_line_refusal(code, err, case.cli_code or case.code, case.says)
    assert store_snapshot(in_cli_home / "data" / STORE_FILE) == before


def test_cli_generate_refuses_a_folder_as_a_frame(
    in_cli_home: Path, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = store_snapshot(in_cli_home / "data" / STORE_FILE)
    code, err = run_in_process(["generate", str(folder / "good.png"), str(folder)], capsys)
    assert_one_line_refusal(code, err, "frame.unreadable", "not a regular file")
    assert store_snapshot(in_cli_home / "data" / STORE_FILE) == before


REAL_RUNS = [
    ("generate", "PNG bomb (10 gigapixels declared)"),
    ("deck", "ZIP climbing out with ../"),
    ("deck", "PDF with a password"),
]


@pytest.mark.parametrize(("command", "name"), REAL_RUNS, ids=[n for _, n in REAL_RUNS])
def test_a_real_cli_process_refuses_in_one_line_without_a_traceback(
    command: str, name: str, cli_home: Path, folder: Path
) -> None:
    case = next(c for c in (*FRAME_CASES, *DECK_CASES) if c.name == name)
    inputs = [str(p) for p in case.make(folder)]
    if command == "generate":
        args = ["generate", inputs[0], str(folder / "good.png")]
    else:
        args = ["deck", *inputs, "--prompt", "push in"]
    before = store_snapshot(cli_home / "data" / STORE_FILE)
    done = subprocess.run(
        [sys.executable, "-m", "kling_ui", *args],
        env=child_env(cli_home / "data"),
        cwd=cli_home,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert_one_line_refusal(done.returncode, done.stderr, case.code, case.says)
    assert store_snapshot(cli_home / "data" / STORE_FILE) == before
