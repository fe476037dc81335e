"""The History tab: the person's own jobs, newest first, filterable; one job in detail with
its frames, prompt, settings, timings and error; play, download, cancel, use again.

With a login, a "Team" view also lists the teammates' jobs, read-only: their prompts and
videos can be seen and their settings copied into one's own Studio, but only the owner may
cancel a job. Without a login nobody ever sees another browser's jobs. The engine checks
the owner on every read and cancel (`get_for`, `cancel(owner=)`); the page only reflects it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import gradio as gr

from kling_ui.i18n import Text, UserError
from kling_ui.jobs.models import Job, JobStatus
from kling_ui.jobs.owners import TEAM_PREFIX, in_team, owner_of, owns
from kling_ui.ui import views
from kling_ui.ui.common import (
    INSTANT,
    answers_in_words,
    bound,
    lang_of,
    notice_box,
    submitter_of,
)
from kling_ui.ui.context import RESTORED, StudioContext
from kling_ui.ui.prompting import PART_FIELDS, PromptChoice
from kling_ui.ui.texts import add_strings, label, say, text

HISTORY_LIMIT = 200
SCOPE_MINE, SCOPE_TEAM = "mine", "team"
# The detail panel (`detail_outputs`): two frames, the video, the details, whose, Cancel.
DETAIL_OUTPUTS = 6

add_strings(
    {
        "history_scope": Text("Whose jobs", "谁的任务"),
        "history_no_job_remedy": Text(
            "Check the job id; the History tab lists your jobs.",
            "请检查任务 ID；“历史记录”页列出了您的任务。",
        ),
        "history_mine": Text("Mine", "我的"),
        "history_team": Text("Team (read-only)", "团队（只读）"),
        "history_by": Text(
            "Made by {who}, read-only: you can watch it and copy its settings into your own "
            "Studio with “Use these settings again”.",
            "由 {who} 创建，只读：您可以观看，并用“再次使用这些设置”把设置复制到自己的工作室。",
        ),
    }
)


def scope_choices() -> list[tuple[Any, str]]:
    """The Mine / Team choices, labelled by the browser in its own language. Not filled by
    the page's load: Gradio's page re-applies the state of every component an event has
    filled for each status message, and a radio filled that way could take the person's
    choice back well after their click (seen: Team chosen and drawn, then Mine again)."""
    return [(label("history_mine"), SCOPE_MINE), (label("history_team"), SCOPE_TEAM)]


def list_jobs(
    ctx: StudioContext,
    status_filter: str | None,
    search: str | None,
    viewer: str,
    scope: str | None = SCOPE_MINE,
) -> list[Job]:
    """The jobs the table shows `viewer` for these filters, newest first: their own, or with
    a login and the Team view, the whole team's."""
    whose: dict[str, Any] = {"owner": viewer}
    if scope == SCOPE_TEAM and ctx.team and in_team(viewer):
        whose = {"team": True}
    return ctx.engine.jobs(
        status=views.statuses_for(status_filter),
        text=(search or "").strip() or None,
        limit=HISTORY_LIMIT,
        **whose,
    )


def table_value(jobs: list[Job], lang: str) -> dict[str, Any]:
    """The Dataframe value (headers and rows) for `jobs`."""
    rows = views.history_rows(jobs, now=time.time(), lang=lang)
    empty = [[""] * len(views.HISTORY_KEYS)]
    return {"headers": views.history_headers(lang), "data": rows or empty}


def _file(path: Path | None) -> str | None:
    return str(path) if path is not None and Path(path).is_file() else None


def whose_note(job: Job, viewer: str, lang: str | None) -> str:
    """Who made a teammate's job and that it is read-only ("" for the viewer's own)."""
    owner = owner_of(job)
    if owner == viewer:
        return ""
    who = owner.removeprefix(TEAM_PREFIX)
    return say("history_by", lang, who=who)


