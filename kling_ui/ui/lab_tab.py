"""The Prompt lab tab: one frame pair, two or three prompts generated at once, the results
side by side with their prompts; mark the best and keep its prompt as a preset.

Everything here is the person's own: the runs shown (a reload shows their newest run, never
someone else's), the variant marked best, and the preset saved (into their own presets).
Only the variant marked best in this run is saved (a variant reused from an earlier run may
carry an old mark), and the "queued" note goes once the run is over."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

import gradio as gr

from kling_ui.i18n import Text, UserError
from kling_ui.jobs.models import Job, JobStatus
from kling_ui.jobs.requests import JobRequest, store_pair, submit
from kling_ui.prompts import strategy_hint
from kling_ui.ui import views
from kling_ui.ui.common import (
    GENERATE_CONCURRENCY_ID,
    GENERATE_CONCURRENCY_LIMIT,
    INSTANT,
    answers_in_words,
    bound,
    frame_image,
    lang_of,
    notice_box,
    submitter_of,
)
from kling_ui.ui.context import StudioContext, StudioControls
from kling_ui.ui.prompting import lab_variants, preset_id_for
from kling_ui.ui.submitting import blocked, no_first_frame
from kling_ui.ui.texts import label, say, text

LETTERS = ("A", "B", "C")
LABEL_PROMPT_CHARS = 60
# The results the timer writes: a cell and a video per variant, their signature, the videos.
RESULT_OUTPUTS = 2 * len(LETTERS) + 2


def need_prompts() -> UserError:
    """Fewer than two different prompts were given."""
    return UserError(
        "lab.need_prompts",
        text("lab_need_prompts"),
        remedy=Text(
            "Press “Fill variants from presets” or write your own.",
            "可点击“用预设填充各变体”，或自己填写。",
        ),
    )


def no_best() -> UserError:
    """Saving a preset was asked for before any variant was marked best."""
    return UserError("lab.no_best", text("lab_no_best"))


def variant_label(letter: str, prompt: str) -> str:
    """The readable name of a lab variant's job (also its video's file name)."""
    short = prompt if len(prompt) <= LABEL_PROMPT_CHARS else prompt[:LABEL_PROMPT_CHARS] + "…"
    return f"Lab {letter}: {short}"


def group_jobs(ctx: StudioContext, group: str | None, owner: str) -> list[Job]:
    """`owner`'s jobs of a lab run in the order they were submitted (A, B, C)."""
    if not group:
        return []
    return ctx.engine.jobs(lab_group=group, newest_first=False, limit=len(LETTERS), owner=owner)


def newest_run(ctx: StudioContext, owner: str) -> list[Job]:
    """`owner`'s latest lab run, so a reloaded page shows it again."""
    jobs = ctx.engine.jobs(kind="lab", limit=1, owner=owner)
    return group_jobs(ctx, jobs[0].spec.lab_group, owner) if jobs else []


def run_jobs(ctx: StudioContext, ids: list[str | None] | None, owner: str) -> list[Job | None]:
    """`owner`'s jobs of a run by id, one per variant column (None where there is none, or
    where the id is not theirs).

    By id, not by group: an identical variant already in flight answers with its own job,
    which belongs to another run."""
    found: list[Job | None] = []
    for job_id in (ids or [])[: len(LETTERS)]:
        try:
            found.append(ctx.engine.owned(job_id, owner) if job_id else None)
        except KeyError:
            found.append(None)
    return found + [None] * (len(LETTERS) - len(found))


@dataclass(frozen=True)
class LabControls:
    """The Prompt lab's inputs its Generate reads (with the Studio's settings)."""

    first: gr.Image
    last: gr.Image
    count: gr.Radio
    prompts: list[gr.Textbox]


