"""`python -m kling_ui generate FIRST LAST`: one transition through the job engine.

Prints the video's path (stdout); with --json the last stdout line is one JSON object.
Progress goes to stderr. Exit codes: 0 done, 2 bad input, 3 Kling refused, 4 failed or
timed out (see kling_ui.cli).
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from kling_ui.cli import EXIT_FAILED, EXIT_OK, EXIT_REFUSED, EXIT_USAGE, add_command
from kling_ui.cli.texts import (
    CONFIG_INVALID,
    CONFIG_INVALID_REMEDY,
    COPY_FAILED,
    QUEUE_POSITION,
    REUSED_NOTICE,
    TIME_LEFT,
)
from kling_ui.config import Settings
from kling_ui.i18n import UserError
from kling_ui.jobs.models import STATUS_LABELS, Job, JobStatus

# Frames, prompts, the runtime (with its simulator) and rich load only when `generate` runs:
# `jobs` and `resume` import this module for its shared helpers.
if TYPE_CHECKING:
    from rich.console import Console

    from kling_ui.frames import PreparedPair
    from kling_ui.jobs.requests import JobRequest
    from kling_ui.runtime import Runtime

FOLLOW_TICK = 0.2


def register(subparsers: Any) -> None:
    """Add the `generate` command."""
    from kling_ui.cli.common import add_kling_options
    from kling_ui.prompts.cli_options import add_prompt_options

    parser = add_command(
        subparsers,
        "generate",
        (
            "Make one transition video from FIRST to LAST through the job engine and print "
            "the video's path. Without Kling keys the embedded simulator is used (demo mode). "
            "Exit codes: 0 done, 2 bad input, 3 Kling refused, 4 failed or timed out."
        ),
    )
    parser.add_argument("first", metavar="FIRST", help="first frame (PNG or JPEG)")
    parser.add_argument("last", metavar="LAST", help="last frame (PNG or JPEG)")
    parser.add_argument("--prompt", default="", metavar="TEXT", help="free text for the prompt")
    parser.add_argument(
        "--negative",
        default=None,
        metavar="ID|TEXT",
        help="negative prompt: a preset id or your own words (default: the default preset)",
    )
    parser.add_argument("--out", type=Path, default=None, metavar="DIR", help="copy video here")
    parser.add_argument("--label", default=None, help="a readable name for the video file")
    add_kling_options(parser)
    add_prompt_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Prepare the frames and prompt, run one job, report it; the exit code."""
    from kling_ui.cli.common import interrupted, quiet_console, start_runtime
    from kling_ui.jobs.requests import store_frames, submit
    from kling_ui.runtime import Runtime

    lang, console = quiet_console(args)
    try:
        settings = load_settings()
        pair, request = _request_from_args(args, settings, lang)
    except UserError as error:
        return _refuse(args, console, error, lang)
    try:
        runtime = Runtime.from_settings(settings)
    except UserError as error:
        return _refuse(args, console, error, lang)
    try:
        start_runtime(runtime, console, lang)
        result = submit(runtime.engine, store_frames(runtime.engine, pair), request)
        if result.reused:
            console.print(REUSED_NOTICE.get(lang), highlight=False)
        job = follow_jobs(runtime, [result.job.id], console, lang)[0]
    except UserError as error:
        runtime.close()
        return _refuse(args, console, error, lang)
    except KeyboardInterrupt:
        runtime.close()
        return interrupted(console, lang)
    runtime.close()
    video = job.video_path
    if video is not None and args.out is not None and job.status is JobStatus.DONE:
        try:
            video = _copy_video(video, args.out)
        except OSError as exc:
            console.print(
                COPY_FAILED.format(dir=args.out, reason=exc.strerror, video=video).get(lang),
                markup=False,
            )
            return EXIT_USAGE
    code = exit_code(job)
    if code != EXIT_OK:
        console.print(job_error_line(job, lang), highlight=False, markup=False)
    if args.json:
        print(json.dumps(job_summary(job, video, demo=runtime.demo), ensure_ascii=False))
    elif video is not None and job.status is JobStatus.DONE:
        print(video)
    return code


def _copy_video(video: Path, out: Path) -> Path:
    """Copy the finished video into the --out folder; returns the copy's absolute path."""
    folder = out.expanduser().resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy2(video, folder / video.name))