def detail_outputs(job: Job | None, lang: str, viewer: str) -> tuple[Any, ...]:
    """Values for the detail panel: first frame, last frame, video, details, whose it is,
    and the cancel button (shown only on the viewer's own job while it runs)."""
    if job is None:
        return None, None, None, "", "", gr.update(visible=False)
    video = _file(job.video_path) if JobStatus(job.status).finished else None
    return (
        _file(job.spec.first_frame),
        _file(job.spec.last_frame),
        video,
        views.job_detail_html(job, lang=lang),
        whose_note(job, viewer, lang),
        gr.update(visible=JobStatus(job.status).active and owns(job, viewer)),
    )


def settings_update(job: Job) -> list[Any]:
    """Values that put a job's frames, prompt choices and settings back into the Studio
    (in `StudioControls.restore_outputs` order)."""
    record = job.spec.prompt_parts
    choice = PromptChoice.from_record(record, job.spec.prompt)
    own_words = bool(choice.extra.strip() or any(w.strip() for w in choice.free.values()))
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
        gr.update(open=True) if own_words else gr.skip(),  # show the restored own words
    ]


def no_such_job(job_id: str) -> UserError:
    """A job id that is not in the store, or is not the asker's: told alike."""
    return UserError(
        "job.unknown", text("no_job", job=job_id), remedy=text("history_no_job_remedy")
    )


def nothing_selected() -> UserError:
    """A button that needs a selected row was pressed with none selected."""
    return UserError("history.no_selection", text("history_pick"))


def build(ctx: StudioContext) -> None:
    """Lay out the History tab inside the current Tab and wire its events."""
    with gr.Row(equal_height=True):
        scope = gr.Radio(
            scope_choices(),
            value=SCOPE_MINE,
            label=label("history_scope"),
            visible=ctx.team,
            scale=1,
            elem_id="kts-history-scope",
        )
        status_filter = gr.Dropdown(
            views.status_filter_choices("en"),
            value=views.FILTER_ALL,
            label=label("history_status"),
            scale=1,
            elem_id="kts-history-status",
        )
        search = gr.Textbox(label=label("history_search"), scale=3, elem_id="kts-history-search")
        refresh = gr.Button(
            label("history_refresh"),
            size="md",
            scale=0,
            min_width=90,
            elem_id="kts-history-refresh",
        )
    table = gr.Dataframe(
        value={"headers": views.history_headers("en"), "data": [[""] * 6]},
        interactive=False,
        wrap=True,
        label=label("history_table"),
        max_height=420,
        column_widths=["13%", "10%", "37%", "17%", "7%", "16%"],
        elem_id="kts-history",
        elem_classes=["kts-table"],
    )
    notice = notice_box("kts-history-notice")
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
    whose = gr.Markdown(elem_id="kts-history-whose")
    with gr.Row():
        reuse = gr.Button(
            label("history_reuse"), size="md", scale=0, min_width=200, elem_id="kts-history-reuse"
        )
        cancel = gr.Button(
            label("history_cancel"),
            variant="stop",
            size="md",
            scale=0,
            min_width=160,
            visible=False,
            elem_id="kts-history-cancel",
        )
    shown = gr.State(None)  # what the table was drawn from: `drawn`
    selected = gr.State(None)
    detail_components = [first, last, video, detail, whose, cancel]  # `detail_outputs` order
    table_outputs = [table, shown, *detail_components]

    gr.on(
        # `.input`, not `.change`: the page's load sets these menus' labels, and a `.change`
        # answer for that could land after the person's own choice and undo it.
        [status_filter.input, search.submit, refresh.click, scope.input],
        bound(on_filter, ctx),
        [status_filter, search, selected, scope, ctx.browser_id],
        [*table_outputs, notice],
        **INSTANT,
    )
    ctx.ticks.add(
        bound(on_tick, ctx),
        [status_filter, search, selected, shown, scope, ctx.browser_id],
        table_outputs,
    )
    table.select(
        bound(on_select, ctx),
        [status_filter, search, scope, ctx.browser_id],
        [selected, *detail_components, notice],
        **INSTANT,
    )
    cancel.click(
        bound(on_cancel, ctx),
        [selected, ctx.browser_id],
        [*detail_components, notice],
        api_visibility="private",
        show_progress="hidden",
    )
    if ctx.studio is not None:
        restore = ctx.studio.restore_outputs()
        if len(restore) != RESTORED:
            raise RuntimeError("settings_update and StudioControls.restore_outputs disagree")
        # Queued (not queue=False): gr.Info reaches the page only from queued events.
        ctx.studio.refresh_builder_after(
            reuse.click(
                bound(on_reuse, ctx),
                [selected, ctx.browser_id],
                [*restore, ctx.tabs, notice],
                api_visibility="private",
            )
        )
    ctx.loads.add(bound(on_load, ctx), [ctx.browser_id], [status_filter, *table_outputs])


