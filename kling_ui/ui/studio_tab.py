"""The Studio tab: two frames, the prompt builder, Kling's rules applied, Generate, progress.

Generate only hands a job to the engine and returns; the shared timer follows the store,
so a reloaded page (or another browser) shows every job, running ones included.
"""

from __future__ import annotations

import html
import logging
import time
from typing import Any, NamedTuple

import gradio as gr

from kling_ui.frames import FrameError, prepare_pair
from kling_ui.i18n import Text, UserError
from kling_ui.jobs.models import Job, JobStatus
from kling_ui.prompts import strategy_hint
from kling_ui.ui import views
from kling_ui.ui.cancelling import cancel_menu, job_to_cancel
from kling_ui.ui.common import (
    GENERATE_CONCURRENCY_ID,
    GENERATE_CONCURRENCY_LIMIT,
    frame_image,
    lang_of,
    shows_errors,
    submitter_of,
)
from kling_ui.ui.context import StudioContext, StudioControls
from kling_ui.ui.prompting import (
    CATEGORY_OF,
    PART_FIELDS,
    PromptChoice,
    default_choice,
    default_negative,
    menu_choices,
    preview,
    template_menus,
)
from kling_ui.ui.submitting import JobRequest, no_first_frame, store_pair, submit
from kling_ui.ui.texts import label, say

log = logging.getLogger("kling_ui.ui.studio")

PROMPT_LANGS = [("English", "en"), ("中文", "zh-CN")]
PANEL_RECENT = 12


def fit_choices(lang: str | None) -> list[tuple[str, str]]:
    """The frame-fitting choices, labelled in `lang`."""
    return [(say(f"fit_{value}", lang), value) for value in ("fit", "cover", "stretch")]


