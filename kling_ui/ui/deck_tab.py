"""The Deck tab: upload a PowerPoint file, a PDF, images or a ZIP; see the slides in order (with
their speaker notes) and arrange them; one editable prompt per transition and a negative prompt
for all; hold times (the deck's and each slide's own); Generate deck (optionally as a new take);
progress; the final video and its downloads (the MP4, a PowerPoint with the transitions inside,
and a ZIP of everything). Without LibreOffice the tab says plainly that .pptx input is not
available here.

The deck itself (opening, edits, locking, running, assembling) lives in `kling_ui.deck`
(`deck.session.DeckWorkspace`, `deck.edits`), shared with the `deck` command; this module only
lays the tab out and wires its events to top-level handlers over the tab (`DeckTab`: its
components, the Studio's context and the workspace).

Generate only hands the transitions to the engine and returns; the shared timer follows the
deck (the workspace remembers which deck each browser has open, so a reload shows it) and,
once every clip is made, has the final video assembled once. Running the same deck again
reuses every transition already made or in flight; a failed one can be retried alone.

A deck is its owner's (the login, else the browser): every handler names the asker to the
workspace, which treats anyone else's deck as no deck. A deck with more transitions than the
owner may have waiting hands over the rest as their earlier jobs finish.

Problems are said in words next to what caused them (the upload, the order and the table,
Generate), never as Gradio's error badges. Pictures keep the order they were picked in, a new
upload replaces the one before (`new_upload`), and the title comes from the first slide until
the person types one.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from kling_ui.deck.edits import (
    EditOutcome,
    apply_deck_hold,
    apply_duration,
    apply_negative_prompt,
    apply_order,
    apply_prompt_edits,
    apply_slide_hold,
    default_negative,
    defaulter_for,
    negative_for_language,
    numbers_text,
    order_text,
    pair_label,
    slide_number,
)
from kling_ui.deck.errors import no_deck
from kling_ui.deck.office import soffice_available
from kling_ui.deck.run import Deck, DeckRunner, DeckSettings
from kling_ui.deck.session import DeckWorkspace, Followed
from kling_ui.i18n import UserError
from kling_ui.kling.capabilities import settings_for
from kling_ui.ui import deck_views, views
from kling_ui.ui.common import (
    GENERATE_CONCURRENCY_ID,
    GENERATE_CONCURRENCY_LIMIT,
    answers_in_words,
    bound,
    lang_of,
    notice_box,
    submitter_of,
)
from kling_ui.ui.context import StudioContext
from kling_ui.ui.studio_tab import PROMPT_LANGS
from kling_ui.ui.texts import label, say, text
from kling_ui.ui.uploads import LenientFile

log = logging.getLogger("kling_ui.ui.deck")

OPEN_CONCURRENCY_ID = "kling-deck-open"
EDIT_CONCURRENCY_ID = "kling-deck-edit"
WORKSPACE_KEY = "deck_workspace"
TAB_KEY = "deck_tab"
PROMPT_LANG_CODES = [code for _, code in PROMPT_LANGS]
FILE_TYPES = [".pdf", ".zip", ".pptx", ".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff"]
# How the tab's events are wired: opening a deck and editing it, two at a time each (and
# never through the API); Generate and Retry in the Studio's group of three.
OPENING: dict[str, Any] = {
    "api_visibility": "private",
    "concurrency_limit": 2,
    "concurrency_id": OPEN_CONCURRENCY_ID,
}
EDITING: dict[str, Any] = {
    "api_visibility": "private",
    "concurrency_limit": 2,
    "concurrency_id": EDIT_CONCURRENCY_ID,
}
GENERATING: dict[str, Any] = {
    "api_visibility": "private",
    "concurrency_limit": GENERATE_CONCURRENCY_LIMIT,
    "concurrency_id": GENERATE_CONCURRENCY_ID,
    "show_progress": "hidden",
}

# The tab's output lists, by `DeckTab` field: a whole deck shown (`deck_values`), its plan
# (`plan_values`), the progress panel (`panel_values`), what opening a deck fills, and an
# upload (which also resets the file box).
DECK_FIELDS = (
    *("deck_state", "gallery", "order", "summary", "table", "title", "hold", "model", "mode"),
    *("duration", "negative", "hold_slide", "notes_view"),
)
PLAN_FIELDS = ("gallery", "order", "summary", "table", "hold_slide", "notes_view")
PANEL_FIELDS = ("progress", "retry_row", "retry_pick", "video", "downloads", "presenter", "shown")
OPENED_FIELDS = (*DECK_FIELDS, "note", *PANEL_FIELDS, "upload_notice", "title_default")
UPLOAD_FIELDS = (*OPENED_FIELDS, "files", "uploaded")
SLIDE_HOLD_FIELDS = ("summary", "hold_slide", "hold_seconds", "upload_notice")
LOAD_FIELDS = (*DECK_FIELDS, *PANEL_FIELDS, "template", "prompt_lang", "title_default")
OPENED_NOTICE = OPENED_FIELDS.index("upload_notice")
# What opening a deck reads (with the browser's id): the files, its settings, the prompt
# defaults.
OPEN_FIELDS = (
    *("files", "title", "title_default", "model", "mode", "duration", "hold", "prompt_lang"),
    *("template", "negative", "uploaded"),
)


@dataclass(frozen=True)
class DeckTab:
    """What the Deck tab's handlers work on: the Studio's context, the decks' workspace, the
    model settings the tab starts with, and the tab's components."""

    ctx: StudioContext
    workspace: DeckWorkspace
    start: tuple[str, str, str]  # model, mode, duration
    files: LenientFile
    upload_notice: gr.HTML
    title: gr.Textbox
    model: gr.Dropdown
    mode: gr.Radio
    duration: gr.Radio
    rules: gr.Markdown
    template: gr.Dropdown
    prompt_lang: gr.Radio
    negative: gr.Textbox
    hold: gr.Slider
    hold_slide: gr.Dropdown
    hold_seconds: gr.Number
    summary: gr.Markdown
    gallery: gr.Gallery
    order: gr.Textbox
    edit_notice: gr.HTML
    notes_view: gr.Markdown
    table: gr.Dataframe
    new_take: gr.Checkbox
    note: gr.HTML
    progress: gr.HTML
    retry_row: gr.Row
    retry_pick: gr.Dropdown
    video: gr.Video
    presenter: gr.HTML
    downloads: gr.File
    deck_state: gr.State  # this page's deck id; the workspace remembers it per browser
    shown: gr.State  # what the progress panel shows (`panel_values`)
    uploaded: gr.State  # the files of the last upload (a new upload replaces them)
    noted: gr.State  # the note under Generate speaks of transitions still running
    # The title the tab filled in itself (from the first slide): a new upload replaces it,
    # while a title the person typed stays.
    title_default: gr.State

    def pick(self, fields: Sequence[str]) -> list[Any]:
        """The components named by `fields` (e.g. `OPENED_FIELDS`), in that order."""
        return [getattr(self, name) for name in fields]

    def open_inputs(self) -> set[Any]:
        """What opening a deck reads (`OPEN_FIELDS`, and who asks)."""
        return {*self.pick(OPEN_FIELDS), self.ctx.browser_id}

    def generate_inputs(self) -> set[Any]:
        """What Generate reads: the deck, its hold time, the new-take box, whose keys."""
        return {self.deck_state, self.hold, self.new_take, *self.asker()}

    def retry_inputs(self) -> set[Any]:
        """What Retry reads: the deck, the failed transition picked, whose keys."""
        return {self.deck_state, self.retry_pick, *self.asker()}

    def asker(self) -> list[Any]:
        """The browser's stored keys and id (who asks, and with whose keys)."""
        return [self.ctx.browser_keys, self.ctx.browser_id]


