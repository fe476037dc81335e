"""The Studio tab: two frames, the prompt builder, Kling's rules applied, Generate, the result.

Laid out for one screen (1440x900): the inputs on the left (frames, the prompt's key
choices, mode and duration, Generate), the latest video and the job list on the right, the
rest under "Advanced" (model, prompt language, frame fitting, each part's own words, the
negative prompt, the frame report). On a phone the result comes first.

Generate only hands a job to the engine and returns, with the job's card already in the
list; the shared timer follows the store, so a reloaded page (or another browser) shows
every job, running ones included. The frames and the prompt builder's choices are kept in
the browser (drafts.py), so a reload keeps the work in progress too. Problems are said in
words next to their cause (`answers_in_words`), never as Gradio's error badges.
"""

from __future__ import annotations

import html
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import gradio as gr
from gradio.utils import get_upload_folder

from kling_ui.frames import FrameError
from kling_ui.i18n import Text, UserError
from kling_ui.jobs.models import Job, JobStatus
from kling_ui.jobs.requests import JobRequest, store_pair, submit
from kling_ui.kling.capabilities import MODELS
from kling_ui.prompts import strategy_hint
from kling_ui.ui import views
from kling_ui.ui.cancelling import cancel_menu, job_to_cancel
from kling_ui.ui.common import (
    GENERATE_CONCURRENCY_ID,
    GENERATE_CONCURRENCY_LIMIT,
    INSTANT,
    QUIET,
    answers_in_words,
    bound,
    frame_image,
    lang_of,
    notice_box,
    submitter_of,
)
from kling_ui.ui.context import StudioContext, StudioControls
from kling_ui.ui.drafts import (
    PreparedFrames,
    frames_record,
    prompt_record,
    restored_frame,
    restored_prompt,
)
from kling_ui.ui.prompting import (
    CATEGORY_OF,
    PART_FIELDS,
    default_choice,
    default_negative,
    menu_choices,
    preview,
    template_menus,
)
from kling_ui.ui.submitting import blocked, no_first_frame
from kling_ui.ui.texts import label, say

log = logging.getLogger("kling_ui.ui.studio")

PROMPT_LANGS = [("English", "en"), ("中文", "zh-CN")]
PANEL_RECENT = 12
FRAME_HEIGHT = 150
# The result panel's outputs: the video/frame switch, the video, a frame, the caption, and
# which job it shows.
RESULT_OUTPUTS = 5


def fit_choices(lang: str | None) -> list[tuple[str, str]]:
    """The frame-fitting choices, labelled in `lang`."""
    return [(say(f"fit_{value}", lang), value) for value in ("fit", "cover", "stretch")]


@dataclass(frozen=True)
class StudioTab:
    """What the Studio tab's handlers read besides the context: the inputs other tabs share
    (`controls`), the "new take" box, and the frames already prepared on this page."""

    controls: StudioControls
    new_take: gr.Checkbox
    prepared: PreparedFrames


