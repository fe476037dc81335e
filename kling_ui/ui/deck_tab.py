"""The Deck tab: upload a PowerPoint file, a PDF, images or a ZIP; see the slides in order (with
their speaker notes) and arrange them; one editable prompt per transition and a negative prompt
for all; hold times (the deck's and each slide's own); Generate deck (optionally as a new take);
progress; the final video and its downloads (the MP4, a PowerPoint with the transitions inside,
and a ZIP of everything). Without LibreOffice the tab says plainly that .pptx input is not
available here.

Generate only hands the transitions to the engine and returns; the shared timer follows the
deck (the workspace remembers which deck each browser has open, so a reload shows it) and,
once every clip is made, has the final video assembled once. Running the same deck again
reuses every transition already made or in flight; a failed one can be retried alone.

A deck is its owner's (the login, else the browser): every handler names the asker to the
workspace, which treats anyone else's deck as no deck. A deck with more transitions than the
owner may have waiting hands over the rest as their earlier jobs finish.

Problems are said in words next to what caused them (the upload, the order and the table,
Generate), never as Gradio's error badges. Pictures keep the order they were picked in, a new
upload replaces the one before (deck_upload.py), and the title comes from the first slide
until the person types one.
"""

from __future__ import annotations

import html
import logging
from typing import Any

import gradio as gr