def build(ctx: StudioContext) -> DeckWorkspace:
    """Lay out the Deck tab inside the current Tab and wire its events; the tab's workspace
    (also kept in `ctx.extras["deck_workspace"]`, the tab in `ctx.extras["deck_tab"]`)."""
    # Built for everyone: the built-in presets; events use the asker's own (`library_for`).
    library, settings = ctx.presets.base, ctx.settings
    data_dir = settings.data_dir.expanduser().resolve()
    workspace = DeckWorkspace(DeckRunner(ctx.engine, data_dir))
    models = deck_views.deck_models()
    model_names = [name for _, name in models]
    start_model = settings.default_model if settings.default_model in model_names else models[0][1]
    start_mode, start_duration, _ = settings_for(
        start_model, settings.default_mode, settings.default_duration, has_tail=True
    )
    start_controls = deck_views.run_controls(start_model, start_mode, start_duration, "en")

    gr.Markdown(label("deck_intro"), elem_id="kts-deck-intro")
    gr.Markdown(
        label("deck_no_soffice"), visible=not soffice_available(), elem_id="kts-deck-no-pptx"
    )
    with gr.Row(equal_height=False):
        with gr.Column(scale=5, min_width=340, elem_id="kts-deck-settings"):
            files = LenientFile(
                label=label("deck_files"),
                file_count="multiple",
                file_types=FILE_TYPES,
                type="filepath",
                height=140,
                elem_id="kts-deck-files",
            )
            upload_notice = notice_box("kts-deck-upload-notice")
            title = gr.Textbox(label=label("deck_title"), max_lines=1, elem_id="kts-deck-title")
            model = gr.Dropdown(
                models, value=start_model, label=label("model"), elem_id="kts-deck-model"
            )
            with gr.Row(equal_height=True):
                mode = gr.Radio(
                    ["std", "pro"],
                    value=start_mode,
                    label=label("mode"),
                    min_width=140,
                    elem_id="kts-deck-mode",
                    **run_props(start_controls[0]),
                )
                duration = gr.Radio(
                    ["5", "10"],
                    value=start_duration,
                    label=label("duration"),
                    min_width=140,
                    elem_id="kts-deck-duration",
                    **run_props(start_controls[1]),
                )
            rules = gr.Markdown(elem_id="kts-deck-rules")
            gr.Markdown(label("deck_settings_note"), elem_classes=["kts-small"])
            template = gr.Dropdown(
                deck_views.template_choices(library, "en"),
                value="",
                label=label("deck_prompt_source"),
                elem_id="kts-deck-template",
            )
            prompt_lang = gr.Radio(
                PROMPT_LANGS,
                value="en",
                label=label("prompt_language"),
                elem_id="kts-deck-lang",
            )
            negative = gr.Textbox(
                value=default_negative(library, "en"),
                label=label("deck_negative"),
                lines=2,
                max_lines=4,
                elem_id="kts-deck-negative",
            )
            hold = gr.Slider(
                0, 60, value=2.0, step=0.5, label=label("deck_hold"), elem_id="kts-deck-hold"
            )
            with gr.Row(equal_height=True):
                hold_slide = gr.Dropdown(
                    [],
                    value=None,
                    label=label("deck_hold_slide"),
                    scale=3,
                    min_width=160,
                    elem_id="kts-deck-hold-slide",
                )
                hold_seconds = gr.Number(
                    value=2.0,
                    minimum=0,
                    maximum=60,
                    step=0.5,
                    label=label("deck_hold_seconds"),
                    scale=1,
                    min_width=90,
                    elem_id="kts-deck-hold-seconds",
                )
            with gr.Row():
                apply_hold = fit_button("deck_apply_hold", "kts-deck-apply-hold")
                reset_hold = fit_button("deck_reset_hold", "kts-deck-reset-hold")
        with gr.Column(scale=7, min_width=340, elem_id="kts-deck-slides-col"):
            summary = gr.Markdown(elem_id="kts-deck-summary")
            gallery = gr.Gallery(
                label=label("deck_slides"),
                columns=6,
                height=230,
                object_fit="contain",
                interactive=False,
                elem_id="kts-deck-slides",
            )
            gr.Markdown(label("deck_order_note"), elem_classes=["kts-small"])
            with gr.Row(equal_height=True):
                order = gr.Textbox(
                    label=label("deck_order"), max_lines=1, scale=4, elem_id="kts-deck-order"
                )
                apply_order_button = fit_button("deck_apply_order", "kts-deck-apply-order", "md")
            edit_notice = notice_box("kts-deck-edit-notice")
            notes_view = gr.Markdown(elem_id="kts-deck-notes")
    table = gr.Dataframe(
        value=deck_views.table_value(None, "en"),
        type="array",
        interactive=True,
        static_columns=[0, 1, 2],
        wrap=True,
        max_height=420,
        column_widths=["5%", "9%", "14%", "72%"],
        label=label("deck_table"),
        elem_id="kts-deck-table",
        elem_classes=["kts-table"],
    )
    with gr.Row(equal_height=True):
        generate = gr.Button(
            label("deck_generate"),
            variant="primary",
            scale=0,
            min_width=220,
            elem_id="kts-deck-generate",
        )
        new_take = gr.Checkbox(
            value=False,
            label=label("deck_new_take"),
            scale=0,
            min_width=200,
            elem_id="kts-deck-new-take",
        )
        note = notice_box("kts-deck-note")
    gr.Markdown("### " + label("deck_progress"))
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=300):
            progress = gr.HTML(deck_views.empty_progress_html("en"), elem_id="kts-deck-progress")
            with gr.Row(visible=False, equal_height=True) as retry_row:
                retry_pick = gr.Dropdown(
                    [], label=label("deck_retry_pick"), scale=2, elem_id="kts-deck-retry-pick"
                )
                retry = fit_button("deck_retry", "kts-deck-retry", "lg")
        with gr.Column(scale=2, min_width=300):
            video = gr.Video(
                label=label("deck_video"),
                interactive=False,
                buttons=["download"],
                elem_id="kts-deck-video",
            )
            presenter = gr.HTML(elem_id="kts-deck-presenter", elem_classes=["kts-hide-empty"])
            downloads = gr.File(
                label=label("deck_downloads"),
                file_count="multiple",
                interactive=False,
                elem_id="kts-deck-downloads",
            )
    tab = DeckTab(
        ctx=ctx,
        workspace=workspace,
        start=(start_model, start_mode, start_duration),
        files=files,
        upload_notice=upload_notice,
        title=title,
        model=model,
        mode=mode,
        duration=duration,
        rules=rules,
        template=template,
        prompt_lang=prompt_lang,
        negative=negative,
        hold=hold,
        hold_slide=hold_slide,
        hold_seconds=hold_seconds,
        summary=summary,
        gallery=gallery,
        order=order,
        edit_notice=edit_notice,
        notes_view=notes_view,
        table=table,
        new_take=new_take,
        note=note,
        progress=progress,
        retry_row=retry_row,
        retry_pick=retry_pick,
        video=video,
        presenter=presenter,
        downloads=downloads,
        deck_state=gr.State(None),
        shown=gr.State({}),
        uploaded=gr.State([]),
        noted=gr.State(False),
        title_default=gr.State(None),
    )
    ctx.extras[WORKSPACE_KEY], ctx.extras[TAB_KEY] = workspace, tab
    wire(tab, apply_order_button, apply_hold, reset_hold, generate, retry)
    return workspace