def build(ctx: StudioContext) -> StudioControls:
    """Lay out the Studio tab inside the current Tab and wire its events."""
    # Built at start for everyone: the built-in presets only. Each event uses the asking
    # person's own library (built-in plus their own presets), `ctx.library_for`.
    library, settings = ctx.presets.base, ctx.settings
    start = default_choice(library, "en")
    draft_frames = ctx.draft_frames if ctx.draft_frames is not None else gr.State(None)
    draft_prompt = ctx.draft_prompt if ctx.draft_prompt is not None else gr.State(None)

    with gr.Row(equal_height=False, elem_id="kts-studio-main"):
        with gr.Column(scale=3, min_width=380, elem_id="kts-studio-inputs"):
            with gr.Row(equal_height=True, elem_id="kts-frames"):
                first = frame_image(label("first_frame"), height=FRAME_HEIGHT, elem_id="kts-first")
                with gr.Column(scale=0, min_width=56, elem_id="kts-swap-col"):
                    swap = gr.Button(
                        label("swap_frames"),
                        size="sm",
                        min_width=48,
                        elem_id="kts-swap",
                    )
                last = frame_image(label("last_frame"), height=FRAME_HEIGHT, elem_id="kts-last")
            with gr.Row(equal_height=True, visible=False, elem_id="kts-hint-row") as hint_row:
                hint = gr.Markdown(elem_id="kts-hint")
                apply_hint = gr.Button(
                    label("apply_suggestion"),
                    size="sm",
                    scale=0,
                    min_width=60,
                    elem_id="kts-apply-hint",
                    elem_classes=["kts-fit-button"],
                )
            frame_notice = notice_box("kts-frame-notice")
            hint_parts = gr.State(None)
            frames_ok = gr.State({})  # which frames are prepared: {"first": bool, "last": bool}
            presets: dict[str, gr.Dropdown] = {}

            def part_menu(name: str) -> gr.Dropdown:
                presets[name] = gr.Dropdown(
                    menu_choices(
                        library, CATEGORY_OF[name], "en", none_label=say("none_preset", "en")
                    ),
                    value=start.presets.get(name, ""),
                    label=label(f"part_{name}"),
                    min_width=160,
                    elem_id=f"kts-preset-{name}",
                )
                return presets[name]

            with gr.Row(equal_height=True):
                template = gr.Dropdown(
                    library.choices("template", "en"),
                    value=start.template,
                    label=label("template"),
                    min_width=160,
                    elem_id="kts-template",
                )
                part_menu("camera")
            with gr.Row(equal_height=True):
                part_menu("subject")
                part_menu("environment")
                part_menu("text_stability")
            prompt_box = gr.Textbox(
                label=label("prompt_preview"),
                interactive=False,
                lines=3,
                max_lines=6,
                buttons=["copy"],
                elem_id="kts-preview",
            )
            length = gr.HTML(elem_id="kts-length")
            with gr.Row(equal_height=False, elem_id="kts-run-row"):
                mode = gr.Radio(
                    ["std", "pro"],
                    value=settings.default_mode,
                    label=label("mode"),
                    min_width=120,
                    elem_id="kts-mode",
                )
                duration = gr.Radio(
                    ["5", "10"],
                    value=settings.default_duration,
                    label=label("duration"),
                    min_width=120,
                    elem_id="kts-duration",
                )
                with gr.Column(min_width=170, elem_id="kts-generate-col"):
                    generate = gr.Button(
                        label("generate"),
                        variant="primary",
                        interactive=False,
                        elem_id="kts-generate",
                    )
                    submit_note = notice_box("kts-submit-note")
            rules = gr.HTML(elem_id="kts-rules", elem_classes=["kts-hide-empty"])
            cost = gr.Markdown(elem_id="kts-cost")
            with gr.Accordion(label("advanced"), open=False, elem_id="kts-advanced") as advanced:
                with gr.Row(equal_height=True):
                    model = gr.Dropdown(
                        views.model_choices(),
                        value=settings.default_model,
                        label=label("model"),
                        min_width=220,
                        elem_id="kts-model",
                    )
                    prompt_lang = gr.Radio(
                        PROMPT_LANGS,
                        value="en",
                        label=label("prompt_language"),
                        min_width=160,
                        elem_id="kts-lang",
                    )
                fit = gr.Radio(
                    fit_choices("en"), value="fit", label=label("fit"), elem_id="kts-fit"
                )
                free: dict[str, gr.Textbox] = {}
                for row in (PART_FIELDS[:2], PART_FIELDS[2:]):
                    with gr.Row(equal_height=True):
                        for name in row:
                            free[name] = gr.Textbox(
                                "",
                                label=label(f"free_{name}"),
                                max_lines=2,
                                min_width=200,
                                elem_id=f"kts-free-{name}",
                            )
                extra = gr.Textbox("", label=label("part_extra"), max_lines=3, elem_id="kts-extra")
                new_take = gr.Checkbox(label=label("new_take"), value=False, elem_id="kts-new-take")
                negative = gr.Textbox(
                    label=label("negative_prompt"),
                    value=default_negative(library, "en"),
                    placeholder=label("negative_placeholder"),
                    lines=2,
                    elem_id="kts-negative",
                )
                report = gr.Markdown(elem_id="kts-frame-report", elem_classes=["kts-frame-report"])
        with gr.Column(scale=2, min_width=320, elem_id="kts-studio-result"):
            view = gr.Radio(
                views.result_view_choices("en"),
                value="video",
                show_label=False,
                container=False,
                visible=False,
                elem_id="kts-result-view",
            )
            latest = gr.Video(
                label=label("latest_video"),
                interactive=False,
                buttons=["download"],
                autoplay=True,
                loop=True,
                elem_id="kts-latest",
            )
            latest_frame = gr.Image(
                interactive=False,
                visible=False,
                show_label=False,
                buttons=["download"],
                elem_id="kts-result-frame",
            )
            caption = gr.HTML(elem_id="kts-result-caption", elem_classes=["kts-hide-empty"])
            gr.Markdown("#### " + label("jobs"), elem_id="kts-jobs-title")
            progress = gr.HTML(elem_id="kts-progress")
            with gr.Row(equal_height=True, visible=False, elem_id="kts-cancel-row") as cancel_row:
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
                    scale=0,
                    min_width=60,
                    elem_id="kts-cancel-job",
                    elem_classes=["kts-fit-button"],
                )
            cancel_notice = notice_box("kts-cancel-notice")
    latest_shown = gr.State({})  # the job in the result panel: id, video, frames
    cancel_shown = gr.State("")  # the cancel menu's signature, so unchanged menus are skipped
    noted = gr.State([])  # the jobs the note under Generate speaks of, cleared when they end

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
        advanced=advanced,
    )
    tab = StudioTab(controls, new_take, PreparedFrames())
    prompt_inputs = controls.prompt_inputs()
    # The preview and the draft follow the person's edits (`edits`); an event that fills the
    # builder chains their refresh once (the page's load draws the preview itself, and its
    # values are the draft's), where `change` refreshed them once per component it filled:
    # eight requests per page load.
    controls.builder_refresh.update(
        fn=bound(on_builder, ctx, controls),
        inputs={*controls.draft_inputs(), ctx.browser_id},
        outputs=[prompt_box, length, draft_prompt],
        **QUIET,
    )
    result_outputs = [view, latest, latest_frame, caption, latest_shown]

    # ---- frames -------------------------------------------------------------------------

    swap.click(swapped, [first, last], [first, last], **QUIET)
    controls.refresh_builder_after(
        apply_hint.click(bound(on_apply_hint, ctx), [hint_parts], controls.menus(), **INSTANT)
    )
    # Whatever changes the rules' inputs redraws the mode, duration, rules, cost and Generate.
    # The frames' event redraws them in its own answer and once more after it: Gradio does not
    # order the answers of a page's different events, and a redraw started before the frames
    # were ready (the page's load sets the model, say) may answer after them.
    rule_inputs = [model, mode, duration, prompt_box, negative, ctx.browser_keys]
    control_outputs = [mode, duration, rules, cost, generate]
    controls_refresh: dict[str, Any] = {
        "fn": bound(on_controls, ctx),
        "inputs": [model, mode, duration, frames_ok, prompt_box, negative, ctx.browser_keys],
        "outputs": control_outputs,
        **QUIET,
    }
    gr.on(
        [model.change, mode.input, duration.input, prompt_box.change, negative.change],
        **controls_refresh,
    )
    # The fitting's own edits only (`input`): Gradio 6 sends a radio's `change` when it first
    # appears (the advanced accordion opening), and whatever restores a fitting restores the
    # frames as well, whose `change` reads it.
    gr.on(
        [first.change, last.change, fit.input],
        bound(on_frames, ctx, tab),
        [first, last, fit, frames_ok, *rule_inputs],
        [
            *[frame_notice, report, hint, hint_row, hint_parts, frames_ok, draft_frames],
            *[first, last, *control_outputs],
        ],
        api_visibility="private",
        concurrency_limit=2,
        concurrency_id="kling-frames",
        trigger_mode="always_last",
        show_progress_on=[hint],
    ).then(**controls_refresh)

    # ---- prompt builder -----------------------------------------------------------------

    # The template's and the prompt language's own edits are refreshed after their answers
    # (the menus, the negative prompt), not before as well: the answers of two events are not
    # ordered, and the earlier refresh could land last. Mode and duration changed by Kling's
    # rules are not kept: the rules apply again to the restored frames.
    chained = [template, prompt_lang]
    gr.on(
        [edit for c in controls.draft_inputs() if c not in chained for edit in edits(c)],
        trigger_mode="always_last",  # typing on while a refresh is out: the last one still runs
        **controls.builder_refresh,
    )
    controls.refresh_builder_after(
        template.input(
            bound(on_template, ctx), [template, ctx.browser_id], list(presets.values()), **INSTANT
        )
    )
    controls.refresh_builder_after(
        prompt_lang.input(bound(on_language, ctx), [prompt_lang, negative], [negative], **INSTANT)
    )
    ctx.browser_keys.change(
        bound(on_keys, ctx), [model, mode, duration, ctx.browser_keys], [cost], **QUIET
    )

    # ---- generate, the result panel and live progress -----------------------------------

    generate.click(
        bound(on_generate, ctx, tab),
        {first, last, fit, *prompt_inputs, negative, model, mode, duration, new_take}
        | {ctx.browser_keys, ctx.browser_id},
        [submit_note, noted, progress],
        api_visibility="private",
        concurrency_limit=GENERATE_CONCURRENCY_LIMIT,
        concurrency_id=GENERATE_CONCURRENCY_ID,
        show_progress="hidden",  # the job's card appears in the list at once
    )
    view.input(on_view, [view, latest_shown], [latest, latest_frame], **QUIET)
    ctx.ticks.add(
        bound(on_tick, ctx),
        [latest_shown, cancel_pick, cancel_shown, noted, ctx.browser_id],
        [progress, *result_outputs, cancel_pick, cancel_shown, cancel_row, submit_note, noted],
    )
    cancel_job.click(
        bound(on_cancel_job, ctx),
        [cancel_pick, ctx.browser_id],
        [cancel_pick, cancel_notice],
        api_visibility="private",
        show_progress="hidden",
    )

    # ---- page load: the page's language, this browser's draft and its latest video --------

    ctx.loads.add(
        bound(on_load, ctx),
        [ctx.browser_keys, ctx.browser_id, draft_frames, draft_prompt],
        [
            fit,
            *controls.menus(),
            *free.values(),
            extra,
            prompt_lang,
            negative,
            model,
            mode,
            duration,
            first,
            last,
            prompt_box,
            length,
            rules,
            cost,
            progress,
            *result_outputs,
        ],
    )
    return controls


