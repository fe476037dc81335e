"""`python -m kling_ui deck INPUT...`: a whole deck to one presentation video.

Slides come from a PDF, images, a ZIP or a PowerPoint file (rendered by LibreOffice, speaker
notes read); every transition runs through the job engine; the stitched video, a PowerPoint
with the transitions inside (`--pptx`), the presenter page and a ZIP bundle are written.
Running the same command again resumes the deck: finished and in-flight transitions are reused.
The deck is opened, run, followed and assembled through the same workspace as the Deck tab's
(`deck.session.DeckWorkspace`: each step under the deck's lock, the assembly noted), as the
command line's deck (it has no owner).
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kling_ui.cli import EXIT_FAILED, EXIT_OK, EXIT_REFUSED, add_command
from kling_ui.cli.common import (
    add_kling_options,
    interrupted,
    quiet_console,
    refuse,
    start_runtime,
)
from kling_ui.config import Settings
from kling_ui.deck import fixed_prompt
from kling_ui.deck.prompting import preset_defaulter
from kling_ui.deck.run import Deck, DeckOutputs, DeckProgress, DeckRunner, DeckSettings
from kling_ui.deck.session import DeckWorkspace
from kling_ui.i18n import Text, UserError
from kling_ui.jobs.models import JobStatus
from kling_ui.kling.capabilities import settings_for
from kling_ui.prompts import DEFAULT_NEGATIVE, build_negative_prompt, load_library
from kling_ui.prompts.builder import PromptParts, validate_prompt_lengths
from kling_ui.prompts.cli_options import add_prompt_options
from kling_ui.runtime import Runtime

RESUMED = Text(
    "Resuming this deck: {done} of {total} transitions were already made.",
    "继续之前的幻灯片：{total} 个转场中已有 {done} 个完成。",
)
WROTE = Text("Wrote {video}", "已生成 {video}")
WROTE_PPTX = Text(
    "Wrote {pptx} ({slides} slides: each slide, then its transition playing by itself)",
    "已生成 {pptx}（共 {slides} 页：每张幻灯片之后是自动播放的转场）",
)


def register(subparsers: Any) -> None:
    """Add the `deck` command."""
    parser = add_command(
        subparsers,
        "deck",
        (
            "Turn a PDF, slide images, a ZIP of images or a PPTX into one video: each slide "
            "held, with a Kling transition between neighbours; --pptx also writes a "
            "PowerPoint where each slide is followed by its transition as a video that plays "
            "by itself. Running it again resumes. "
            "Exit codes: 0 done, 2 bad input, 3 Kling refused, 4 a transition failed."
        ),
    )
    parser.add_argument(
        "inputs",
        nargs="+",
        type=Path,
        metavar="INPUT",
        help="PDF/PPTX/images/ZIP, in slide order (images are taken in the order given)",
    )
    parser.add_argument("--prompt", default=None, metavar="TEXT", help="one prompt for all")
    parser.add_argument("--negative", default=None, metavar="ID|TEXT", help="negative prompt")
    parser.add_argument("--hold", type=float, default=2.0, metavar="S", help="slide hold (s)")
    parser.add_argument("--title", default=None, help="the deck's title (default: file name)")
    parser.add_argument("--out", type=Path, default=None, metavar="FILE", help="final .mp4 path")
    parser.add_argument(
        "--pptx",
        type=Path,
        default=None,
        metavar="FILE",
        help="also copy the PowerPoint with the transitions inside to this .pptx path",
    )
    add_kling_options(parser)
    add_prompt_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Open the deck, run its transitions, stitch it; the exit code."""
    lang, console = quiet_console(args)
    try:
        settings = Settings()
        runtime = Runtime.from_settings(settings)
    except UserError as error:
        return _report_error(args, console, error, lang)
    try:
        start_runtime(runtime, console, lang)
        workspace = DeckWorkspace(DeckRunner(runtime.engine, runtime.settings.data_dir))
        deck = _open(args, workspace, settings, lang)
        before = workspace.sync(deck.deck_id)
        if before.done:
            console.print(
                RESUMED.format(done=before.done, total=before.total).get(lang), highlight=False
            )
        workspace.submit(deck.deck_id, submitter=None, new_take=args.new_take)
        progress = _follow(workspace, deck, console, lang)
        if not progress.complete:
            return _report_failed(args, workspace, deck, progress, console, lang)
        outputs = workspace.assemble(deck.deck_id)
        video = _place(outputs.video, args.out)
        pptx = _place(outputs.pptx, args.pptx) if args.pptx else outputs.pptx
    except UserError as error:
        return _report_error(args, console, error, lang)
    except KeyboardInterrupt:
        return interrupted(console, lang)
    finally:
        runtime.close()
    console.print(WROTE.format(video=video).get(lang), highlight=False, markup=False)
    if args.pptx:
        slides = outputs.pptx_report.slides
        console.print(
            WROTE_PPTX.format(pptx=pptx, slides=slides).get(lang), highlight=False, markup=False
        )
    if args.json:
        print(json.dumps(_summary(deck, outputs, video, pptx, progress), ensure_ascii=False))
    else:
        print(video)
    return EXIT_OK