def wire(
    t: DeckTab,
    apply_order_button: gr.Button,
    apply_hold: gr.Button,
    reset_hold: gr.Button,
    generate: gr.Button,
    retry: gr.Button,
) -> None:
    """Wire the tab's (`t`) events to their handlers, each given the tab."""
    t.files.upload(
        bound(on_upload, t),
        t.open_inputs(),
        t.pick(UPLOAD_FIELDS),
        show_progress_on=[t.files, t.summary],
        **OPENING,
    )
    gr.on(
        [t.model.input, t.mode.input],
        bound(on_model, t),
        t.open_inputs() | {t.deck_state},
        [*t.pick(OPENED_FIELDS), t.rules],
        show_progress_on=[t.summary],
        **OPENING,
    )
    state = t.deck_state
    edits = [
        (
            [apply_order_button.click, t.order.submit],
            on_order,
            [state, t.order, t.prompt_lang, t.template, t.negative],
            [*t.pick(PLAN_FIELDS), t.edit_notice],
        ),
        (
            [t.prompt_lang.input, t.template.input],
            on_defaults,
            [state, t.prompt_lang, t.template, t.negative],
            [t.table, t.negative, t.edit_notice],
        ),
        ([t.table.input], on_table, [state, t.table], [t.table, t.edit_notice]),
        (
            [t.duration.input],
            on_duration,
            [state, t.model, t.mode, t.duration],
            [t.duration, t.summary, t.upload_notice],
        ),
        ([t.negative.submit, t.negative.blur], on_negative, [state, t.negative], [t.edit_notice]),
        (
            [t.hold.release],
            on_hold,
            [state, t.hold, t.hold_slide],
            [t.summary, t.hold_slide, t.upload_notice],
        ),
        (
            [t.hold_slide.input],
            on_hold_pick,
            [state, t.hold_slide],
            [t.hold_seconds, t.upload_notice],
        ),
        (
            [apply_hold.click],
            on_slide_hold,
            [state, t.hold_slide, t.hold_seconds],
            t.pick(SLIDE_HOLD_FIELDS),
        ),
        ([reset_hold.click], on_slide_hold_reset, [state, t.hold_slide], t.pick(SLIDE_HOLD_FIELDS)),
        ([t.title.submit, t.title.blur], on_title, [state, t.title], [t.summary, t.upload_notice]),
    ]
    for triggers, handler, inputs, outputs in edits:
        gr.on(triggers, bound(handler, t), inputs, outputs, **EDITING)
    generate.click(bound(on_generate, t), t.generate_inputs(), [t.note, t.noted], **GENERATING)
    retry.click(bound(on_retry, t), t.retry_inputs(), [t.note, t.noted], **GENERATING)
    t.ctx.ticks.add(
        bound(on_tick, t),
        [state, t.shown, t.noted, t.ctx.browser_id],
        [*t.pick(PANEL_FIELDS), t.note, t.noted],
    )
    t.ctx.loads.add(bound(on_load, t), [t.ctx.browser_id], t.pick(LOAD_FIELDS))