# ---- frames ---------------------------------------------------------------------------------

FRAMES_READY = 5  # where `frames_update` puts which frames are ready
CONTROL_OUTPUTS = 5  # `on_controls`: mode, duration, the rules' note, the cost, Generate


def swapped(first: Any, last: Any) -> tuple[Any, Any]:
    """The two frames, exchanged."""
    return last, first


# Its notice, the frame report, the hint (text, row, parts), which frames are ready, the
# frames' draft, the two frame boxes (a refused frame is taken out of its box), then the
# controls Kling's rules set (`on_controls`).
@answers_in_words(9 + CONTROL_OUTPUTS)
def on_frames(
    ctx: StudioContext,
    tab: StudioTab,
    first_path: str | None,
    last_path: str | None,
    fit_value: str,
    before: dict[str, Any] | None,
    model_value: str,
    mode_value: str,
    duration_value: str,
    prompt_value: str,
    negative_value: str,
    stored_keys: Any,
    request: gr.Request,
):
    """Frames uploaded, swapped or refitted: prepare them (once per upload and fit), report
    them, suggest a strategy for the pair, keep them in the browser's draft, and redraw the
    controls for the frames now ready, in the same answer."""
    frames = frames_update(ctx, tab, first_path, last_path, fit_value, before, lang_of(request))
    ready = frames[FRAMES_READY]
    controls = on_controls(
        ctx,
        model_value,
        mode_value,
        duration_value,
        ready,
        prompt_value,
        negative_value,
        stored_keys,
        request,
    )
    return [*frames, *controls]