def _open(
    args: argparse.Namespace, workspace: DeckWorkspace, settings: Settings, lang: str
) -> Deck:
    """The deck for these inputs and options (UserError for anything wrong with them)."""
    missing = [str(p) for p in args.inputs if not p.is_file()]
    if missing:
        raise UserError(
            "deck.missing_input",
            Text(f"No such file: {', '.join(missing)}.", f"找不到文件：{'、'.join(missing)}。"),
            remedy=Text("Check the paths and try again.", "请检查路径后重试。"),
        )
    library = load_library(settings.data_dir)
    negative = build_negative_prompt(library, lang, args.negative or DEFAULT_NEGATIVE)
    if args.prompt:
        validate_prompt_lengths(args.prompt, negative)
        defaulter = fixed_prompt(args.prompt, negative)
    else:
        chosen = PromptParts(
            camera=args.camera,
            subject=args.subject,
            environment=args.environment,
            text_stability=args.text_stability,
            template=args.template,
        )
        defaulter = preset_defaulter(
            library, lang, chosen, negative=args.negative or DEFAULT_NEGATIVE
        )
    model = args.model or settings.default_model
    mode, duration, _ = settings_for(
        model,
        args.mode or settings.default_mode,
        args.duration or settings.default_duration,
        has_tail=True,
    )
    deck_settings = DeckSettings(
        title=args.title or args.inputs[0].stem,
        model=model,
        mode=mode,  # type: ignore[arg-type]
        duration=duration,  # type: ignore[arg-type]
        hold_seconds=args.hold,
    )
    return workspace.open(args.inputs, deck_settings, defaulter)


def _follow(workspace: DeckWorkspace, deck: Deck, console: Console, lang: str) -> DeckProgress:
    """Wait for the deck's transitions with a progress bar (plain lines off a terminal)."""
    if not console.is_terminal:
        shown: list[str] = []

        def line(progress: DeckProgress) -> None:
            text = progress.text(lang)
            if not shown or shown[-1] != text:
                shown.append(text)
                console.print(text, highlight=False, markup=False)

        return workspace.wait(deck.deck_id, on_progress=line)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as bar:
        row = bar.add_task("", total=len(deck.plan.transitions))

        def update(progress: DeckProgress) -> None:
            bar.update(row, completed=progress.done, description=progress.text(lang))

        return workspace.wait(deck.deck_id, on_progress=update)


def _place(made: Path, out: Path | None) -> Path:
    """Copy a file the deck made to --out (or --pptx) when given; the path to report."""
    if out is None:
        return made
    target = out.expanduser().resolve()
    if target.is_dir():
        target = target / made.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(made, target)
    return target


def _summary(
    deck: Deck, outputs: DeckOutputs, video: Path, pptx: Path, progress: DeckProgress
) -> dict[str, Any]:
    return {
        "deck_id": deck.deck_id,
        "status": "done",
        "video": str(video),
        "pptx": str(pptx),
        "pptx_slides": outputs.pptx_report.slides,
        "pptx_keeps_original_slides": outputs.pptx_report.kept_originals,
        "presenter": str(outputs.presenter),
        "bundle": str(outputs.bundle),
        "duration": round(outputs.report.duration, 3),
        "transitions": progress.total,
        "error": None,
    }


def _report_failed(
    args: argparse.Namespace,
    workspace: DeckWorkspace,
    deck: Deck,
    progress: DeckProgress,
    console: Console,
    lang: str,
) -> int:
    """Say which transitions failed and why; 3 if Kling refused them, 4 otherwise."""
    deck = workspace.load(deck.deck_id) or deck  # as the last progress left it
    jobs = {job.id: job for job in workspace.runner.jobs(deck)}
    refused = False
    first_error: dict[str, Any] | None = None
    for index in progress.failed:
        job = jobs.get(deck.plan.transition(index).job_id or "")
        if job is None:
            continue
        refused = refused or job.refused
        message = job.error_text(lang) or job.status_text(lang)
        console.print(
            Text(f"Transition {index + 1}: ", f"转场 {index + 1}：").get(lang) + message,
            highlight=False,
            markup=False,
        )
        if first_error is None and job.status is JobStatus.FAILED:
            first_error = {"code": job.error_code, "message": job.error_message}
    console.print(
        Text(
            "Run the same command again to retry only the failed transitions.",
            "再次运行同一命令即可只重试失败的转场。",
        ).get(lang),
        highlight=False,
    )
    if args.json:
        print(
            json.dumps(
                {
                    "deck_id": deck.deck_id,
                    "status": "failed",
                    "video": None,
                    "failed": [i + 1 for i in progress.failed],
                    "error": first_error,
                },
                ensure_ascii=False,
            )
        )
    return EXIT_REFUSED if refused else EXIT_FAILED


def _report_error(args: argparse.Namespace, console: Console, error: UserError, lang: str) -> int:
    return refuse(args, console, error, lang, {"deck_id": None, "video": None})