def fit_button(key: str, elem_id: str, size: Any = "sm") -> gr.Button:
    """A button as wide as its label (the string `key`)."""
    return gr.Button(
        label(key),
        size=size,
        scale=0,
        min_width=60,
        elem_id=elem_id,
        elem_classes=["kts-fit-button"],
    )


def run_props(update: dict[str, Any]) -> dict[str, Any]:
    """A control's `interactive` and `info` from a `deck_views.run_controls` update."""
    return {"interactive": update["interactive"], "info": update["info"] or None}


def new_upload(current: Sequence[str], before: Sequence[str] | None) -> list[str]:
    """The files of the upload that just happened, each once: what Gradio's file box added
    after the files it held before (`before`; the box adds a second upload to the first), or
    the whole box when it no longer starts with them (it was cleared, or a file was taken
    out)."""
    kept = list(before or [])
    chosen = list(current)
    if kept and len(chosen) > len(kept) and chosen[: len(kept)] == kept:
        chosen = chosen[len(kept) :]
    return list(dict.fromkeys(chosen))


# ---- what the tab shows --------------------------------------------------------------------------


def deck_values(deck: Deck, lang: str) -> list[Any]:
    """A whole deck shown (`DECK_FIELDS`)."""
    return [
        deck.deck_id,
        deck_views.gallery_items(deck.plan),
        order_text(deck.plan),
        deck_views.summary_markdown(deck, lang),
        deck_views.table_value(deck.plan, lang),
        deck.settings.title,
        deck.plan.hold_seconds,
        deck.settings.model,
        *deck_views.run_controls(deck.settings.model, deck.settings.mode, deck.plan.duration, lang),
        _or_skip(deck_views.shared_negative(deck.plan)),
        deck_views.hold_menu(deck.plan, None),
        deck_views.notes_markdown(deck.plan, lang),
    ]