def frames_update(
    ctx: StudioContext,
    tab: StudioTab,
    first_path: str | None,
    last_path: str | None,
    fit_value: str,
    before: dict[str, Any] | None,
    lang: str,
) -> list[Any]:
    """The frames' part of `on_frames`: its nine values (`FRAMES_READY` says which ones are
    ready)."""
    fit_value = fit_value or "fit"
    # A frame refused last time was taken out of its box; its notice stays this once.
    kept_notice = bool((before or {}).get("cleared"))
    untouched = [gr.skip(), gr.skip()]  # the frame boxes
    cleared = ["", "", gr.update(visible=False), None]
    if not first_path:
        notice: Any = ""
        if kept_notice:
            notice = gr.skip()
        elif last_path:
            notice = views.notice_html(say("last_without_first", lang), "note")
        draft = frames_record(None, last_path, fit=fit_value, prepared=None)
        return [notice, *cleared, {"first": False, "last": False}, draft, *untouched]
    key = PreparedFrames.key(first_path, last_path, fit_value)
    try:
        stored = tab.prepared.get_or_put(
            key, lambda: store_pair(ctx.engine, first_path, last_path, fit_value)
        )
    except FrameError as exc:
        log.info("frames refused: %s", exc)
        role = getattr(exc, "role", "first")
        kept = frames_record(
            None if role == "first" else first_path,
            None if role == "last" else last_path,
            fit=fit_value,
            prepared=None,
        )
        notice = views.notice_html(exc.text(lang), "error")
        ready = {"first": False, "last": False, "cleared": role}
        boxes = [None, gr.skip()] if role == "first" else [gr.skip(), None]
        return [notice, *cleared, ready, kept, *boxes]
    pair = stored.prepared
    report_md = views.frame_report_markdown(pair, lang)
    draft = frames_record(
        first_path, last_path, fit=fit_value, prepared=(stored.first, stored.last)
    )
    ready = {"first": True, "last": pair.last is not None}
    notice = gr.skip() if kept_notice else ""
    if pair.last is None:
        return [notice, report_md, "", gr.update(visible=False), None, ready, draft, *untouched]
    found = strategy_hint(pair.first, pair.last)
    hint_md = views.strategy_text(found, lang)
    suggested = found.parts.model_dump()
    shown = [notice, report_md, hint_md, gr.update(visible=True), suggested, ready, draft]
    return [*shown, *untouched]