def refreshed(
    ctx: StudioContext,
    status_value: str,
    search_value: str,
    chosen: str | None,
    scope_value: str | None,
    viewer: str,
    lang: str,
) -> tuple[Any, ...]:
    """The table (value, what it was drawn from) for these filters, and the chosen job's detail
    (`detail_outputs`; empty when it is no longer listed)."""
    jobs = list_jobs(ctx, status_value, search_value, viewer, scope_value)
    picked = next((j for j in jobs if j.id == chosen), None)
    return (
        table_value(jobs, lang),
        drawn(jobs, status_value, scope_value),
        *detail_outputs(picked, lang, viewer),
    )


@answers_in_words(DETAIL_OUTPUTS + 3, notice=DETAIL_OUTPUTS + 2)
def on_filter(
    ctx: StudioContext,
    status_value: str,
    search_value: str,
    chosen: str | None,
    scope_value: str | None,
    browser_id: Any,
    request: gr.Request,
):
    """The filters changed (or Refresh): the table and the chosen job again."""
    viewer = submitter_of(request, browser_id)
    lang = lang_of(request)
    return [*refreshed(ctx, status_value, search_value, chosen, scope_value, viewer, lang), ""]


def chosen_filters(status_value: str | None, scope_value: str | None) -> list[str]:
    """The scope and status a table is drawn for."""
    return [scope_value or SCOPE_MINE, status_value or views.FILTER_ALL]


def drawn(jobs: list[Job], status_value: str | None, scope_value: str | None) -> dict[str, Any]:
    """What a drawn table shows: the status and scope chosen, and its jobs' signature."""
    filters = chosen_filters(status_value, scope_value)
    return {"filters": filters, "jobs": views.jobs_signature(jobs)}


def on_tick(
    ctx: StudioContext,
    status_value: str,
    search_value: str,
    chosen: str | None,
    last_seen: dict[str, Any] | None,
    scope_value: str | None,
    browser_id: Any,
    request: gr.Request,
):
    """The timer: the table and the chosen job's detail, only when a listed job changed.
    A tick sent before the status or scope changed leaves the table to the filters' own
    answer (the table was drawn since, or is being drawn, for the new choice). Only one such
    tick can be on its way (the timer never overlaps itself), so a second tick in a row asking
    for other filters than the table's means the filters' answer was lost: it draws them."""
    unchanged = [gr.skip()] * (DETAIL_OUTPUTS + 2)
    filters = chosen_filters(status_value, scope_value)
    if last_seen and last_seen.get("filters") != filters and last_seen.get("asked") != filters:
        return [gr.skip(), {**last_seen, "asked": filters}, *unchanged[2:]]
    viewer = submitter_of(request, browser_id)
    jobs = list_jobs(ctx, status_value, search_value, viewer, scope_value)
    now = drawn(jobs, status_value, scope_value)
    if last_seen and all(last_seen.get(key) == value for key, value in now.items()):
        return unchanged  # (a tick's "asked" note beside them is no reason to redraw)
    lang = lang_of(request)
    picked = next((j for j in jobs if j.id == chosen), None)
    if picked is None:
        details = [gr.skip()] * DETAIL_OUTPUTS
    else:
        details = list(detail_outputs(picked, lang, viewer))
    return [table_value(jobs, lang), now, *details]