def load_settings() -> Settings:
    """Settings from the environment; a bad value is a UserError naming the setting."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        raise UserError(
            "config.invalid",
            CONFIG_INVALID.format(problems=problems),
            remedy=CONFIG_INVALID_REMEDY,
        ) from None


def exit_code(job: Job) -> int:
    """0 done; 3 Kling refused the create; 4 the task failed, timed out or was cancelled."""
    if job.status is JobStatus.DONE:
        return EXIT_OK
    if job.refused:
        return EXIT_REFUSED
    return EXIT_FAILED


def job_summary(job: Job, video: Path | None = None, *, demo: bool = False) -> dict[str, Any]:
    """The JSON object `--json` prints for a job."""
    shown = video or job.video_path
    return {
        "job_id": job.id,
        "task_id": job.task_id,
        "external_task_id": job.external_task_id,
        "status": job.status.value,
        "video": str(shown) if shown is not None and job.status is JobStatus.DONE else None,
        "error": (
            {"code": job.error_code, "message": job.error_message, "stage": job.error_stage}
            if job.error_code
            else None
        ),
        "reused_from": job.reused_from,
        "units": job.units,
        "demo": demo,
    }


def job_error_line(job: Job, lang: str) -> str:
    """One line saying how the job ended when it did not end well."""
    if job.status is JobStatus.TIMED_OUT:
        return job.status_text(lang)
    if job.status is JobStatus.CANCELLED:
        return STATUS_LABELS[job.status].get(lang)
    return f"[{job.error_code}] {job.error_text(lang) or job.status_text(lang)}"


def follow_jobs(
    runtime: Runtime,
    job_ids: Sequence[str],
    console: Console,
    lang: str,
    *,
    done: Callable[[Job], bool] | None = None,
) -> list[Job]:
    """Show each job's progress on `console` until `done(job)` holds for all (default: the
    job is settled); return the jobs as they ended. A live display on a terminal, one line
    per status change otherwise."""
    finished = done or (lambda job: job.status.settled)
    engine = runtime.engine
    jobs = [engine.get(job_id) for job_id in job_ids]
    if console.is_terminal:
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=False) as progress:
            rows = [progress.add_task(_describe(runtime, job, lang), total=1) for job in jobs]
            while True:
                jobs = [engine.get(job_id) for job_id in job_ids]
                for row, job in zip(rows, jobs, strict=True):
                    progress.update(
                        row,
                        description=_describe(runtime, job, lang),
                        completed=1 if finished(job) else 0,
                    )
                if all(finished(job) for job in jobs):
                    return jobs
                time.sleep(FOLLOW_TICK)
    shown: dict[str, str] = {}
    while True:
        jobs = [engine.get(job_id) for job_id in job_ids]
        for job in jobs:
            if shown.get(job.id) != job.status.value:
                shown[job.id] = job.status.value
                console.print(_describe(runtime, job, lang), highlight=False, markup=False)
        if all(finished(job) for job in jobs):
            return jobs
        time.sleep(FOLLOW_TICK)


def _describe(runtime: Runtime, job: Job, lang: str) -> str:
    engine = runtime.engine
    parts = [f"{job.id[:8]}", job.status_text(lang)]
    position = engine.queue_position(job.id)
    if position is not None:
        parts.append(QUEUE_POSITION.format(n=position).get(lang))
    if not job.status.settled:
        left = engine.estimate(job.id)
        if left is not None:
            parts.append(TIME_LEFT.format(s=left).get(lang))
    return " · ".join(parts)


def _request_from_args(
    args: argparse.Namespace, settings: Settings, lang: str
) -> tuple[PreparedPair, JobRequest]:
    """Prepare the frames and build the prompt (before anything starts); UserError for
    anything wrong with them."""
    from kling_ui.frames import prepare_pair
    from kling_ui.jobs.requests import JobRequest
    from kling_ui.prompts import (
        DEFAULT_NEGATIVE,
        build_negative_prompt,
        load_library,
        validate_prompt_lengths,
    )
    from kling_ui.prompts.cli_options import prompt_from_args

    library = load_library(settings.data_dir)
    prompt, parts, fit = prompt_from_args(args, library, lang, extra=args.prompt or "")
    negative = build_negative_prompt(library, lang, args.negative or DEFAULT_NEGATIVE)
    validate_prompt_lengths(prompt, negative)
    pair = prepare_pair(Path(args.first), Path(args.last), fit=fit)
    prompt_parts = {
        name: value
        for name, value in parts.model_dump().items()
        if isinstance(value, str) and value.strip()
    }
    return pair, JobRequest(
        prompt=prompt,
        negative_prompt=negative,
        prompt_parts=prompt_parts,
        model=args.model or settings.default_model,
        mode=args.mode or settings.default_mode,
        duration=args.duration or settings.default_duration,
        submitter="cli",
        label=args.label,
        new_take=args.new_take,
    )


def _refuse(args: argparse.Namespace, console: Console, error: UserError, lang: str) -> int:
    """Report a refusal before any job ran: one line on stderr (and JSON with --json)."""
    from kling_ui.cli.common import refuse

    empty = {"job_id": None, "task_id": None, "external_task_id": None, "video": None}
    return refuse(args, console, error, lang, empty)