def build(ctx: StudioContext) -> StudioControls:
    """Lay out the Studio tab inside the current Tab and wire its events."""
    # Built at start for everyone: the built-in presets only. Each event uses the asking
    # person's own library (built-in plus their own presets), `ctx.library_for`.
    library, settings = ctx.presets.base, ctx.settings
    start = default_choice(library, "en")
    with gr.Row(equal_height=False):
        with gr.Column(scale=5):
            with gr.Row():
                first = frame_image(label("first_frame"), height=250, elem_id="kts-first")
                last = frame_image(label("last_frame"), height=250, elem_id="kts-last")
            with gr.Row():
                swap = gr.Button(label("swap_frames"), size="sm", elem_id="kts-swap")
                fit = gr.Radio(fit_choices("en"), value="fit", label=label("fit"))
            report = gr.Markdown(elem_id="kts-frame-report")
            hint = gr.Markdown(elem_id="kts-hint")
            apply_hint = gr.Button(label("apply_suggestion"), size="sm", visible=False)
            hint_parts = gr.State(None)
        with gr.Column(scale=6):
            gr.Markdown("### " + label("prompt_builder"))
            with gr.Row():
                prompt_lang = gr.Radio(
                    PROMPT_LANGS, value="en", label=label("prompt_language"), elem_id="kts-lang"
                )
                template = gr.Dropdown(
                    library.choices("template", "en"),
                    value=start.template,
                    label=label("template"),
                    elem_id="kts-template",
                )
            presets: dict[str, gr.Dropdown] = {}
            free: dict[str, gr.Textbox] = {}
            for name in PART_FIELDS:
                with gr.Row(equal_height=True):
                    presets[name] = gr.Dropdown(
                        menu_choices(
                            library, CATEGORY_OF[name], "en", none_label=say("none_preset", "en")
                        ),
                        value=start.presets.get(name, ""),
                        label=label(f"part_{name}"),
                        scale=2,
                        elem_id=f"kts-preset-{name}",
                    )
                    free[name] = gr.Textbox(
                        label=label("free_text"), max_lines=2, scale=3, elem_id=f"kts-free-{name}"
                    )
            extra = gr.Textbox(label=label("part_extra"), max_lines=3, elem_id="kts-extra")
            prompt_box = gr.Textbox(
                label=label("prompt_preview"),
                interactive=False,
                lines=4,
                buttons=["copy"],
                elem_id="kts-preview",
            )
            length = gr.Markdown(elem_id="kts-length")
            negative = gr.Textbox(
                label=label("negative_prompt"),
                value=default_negative(library, "en"),
                placeholder=label("negative_placeholder"),
                lines=2,
                elem_id="kts-negative",
            )
            with gr.Row():
                model = gr.Dropdown(
                    views.model_choices(),
                    value=settings.default_model,
                    label=label("model"),
                    elem_id="kts-model",
                )
                mode = gr.Radio(
                    ["std", "pro"],
                    value=settings.default_mode,
                    label=label("mode"),
                    elem_id="kts-mode",
                )
                duration = gr.Radio(
                    ["5", "10"],
                    value=settings.default_duration,
                    label=label("duration"),
                    elem_id="kts-duration",
                )
            rules = gr.HTML(elem_id="kts-rules")
            cost = gr.Markdown(elem_id="kts-cost")
            new_take = gr.Checkbox(label=label("new_take"), value=False, elem_id="kts-new-take")
            generate = gr.Button(
                label("generate"), variant="primary", interactive=False, elem_id="kts-generate"
            )
            submit_note = gr.Markdown(elem_id="kts-submit-note")
    with gr.Accordion(label("jobs"), open=True), gr.Row(equal_height=False):
        with gr.Column(scale=3):
            progress = gr.HTML(elem_id="kts-progress")
            with gr.Row(equal_height=False, elem_id="kts-cancel-row"):
                cancel_pick = gr.Dropdown(
                    [],
                    value=None,
                    label=label("cancel_pick"),
                    scale=3,
                    elem_id="kts-cancel-pick",
                )
                cancel_job = gr.Button(
                    label("cancel_job"),
                    variant="stop",
                    size="sm",
                    scale=1,
                    elem_id="kts-cancel-job",
                )
        with gr.Column(scale=2):
            latest = gr.Video(
                label=label("latest_video"),
                interactive=False,
                buttons=["download"],
                elem_id="kts-latest",
            )
    latest_shown = gr.State("")
    cancel_shown = gr.State("")  # the cancel menu's signature, so unchanged menus are skipped

    controls = StudioControls(
        first=first,
        last=last,
        fit=fit,
        prompt_lang=prompt_lang,
        template=template,
        presets=presets,
        free=free,
        extra=extra,
        preview=prompt_box,
        negative=negative,
        model=model,
        mode=mode,
        duration=duration,
    )
    prompt_inputs = [prompt_lang, template, *presets.values(), *free.values(), extra]

    def choice_from(data: dict[Any, Any]) -> PromptChoice:
        return PromptChoice(
            template=data[template] or None,
            presets={name: data[presets[name]] or "" for name in PART_FIELDS},
            free={name: data[free[name]] or "" for name in PART_FIELDS},
            extra=data[extra] or "",
            lang=data[prompt_lang] or "en",
        )

    # ---- frames -------------------------------------------------------------------------

    @shows_errors
    def on_frames(
        first_path: str | None, last_path: str | None, fit_value: str, request: gr.Request
    ):
        lang = lang_of(request)
        if not first_path:
            return "", "", gr.update(visible=False), None
        try:
            pair = prepare_pair(first_path, last_path, fit=fit_value or "fit")
        except FrameError as exc:
            gr.Warning(exc.text(lang))
            return f"⚠️ {exc.text(lang)}", "", gr.update(visible=False), None
        report_md = "\n".join(f"- {line}" for line in pair.report_text(lang).splitlines())
        if pair.last is None:
            return report_md, "", gr.update(visible=False), None
        found = strategy_hint(pair.first, pair.last)
        hint_md = (
            f"**{say('strategy', lang)}** ({found.similarity:.2f}): {found.explanation.get(lang)}"
        )
        suggested = found.parts.model_dump()
        return report_md, hint_md, gr.update(visible=True), suggested

    gr.on(
        [first.change, last.change, fit.change],
        on_frames,
        [first, last, fit],
        [report, hint, apply_hint, hint_parts],
        api_visibility="private",
        concurrency_limit=2,
        concurrency_id="kling-frames",
    )
    swap.click(
        lambda a, b: (b, a), [first, last], [first, last], api_visibility="private", queue=False
    )

    def on_apply_hint(parts: dict[str, Any] | None):
        if not parts:
            return [gr.skip()] * (1 + len(PART_FIELDS))
        menus = template_menus(library, parts.get("template"))  # hints name built-in presets
        values = [parts.get(name) or (menus or {}).get(name, "") for name in PART_FIELDS]
        return [parts.get("template") or None, *values]

    apply_hint.click(
        on_apply_hint,
        [hint_parts],
        [template, *presets.values()],
        api_visibility="private",
        queue=False,
    )

    # ---- prompt builder -----------------------------------------------------------------

    def on_template(template_id: str | None, browser_id: Any, request: gr.Request):
        own = ctx.library_for(request, browser_id)
        menus = template_menus(own, template_id)
        if menus is None:
            if template_id and own.find("template", template_id) is not None:
                return [""] * len(PART_FIELDS)  # a text-only template leads; menus cleared
            return [gr.skip()] * len(PART_FIELDS)
        return [menus[name] for name in PART_FIELDS]

    template.input(
        on_template,
        [template, ctx.browser_id],
        list(presets.values()),
        api_visibility="private",
        queue=False,
    )

    def on_prompt(data: dict[Any, Any], request: gr.Request):
        lang = lang_of(request)
        own = ctx.library_for(request, data.get(ctx.browser_id))
        shown = preview(choice_from(data), own, lang)
        if shown.error:
            return "", f'<span class="kts-problems">{html.escape(shown.error)}</span>'
        return shown.prompt, views.prompt_length_text(shown.prompt, lang)

    gr.on(
        [c.change for c in prompt_inputs],
        on_prompt,
        {*prompt_inputs, ctx.browser_id},
        [prompt_box, length],
        api_visibility="private",
        queue=False,
    )

    def on_language(lang_value: str, negative_value: str):
        defaults = {default_negative(library, code) for code in ("en", "zh-CN")}
        if (negative_value or "").strip() and negative_value not in defaults:
            return gr.skip()  # the person's own negative prompt stays
        return default_negative(library, lang_value or "en")

    prompt_lang.input(
        on_language, [prompt_lang, negative], [negative], api_visibility="private", queue=False
    )

    # ---- model / mode / duration --------------------------------------------------------

    def on_controls(
        model_value: str,
        mode_value: str,
        duration_value: str,
        first_path: str | None,
        last_path: str | None,
        prompt_value: str,
        negative_value: str,
        stored_keys: Any,
        request: gr.Request,
    ):
        lang = lang_of(request)
        state = views.control_state(
            model_value,
            mode_value,
            duration_value,
            has_first=bool(first_path),
            has_tail=bool(last_path),
            prompt=prompt_value or "",
            negative_prompt=negative_value or "",
            lang=lang,
        )
        return (
            state.mode if state.mode != mode_value else gr.skip(),
            state.duration if state.duration != duration_value else gr.skip(),
            views.rules_html(state, lang),
            views.cost_text(
                model_value,
                state.mode,
                state.duration,
                payer=ctx.payer_for(stored_keys),
                lang=lang,
            ),
            gr.update(interactive=state.can_submit),
        )

    control_inputs = [model, mode, duration, first, last, prompt_box, negative, ctx.browser_keys]
    gr.on(
        [
            model.change,
            mode.change,
            duration.change,
            first.change,
            last.change,
            prompt_box.change,
            negative.change,
        ],
        on_controls,
        control_inputs,
        [mode, duration, rules, cost, generate],
        api_visibility="private",
        queue=False,
    )

    def on_keys(
        model_value: str,
        mode_value: str,
        duration_value: str,
        stored_keys: Any,
        request: gr.Request,
    ):
        # Keys saved or forgotten in Settings (or read from storage): who pays changed.
        payer = ctx.payer_for(stored_keys)
        return views.cost_text(
            model_value, mode_value, duration_value, payer=payer, lang=lang_of(request)
        )

    ctx.browser_keys.change(
        on_keys,
        [model, mode, duration, ctx.browser_keys],
        [cost],
        api_visibility="private",
        queue=False,
    )

    # ---- generate -----------------------------------------------------------------------

    @shows_errors
    def on_generate(data: dict[Any, Any], request: gr.Request):
        lang = lang_of(request)
        first_path, last_path = data[first], data[last]
        if not first_path:
            raise no_first_frame()
        choice = choice_from(data)
        built = preview(choice, ctx.library_for(request, data[ctx.browser_id]), lang)
        if built.error:
            raise UserError("prompt.invalid", Text(built.error, built.error))
        negative_value = data[negative] or ""
        state = views.control_state(
            data[model],
            data[mode],
            data[duration],
            has_first=True,
            has_tail=bool(last_path),
            prompt=built.prompt,
            negative_prompt=negative_value,
            lang=lang,
        )
        if not state.can_submit:
            raise UserError(
                "generate.blocked",
                Text(views.blocked_text(state, "en"), views.blocked_text(state, "zh-CN")),
            )
        credentials = ctx.credentials_for(data[ctx.browser_keys])
        fit_value = data[fit] or "fit"
        frames = store_pair(ctx.engine, first_path, last_path, fit_value)
        result = submit(
            ctx.engine,
            frames,
            JobRequest(
                prompt=built.prompt,
                negative_prompt=negative_value,
                model=data[model],
                mode=state.mode,
                duration=state.duration,
                submitter=submitter_of(request, data[ctx.browser_id]),
                prompt_parts=choice.record() | {"fit": fit_value},
                new_take=bool(data[new_take]),
            ),
            credentials,
        )
        key = "job_reused" if result.reused else "job_queued"
        note = say(key, lang, job=result.job.id[:8])
        gr.Info(note)
        return note

    generate_inputs = {
        first,
        last,
        fit,
        *prompt_inputs,
        negative,
        model,
        mode,
        duration,
        new_take,
        ctx.browser_keys,
        ctx.browser_id,
    }
    generate.click(
        on_generate,
        generate_inputs,
        [submit_note],
        api_visibility="private",
        concurrency_limit=GENERATE_CONCURRENCY_LIMIT,
        concurrency_id=GENERATE_CONCURRENCY_ID,
    )

    # ---- live progress ------------------------------------------------------------------

    def on_tick(
        shown_video: str,
        chosen: str | None,
        shown_menu: str,
        browser_id: Any,
        request: gr.Request,
    ):
        lang = lang_of(request)
        owner = submitter_of(request, browser_id)
        view = progress_view(ctx, lang, owner)
        videos: list[Any] = [gr.skip(), gr.skip()]
        if view.newest and view.newest != shown_video:
            videos = [view.newest, view.newest]
        menu = cancel_menu(view.active, owner, chosen, lang)
        menus: list[Any] = [gr.skip(), gr.skip()]
        if menu.signature != shown_menu:
            menus = [gr.update(choices=menu.choices, value=menu.value), menu.signature]
        return [view.html, *videos, *menus]

    ctx.timer.tick(
        on_tick,
        [latest_shown, cancel_pick, cancel_shown, ctx.browser_id],
        [progress, latest, latest_shown, cancel_pick, cancel_shown],
        api_visibility="private",
        queue=False,
        show_progress="hidden",
    )

    @shows_errors
    def on_cancel_job(job_id: str | None, browser_id: Any, request: gr.Request):
        owner = submitter_of(request, browser_id)
        try:
            stored = ctx.engine.owned(job_id, owner) if job_id else None
        except KeyError:  # unknown, or someone else's: told alike
            stored = None
        job = job_to_cancel(job_id, stored, owner)
        cancelled = ctx.engine.cancel(job.id, owner=owner)
        gr.Info(say("cancelled_notice", lang_of(request), job=cancelled.id[:8]))
        return None

    # Queued (not queue=False): gr.Info reaches the page only from queued events.
    cancel_job.click(
        on_cancel_job, [cancel_pick, ctx.browser_id], [cancel_pick], api_visibility="private"
    )

    # ---- page load: the page's language for server-made labels --------------------------

    def on_load(stored_keys: Any, browser_id: Any, request: gr.Request):
        lang = lang_of(request)
        owner = submitter_of(request, browser_id)
        own = ctx.presets.for_owner(owner)
        menus = [
            gr.update(
                choices=menu_choices(
                    own, CATEGORY_OF[name], lang, none_label=say("none_preset", lang)
                )
            )
            for name in PART_FIELDS
        ]
        prompt_value = preview(default_choice(library, lang), library, lang).prompt
        negative_value = default_negative(library, lang)
        state = views.control_state(
            settings.default_model,
            settings.default_mode,
            settings.default_duration,
            has_first=False,
            has_tail=False,
            prompt=prompt_value,
            negative_prompt=negative_value,
            lang=lang,
        )
        view = progress_view(ctx, lang, owner)
        return (
            gr.update(choices=fit_choices(lang)),
            gr.update(choices=own.choices("template", lang)),
            *menus,
            lang,
            negative_value,
            prompt_value,
            views.prompt_length_text(prompt_value, lang),
            views.rules_html(state, lang),
            views.cost_text(
                settings.default_model,
                state.mode,
                state.duration,
                payer=ctx.payer_for(stored_keys),
                lang=lang,
            ),
            view.html,
            view.newest or gr.skip(),
            view.newest or "",
        )

    ctx.blocks.load(
        on_load,
        [ctx.browser_keys, ctx.browser_id],
        [
            fit,
            template,
            *presets.values(),
            prompt_lang,
            negative,
            prompt_box,
            length,
            rules,
            cost,
            progress,
            latest,
            latest_shown,
        ],
        api_visibility="private",
        queue=False,
    )
    return controls


class ProgressView(NamedTuple):
    """What the timer refreshes on the Studio tab, from one read of the store."""

    html: str  # the job list
    newest: str | None  # the newest finished video's path, None when there is none
    active: list[Job]  # every job still under way (for the cancel menu)


def progress_view(ctx: StudioContext, lang: str, owner: str) -> ProgressView:
    """`owner`'s job list as HTML, their newest finished video and their jobs under way
    (nobody else's job is ever listed here)."""
    engine = ctx.engine
    now = time.time()
    active = engine.jobs(status=views.ACTIVE_STATUSES, limit=None, owner=owner)
    recent = engine.jobs(limit=PANEL_RECENT, owner=owner)
    lines = []
    for job in views.panel_jobs(active, recent):
        status = JobStatus(job.status)
        position = engine.queue_position(job.id) if status is JobStatus.QUEUED else None
        estimate = engine.estimate(job.id) if status.active else None
        lines.append(views.job_line(job, position=position, estimate=estimate, now=now, lang=lang))
    newest = next(
        (
            str(j.video_path)
            for j in recent
            if j.status is JobStatus.DONE and j.video_path and j.video_path.is_file()
        ),
        None,
    )
    return ProgressView(views.progress_html(lines, lang), newest, active)
