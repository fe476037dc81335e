"""`python -m kling_ui jobs` lists the job history; `python -m kling_ui resume` finishes every
unfinished job (after a crash or a closed Studio) and waits for them with a progress display."""

from __future__ import annotations

import argparse
import json
import logging
import time
from typing import TYPE_CHECKING, Any

from rich.console import Console

from kling_ui import logs
from kling_ui.cli import EXIT_FAILED, EXIT_OK, EXIT_REFUSED, EXIT_USAGE, add_command
from kling_ui.cli.generate_cmd import exit_code, load_settings
from kling_ui.cli.texts import HISTORY_HEADERS, NO_JOBS, NOTHING_TO_RESUME, RESUMING
from kling_ui.i18n import LANGS, UserError, normalize_lang
from kling_ui.jobs.models import STATUS_LABELS, Job, JobStatus
from kling_ui.jobs.store import STORE_FILE, JobStore

if TYPE_CHECKING:
    from rich.table import Table

PROMPT_WIDTH = 48


def register(subparsers: Any) -> None:
    """Add the `jobs` and `resume` commands."""
    jobs = add_command(
        subparsers, "jobs", "List the jobs in the data folder's history, newest first."
    )
    jobs.add_argument("--json", action="store_true", help="print one JSON array of jobs")
    jobs.add_argument(
        "--status", action="append", choices=[s.value for s in JobStatus], help="only these"
    )
    jobs.add_argument("--kind", choices=("single", "lab", "deck"), help="only this kind")
    jobs.add_argument("--search", metavar="TEXT", help="in prompts, labels and ids")
    jobs.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    jobs.add_argument("--lang", default="en", choices=LANGS, help="language of messages")
    jobs.set_defaults(func=run_jobs)

    resume = add_command(
        subparsers,
        "resume",
        (
            "Take up every unfinished job in the data folder (queued ones are sent, sent ones "
            "are looked up and followed, finished ones are downloaded; nothing is paid twice) "
            "and wait for them. Exit codes: 0 all done, 3 Kling refused one, 4 one failed or "
            "timed out."
        ),
    )
    resume.add_argument("--json", action="store_true", help="print one JSON array last")
    resume.add_argument("--lang", default="en", choices=LANGS, help="language of messages")
    resume.set_defaults(func=run_resume)


def run_jobs(args: argparse.Namespace) -> int:
    """Print the history as a table (or JSON); the exit code."""
    logs.install(logging.WARNING)
    lang = normalize_lang(args.lang)
    jobs: list[Job] = []
    try:
        path = load_settings().data_dir.expanduser() / STORE_FILE
        if path.is_file():
            with JobStore(path) as store:
                jobs = store.list(
                    status=args.status,
                    kind=args.kind,
                    text=args.search,
                    limit=max(1, args.limit),
                )
    except UserError as error:
        Console(stderr=True, soft_wrap=True).print(
            f"[{error.code}] {error.text(lang)}", markup=False
        )
        return EXIT_USAGE
    if args.json:
        print(json.dumps([job.to_public_dict() for job in jobs], ensure_ascii=False))
        return EXIT_OK
    console = Console(soft_wrap=False)
    if not jobs:
        console.print(NO_JOBS.get(lang))
        return EXIT_OK
    console.print(history_table(jobs, lang))
    return EXIT_OK


def history_table(jobs: list[Job], lang: str) -> Table:
    """The history as a rich table: one row per job."""
    from rich.table import Table

    table = Table(show_lines=False)
    for header in HISTORY_HEADERS:
        table.add_column(header.get(lang), overflow="fold")
    for job in jobs:
        spec = job.spec
        prompt = (
            spec.prompt if len(spec.prompt) <= PROMPT_WIDTH else spec.prompt[:PROMPT_WIDTH] + "…"
        )
        outcome = job.video_path.name if job.video_path else (job.error_text(lang) or "")
        table.add_row(
            job.id[:8],
            time.strftime("%Y-%m-%d %H:%M", time.localtime(job.created_at)),
            spec.kind,
            spec.submitter,
            STATUS_LABELS[job.status].get(lang),
            f"{spec.model} {spec.mode} {spec.duration}s",
            prompt,
            outcome,
        )
    return table


def run_resume(args: argparse.Namespace) -> int:
    """Resume every unfinished job and wait for each; the worst exit code among them."""
    from kling_ui.cli.common import interrupted, quiet_console, start_runtime
    from kling_ui.cli.generate_cmd import follow_jobs, job_error_line, job_summary
    from kling_ui.runtime import Runtime

    lang, console = quiet_console(args)
    try:
        runtime = Runtime.from_settings(load_settings())
    except UserError as error:
        console.print(f"[{error.code}] {error.text(lang)}", highlight=False, markup=False)
        return EXIT_USAGE
    try:
        job_ids = [job.id for job in runtime.store.unfinished()]
        start_runtime(runtime, console, lang)
        if not job_ids:
            console.print(NOTHING_TO_RESUME.get(lang), highlight=False)
            if args.json:
                print("[]")
            return EXIT_OK
        console.print(RESUMING.format(n=len(job_ids)).get(lang), highlight=False)
        started = time.monotonic()
        patience = runtime.settings.task_timeout

        def done(job: Job) -> bool:
            # A paid-for task is followed to its end; one that timed out before gets one
            # more task_timeout in this run before the command gives up on it.
            if job.status.finished:
                return job.watch is None
            return job.status is JobStatus.TIMED_OUT and time.monotonic() - started > patience

        jobs = follow_jobs(runtime, job_ids, console, lang, done=done)
    except UserError as error:
        console.print(f"[{error.code}] {error.text(lang)}", highlight=False, markup=False)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return interrupted(console, lang)
    finally:
        runtime.close()
    for job in jobs:
        if exit_code(job) != EXIT_OK and job.status is not JobStatus.CANCELLED:
            console.print(f"{job.id[:8]}: {job_error_line(job, lang)}", markup=False)
    if args.json:
        print(json.dumps([job_summary(job) for job in jobs], ensure_ascii=False))
    return worst_exit_code(jobs)


def worst_exit_code(jobs: list[Job]) -> int:
    """4 if any job failed or timed out, else 3 if Kling refused one, else 0. Cancelled jobs
    were the person's choice and do not count."""
    codes = {exit_code(job) for job in jobs if job.status is not JobStatus.CANCELLED}
    for code in (EXIT_FAILED, EXIT_REFUSED):
        if code in codes:
            return code
    return EXIT_OK