def on_apply_hint(ctx: StudioContext, parts: dict[str, Any] | None):
    """The suggested template and part presets put into the builder's menus."""
    if not parts:
        return [gr.skip()] * (1 + len(PART_FIELDS))
    # Hints name built-in presets.
    menus = template_menus(ctx.presets.base, parts.get("template"))
    values = [parts.get(name) or (menus or {}).get(name, "") for name in PART_FIELDS]
    return [parts.get("template") or None, *values]


# ---- prompt builder -------------------------------------------------------------------------


def on_template(ctx: StudioContext, template_id: str | None, browser_id: Any, request: gr.Request):
    """A template chosen: its parts fill the part menus."""
    own = ctx.library_for(request, browser_id)
    menus = template_menus(own, template_id)
    if menus is None:
        if template_id and own.find("template", template_id) is not None:
            return [""] * len(PART_FIELDS)  # a text-only template leads; menus cleared
        return [gr.skip()] * len(PART_FIELDS)
    return [menus[name] for name in PART_FIELDS]


def on_prompt(
    ctx: StudioContext, controls: StudioControls, data: dict[Any, Any], request: gr.Request
):
    """The prompt the builder's choice makes, and its length (or what is wrong with it)."""
    lang = lang_of(request)
    own = ctx.library_for(request, data.get(ctx.browser_id))
    shown = preview(controls.choice(data), own, lang)
    if shown.error:
        return "", f'<span class="kts-problems">{html.escape(shown.error)}</span>'
    return shown.prompt, views.prompt_length_text(shown.prompt, lang)