def build(ctx: StudioContext) -> None:
    """Lay out the Prompt lab tab inside the current Tab and wire its events."""
    studio = ctx.studio
    if studio is None:
        raise RuntimeError("the Studio tab must be built before the Prompt lab")
    gr.Markdown(label("lab_intro"))
    with gr.Row(equal_height=False):
        first = frame_image(label("first_frame"), height=200, elem_id="kts-lab-first")
        last = frame_image(label("last_frame"), height=200, elem_id="kts-lab-last")
        with gr.Column():
            use_studio = gr.Button(
                label("lab_use_studio_frames"), size="md", elem_id="kts-lab-use-studio"
            )
            count = gr.Radio([2, 3], value=3, label=label("lab_variant_count"))
            fill = gr.Button(label("lab_fill"), size="md", elem_id="kts-lab-fill")
            hint = gr.Markdown(elem_id="kts-lab-hint")
            frame_notice = notice_box("kts-lab-frame-notice")
    gr.Markdown(label("lab_settings_note"))
    prompts: list[gr.Textbox] = []
    cells: list[gr.HTML] = []
    videos: list[gr.Video] = []
    bests: list[gr.Button] = []
    columns: list[gr.Column] = []
    with gr.Row(equal_height=False):
        for letter in LETTERS:
            with gr.Column(min_width=240) as column:
                prompts.append(
                    gr.Textbox(
                        label=label(f"lab_variant_{letter.lower()}"),
                        lines=5,
                        elem_id=f"kts-lab-prompt-{letter.lower()}",
                    )
                )
                cells.append(gr.HTML(elem_id=f"kts-lab-cell-{letter.lower()}"))
                videos.append(
                    gr.Video(
                        interactive=False,
                        buttons=["download"],
                        show_label=False,
                        elem_id=f"kts-lab-video-{letter.lower()}",
                    )
                )
                bests.append(
                    gr.Button(
                        label("lab_mark_best"), size="sm", elem_id=f"kts-lab-best-{letter.lower()}"
                    )
                )
            columns.append(column)
    with gr.Row(equal_height=True):
        generate = gr.Button(
            label("lab_generate"),
            variant="primary",
            scale=0,
            min_width=200,
            elem_id="kts-lab-generate",
        )
        note = notice_box("kts-lab-note")
    with gr.Row(equal_height=True):
        preset_name = gr.Textbox(label=label("lab_preset_name"), scale=3)
        save = gr.Button(
            label("lab_save_preset"),
            size="md",
            scale=0,
            min_width=120,
            elem_id="kts-lab-save",
            elem_classes=["kts-fit-button"],
        )
    job_ids = gr.State([])
    shown = gr.State("")
    shown_videos = gr.State([None, None, None])
    suggested = gr.State(None)
    best_pick = gr.State(None)  # the variant marked best in this run (its job id)
    noted = gr.State([])  # the jobs the note speaks of; cleared when they have all ended
    lab = LabControls(first, last, count, prompts)

    # ---- frames and variants ------------------------------------------------------------

    use_studio.click(both, [studio.first, studio.last], [first, last], **INSTANT)
    count.change(third_column, [count], [columns[2]], **INSTANT)
    gr.on(
        [first.change, last.change],
        on_frames,
        [first, last],
        [hint, suggested, frame_notice],
        api_visibility="private",
        concurrency_limit=2,
        concurrency_id="kling-frames",
    )
    fill.click(
        bound(on_fill, ctx),
        [studio.preview, studio.prompt_lang, count, suggested, ctx.browser_id],
        prompts,
        **INSTANT,
    )

    # ---- generate and results -----------------------------------------------------------

    generate.click(
        bound(on_generate, ctx, studio, lab),
        {first, last, count, *prompts, studio.negative, studio.model, studio.mode}
        | {studio.duration, studio.fit, ctx.browser_keys, ctx.browser_id},
        [job_ids, note, shown, best_pick, noted],
        api_visibility="private",
        show_progress="hidden",
        concurrency_limit=GENERATE_CONCURRENCY_LIMIT,
        concurrency_id=GENERATE_CONCURRENCY_ID,
    )
    ctx.ticks.add(
        bound(on_tick, ctx),
        [job_ids, shown, shown_videos, best_pick, noted, ctx.browser_id],
        [*cells, *videos, shown, shown_videos, note, noted],
    )
    for index, button in enumerate(bests):
        button.click(
            bound(on_best, ctx, index),
            [job_ids, ctx.browser_id],
            [best_pick, note, shown],
            api_visibility="private",
            show_progress="hidden",
        )
    studio.refresh_builder_after(
        save.click(
            bound(on_save, ctx),
            [preset_name, job_ids, best_pick, ctx.browser_id],
            [note, studio.template],
            api_visibility="private",
            show_progress="hidden",
        )
    )
    ctx.loads.add(
        bound(on_load, ctx), [ctx.browser_id], [job_ids, shown, shown_videos, best_pick, *prompts]
    )