def plan_values(deck: Deck, lang: str) -> list[Any]:
    """The deck's plan shown again after it was rearranged (`PLAN_FIELDS`)."""
    return [
        deck_views.gallery_items(deck.plan),
        order_text(deck.plan),
        deck_views.summary_markdown(deck, lang),
        deck_views.table_value(deck.plan, lang),
        deck_views.hold_menu(deck.plan, None),
        deck_views.notes_markdown(deck.plan, lang),
    ]


def panel_values(
    tab: DeckTab, followed: Followed | None, seen: dict[str, Any], lang: str
) -> list[Any]:
    """The progress panel (`PANEL_FIELDS`), skipping the parts that have not changed since
    `seen` (the panel's last state, its last output)."""
    if followed is None:
        return [gr.skip()] * len(PANEL_FIELDS)
    deck, found, assembly = followed.deck, followed.progress, followed.assembly
    failures = (
        deck_views.failure_texts(tab.workspace.runner.jobs(deck), deck.plan, lang)
        if found.failed
        else {}
    )
    html_out = deck_views.progress_html(deck.plan, found, assembly, failures, lang)
    choices = deck_views.retry_choices(deck.plan, found)
    files_ready = assembly.files
    video_path = str(files_ready.video) if files_ready is not None else ""
    now = {"deck": deck.deck_id, "html": html_out, "retry": choices, "video": video_path}
    same = {key: seen.get(key) == value for key, value in now.items()}
    retry_updates: list[Any] = [gr.skip(), gr.skip()]
    if not (same["retry"] and same["deck"]):
        retry_updates = [
            gr.update(visible=bool(choices)),
            gr.update(choices=choices, value=choices[0][1] if choices else None),
        ]
    file_updates: list[Any] = [gr.skip(), gr.skip(), gr.skip()]
    if not (same["video"] and same["deck"]):
        file_updates = (
            [
                video_path,
                files_ready.downloads(),
                deck_views.presenter_html(files_ready.presenter, lang),
            ]
            if files_ready is not None
            else [None, None, ""]
        )
    return [
        html_out if not (same["html"] and same["deck"]) else gr.skip(),
        *retry_updates,
        *file_updates,
        now,
    ]


def edits_said(outcome: EditOutcome, lang: str, *done: str) -> Any:
    """One notice for an edit: what it refused (as an error), else what it did; the notice
    is left as it is when the edit changed nothing (a cell's second event)."""
    if outcome.refused:
        refused = " ".join(refusal.text(lang) for refusal in outcome.refused)
        return views.notice_html(refused, "error")
    said = " ".join(d for d in done if d)
    return views.notice_html(said, "info") if said else gr.skip()


# ---- opening -------------------------------------------------------------------------------------


def typed_title(tab: DeckTab, data: dict[Any, Any]) -> str:
    """The title the person typed ("" when the box holds the tab's own default)."""
    shown_title = (data[tab.title] or "").strip()
    return shown_title if shown_title != (data.get(tab.title_default) or "") else ""


def deck_settings(tab: DeckTab, data: dict[Any, Any], paths: list[str]) -> DeckSettings:
    """The settings a deck is opened with: the title typed (else the first slide's name),
    the model, mode and duration (as the model allows them), the hold time."""
    chosen_mode, chosen_duration, _ = settings_for(
        data[tab.model], data[tab.mode] or "pro", data[tab.duration] or "5", has_tail=True
    )
    return DeckSettings(
        title=typed_title(tab, data) or deck_views.title_from(paths[0]),
        model=data[tab.model],
        mode=chosen_mode,  # type: ignore[arg-type]
        duration=chosen_duration,  # type: ignore[arg-type]
        hold_seconds=float(data[tab.hold] if data[tab.hold] is not None else 2.0),
    )


def open_deck(
    tab: DeckTab, data: dict[Any, Any], paths: list[str], request: gr.Request
) -> list[Any]:
    """Open the asker's deck for `paths` (in the order they were picked) and the tab's
    settings; what opening fills (`OPENED_FIELDS`)."""
    lang = lang_of(request)
    owner = submitter_of(request, data[tab.ctx.browser_id])
    defaulter = defaulter_for(
        tab.ctx.presets.for_owner(owner),
        data[tab.prompt_lang] or lang,
        data[tab.template] or None,
        data[tab.negative],
    )
    chosen = deck_settings(tab, data, paths)
    deck = tab.workspace.open([Path(p) for p in paths], chosen, defaulter, owner=owner)
    tab.workspace.remember(owner, deck.deck_id)
    followed = tab.workspace.follow(deck.deck_id, owner)
    opened = ""
    if followed is not None:
        said = deck_views.opened_message(followed.deck, followed.progress, lang)
        opened = views.notice_html(said, "info")
    default = gr.skip() if typed_title(tab, data) else deck.settings.title
    return [*deck_values(deck, lang), "", *panel_values(tab, followed, {}, lang), opened, default]


