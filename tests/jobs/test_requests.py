"""The one door (kling_ui.jobs.requests): frames prepared and saved with one suffix rule, a
JobSpec built one way, the engine's rules (owner's cap) applied, the frame report returned."""

from __future__ import annotations

import base64
import hashlib
import io
import re
from pathlib import Path

import numpy as np
import pytest
from job_helpers import EngineFactory
from PIL import Image

import kling_ui
from kling_ui.frames import prepare_frame
from kling_ui.i18n import UserError
from kling_ui.jobs.requests import (
    JobRequest,
    frame_suffix,
    store_frames,
    store_pair,
    submit,
)
from kling_ui.jobs.specs import create_request
from kling_ui.simulator import SimulatorServer, slide_png

# Where a door could bypass the one door: a JobSpec built, a frame saved, a spec submitted.
_BYPASS = re.compile(r"JobSpec\(|\.save_frame\(|engine\.submit\(")
_DOOR = Path(kling_ui.__file__).parent / "jobs" / "requests.py"


def photo_jpeg(width: int = 1600, height: int = 900) -> bytes:
    """Noisy photo-like content: too big as PNG, so it is prepared as a JPEG."""
    noise = np.random.default_rng(7).integers(0, 256, (height, width, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(noise).save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def request(**fields: object) -> JobRequest:
    values: dict[str, object] = {
        "prompt": "  a slow push-in  ",
        "negative_prompt": " blur ",
        "model": "kling-v2-6",
        "mode": "pro",
        "duration": "5",
        "submitter": "browser:a",
    }
    values.update(fields)
    return JobRequest(**values)  # type: ignore[arg-type]


def test_no_door_builds_a_spec_or_saves_a_frame_of_its_own() -> None:
    package = Path(kling_ui.__file__).parent
    bypassing = [
        str(path.relative_to(package))
        for path in sorted(package.rglob("*.py"))
        if path != _DOOR
        and any(
            _BYPASS.search(line) and not line.lstrip().startswith(("def ", "class "))
            for line in path.read_text(encoding="utf-8").splitlines()
        )
    ]
    assert bypassing == []


def test_one_suffix_rule_jpeg_frames_are_jpg_and_png_frames_png(
    simulator: SimulatorServer, engine_factory: EngineFactory, tmp_path: Path
) -> None:
    photo = prepare_frame(photo_jpeg())
    slide = prepare_frame(slide_png(1920, 1080, "Slide"))
    assert (photo.format, frame_suffix(photo)) == ("JPEG", "jpg")
    assert (slide.format, frame_suffix(slide)) == ("PNG", "png")

    engine = engine_factory(simulator, start=False)
    source = tmp_path / "photo.jpeg"
    source.write_bytes(photo_jpeg())
    stored = store_pair(engine, source, None)
    assert stored.last is None and stored.first.suffix == ".jpg"
    assert stored.first.parent == engine.frames_dir
    assert stored.first.stem == hashlib.sha256(stored.first.read_bytes()).hexdigest()


def test_a_request_becomes_one_spec_and_a_queued_job_with_its_frame_report(
    simulator: SimulatorServer, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    engine = engine_factory(simulator, start=False)
    stored = store_pair(engine, frames[0], frames[1], "fit")
    done = submit(engine, stored, request(kind="deck", deck_id="d1", deck_position=2, label="L"))
    assert not done.reused and done.frames is stored
    spec = engine.get(done.job.id).spec
    assert (spec.first_frame, spec.last_frame) == (stored.first, stored.last)
    assert (spec.prompt, spec.negative_prompt) == ("a slow push-in", "blur")
    assert (spec.kind, spec.deck_id, spec.deck_position, spec.label) == ("deck", "d1", 2, "L")
    # 480x320 slides are brought to a size Kling accepts, and the caller is told so.
    assert stored.report_text("en") and stored.report_text("en") != stored.report_text("zh-CN")


def test_one_stored_pair_serves_several_requests(
    simulator: SimulatorServer, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    engine = engine_factory(simulator, start=False)
    stored = store_frames(engine, store_pair(engine, frames[0], frames[1]).prepared)
    jobs = [submit(engine, stored, request(prompt=p, kind="lab")).job for p in ("a", "b")]
    assert jobs[0].id != jobs[1].id
    assert {job.spec.first_frame for job in jobs} == {stored.first}


def test_settings_the_rules_forbid_are_refused_naming_the_fields(
    simulator: SimulatorServer, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    engine = engine_factory(simulator, start=False)
    stored = store_pair(engine, frames[0], frames[1])
    with pytest.raises(UserError) as caught:
        submit(engine, stored, request(mode="turbo", duration="7"))
    assert caught.value.code == "request.invalid"
    assert "duration, mode" in caught.value.message.en and "turbo" not in str(caught.value)


def test_the_owners_cap_applies_at_the_door(
    simulator: SimulatorServer, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    engine = engine_factory(simulator, start=False)
    engine.max_queued = 1
    stored = store_pair(engine, frames[0], frames[1])
    submit(engine, stored, request(prompt="first"))
    with pytest.raises(UserError) as caught:
        submit(engine, stored, request(prompt="second"))
    assert caught.value.code == "jobs.queue_full"
    assert submit(engine, stored, request(prompt="other", submitter="browser:b")).job


def test_kling_gets_the_stored_frames_as_plain_base64(
    simulator: SimulatorServer, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    engine = engine_factory(simulator, start=False)
    stored = store_pair(engine, frames[0], frames[1])
    job = submit(engine, stored, request()).job
    sent = create_request(job, None)
    assert not sent.image.startswith("data:")
    assert base64.b64decode(sent.image) == stored.first.read_bytes()
    assert sent.image_tail and base64.b64decode(sent.image_tail) == stored.last.read_bytes()  # type: ignore[union-attr]
