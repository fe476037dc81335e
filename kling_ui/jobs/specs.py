"""From a JobSpec to what Kling receives: checks at submit, the create request, reuse rows."""

from __future__ import annotations

import base64
import hashlib
import time
import uuid
from pathlib import Path

from kling_ui.jobs import messages
from kling_ui.jobs.models import Job, JobSpec, JobStatus
from kling_ui.kling import capabilities
from kling_ui.kling.client import new_external_task_id
from kling_ui.kling.models import CreateTaskRequest


def check_spec(spec: JobSpec) -> None:
    """Refuse (UserError) a spec whose frames are missing or that the capability table
    forbids (model, mode/duration with a last frame, cfg_scale, prompt length)."""
    for frame in (spec.first_frame, spec.last_frame):
        if frame is not None and not Path(frame).is_file():
            raise messages.frame_missing(Path(frame).name)
    capabilities.check(
        CreateTaskRequest(
            model_name=spec.model,
            image="-",
            image_tail="-" if spec.last_frame else None,
            prompt=spec.prompt or None,
            negative_prompt=spec.negative_prompt or None,
            cfg_scale=spec.cfg_scale,
            mode=spec.mode,
            duration=spec.duration,
        )
    )


def create_request(job: Job, callback_url: str | None) -> CreateTaskRequest:
    """The create request for a stored job, frames read from disk and base64-encoded."""
    spec = job.spec
    return CreateTaskRequest(
        model_name=spec.model,
        image=file_b64(spec.first_frame),
        image_tail=file_b64(spec.last_frame) if spec.last_frame else None,
        prompt=spec.prompt or None,
        negative_prompt=spec.negative_prompt or None,
        cfg_scale=spec.cfg_scale,
        mode=spec.mode,
        duration=spec.duration,
        callback_url=callback_url,
        external_task_id=job.external_task_id,
    )


def reused_job(done: Job, spec: JobSpec, account: str) -> Job:
    """A new, already done row answered by an identical finished job's video (units 0)."""
    now = time.time()
    return Job(
        id=uuid.uuid4().hex,
        external_task_id=new_external_task_id(),  # never sent: nothing is created
        task_id=done.task_id,
        account=account,
        spec=spec,
        first_hash=done.first_hash,
        last_hash=done.last_hash,
        fingerprint=done.fingerprint,
        status=JobStatus.DONE,
        status_message=messages.REUSED.en,
        status_message_zh=messages.REUSED.zh,
        task_status=done.task_status,
        video_path=done.video_path,
        video_url=done.video_url,
        units=0.0,
        created_at=now,
        finished_at=now,
        updated_at=now,
        reused_from=done.id,
    )


def store_frame(folder: Path, data: bytes, suffix: str) -> Path:
    """Write frame bytes to `folder`, named by their sha256 (written once, atomically)."""
    digest = hashlib.sha256(data).hexdigest()
    path = folder / f"{digest}.{suffix.lstrip('.').lower()}"
    if not path.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
        partial.write_bytes(data)
        partial.replace(path)
    return path


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, read in 1 MB chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_b64(path: Path) -> str:
    """A frame file as base64 without a data: prefix; job.frame_missing if it is gone."""
    try:
        return base64.b64encode(Path(path).read_bytes()).decode("ascii")
    except FileNotFoundError:
        raise messages.frame_missing(Path(path).name) from None