@answers_in_words(len(UPLOAD_FIELDS), notice=OPENED_NOTICE)
def on_upload(tab: DeckTab, data: dict[Any, Any], request: gr.Request):
    """Files uploaded: open the deck they make (`UPLOAD_FIELDS`). The new files replace the
    box's earlier ones (Gradio's box adds them to the list), also when they are refused: the
    next upload then replaces them in turn."""
    in_box = [str(p) for p in (data[tab.files] or [])]
    paths = new_upload(in_box, data.get(tab.uploaded))
    if not paths:
        return [gr.skip()] * len(UPLOAD_FIELDS)
    try:
        opened = open_deck(tab, data, paths, request)
    except UserError as exc:
        log.info("deck refused: %s", exc)
        opened = [gr.skip()] * len(OPENED_FIELDS)
        opened[OPENED_NOTICE] = views.notice_html(exc.text(lang_of(request)), "error")
    return [*opened, paths, paths]


@answers_in_words(len(OPENED_FIELDS) + 1, notice=OPENED_NOTICE)
def on_model(tab: DeckTab, data: dict[Any, Any], request: gr.Request):
    """Another model or mode: the controls it allows, and the open deck opened again with it
    (another model makes another deck); `OPENED_FIELDS` and the model's rules."""
    lang = lang_of(request)
    chosen_mode, chosen_duration, why = settings_for(
        data[tab.model], data[tab.mode] or "pro", data[tab.duration] or "5", has_tail=True
    )
    rules_out = why.get(lang).strip()
    keep = [gr.skip()] * len(OPENED_FIELDS)
    controls = deck_views.run_controls(data[tab.model], chosen_mode, chosen_duration, lang)
    keep[OPENED_FIELDS.index("mode")], keep[OPENED_FIELDS.index("duration")] = controls
    if not tab.workspace.known(
        data[tab.deck_state], submitter_of(request, data[tab.ctx.browser_id])
    ):
        return [*keep, rules_out]
    paths = [str(p) for p in (data[tab.uploaded] or data[tab.files] or [])]
    if not paths:
        raise UserError(
            "deck.needs_files", text("deck_needs_files"), remedy=text("deck_needs_files_remedy")
        )
    data = data | {tab.mode: chosen_mode, tab.duration: chosen_duration}
    return [*open_deck(tab, data, paths, request), rules_out]


# ---- arranging and prompts -----------------------------------------------------------------------


@answers_in_words(len(PLAN_FIELDS) + 1, notice=len(PLAN_FIELDS))
def on_order(
    tab: DeckTab,
    deck_id: Any,
    typed: str,
    lang_value: str,
    template_id: str,
    negative_value: str,
    request: gr.Request,
):
    """The slide order typed as numbers applied (`PLAN_FIELDS` and the edit notice)."""
    lang = lang_of(request)
    defaulter = defaulter_for(
        tab.ctx.library_for(request), lang_value or lang, template_id or None, negative_value
    )
    with tab.workspace.editing(deck_id, submitter_of(request)) as deck:
        apply_order(deck.plan, typed or "", defaulter)
    said = views.notice_html(say("deck_order_saved", lang, order=order_text(deck.plan)), "info")
    return [*plan_values(deck, lang), said]


@answers_in_words(3, notice=2)
def on_defaults(
    tab: DeckTab,
    deck_id: Any,
    lang_value: str,
    template_id: str,
    negative_value: str,
    request: gr.Request,
):
    """Another prompt language or template: the prompts the person has not edited follow it,
    and so does the default negative prompt (the person's own words stay); the table, the
    negative prompt and the edit notice."""
    lang = lang_of(request)
    owner, own = submitter_of(request), tab.ctx.library_for(request)
    prompt_code = lang_value or lang
    shown = negative_for_language(own, negative_value, prompt_code, PROMPT_LANG_CODES)
    if not tab.workspace.known(deck_id, owner):
        return gr.skip(), shown, ""
    defaulter = defaulter_for(own, prompt_code, template_id or None, shown)
    with tab.workspace.editing(deck_id, owner) as deck:
        outcome = apply_negative_prompt(deck.plan, shown)
        changed = deck.plan.refresh_defaults(defaulter)
    said = edits_said(
        outcome,
        lang,
        say("deck_negative_applied", lang, numbers=numbers_text(outcome.changed))
        if outcome.changed
        else "",
        say("deck_defaults_applied", lang, numbers=numbers_text(changed)) if changed else "",
    )
    if not (changed or outcome.changed):
        return gr.skip(), shown, said
    return deck_views.table_value(deck.plan, lang), shown, said


@answers_in_words(2, notice=1)
def on_table(tab: DeckTab, deck_id: Any, rows: list[list[Any]], request: gr.Request):
    """Prompts edited in the table saved; the table again only when a cell was refused (it
    reverts that cell), and the edit notice."""
    lang = lang_of(request)
    with tab.workspace.editing(deck_id, submitter_of(request)) as deck:
        outcome = apply_prompt_edits(deck.plan, rows or [])
    saved = (
        say("deck_prompts_saved", lang, numbers=numbers_text(outcome.changed))
        if outcome.changed
        else ""
    )
    said = edits_said(outcome, lang, saved)
    shown_table = deck_views.table_value(deck.plan, lang) if outcome.refused else gr.skip()
    return shown_table, said