def on_language(ctx: StudioContext, lang_value: str, negative_value: str):
    """The prompt's language changed: the default negative prompt follows it (the person's
    own negative prompt stays)."""
    library = ctx.presets.base
    defaults = {default_negative(library, code) for code in ("en", "zh-CN")}
    if (negative_value or "").strip() and negative_value not in defaults:
        return gr.skip()
    return default_negative(library, lang_value or "en")


def edits(component: Any) -> list[Any]:
    """The triggers of a person's edits of `component`: its `input`, and a text box's `blur`
    as well, since Gradio 6 sends a text box's `input` for key presses only (a paste with the
    mouse sends none until the box is left). Not `change`: Gradio sends it for each value an
    answer fills, one component at a time, so a text box restored on load would refresh the
    builder before its menus were restored (and keep that half-restored draft)."""
    if isinstance(component, gr.Textbox):
        return [component.input, component.blur]
    return [component.input]


def on_builder(
    ctx: StudioContext, controls: StudioControls, data: dict[Any, Any], request: gr.Request
):
    """The prompt the builder's choice makes and its length (`on_prompt`), and the draft the
    browser keeps (`on_draft`)."""
    return (*on_prompt(ctx, controls, data, request), on_draft(controls, data))


def on_draft(controls: StudioControls, data: dict[Any, Any]):
    """The builder's choices and the settings, kept in the browser (restored on load)."""
    return prompt_record(
        controls.choice(data),
        negative=data[controls.negative] or "",
        model=data[controls.model] or "",
        mode=data[controls.mode] or "",
        duration=data[controls.duration] or "",
        fit=data[controls.fit] or "fit",
    )


# ---- model / mode / duration ----------------------------------------------------------------


def on_controls(
    ctx: StudioContext,
    model_value: str,
    mode_value: str,
    duration_value: str,
    ready: dict[str, Any] | None,
    prompt_value: str,
    negative_value: str,
    stored_keys: Any,
    request: gr.Request,
):
    """Kling's rules applied: the mode and duration allowed (and why not), the rules'
    note, the cost and whether Generate is on."""
    lang = lang_of(request)
    ready = ready or {}
    state = views.control_state(
        model_value,
        mode_value,
        duration_value,
        has_first=bool(ready.get("first")),
        has_tail=bool(ready.get("last")),
        prompt=prompt_value or "",
        negative_prompt=negative_value or "",
        lang=lang,
        needs_prompt=True,
    )
    payer = ctx.payer_for(stored_keys)
    return (
        rule_update(mode_value, state.mode, state.modes, state.mode_reason),
        rule_update(duration_value, state.duration, state.durations, state.duration_reason),
        views.rules_html(state, lang, with_note=False),
        views.cost_text(model_value, state.mode, state.duration, payer=payer, lang=lang),
        gr.update(interactive=state.can_submit),
    )


def rule_update(chosen: str, allowed: str, choices: Sequence[str], reason: str | None) -> Any:
    """A mode or duration radio under Kling's rules: on only with a choice to make, its
    reason, and a new value only when the rules changed it (a value sent back unchanged
    could undo a click the person made while this answer was on its way)."""
    update: dict[str, Any] = {"interactive": len(choices) > 1, "info": reason}
    if allowed != chosen:
        update["value"] = allowed
    return gr.update(**update)


def on_keys(
    ctx: StudioContext,
    model_value: str,
    mode_value: str,
    duration_value: str,
    stored_keys: Any,
    request: gr.Request,
):
    """Keys saved or forgotten in Settings (or read from storage): who pays changed."""
    payer = ctx.payer_for(stored_keys)
    return views.cost_text(
        model_value, mode_value, duration_value, payer=payer, lang=lang_of(request)
    )


# ---- generate -------------------------------------------------------------------------------


