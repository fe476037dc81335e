"""The History tab: every video made here, newest first, filterable; one job in detail with
its frames, prompt, settings, timings and error; play, download, cancel, use again."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import gradio as gr

from kling_ui.i18n import UserError
from kling_ui.jobs.models import Job, JobStatus
from kling_ui.ui import views
from kling_ui.ui.common import lang_of, shows_errors
from kling_ui.ui.context import StudioContext
from kling_ui.ui.prompting import PART_FIELDS, PromptChoice
from kling_ui.ui.texts import label, say, text

HISTORY_LIMIT = 200


def list_jobs(ctx: StudioContext, status_filter: str | None, search: str | None) -> list[Job]:
    """The jobs the table shows for these filters, newest first."""
    return ctx.engine.jobs(
        status=views.statuses_for(status_filter),
        text=(search or "").strip() or None,
        limit=HISTORY_LIMIT,
    )


def table_value(jobs: list[Job], lang: str) -> dict[str, Any]:
    """The Dataframe value (headers and rows) for `jobs`."""
    rows = views.history_rows(jobs, now=time.time(), lang=lang)
    return {"headers": views.history_headers(lang), "data": rows or [[""] * 6]}


def _file(path: Path | None) -> str | None:
    return str(path) if path is not None and Path(path).is_file() else None


def detail_outputs(job: Job | None, lang: str) -> tuple[Any, ...]:
    """Values for the detail panel: first frame, last frame, video, details, cancel button."""
    if job is None:
        return None, None, None, "", gr.update(visible=False)
    video = _file(job.video_path) if JobStatus(job.status).finished else None
    return (
        _file(job.spec.first_frame),
        _file(job.spec.last_frame),
        video,
        views.job_detail_html(job, lang=lang),
        gr.update(visible=JobStatus(job.status).active),
    )


def settings_update(job: Job) -> list[Any]:
    """Values that put a job's frames, prompt choices and settings back into the Studio
    (in `StudioControls.restore_outputs` order)."""
    record = job.spec.prompt_parts
    choice = PromptChoice.from_record(record, job.spec.prompt)
    return [
        _file(job.spec.first_frame),
        _file(job.spec.last_frame),
        record.get("fit") or "fit",
        choice.lang,
        choice.template,
        *[choice.presets.get(name, "") for name in PART_FIELDS],
        *[choice.free.get(name, "") for name in PART_FIELDS],
        choice.extra,
        job.spec.negative_prompt,
        job.spec.model,
        job.spec.mode,
        job.spec.duration,
    ]


def no_such_job(job_id: str) -> UserError:
    """A job id that is not in the store."""
    return UserError("job.unknown", text("no_job", job=job_id), remedy=text("no_job_remedy"))


def nothing_selected() -> UserError:
    """A button that needs a selected row was pressed with none selected."""
    return UserError("history.no_selection", text("history_pick"))


def build(ctx: StudioContext) -> None:
    """Lay out the History tab inside the current Tab and wire its events."""
    with gr.Row(equal_height=True):
        status_filter = gr.Dropdown(
            views.status_filter_choices("en"),
            value=views.FILTER_ALL,
            label=label("history_status"),
            scale=1,
            elem_id="kts-history-status",
        )
        search = gr.Textbox(label=label("history_search"), scale=3, elem_id="kts-history-search")
        refresh = gr.Button(label("history_refresh"), scale=0, elem_id="kts-history-refresh")
    table = gr.Dataframe(
        value={"headers": views.history_headers("en"), "data": [[""] * 6]},
        interactive=False,
        wrap=True,
        label=label("history_table"),
        max_height=420,
        column_widths=["13%", "10%", "37%", "17%", "7%", "16%"],
        elem_id="kts-history",
    )
    gr.Markdown(label("history_pick"))
    with gr.Row(equal_height=False):
        first = gr.Image(label=label("first_frame"), interactive=False, height=200)
        last = gr.Image(label=label("last_frame"), interactive=False, height=200)
        video = gr.Video(
            label=label("history_video"),
            interactive=False,
            buttons=["download"],
            elem_id="kts-history-video",
        )
    gr.Markdown("### " + label("history_detail"))
    detail = gr.HTML(elem_id="kts-history-detail")
    with gr.Row():
        reuse = gr.Button(label("history_reuse"), elem_id="kts-history-reuse")
        cancel = gr.Button(
            label("history_cancel"), variant="stop", visible=False, elem_id="kts-history-cancel"
        )
    row_ids = gr.State([])
    shown = gr.State("")
    selected = gr.State(None)
    detail_components = [first, last, video, detail, cancel]

    def refreshed(status_value: str, search_value: str, chosen: str | None, lang: str):
        jobs = list_jobs(ctx, status_value, search_value)
        picked = next((j for j in jobs if j.id == chosen), None)
        return (
            table_value(jobs, lang),
            [j.id for j in jobs],
            views.jobs_signature(jobs),
            *detail_outputs(picked, lang),
        )

    @shows_errors
    def on_filter(status_value: str, search_value: str, chosen: str | None, request: gr.Request):
        return refreshed(status_value, search_value, chosen, lang_of(request))

    table_outputs = [table, row_ids, shown, *detail_components]
    gr.on(
        [status_filter.change, search.submit, refresh.click],
        on_filter,
        [status_filter, search, selected],
        table_outputs,
        api_visibility="private",
        queue=False,
    )

    def on_tick(
        status_value: str,
        search_value: str,
        chosen: str | None,
        last_seen: str,
        request: gr.Request,
    ):
        jobs = list_jobs(ctx, status_value, search_value)
        signature = views.jobs_signature(jobs)
        if signature == last_seen:
            return [gr.skip()] * len(table_outputs)
        lang = lang_of(request)
        picked = next((j for j in jobs if j.id == chosen), None)
        if picked is None:
            details = [gr.skip()] * len(detail_components)
        else:
            details = list(detail_outputs(picked, lang))
        return [table_value(jobs, lang), [j.id for j in jobs], signature, *details]

    ctx.timer.tick(
        on_tick,
        [status_filter, search, selected, shown],
        table_outputs,
        api_visibility="private",
        queue=False,
        show_progress="hidden",
    )

    @shows_errors
    def on_select(ids: list[str], evt: gr.SelectData, request: gr.Request):
        row = evt.index[0] if isinstance(evt.index, list | tuple) else evt.index
        if not isinstance(row, int) or not 0 <= row < len(ids):
            return [gr.skip()] * (len(detail_components) + 1)
        job_id = ids[row]
        try:
            job = ctx.engine.get(job_id)
        except KeyError:
            raise no_such_job(job_id) from None
        return [job_id, *detail_outputs(job, lang_of(request))]

    table.select(
        on_select, [row_ids], [selected, *detail_components], api_visibility="private", queue=False
    )

    @shows_errors
    def on_cancel(chosen: str | None, request: gr.Request):
        if not chosen:
            raise nothing_selected()
        job = ctx.engine.cancel(chosen)
        gr.Info(say("cancelled_notice", lang_of(request), job=job.id[:8]))
        return detail_outputs(job, lang_of(request))

    cancel.click(on_cancel, [selected], detail_components, api_visibility="private")

    studio = ctx.studio
    if studio is not None:

        @shows_errors
        def on_reuse(chosen: str | None, request: gr.Request):
            if not chosen:
                raise nothing_selected()
            try:
                job = ctx.engine.get(chosen)
            except KeyError:
                raise no_such_job(chosen) from None
            gr.Info(say("settings_applied", lang_of(request)))
            return [*settings_update(job), gr.Tabs(selected="studio")]

        # Queued (not queue=False): gr.Info/gr.Warning reach the page only from queued events.
        reuse.click(
            on_reuse,
            [selected],
            [*studio.restore_outputs(), ctx.tabs],
            api_visibility="private",
        )

    def on_load(request: gr.Request):
        lang = lang_of(request)
        return (
            gr.update(choices=views.status_filter_choices(lang)),
            *refreshed(views.FILTER_ALL, "", None, lang),
        )

    ctx.blocks.load(
        on_load, None, [status_filter, *table_outputs], api_visibility="private", queue=False
    )