@answers_in_words(3, notice=2)
def on_duration(
    tab: DeckTab,
    deck_id: Any,
    model_value: str,
    mode_value: str,
    value: str,
    request: gr.Request,
):
    """Another duration (as the model allows it) for every transition; the duration, the
    summary and the notice."""
    lang = lang_of(request)
    _, chosen, why = settings_for(model_value, mode_value or "pro", value, has_tail=True)
    changed_by_rules = why.get(lang).strip() if chosen != value else ""
    owner = submitter_of(request)
    if not tab.workspace.known(deck_id, owner):
        return chosen, gr.skip(), views.notice_html(changed_by_rules, "note")
    with tab.workspace.editing(deck_id, owner) as deck:
        outcome = apply_duration(deck.plan, chosen)  # type: ignore[arg-type]
    tab.workspace.update_settings(deck_id, owner=owner, duration=chosen)
    applied = (
        say("deck_duration_applied", lang, numbers=numbers_text(outcome.changed), duration=chosen)
        if outcome.changed
        else ""
    )
    said = edits_said(outcome, lang, changed_by_rules, applied)
    shown_summary = deck_views.summary_markdown(tab.workspace.load(deck_id, owner) or deck, lang)
    return chosen, shown_summary, said


@answers_in_words(1)
def on_negative(tab: DeckTab, deck_id: Any, value: str, request: gr.Request):
    """The deck's negative prompt given to every transition; the edit notice."""
    lang = lang_of(request)
    owner = submitter_of(request)
    if not tab.workspace.known(deck_id, owner):
        return gr.skip()
    with tab.workspace.editing(deck_id, owner) as deck:
        outcome = apply_negative_prompt(deck.plan, value or "")
    applied = (
        say("deck_negative_applied", lang, numbers=numbers_text(outcome.changed))
        if outcome.changed
        else ""
    )
    if not (applied or outcome.refused):
        return gr.skip()
    return edits_said(outcome, lang, applied)


# ---- hold times and the title --------------------------------------------------------------------


@answers_in_words(3, notice=2)
def on_hold(
    tab: DeckTab, deck_id: Any, seconds: float | None, chosen: str | None, request: gr.Request
):
    """The deck's hold time (slides given their own keep it); the summary, the slide menu
    and the notice."""
    owner = submitter_of(request)
    if seconds is None or not tab.workspace.known(deck_id, owner):
        return gr.skip(), gr.skip(), gr.skip()
    with tab.workspace.editing(deck_id, owner) as deck:
        apply_deck_hold(deck.plan, float(seconds))
    return (
        deck_views.summary_markdown(deck, lang_of(request)),
        deck_views.hold_menu(deck.plan, chosen),
        "",
    )


@answers_in_words(2, notice=1)
def on_hold_pick(tab: DeckTab, deck_id: Any, chosen: str | None, request: gr.Request):
    """A slide picked in the hold menu: its hold time in the seconds box."""
    deck = tab.workspace.load(deck_id, submitter_of(request))
    held = deck_views.held_for(deck.plan, chosen) if deck is not None else None
    return (gr.skip() if held is None else held), gr.skip()


def set_slide_hold(
    tab: DeckTab, deck_id: Any, chosen: str | None, seconds: float | None, request: gr.Request
) -> tuple[Any, ...]:
    """Hold the chosen slide for `seconds` (None: the deck's hold time again);
    `SLIDE_HOLD_FIELDS`."""
    lang = lang_of(request)
    with tab.workspace.editing(deck_id, submitter_of(request)) as deck:
        apply_slide_hold(deck.plan, chosen, seconds)
    held = deck_views.held_for(deck.plan, chosen)
    key = "deck_hold_reset" if seconds is None else "deck_hold_saved"
    shown_seconds = deck_views.seconds_text(held if held is not None else 0.0)
    slide = slide_number(chosen or "")
    said = views.notice_html(say(key, lang, slide=slide, seconds=shown_seconds), "info")
    return (
        deck_views.summary_markdown(deck, lang),
        deck_views.hold_menu(deck.plan, chosen),
        held,
        said,
    )


@answers_in_words(len(SLIDE_HOLD_FIELDS), notice=SLIDE_HOLD_FIELDS.index("upload_notice"))
def on_slide_hold(
    tab: DeckTab, deck_id: Any, chosen: str | None, seconds: float | None, request: gr.Request
):
    """The chosen slide's own hold time applied."""
    return set_slide_hold(tab, deck_id, chosen, seconds, request)


@answers_in_words(len(SLIDE_HOLD_FIELDS), notice=SLIDE_HOLD_FIELDS.index("upload_notice"))
def on_slide_hold_reset(tab: DeckTab, deck_id: Any, chosen: str | None, request: gr.Request):
    """The chosen slide back to the deck's hold time."""
    return set_slide_hold(tab, deck_id, chosen, None, request)


@answers_in_words(2, notice=1)
def on_title(tab: DeckTab, deck_id: Any, value: str, request: gr.Request):
    """A title typed for the open deck saved; the summary and the notice."""
    shown_title = (value or "").strip()
    owner = submitter_of(request)
    deck = tab.workspace.load(deck_id, owner)
    if deck is None or not shown_title or shown_title == deck.settings.title:
        return gr.skip(), gr.skip()
    updated = tab.workspace.update_settings(deck_id, owner=owner, title=shown_title)
    return deck_views.summary_markdown(updated, lang_of(request)), ""