@answers_in_words(3)  # the note under Generate, the jobs it speaks of, the job list
def on_generate(ctx: StudioContext, tab: StudioTab, data: dict[Any, Any], request: gr.Request):
    """Hand the job to the engine (its frames prepared at upload) and return at once, with
    its card already in the list."""
    controls = tab.controls
    lang = lang_of(request)
    first_path, last_path = data[controls.first], data[controls.last]
    if not first_path:
        raise no_first_frame()
    choice = controls.choice(data)
    owner = submitter_of(request, data[ctx.browser_id])
    built = preview(choice, ctx.library_for(request, data[ctx.browser_id]), lang)
    if built.error:
        raise UserError("prompt.invalid", Text(built.error, built.error))
    negative_value = data[controls.negative] or ""
    state = views.control_state(
        data[controls.model],
        data[controls.mode],
        data[controls.duration],
        has_first=True,
        has_tail=bool(last_path),
        prompt=built.prompt,
        negative_prompt=negative_value,
        lang=lang,
        needs_prompt=True,
    )
    if not state.can_submit:
        raise blocked(state)
    credentials = ctx.credentials_for(data[ctx.browser_keys])
    fit_value = data[controls.fit] or "fit"
    key = PreparedFrames.key(first_path, last_path, fit_value)
    frames = tab.prepared.get_or_put(
        key, lambda: store_pair(ctx.engine, first_path, last_path, fit_value)
    )
    result = submit(
        ctx.engine,
        frames,
        JobRequest(
            prompt=built.prompt,
            negative_prompt=negative_value,
            model=data[controls.model],
            mode=state.mode,
            duration=state.duration,
            submitter=owner,
            prompt_parts=choice.record() | {"fit": fit_value},
            new_take=bool(data[tab.new_take]),
        ),
        credentials,
    )
    note_key = "job_reused" if result.reused else "job_queued"
    note = views.notice_html(say(note_key, lang, job=result.job.id[:8]), "info")
    return note, [result.job.id], progress_view(ctx, lang, owner).html


# ---- the result panel and live progress -----------------------------------------------------


def result_values(job: Job | None, shown: dict[str, Any], lang: str) -> list[Any]:
    """The result panel for `job` (the newest finished video), or unchanged values."""
    if job is None or job.video_path is None or shown.get("job") == job.id:
        return [gr.skip()] * RESULT_OUTPUTS
    has_last = job.spec.last_frame is not None
    now_shown = {
        "job": job.id,
        "video": str(job.video_path),
        "first": str(job.spec.first_frame),
        "last": str(job.spec.last_frame) if has_last else None,
    }
    return [
        gr.update(
            choices=views.result_view_choices(lang, has_last=has_last),
            value="video",
            visible=True,
        ),
        gr.update(value=str(job.video_path), visible=True),
        gr.update(visible=False),
        views.result_caption(job, lang),
        now_shown,
    ]


def on_view(chosen: str | None, shown: dict[str, Any] | None):
    """The result panel switched between the video and its frames."""
    shown = shown or {}
    frame = shown.get(chosen or "")
    if chosen == "video" or not frame or not Path(frame).is_file():
        return gr.update(visible=True), gr.update(visible=False)
    return gr.update(visible=False), gr.update(value=frame, visible=True)


def on_tick(
    ctx: StudioContext,
    shown: dict[str, Any] | None,
    chosen: str | None,
    shown_menu: str,
    noted_jobs: list[str] | None,
    browser_id: Any,
    request: gr.Request,
):
    """The timer: this browser's job list, its newest video, the cancel menu (only when it
    changed), and the note under Generate cleared once its jobs have ended."""
    lang = lang_of(request)
    owner = submitter_of(request, browser_id)
    panel = progress_view(ctx, lang, owner)
    menu = cancel_menu(panel.active, owner, chosen, lang)
    menus: list[Any] = [gr.skip(), gr.skip(), gr.skip()]
    if menu.signature != shown_menu:
        menus = [
            gr.update(choices=menu.choices, value=menu.value),
            menu.signature,
            gr.update(visible=bool(menu.choices)),
        ]
    notes: list[Any] = [gr.skip(), gr.skip()]
    active = {job.id for job in panel.active}
    if noted_jobs and not active.intersection(noted_jobs):
        notes = ["", []]  # the jobs the note spoke of have ended: the list says the rest
    return [panel.html, *result_values(panel.newest, shown or {}, lang), *menus, *notes]