# The columns that name a job in the table (when, name, settings); status and time change.
_IDENTIFYING = (0, 2, 3)


def clicked_job(jobs: list[Job], row: int, row_value: Any, lang: str) -> Job | None:
    """The job of the clicked row: the one at `row` if the row shows it, else the listed job
    the clicked values name. A timer refresh may have reordered the list between what the page
    drew and the click, so the row's values, not its index alone, decide."""
    rows = views.history_rows(jobs, now=time.time(), lang=lang)
    if not isinstance(row_value, list | tuple) or len(row_value) < len(views.HISTORY_KEYS):
        return jobs[row] if 0 <= row < len(jobs) else None

    def named(index: int) -> bool:
        return all(str(row_value[c]) == rows[index][c] for c in _IDENTIFYING)

    order = ([row] if 0 <= row < len(jobs) else []) + list(range(len(jobs)))
    return next((jobs[i] for i in order if named(i)), None)


@answers_in_words(DETAIL_OUTPUTS + 2, notice=DETAIL_OUTPUTS + 1)
def on_select(
    ctx: StudioContext,
    status_value: str,
    search_value: str,
    scope_value: str | None,
    browser_id: Any,
    evt: gr.SelectData,
    request: gr.Request,
):
    """A row chosen: its job in detail (the viewer's own, or a teammate's read-only)."""
    row = evt.index[0] if isinstance(evt.index, list | tuple) else evt.index
    if not isinstance(row, int):
        return [gr.skip()] * (DETAIL_OUTPUTS + 2)
    viewer = submitter_of(request, browser_id)
    lang = lang_of(request)
    jobs = list_jobs(ctx, status_value, search_value, viewer, scope_value)
    job = clicked_job(jobs, row, evt.row_value, lang)
    if job is None:
        return [gr.skip()] * (DETAIL_OUTPUTS + 2)
    return [job.id, *detail_outputs(job, lang, viewer), ""]


@answers_in_words(DETAIL_OUTPUTS + 1, notice=DETAIL_OUTPUTS)
def on_cancel(ctx: StudioContext, chosen: str | None, browser_id: Any, request: gr.Request):
    """Cancel the chosen job (the engine refuses a teammate's as unknown)."""
    if not chosen:
        raise nothing_selected()
    viewer = submitter_of(request, browser_id)
    try:
        job = ctx.engine.cancel(chosen, owner=viewer)  # a teammate's job: not found
    except KeyError:
        raise no_such_job(chosen) from None
    said = say("cancelled_notice", lang_of(request), job=job.id[:8])
    return [*detail_outputs(job, lang_of(request), viewer), views.notice_html(said, "info")]


@answers_in_words(RESTORED + 2, notice=RESTORED + 1)  # the Studio's inputs, the tabs, notice
def on_reuse(ctx: StudioContext, chosen: str | None, browser_id: Any, request: gr.Request):
    """The chosen job's frames, prompt choices and settings put back into the Studio (a
    teammate's too), and the Studio shown."""
    if not chosen:
        raise nothing_selected()
    try:
        # A teammate's job too: its settings are copied into this person's Studio.
        job = ctx.engine.get_for(chosen, submitter_of(request, browser_id))
    except KeyError:
        raise no_such_job(chosen) from None
    gr.Info(say("settings_applied", lang_of(request)))
    return [*settings_update(job), gr.Tabs(selected="studio"), ""]


def on_load(ctx: StudioContext, browser_id: Any, request: gr.Request):
    """The status filter in the page's language, and the person's own jobs."""
    lang = lang_of(request)
    viewer = submitter_of(request, browser_id)
    return (
        gr.update(choices=views.status_filter_choices(lang)),
        *refreshed(ctx, views.FILTER_ALL, "", None, SCOPE_MINE, viewer, lang),
    )