from kling_ui.deck.office import soffice_available
from kling_ui.deck.run import Deck, DeckRunner, DeckSettings
from kling_ui.i18n import UserError
from kling_ui.kling.capabilities import settings_for
from kling_ui.ui import deck_views, views
from kling_ui.ui.common import (
    GENERATE_CONCURRENCY_ID,
    GENERATE_CONCURRENCY_LIMIT,
    answers_in_words,
    lang_of,
    notice_box,
    submitter_of,
)
from kling_ui.ui.context import StudioContext
from kling_ui.ui.deck_edits import (
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
from kling_ui.ui.deck_session import DeckWorkspace, Followed, no_deck
from kling_ui.ui.deck_upload import new_upload, staged_in_order
from kling_ui.ui.studio_tab import PROMPT_LANGS
from kling_ui.ui.texts import label, say, text
from kling_ui.ui.uploads import LenientFile

log = logging.getLogger("kling_ui.ui.deck")

OPEN_CONCURRENCY_ID = "kling-deck-open"
EDIT_CONCURRENCY_ID = "kling-deck-edit"
WORKSPACE_KEY = "deck_workspace"
PROMPT_LANG_CODES = [code for _, code in PROMPT_LANGS]
FILE_TYPES = [".pdf", ".zip", ".pptx", ".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff"]


def build(ctx: StudioContext) -> DeckWorkspace:
    """Lay out the Deck tab inside the current Tab and wire its events; the tab's workspace
    (also kept in `ctx.extras["deck_workspace"]`)."""
    # Built for everyone: the built-in presets; events use the asker's own (`library_for`).
    library, settings = ctx.presets.base, ctx.settings
    data_dir = settings.data_dir.expanduser().resolve()
    workspace = DeckWorkspace(DeckRunner(ctx.engine, data_dir))
    ctx.extras[WORKSPACE_KEY] = workspace
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
                apply_hold = gr.Button(
                    label("deck_apply_hold"),
                    size="sm",
                    scale=0,
                    min_width=60,
                    elem_id="kts-deck-apply-hold",
                    elem_classes=["kts-fit-button"],
                )
                reset_hold = gr.Button(
                    label("deck_reset_hold"),
                    size="sm",
                    scale=0,
                    min_width=60,
                    elem_id="kts-deck-reset-hold",
                    elem_classes=["kts-fit-button"],
                )
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
                apply_order_button = gr.Button(
                    label("deck_apply_order"),
                    size="md",
                    scale=0,
                    min_width=60,
                    elem_id="kts-deck-apply-order",
                    elem_classes=["kts-fit-button"],
                )
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
                retry = gr.Button(
                    label("deck_retry"),
                    scale=0,
                    min_width=60,
                    elem_id="kts-deck-retry",
                    elem_classes=["kts-fit-button"],
                )
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
    deck_state = gr.State(None)  # this page's deck id; the workspace remembers it per browser
    shown = gr.State({})
    uploaded = gr.State([])  # the files of the last upload (a new upload replaces them)
    noted = gr.State(False)  # the note under Generate speaks of transitions still running
    # The title the tab filled in itself (from the first slide): a new upload replaces it,
    # while a title the person typed stays.
    title_default = gr.State(None)

    deck_outputs = [deck_state, gallery, order, summary, table, title, hold, model, mode, duration]
    deck_outputs += [negative, hold_slide, notes_view]
    plan_outputs = [gallery, order, summary, table, hold_slide, notes_view]
    panel_outputs = [progress, retry_row, retry_pick, video, downloads, presenter, shown]

    def deck_values(deck: Deck, lang: str) -> list[Any]:
        return [
            deck.deck_id,
            deck_views.gallery_items(deck.plan),
            order_text(deck.plan),
            deck_views.summary_markdown(deck, lang),
            deck_views.table_value(deck.plan, lang),
            deck.settings.title,
            deck.plan.hold_seconds,
            deck.settings.model,
            *deck_views.run_controls(
                deck.settings.model, deck.settings.mode, deck.plan.duration, lang
            ),
            _or_skip(deck_views.shared_negative(deck.plan)),
            deck_views.hold_menu(deck.plan, None),
            deck_views.notes_markdown(deck.plan, lang),
        ]

    def plan_values(deck: Deck, lang: str) -> list[Any]:
        return [
            *deck_values(deck, lang)[1:5],
            deck_views.hold_menu(deck.plan, None),
            deck_views.notes_markdown(deck.plan, lang),
        ]

    def panel_values(followed: Followed | None, seen: dict[str, Any], lang: str) -> list[Any]:
        """The progress panel's outputs, skipping the parts that have not changed."""
        if followed is None:
            return [gr.skip()] * len(panel_outputs)
        deck, found, assembly = followed.deck, followed.progress, followed.assembly
        failures = (
            deck_views.failure_texts(workspace.runner.jobs(deck), deck.plan, lang)
            if found.failed
            else {}
        )
        html_out = deck_views.progress_html(
            deck.plan, found, assembly, failures, lang, slots=ctx.engine.concurrency
        )
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

    def typed_title(data: dict[Any, Any]) -> str:
        """The title the person typed ("" when the box holds the tab's own default)."""
        shown_title = (data[title] or "").strip()
        return shown_title if shown_title != (data.get(title_default) or "") else ""

    def deck_settings(data: dict[Any, Any], paths: list[str]) -> DeckSettings:
        chosen_mode, chosen_duration, _ = settings_for(
            data[model], data[mode] or "pro", data[duration] or "5", has_tail=True
        )
        return DeckSettings(
            title=typed_title(data) or deck_views.title_from(paths[0]),
            model=data[model],
            mode=chosen_mode,  # type: ignore[arg-type]
            duration=chosen_duration,  # type: ignore[arg-type]
            hold_seconds=float(data[hold] if data[hold] is not None else 2.0),
        )

    def open_deck(data: dict[Any, Any], paths: list[str], request: gr.Request) -> list[Any]:
        lang = lang_of(request)
        owner = submitter_of(request, data[ctx.browser_id])
        defaulter = defaulter_for(
            ctx.presets.for_owner(owner),
            data[prompt_lang] or lang,
            data[template] or None,
            data[negative],
        )
        try:
            with staged_in_order(paths) as staged:  # the order the files were picked in
                deck = workspace.open(staged, deck_settings(data, paths), defaulter, owner=owner)
        except UserError as exc:
            raise deck_views.unstaged(exc) from None
        workspace.remember(owner, deck.deck_id)
        followed = workspace.follow(deck.deck_id, owner)
        opened = ""
        if followed is not None:
            said = deck_views.opened_message(followed.deck, followed.progress, lang)
            opened = views.notice_html(said, "info")
        default = gr.skip() if typed_title(data) else deck.settings.title
        return [*deck_values(deck, lang), "", *panel_values(followed, {}, lang), opened, default]

    def edits_said(outcome: EditOutcome, lang: str, *done: str) -> Any:
        """One notice for an edit: what it refused (as an error), else what it did; the
        notice is left as it is when the edit changed nothing (a cell's second event)."""
        if outcome.refused:
            refused = " ".join(refusal.text(lang) for refusal in outcome.refused)
            return views.notice_html(refused, "error")
        said = " ".join(d for d in done if d)
        return views.notice_html(said, "info") if said else gr.skip()

    # ---- opening ------------------------------------------------------------------------

    open_inputs = {files, title, title_default, model, mode, duration, hold, prompt_lang, template}
    open_inputs |= {negative, uploaded, ctx.browser_id}
    opened_outputs = [*deck_outputs, note, *panel_outputs, upload_notice, title_default]
    upload_outputs = [*opened_outputs, files, uploaded]

    @answers_in_words(len(upload_outputs), notice=opened_outputs.index(upload_notice))
    def on_upload(data: dict[Any, Any], request: gr.Request):
        in_box = [str(p) for p in (data[files] or [])]
        paths = new_upload(in_box, data.get(uploaded))
        if not paths:
            return [gr.skip()] * len(upload_outputs)
        # The new files replace the box's earlier ones (Gradio's box adds them to the list),
        # also when they are refused: the next upload then replaces them in turn.
        try:
            opened = open_deck(data, paths, request)
        except UserError as exc:
            log.info("deck refused: %s", exc)
            opened = [gr.skip()] * len(opened_outputs)
            opened[opened_outputs.index(upload_notice)] = views.notice_html(
                exc.text(lang_of(request)), "error"
            )
        return [*opened, paths, paths]

    files.upload(
        on_upload,
        open_inputs,
        upload_outputs,
        api_visibility="private",
        concurrency_limit=2,
        concurrency_id=OPEN_CONCURRENCY_ID,
        show_progress_on=[files, summary],
    )

    @answers_in_words(len(opened_outputs) + 1, notice=opened_outputs.index(upload_notice))
    def on_model(data: dict[Any, Any], request: gr.Request):
        lang = lang_of(request)
        chosen_mode, chosen_duration, why = settings_for(
            data[model], data[mode] or "pro", data[duration] or "5", has_tail=True
        )
        rules_out = why.get(lang).strip()
        keep = [gr.skip()] * len(opened_outputs)
        controls = deck_views.run_controls(data[model], chosen_mode, chosen_duration, lang)
        keep[opened_outputs.index(mode)], keep[opened_outputs.index(duration)] = controls
        if not workspace.known(data[deck_state], submitter_of(request, data[ctx.browser_id])):
            return [*keep, rules_out]
        paths = [str(p) for p in (data[uploaded] or data[files] or [])]
        if not paths:
            raise UserError(
                "deck.needs_files",
                text("deck_needs_files"),
                remedy=text("deck_needs_files_remedy"),
            )
        data = data | {mode: chosen_mode, duration: chosen_duration}
        return [*open_deck(data, paths, request), rules_out]

    gr.on(
        [model.input, mode.input],
        on_model,
        open_inputs | {deck_state},
        [*opened_outputs, rules],
        api_visibility="private",
        concurrency_limit=2,
        concurrency_id=OPEN_CONCURRENCY_ID,
        show_progress_on=[summary],
    )

    # ---- arranging and prompts ----------------------------------------------------------

    @answers_in_words(len(plan_outputs) + 1, notice=len(plan_outputs))
    def on_order(
        deck_id: Any,
        typed: str,
        lang_value: str,
        template_id: str,
        negative_value: str,
        request: gr.Request,
    ):
        lang = lang_of(request)
        defaulter = defaulter_for(
            ctx.library_for(request), lang_value or lang, template_id or None, negative_value
        )
        with workspace.editing(deck_id, submitter_of(request)) as deck:
            apply_order(deck.plan, typed or "", defaulter)
        said = views.notice_html(say("deck_order_saved", lang, order=order_text(deck.plan)), "info")
        return [*plan_values(deck, lang), said]

    gr.on(
        [apply_order_button.click, order.submit],
        on_order,
        [deck_state, order, prompt_lang, template, negative],
        [*plan_outputs, edit_notice],
        api_visibility="private",
        concurrency_limit=2,
        concurrency_id=EDIT_CONCURRENCY_ID,
    )

    @answers_in_words(3, notice=2)
    def on_defaults(
        deck_id: Any, lang_value: str, template_id: str, negative_value: str, request: gr.Request
    ):
        lang = lang_of(request)
        owner, own = submitter_of(request), ctx.library_for(request)
        prompt_code = lang_value or lang
        # The default negative prompt follows the prompt language; the person's own words stay.
        shown = negative_for_language(own, negative_value, prompt_code, PROMPT_LANG_CODES)
        if not workspace.known(deck_id, owner):
            return gr.skip(), shown, ""
        defaulter = defaulter_for(own, prompt_code, template_id or None, shown)
        with workspace.editing(deck_id, owner) as deck:
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

    gr.on(
        [prompt_lang.input, template.input],
        on_defaults,
        [deck_state, prompt_lang, template, negative],
        [table, negative, edit_notice],
        api_visibility="private",
        concurrency_limit=2,
        concurrency_id=EDIT_CONCURRENCY_ID,
    )

    @answers_in_words(2, notice=1)
    def on_table(deck_id: Any, rows: list[list[Any]], request: gr.Request):
        lang = lang_of(request)
        with workspace.editing(deck_id, submitter_of(request)) as deck:
            outcome = apply_prompt_edits(deck.plan, rows or [])
        saved = (
            say("deck_prompts_saved", lang, numbers=numbers_text(outcome.changed))
            if outcome.changed
            else ""
        )
        said = edits_said(outcome, lang, saved)
        # Show the plan as it now stands only when a cell was refused (it reverts that cell).
        shown_table = deck_views.table_value(deck.plan, lang) if outcome.refused else gr.skip()
        return shown_table, said

    table.input(
        on_table,
        [deck_state, table],
        [table, edit_notice],
        api_visibility="private",
        concurrency_limit=2,
        concurrency_id=EDIT_CONCURRENCY_ID,
    )

    @answers_in_words(3, notice=2)
    def on_duration(deck_id: Any, model_value: str, mode_value: str, value: str, req: gr.Request):
        lang = lang_of(req)
        _, chosen, why = settings_for(model_value, mode_value or "pro", value, has_tail=True)
        changed_by_rules = why.get(lang).strip() if chosen != value else ""
        owner = submitter_of(req)
        if not workspace.known(deck_id, owner):
            return chosen, gr.skip(), views.notice_html(changed_by_rules, "note")
        with workspace.editing(deck_id, owner) as deck:
            outcome = apply_duration(deck.plan, chosen)  # type: ignore[arg-type]
        workspace.update_settings(deck_id, owner=owner, duration=chosen)
        applied = (
            say(
                "deck_duration_applied",
                lang,
                numbers=numbers_text(outcome.changed),
                duration=chosen,
            )
            if outcome.changed
            else ""
        )
        said = edits_said(outcome, lang, changed_by_rules, applied)
        shown_summary = deck_views.summary_markdown(workspace.load(deck_id, owner) or deck, lang)
        return chosen, shown_summary, said

    duration.input(
        on_duration,
        [deck_state, model, mode, duration],
        [duration, summary, upload_notice],
        api_visibility="private",
        concurrency_limit=2,
        concurrency_id=EDIT_CONCURRENCY_ID,
    )

    @answers_in_words(1)
    def on_negative(deck_id: Any, value: str, request: gr.Request):
        lang = lang_of(request)
        owner = submitter_of(request)
        if not workspace.known(deck_id, owner):
            return gr.skip()
        with workspace.editing(deck_id, owner) as deck:
            outcome = apply_negative_prompt(deck.plan, value or "")
        applied = (
            say("deck_negative_applied", lang, numbers=numbers_text(outcome.changed))
            if outcome.changed
            else ""
        )
        if not (applied or outcome.refused):
            return gr.skip()
        return edits_said(outcome, lang, applied)

    gr.on(
        [negative.submit, negative.blur],
        on_negative,
        [deck_state, negative],
        [edit_notice],
        api_visibility="private",
        concurrency_limit=2,
        concurrency_id=EDIT_CONCURRENCY_ID,
    )

    @answers_in_words(3, notice=2)
    def on_hold(deck_id: Any, seconds: float | None, chosen: str | None, request: gr.Request):
        owner = submitter_of(request)
        if seconds is None or not workspace.known(deck_id, owner):
            return gr.skip(), gr.skip(), gr.skip()
        with workspace.editing(deck_id, owner) as deck:
            apply_deck_hold(deck.plan, float(seconds))
        return (
            deck_views.summary_markdown(deck, lang_of(request)),
            deck_views.hold_menu(deck.plan, chosen),
            "",
        )

    hold.release(
        on_hold,
        [deck_state, hold, hold_slide],
        [summary, hold_slide, upload_notice],
        api_visibility="private",
        concurrency_limit=2,
        concurrency_id=EDIT_CONCURRENCY_ID,
    )

    @answers_in_words(2, notice=1)
    def on_hold_pick(deck_id: Any, chosen: str | None, request: gr.Request):
        deck = workspace.load(deck_id, submitter_of(request))
        held = deck_views.held_for(deck.plan, chosen) if deck is not None else None
        return (gr.skip() if held is None else held), gr.skip()

    hold_slide.input(
        on_hold_pick,
        [deck_state, hold_slide],
        [hold_seconds, upload_notice],
        api_visibility="private",
        concurrency_limit=2,
        concurrency_id=EDIT_CONCURRENCY_ID,
    )

    def set_slide_hold(
        deck_id: Any, chosen: str | None, seconds: float | None, request: gr.Request
    ):
        lang = lang_of(request)
        with workspace.editing(deck_id, submitter_of(request)) as deck:
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

    @answers_in_words(4, notice=3)
    def on_slide_hold(deck_id: Any, chosen: str | None, seconds: float | None, request: gr.Request):
        return set_slide_hold(deck_id, chosen, seconds, request)

    @answers_in_words(4, notice=3)
    def on_slide_hold_reset(deck_id: Any, chosen: str | None, request: gr.Request):
        return set_slide_hold(deck_id, chosen, None, request)

    apply_hold.click(
        on_slide_hold,
        [deck_state, hold_slide, hold_seconds],
        [summary, hold_slide, hold_seconds, upload_notice],
        api_visibility="private",
        concurrency_limit=2,
        concurrency_id=EDIT_CONCURRENCY_ID,
    )
    reset_hold.click(
        on_slide_hold_reset,
        [deck_state, hold_slide],
        [summary, hold_slide, hold_seconds, upload_notice],
        api_visibility="private",
        concurrency_limit=2,
        concurrency_id=EDIT_CONCURRENCY_ID,
    )

    @answers_in_words(2, notice=1)
    def on_title(deck_id: Any, value: str, request: gr.Request):
        shown_title = (value or "").strip()
        owner = submitter_of(request)
        deck = workspace.load(deck_id, owner)
        if deck is None or not shown_title or shown_title == deck.settings.title:
            return gr.skip(), gr.skip()
        updated = workspace.update_settings(deck_id, owner=owner, title=shown_title)
        return deck_views.summary_markdown(updated, lang_of(request)), ""

    gr.on(
        [title.submit, title.blur],
        on_title,
        [deck_state, title],
        [summary, upload_notice],
        api_visibility="private",
        concurrency_limit=2,
        concurrency_id=EDIT_CONCURRENCY_ID,
    )

    # ---- generate and retry -------------------------------------------------------------

    @answers_in_words(2)
    def on_generate(data: dict[Any, Any], request: gr.Request):
        lang = lang_of(request)
        deck_id = data[deck_state]
        owner = submitter_of(request, data[ctx.browser_id])
        if not workspace.known(deck_id, owner):
            raise no_deck()
        credentials = ctx.credentials_for(data[ctx.browser_keys])
        if data[hold] is not None:
            with workspace.editing(deck_id, owner) as deck:
                apply_deck_hold(deck.plan, float(data[hold]))
        submitted = workspace.submit(
            deck_id,
            submitter=owner,
            credentials=credentials,
            new_take=bool(data[new_take]),
        )
        waiting = workspace.waiting(deck_id, owner)
        message = deck_views.queued_message(len(submitted), waiting, ctx.engine.max_queued, lang)
        return views.notice_html(message, "info"), True

    generate.click(
        on_generate,
        {deck_state, hold, new_take, ctx.browser_keys, ctx.browser_id},
        [note, noted],
        api_visibility="private",
        concurrency_limit=GENERATE_CONCURRENCY_LIMIT,
        concurrency_id=GENERATE_CONCURRENCY_ID,
        show_progress="hidden",
    )

    @answers_in_words(2)
    def on_retry(data: dict[Any, Any], request: gr.Request):
        lang = lang_of(request)
        deck_id, index = data[deck_state], data[retry_pick]
        owner = submitter_of(request, data[ctx.browser_id])
        deck = workspace.load(deck_id, owner)
        if deck is None:
            raise no_deck()
        if index is None:
            raise UserError("deck.no_retry_pick", text("deck_no_retry_pick"))
        credentials = ctx.credentials_for(data[ctx.browser_keys])
        submitted = workspace.submit(
            deck_id,
            submitter=owner,
            credentials=credentials,
            indexes=[int(index)],
        )
        pair = pair_label(deck.plan, int(index)) if int(index) < len(deck.plan.transitions) else ""
        message = say("deck_retried" if submitted else "deck_nothing_to_retry", lang, pair=pair)
        return views.notice_html(message, "info"), bool(submitted)

    retry.click(
        on_retry,
        {deck_state, retry_pick, ctx.browser_keys, ctx.browser_id},
        [note, noted],
        api_visibility="private",
        concurrency_limit=GENERATE_CONCURRENCY_LIMIT,
        concurrency_id=GENERATE_CONCURRENCY_ID,
        show_progress="hidden",
    )

    # ---- following the deck -------------------------------------------------------------

    def on_tick(
        deck_id: Any,
        seen: dict[str, Any],
        note_open: bool,
        browser_id: Any,
        request: gr.Request,
    ):
        owner = submitter_of(request, browser_id)
        quiet = [gr.skip(), gr.skip()]  # the note under Generate and whether it is shown
        if not workspace.known(deck_id, owner):
            return [*[gr.skip()] * len(panel_outputs), *quiet]
        lang = lang_of(request)
        try:
            followed = workspace.follow(deck_id, owner)
        except Exception as exc:  # shown in the panel; the next tick tries again
            log.exception("following deck %s failed", deck_id)
            message = html.escape(views.error_message(exc, lang))
            problem = f'<div class="kts-problems">{message}</div>'
            return [problem, *[gr.skip()] * (len(panel_outputs) - 1), *quiet]
        if note_open and followed is not None and followed.progress.settled:
            quiet = ["", False]  # what Generate said is over: the panel says the rest
        return [*panel_values(followed, seen or {}, lang), *quiet]

    ctx.timer.tick(
        on_tick,
        [deck_state, shown, noted, ctx.browser_id],
        [*panel_outputs, note, noted],
        api_visibility="private",
        queue=False,
        show_progress="hidden",
    )

    # ---- page load: this browser's deck and the page's language ---------------------------

    def on_load(browser_id: Any, request: gr.Request):
        lang = lang_of(request)
        owner = submitter_of(request, browser_id)
        own = ctx.presets.for_owner(owner)
        deck_id = workspace.remembered(owner)
        localized = [
            gr.update(choices=deck_views.template_choices(own, lang)),
            lang,
        ]
        deck = workspace.load(deck_id, owner)
        if deck is None:
            empty = [
                None,
                [],
                "",
                "",
                deck_views.table_value(None, lang),
                *[gr.skip()] * 3,
                *deck_views.run_controls(start_model, start_mode, start_duration, lang),
                default_negative(own, lang),
                deck_views.hold_menu(None, None),
                "",
            ]
            blank_panel = [deck_views.empty_progress_html(lang), *[gr.skip()] * 5, {}]
            return [*empty, *blank_panel, *localized, None]
        try:
            followed = workspace.follow(deck.deck_id, owner)
        except Exception:
            log.exception("following deck %s failed", deck.deck_id)
            followed = None
        # The title shown came from before the reload: the next upload may replace it.
        shown = [*deck_values(deck, lang), *panel_values(followed, {}, lang), *localized]
        return [*shown, deck.settings.title]

    ctx.blocks.load(
        on_load,
        [ctx.browser_id],
        [*deck_outputs, *panel_outputs, template, prompt_lang, title_default],
        api_visibility="private",
        queue=False,
        show_progress="hidden",
    )
    return workspace


def run_props(update: dict[str, Any]) -> dict[str, Any]:
    """A control's `interactive` and `info` from a `deck_views.run_controls` update."""
    return {"interactive": update["interactive"], "info": update["info"] or None}


def _or_skip(value: Any) -> Any:
    """`value`, or leave the component as it is when there is none."""
    return gr.skip() if value is None else value