@answers_in_words(2, notice=1)
def on_cancel_job(ctx: StudioContext, job_id: str | None, browser_id: Any, request: gr.Request):
    """Cancel the chosen job, when it is this browser's and still running."""
    owner = submitter_of(request, browser_id)
    try:
        stored = ctx.engine.owned(job_id, owner) if job_id else None
    except KeyError:  # unknown, or someone else's: told alike
        stored = None
    job = job_to_cancel(job_id, stored, owner)
    cancelled = ctx.engine.cancel(job.id, owner=owner)
    said = say("cancelled_notice", lang_of(request), job=cancelled.id[:8])
    return None, views.notice_html(said, "info")


# ---- page load ------------------------------------------------------------------------------


def on_load(
    ctx: StudioContext,
    stored_keys: Any,
    browser_id: Any,
    frames_draft: Any,
    prompt_draft: Any,
    request: gr.Request,
):
    """The page's language, this browser's draft (frames, builder, settings) with the
    person's own menus, and their job list and latest video."""
    lang = lang_of(request)
    settings = ctx.settings
    owner = submitter_of(request, browser_id)
    own = ctx.presets.for_owner(owner)

    def offered(part: str, preset_id: str) -> bool:
        category = "template" if part == "template" else CATEGORY_OF[part]
        return own.find(category, preset_id) is not None

    draft = restored_prompt(prompt_draft, offered, lang)
    choice = draft.choice if draft is not None else default_choice(ctx.presets.base, lang)
    menus = [
        gr.update(
            choices=menu_choices(own, CATEGORY_OF[name], lang, none_label=say("none_preset", lang)),
            value=choice.presets.get(name, ""),
        )
        for name in PART_FIELDS
    ]
    prompt_value = preview(choice, own, lang).prompt
    negative_value = (
        draft.negative
        if draft is not None and draft.negative is not None
        else default_negative(ctx.presets.base, choice.lang)
    )
    model_value = (draft.model if draft else None) or settings.default_model
    frame_roots = [Path(get_upload_folder()), ctx.engine.frames_dir]
    first_path = restored_frame(frames_draft, "first", frame_roots)
    last_path = restored_frame(frames_draft, "last", frame_roots)
    state = views.control_state(
        model_value,
        (draft.mode if draft else None) or settings.default_mode,
        (draft.duration if draft else None) or settings.default_duration,
        has_first=False,
        has_tail=False,
        prompt=prompt_value,
        negative_prompt=negative_value,
        lang=lang,
        needs_prompt=True,
    )
    panel = progress_view(ctx, lang, owner)
    payer = ctx.payer_for(stored_keys)
    return (
        gr.update(choices=fit_choices(lang), value=(draft.fit if draft else None) or "fit"),
        gr.update(choices=own.choices("template", lang), value=choice.template),
        *menus,
        *[choice.free.get(name, "") for name in PART_FIELDS],
        choice.extra,
        choice.lang,
        negative_value,
        model_value if model_value in MODELS else settings.default_model,
        state.mode,
        state.duration,
        first_path if first_path else gr.skip(),
        last_path if last_path else gr.skip(),
        prompt_value,
        views.prompt_length_text(prompt_value, lang),
        views.rules_html(state, lang, with_note=False),
        views.cost_text(model_value, state.mode, state.duration, payer=payer, lang=lang),
        panel.html,
        *result_values(panel.newest, {}, lang),
    )


class ProgressView(NamedTuple):
    """What the timer refreshes on the Studio tab, from one read of the store."""

    html: str  # the job list
    newest: Job | None  # the newest job with a finished video, None when there is none
    active: list[Job]  # every job still under way (for the cancel menu)


def progress_view(ctx: StudioContext, lang: str, owner: str) -> ProgressView:
    """`owner`'s job list as HTML, their newest finished video's job and their jobs under
    way (nobody else's job is ever listed here)."""
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
            j
            for j in recent
            if j.status is JobStatus.DONE and j.video_path and j.video_path.is_file()
        ),
        None,
    )
    return ProgressView(views.progress_html(lines, lang), newest, active)