# ---- generate and retry --------------------------------------------------------------------------


@answers_in_words(2)
def on_generate(tab: DeckTab, data: dict[Any, Any], request: gr.Request):
    """Hand the deck's transitions without a clip to the engine; the note and whether it
    speaks of transitions still running."""
    lang = lang_of(request)
    deck_id = data[tab.deck_state]
    owner = submitter_of(request, data[tab.ctx.browser_id])
    if not tab.workspace.known(deck_id, owner):
        raise no_deck()
    credentials = tab.ctx.credentials_for(data[tab.ctx.browser_keys])
    if data[tab.hold] is not None:
        with tab.workspace.editing(deck_id, owner) as deck:
            apply_deck_hold(deck.plan, float(data[tab.hold]))
    submitted = tab.workspace.submit(
        deck_id, submitter=owner, credentials=credentials, new_take=bool(data[tab.new_take])
    )
    waiting = tab.workspace.waiting(deck_id, owner)
    limit = tab.ctx.engine.max_queued
    message = deck_views.queued_message(len(submitted), waiting, limit, lang)
    return views.notice_html(message, "info"), True


@answers_in_words(2)
def on_retry(tab: DeckTab, data: dict[Any, Any], request: gr.Request):
    """Make the failed transition picked again, alone; the note and whether it speaks of a
    transition still running."""
    lang = lang_of(request)
    deck_id, index = data[tab.deck_state], data[tab.retry_pick]
    owner = submitter_of(request, data[tab.ctx.browser_id])
    deck = tab.workspace.load(deck_id, owner)
    if deck is None:
        raise no_deck()
    if index is None:
        raise UserError("deck.no_retry_pick", text("deck_no_retry_pick"))
    credentials = tab.ctx.credentials_for(data[tab.ctx.browser_keys])
    submitted = tab.workspace.submit(
        deck_id, submitter=owner, credentials=credentials, indexes=[int(index)]
    )
    pair = pair_label(deck.plan, int(index)) if int(index) < len(deck.plan.transitions) else ""
    message = say("deck_retried" if submitted else "deck_nothing_to_retry", lang, pair=pair)
    return views.notice_html(message, "info"), bool(submitted)


# ---- following the deck, and the page's load -----------------------------------------------------


def on_tick(
    tab: DeckTab,
    deck_id: Any,
    seen: dict[str, Any],
    note_open: bool,
    browser_id: Any,
    request: gr.Request,
):
    """The shared timer: the open deck followed (`PANEL_FIELDS`), and the note under Generate
    cleared once what it spoke of is over."""
    owner = submitter_of(request, browser_id)
    quiet = [gr.skip(), gr.skip()]  # the note under Generate and whether it is shown
    if not tab.workspace.known(deck_id, owner):
        return [*[gr.skip()] * len(PANEL_FIELDS), *quiet]
    lang = lang_of(request)
    try:
        followed = tab.workspace.follow(deck_id, owner)
    except Exception as exc:  # shown in the panel; the next tick tries again
        log.exception("following deck %s failed", deck_id)
        message = html.escape(views.error_message(exc, lang))
        problem = f'<div class="kts-problems">{message}</div>'
        return [problem, *[gr.skip()] * (len(PANEL_FIELDS) - 1), *quiet]
    if note_open and followed is not None and followed.progress.settled:
        quiet = ["", False]  # what Generate said is over: the panel says the rest
    return [*panel_values(tab, followed, seen or {}, lang), *quiet]


def on_load(tab: DeckTab, browser_id: Any, request: gr.Request):
    """The page loaded: the deck this browser had open (else an empty tab), the menus in the
    page's language (`LOAD_FIELDS`)."""
    lang = lang_of(request)
    owner = submitter_of(request, browser_id)
    own = tab.ctx.presets.for_owner(owner)
    deck_id = tab.workspace.remembered(owner)
    localized = [gr.update(choices=deck_views.template_choices(own, lang)), lang]
    deck = tab.workspace.load(deck_id, owner)
    if deck is None:
        empty = [
            None,
            [],
            "",
            "",
            deck_views.table_value(None, lang),
            *[gr.skip()] * 3,
            *deck_views.run_controls(*tab.start, lang),
            default_negative(own, lang),
            deck_views.hold_menu(None, None),
            "",
        ]
        blank_panel = [deck_views.empty_progress_html(lang), *[gr.skip()] * 5, {}]
        return [*empty, *blank_panel, *localized, None]
    try:
        followed = tab.workspace.follow(deck.deck_id, owner)
    except Exception:
        log.exception("following deck %s failed", deck.deck_id)
        followed = None
    # The title shown came from before the reload: the next upload may replace it.
    shown = [*deck_values(deck, lang), *panel_values(tab, followed, {}, lang), *localized]
    return [*shown, deck.settings.title]


def _or_skip(value: Any) -> Any:
    """`value`, or leave the component as it is when there is none."""
    return gr.skip() if value is None else value
