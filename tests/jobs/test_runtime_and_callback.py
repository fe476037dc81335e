"""Runtime: settings to a running engine (demo mode on the embedded simulator); the callback
route hands Kling's callbacks to the engine."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from job_helpers import WAIT, EngineFactory

from kling_ui.config import Settings
from kling_ui.i18n import UserError
from kling_ui.jobs.callback import CallbackListener
from kling_ui.jobs.engine import CALLBACK_PATH
from kling_ui.jobs.models import JobSpec, JobStatus
from kling_ui.runtime import DEMO_ACCOUNT, Runtime
from kling_ui.simulator import SimulatorServer


def demo_settings(data_dir: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=data_dir,
        demo_latency=0.3,
        demo_render_height=180,
        poll_interval=0.05,
    )


def test_demo_mode_runs_jobs_on_the_embedded_simulator(
    tmp_path: Path, frames: tuple[Path, Path]
) -> None:
    with Runtime.from_settings(demo_settings(tmp_path / "studio")) as runtime:
        assert runtime.demo and runtime.simulator is not None
        assert runtime.endpoint_label == "Embedded simulator (demo mode)"
        assert runtime.endpoint_text("zh-CN") == "内置模拟器（演示模式）"
        keys = (runtime.simulator.config.access_key, runtime.simulator.config.secret_key)
        spec = JobSpec(first_frame=frames[0], last_frame=frames[1])
        job = runtime.engine.wait(runtime.engine.submit(spec).job.id, WAIT)
        assert job.status is JobStatus.DONE and job.account == DEMO_ACCOUNT
        assert (tmp_path / "studio" / "jobs.sqlite3").is_file()
    # Random keys per process, known only in memory.
    assert "sim-access-key" not in keys and all(len(k) >= 20 for k in keys)


def test_a_base_url_without_keys_is_refused_clearly(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path,
        base_url="http://127.0.0.1:9",
    )
    with pytest.raises(UserError) as caught:
        Runtime.from_settings(settings)
    assert caught.value.code == "config.missing_keys"


def test_the_callback_route_accepts_objects_and_refuses_anything_else(
    simulator: SimulatorServer, engine_factory: EngineFactory
) -> None:
    engine = engine_factory(simulator)
    with CallbackListener(engine) as listener:
        url = listener.base_url + CALLBACK_PATH
        assert httpx.post(url, json={"task_id": "unknown"}).json() == {"ok": True}
        assert httpx.post(url, content=b"not json").status_code == 400
        assert httpx.post(url, json=[1, 2]).status_code == 400
        assert httpx.get(url).status_code == 405