# ---- frames and variants --------------------------------------------------------------------


def both(first: Any, last: Any) -> tuple[Any, Any]:
    """The Studio's two frames, copied into the lab's."""
    return first, last


def third_column(count: Any) -> gr.Column:
    """The third variant's column, shown only when three variants are asked for."""
    return gr.Column(visible=int(count) >= 3)


@answers_in_words(3, notice=2)  # the hint, the suggested template, the frames' notice
def on_frames(first_path: str | None, last_path: str | None, request: gr.Request):
    """Both frames given: the strategy they suggest, and its template for "fill"."""
    if not first_path or not last_path:
        return "", None, ""
    found = strategy_hint(first_path, last_path)
    return views.strategy_text(found, lang_of(request)), found.parts.template, ""


def on_fill(
    ctx: StudioContext,
    studio_prompt: str,
    prompt_lang: str,
    n: int,
    template_id: str | None,
    browser_id: Any,
    request: gr.Request,
):
    """The variants filled from the person's presets (and the Studio's prompt)."""
    found = lab_variants(
        ctx.library_for(request, browser_id),
        studio_prompt or "",
        prompt_lang or "en",
        int(n),
        suggested=template_id,
    )
    return found + [""] * (len(LETTERS) - len(found))


# ---- generate -------------------------------------------------------------------------------


# The run's job ids, the note, the results' signature, the best pick, the jobs noted.
@answers_in_words(5, notice=1)
def on_generate(
    ctx: StudioContext,
    studio: StudioControls,
    lab: LabControls,
    data: dict[Any, Any],
    request: gr.Request,
):
    """Hand the run's two or three different prompts to the engine, one job each, with the
    Studio's settings."""
    lang = lang_of(request)
    if not data[lab.first]:
        raise no_first_frame()
    wanted = int(data[lab.count])
    variants = views.distinct_prompts([data[p] or "" for p in lab.prompts[:wanted]])
    if len(variants) < 2:
        raise need_prompts()
    negative_value = data[studio.negative] or ""
    for prompt in variants:
        state = views.control_state(
            data[studio.model],
            data[studio.mode],
            data[studio.duration],
            has_first=True,
            has_tail=bool(data[lab.last]),
            prompt=prompt,
            negative_prompt=negative_value,
            lang=lang,
        )
        if not state.can_submit:
            raise blocked(state)
    credentials = ctx.credentials_for(data[ctx.browser_keys])
    frames = store_pair(ctx.engine, data[lab.first], data[lab.last], data[studio.fit] or "fit")
    run = uuid.uuid4().hex
    submitted = []
    for letter, prompt in zip(LETTERS, variants, strict=False):
        result = submit(
            ctx.engine,
            frames,
            JobRequest(
                prompt=prompt,
                negative_prompt=negative_value,
                model=data[studio.model],
                mode=state.mode,
                duration=state.duration,
                submitter=submitter_of(request, data[ctx.browser_id]),
                prompt_parts={"lab_variant": letter},
                kind="lab",
                lab_group=run,
                label=variant_label(letter, prompt),
            ),
            credentials,
        )
        submitted.append(result.job.id)
    message = views.notice_html(say("lab_queued", lang, count=len(submitted)), "info")
    return submitted, message, "", None, submitted


# ---- results --------------------------------------------------------------------------------


def results(
    ctx: StudioContext,
    ids: list[str | None],
    last_seen: str,
    videos_seen: list[Any],
    best_id: str | None,
    owner: str,
    lang: str,
) -> list[Any]:
    """The cells and videos of the run's variants, their signature and the videos shown;
    unchanged values when nothing changed since `last_seen`."""
    jobs = run_jobs(ctx, ids, owner)
    signature = views.jobs_signature(j for j in jobs if j is not None) + f"|{best_id}"
    if signature == last_seen:
        return [gr.skip()] * RESULT_OUTPUTS
    now = time.time()
    found = [
        views.lab_cell(job, now=now, lang=lang, marked=job is not None and job.id == best_id)
        for job in jobs
    ]
    seen = list(videos_seen or [None] * len(LETTERS))
    video_values = [c.video if c.video != seen[i] else gr.skip() for i, c in enumerate(found)]
    return [
        *[c.status_html for c in found],
        *video_values,
        signature,
        [c.video for c in found],
    ]


def on_tick(
    ctx: StudioContext,
    ids: list[str | None],
    last_seen: str,
    videos_seen: list[Any],
    best_id: str | None,
    noted_jobs: list[str] | None,
    browser_id: Any,
    request: gr.Request,
):
    """The timer: the run's results, and the note cleared once the run is over."""
    owner = submitter_of(request, browser_id)
    shown_results = results(ctx, ids, last_seen, videos_seen, best_id, owner, lang_of(request))
    notes: list[Any] = [gr.skip(), gr.skip()]
    if noted_jobs:
        jobs = run_jobs(ctx, list(noted_jobs), owner)
        if all(job is None or JobStatus(job.status).finished for job in jobs):
            notes = ["", []]  # the run the note spoke of is over: the cells say the rest
    return [*shown_results, *notes]


@answers_in_words(3, notice=1)  # the best pick, the note, the results' signature
def on_best(
    ctx: StudioContext, index: int, ids: list[str | None], browser_id: Any, request: gr.Request
):
    """Mark the variant in column `index` (0: A) the best, when it is the person's and done."""
    if index >= len(ids or []) or not ids[index]:
        raise UserError("lab.no_result", text("lab_nothing_yet"))
    try:
        job = ctx.engine.owned(str(ids[index]), submitter_of(request, browser_id))
    except KeyError:
        raise UserError("lab.no_result", text("lab_nothing_yet")) from None
    if job.status is not JobStatus.DONE:
        raise UserError("lab.not_done", text("lab_not_done"))
    ctx.engine.mark_best(job.id)
    said = views.notice_html(say("lab_marked", lang_of(request)), "info")
    return job.id, said, ""  # the cells are redrawn with the star


@answers_in_words(2, notice=0)  # the note, the Studio's template menu
def on_save(
    ctx: StudioContext,
    name: str,
    ids: list[str | None],
    best_id: str | None,
    browser_id: Any,
    request: gr.Request,
):
    """Keep the prompt of the variant marked best in this run as one of the person's own
    templates, and choose it in the Studio."""
    lang = lang_of(request)
    owner = submitter_of(request, browser_id)
    # Only the variant marked best in this run counts (a variant reused from an earlier run
    # may carry an old mark).
    best = next((j for j in run_jobs(ctx, ids, owner) if j is not None and j.id == best_id), None)
    if best is None:
        raise no_best()
    library = ctx.presets.for_owner(owner)  # saved among this person's own presets
    title = (name or "").strip() or variant_label("★", best.spec.prompt)
    preset = library.save_user_preset(
        "template",
        preset_id_for(title, library.ids("template")),
        label=title,
        text=best.spec.prompt,
    )
    message = views.notice_html(say("lab_saved", lang, name=title), "info")
    return message, gr.update(choices=library.choices("template", lang), value=preset.id)


def on_load(ctx: StudioContext, browser_id: Any, request: gr.Request):
    """The person's newest run, shown again after a reload."""
    jobs = newest_run(ctx, submitter_of(request, browser_id))
    prompt_values = [j.spec.prompt for j in jobs] + [gr.skip()] * (len(LETTERS) - len(jobs))
    marked = next((j.id for j in jobs if j.best), None)
    return [[j.id for j in jobs], "", [None] * len(LETTERS), marked, *prompt_values]
