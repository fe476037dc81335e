"""Pure functions that turn engine state and control values into what the page shows.

Nothing here touches Gradio or the engine: every function takes plain values (jobs as read
from the store, numbers, strings) and returns strings, HTML or small dataclasses, so the
whole look of the Studio is tested without a browser.
"""

from __future__ import annotations

import html
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kling_ui.frames import PreparedPair
from kling_ui.i18n import LIST_SEPARATOR, UserError
from kling_ui.jobs.keycheck import KEY_STATE_TEXT, KeyState
from kling_ui.jobs.models import KEYS_DEMO, KEYS_OWN, KEYS_SHARED, STATUS_LABELS, Job, JobStatus
from kling_ui.kling.capabilities import (
    MAX_PROMPT_CHARS,
    MODELS,
    estimated_units,
    problems,
    settings_for,
)
from kling_ui.kling.models import CreateTaskRequest
from kling_ui.prompts.strategy import StrategyHint
from kling_ui.ui.texts import say, text

ACTIVE_STATUSES: tuple[JobStatus, ...] = tuple(s for s in JobStatus if s.active)
FILTER_ALL = "all"
FILTER_ACTIVE = "active"
TITLE_CHARS = 90


def clock(seconds: float | None) -> str:
    """Seconds as a wall-clock span: "0:07", "2:05", "1:02:03"; "–" when unknown."""
    if seconds is None or seconds != seconds:  # None or NaN
        return "–"
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def status_label(status: JobStatus | str, lang: str | None) -> str:
    """The short name of a job status in `lang`."""
    return STATUS_LABELS[JobStatus(status)].get(lang)


def model_choices() -> list[tuple[str, str]]:
    """(label, model name) pairs for the model menu, newest model first."""
    return [(f"{cap.label} ({name})", name) for name, cap in MODELS.items()]


# ---------------------------------------------------------------- model / mode / duration


MODES: tuple[str, ...] = ("std", "pro")
DURATIONS: tuple[str, ...] = ("5", "10")


@dataclass(frozen=True)
class ControlState:
    """What the model, mode and duration controls should show after applying Kling's rules.

    `modes` and `durations` are the choices the model allows for these frames; a control
    with a single allowed choice is shown disabled, with `mode_reason` / `duration_reason`
    beside it saying why (never silently switched back)."""

    mode: str
    duration: str
    note: str  # why mode or duration changed by themselves; "" when nothing changed
    problems: tuple[str, ...]  # what forbids submitting, each saying what to change
    can_submit: bool
    modes: tuple[str, ...] = MODES
    durations: tuple[str, ...] = DURATIONS
    mode_reason: str = ""
    duration_reason: str = ""


def control_state(
    model: str,
    mode: str,
    duration: str,
    *,
    has_first: bool,
    has_tail: bool,
    prompt: str = "",
    negative_prompt: str = "",
    lang: str | None = None,
    needs_prompt: bool = False,
) -> ControlState:
    """Apply the capability table to the person's choices.

    A last frame moves mode/duration to the nearest allowed pair and says why; the choices
    the model forbids are listed apart (`modes`, `durations`) with the reason. Anything the
    table still forbids (a model without last-frame support, an over-long prompt) is listed
    and blocks Generate, as does a missing first frame and, with `needs_prompt`, an empty
    prompt.
    """
    if model not in MODELS:
        reason = text("cannot_submit", reasons=model).get(lang)
        return ControlState(mode, duration, "", (reason,), False)
    new_mode, new_duration, note = settings_for(model, mode, duration, has_tail=has_tail)
    # problems() reads only whether a last frame is present, never the image data.
    request = CreateTaskRequest(
        model_name=model,
        image="first-frame",
        image_tail="last-frame" if has_tail else None,
        prompt=prompt or None,
        negative_prompt=negative_prompt or None,
        mode=new_mode,  # type: ignore[arg-type]
        duration=new_duration,  # type: ignore[arg-type]
    )
    found = [p.get(lang) for p in problems(request)]
    if needs_prompt and not prompt.strip():
        found.insert(0, say("no_prompt", lang))
    if not has_first:
        found.insert(0, say("no_first_frame", lang))
    shown = note.get(lang).strip()
    if not shown and has_tail and MODELS[model].accepts_tail:
        shown = tail_rule(model, lang)  # keep saying why, not only at the moment of change
    modes, durations, mode_reason, duration_reason = allowed_choices(
        model, new_mode, has_tail=has_tail, lang=lang
    )
    return ControlState(
        new_mode,
        new_duration,
        shown,
        tuple(found),
        not found,
        modes,
        durations,
        mode_reason,
        duration_reason,
    )


def allowed_choices(
    model: str, mode: str, *, has_tail: bool, lang: str | None
) -> tuple[tuple[str, ...], tuple[str, ...], str, str]:
    """The modes and durations `model` allows (with a last frame when `has_tail`, in `mode`)
    and, for each control that has choices taken away, the reason in `lang`."""
    cap = MODELS.get(model)
    if cap is None or not has_tail or not cap.accepts_tail:
        return MODES, DURATIONS, "", ""
    modes = tuple(m for m in MODES if m in cap.tail_modes())
    in_mode = mode if mode in modes else modes[-1]
    durations = tuple(d for d in DURATIONS if d in cap.tail_durations(in_mode))
    mode_reason = duration_reason = ""
    if modes != MODES:
        mode_reason = say(
            "mode_locked",
            lang,
            model=model,
            allowed=" / ".join(modes),
            refused=" / ".join(m for m in MODES if m not in modes),
        )
    if durations != DURATIONS:
        duration_reason = say(
            "duration_locked",
            lang,
            model=model,
            mode=in_mode,
            allowed=" / ".join(f"{d} s" for d in durations),
        )
    return modes, durations, mode_reason, duration_reason


def tail_rule(model: str, lang: str | None) -> str:
    """Which modes and durations `model` allows with a last frame, e.g. "pro 5 s, pro 10 s"."""
    cap = MODELS[model]
    combos = ", ".join(f"{m} {d} s" for m in cap.tail_modes() for d in cap.tail_durations(m))
    return say("tail_rule", lang, model=model, combos=combos)


def blocked_text(state: ControlState, lang: str | None) -> str:
    """One line saying why Generate is off, or "" when it is on."""
    if state.can_submit:
        return ""
    return say("cannot_submit", lang, reasons=" ".join(state.problems))


def strategy_text(hint: StrategyHint, lang: str | None) -> str:
    """The strategy the two frames suggest, with their similarity and why (Markdown)."""
    head = f"**{say('strategy', lang)}** ({hint.similarity:.2f}): "
    return head + hint.explanation.get(lang)


def rules_html(state: ControlState, lang: str | None, *, with_note: bool = True) -> str:
    """The note on what the rules changed (unless the controls say it themselves,
    `with_note=False`) and, when Generate is off, why."""
    parts = []
    if state.note and with_note:
        parts.append(f'<div class="kts-note">{html.escape(state.note)}</div>')
    if not state.can_submit:
        parts.append(f'<div class="kts-problems">{html.escape(blocked_text(state, lang))}</div>')
    return "".join(parts)


# ---------------------------------------------------------------- whose keys pay


def payer_of(has_browser_keys: bool, *, demo: bool, shared_usable: bool) -> str | None:
    """Whose keys a browser's next job runs on: KEYS_OWN (its own keys, even in demo mode:
    they go to the real endpoint), KEYS_DEMO (the embedded simulator), KEYS_SHARED (the
    deployment's keys), or None when it has no keys it may use."""
    if has_browser_keys:
        return KEYS_OWN
    if demo:
        return KEYS_DEMO
    return KEYS_SHARED if shared_usable else None


def key_state_text(state: KeyState | None, lang: str | None) -> str:
    """What is known about a credential, in `lang` ("being checked" while unknown)."""
    if state is None:
        return say("keys_checking", lang)
    return KEY_STATE_TEXT[state].get(lang)


def keys_banner_html(
    payer: str | None,
    *,
    account: str | None = None,
    state: KeyState | None = None,
    lang: str | None,
) -> str:
    """The top banner for one browser: whose keys its jobs run on and who pays. `account` and
    `state` are those of the keys in use (the browser's own for KEYS_OWN, the operator's for
    KEYS_SHARED); never a key itself."""
    if payer == KEYS_DEMO:
        kind, body = "demo", say("demo_banner", lang)
    elif payer == KEYS_OWN:
        parts = [say("banner_account", lang, account=account)] if account else []
        if state is not None:
            parts.append(key_state_text(state, lang))
        detail = LIST_SEPARATOR.get(lang).join(parts) or "–"
        kind, body = "own", say("banner_own", lang, detail=detail)
    elif payer == KEYS_SHARED and state is KeyState.REFUSED:
        kind, body = "keys", say("banner_shared_refused", lang)
    elif payer == KEYS_SHARED:
        kind, body = "shared", say("banner_shared", lang, state=key_state_text(state, lang))
    else:
        kind, body = "keys", say("banner_needed", lang)
    # Paid banners share the warm "keys" look: money is spent on every run.
    look = "kts-banner-demo" if kind == "demo" else "kts-banner-keys"
    return (
        f'<div class="kts-banner {look} kts-banner-{kind}" data-keys="{payer or "none"}">'
        f"{html.escape(body)}</div>"
    )


def runs_on_text(runs_on: str | None, lang: str | None) -> str:
    """Which keys a job runs on ("your keys", "shared keys", "demo simulator"); "" unknown."""
    if runs_on in (KEYS_DEMO, KEYS_OWN, KEYS_SHARED):
        return say(f"runs_on_{runs_on}", lang)
    return ""


def cost_text(model: str, mode: str, duration: str, *, payer: str | None, lang: str | None) -> str:
    """What one run of these settings costs, where the price sheet knows it, and who pays
    (`payer` from `payer_of`: free on the simulator, else your account or the shared one)."""
    units = estimated_units(model, mode, duration)
    if payer == KEYS_DEMO:
        if units is None:
            return say("cost_demo_unknown", lang)
        return say("cost_demo", lang, units=f"{units:g}")
    if units is None:
        shown = say("cost_unknown", lang)
    else:
        shown = say(
            "cost_units", lang, units=f"{units:g}", model=model, mode=mode, duration=duration
        )
    if payer == KEYS_OWN:
        return f"{shown} {say('cost_paid_own', lang)}"
    if payer == KEYS_SHARED:
        return f"{shown} {say('cost_paid_shared', lang)}"
    return shown


def prompt_length_text(prompt: str, lang: str | None) -> str:
    """The prompt's length against Kling's limit, warning when it is over."""
    length = len(prompt)
    key = "prompt_too_long" if length > MAX_PROMPT_CHARS else "prompt_length"
    return say(key, lang, length=length, limit=MAX_PROMPT_CHARS)


# ---------------------------------------------------------------- live progress


@dataclass(frozen=True)
class JobLine:
    """One job as the progress panel shows it."""

    id: str
    title: str
    status: str  # the JobStatus value, for styling and tests
    badge: str  # the status label in the page's language
    meta: str  # queue position, elapsed, estimate or time taken
    message: str  # the engine's latest word on it, or the error with its remedy
    fraction: float  # 0..1, for the progress bar
    failed: bool
    runs_on: str = ""  # KEYS_DEMO / KEYS_OWN / KEYS_SHARED, "" when not recorded
    keys: str = ""  # which keys it runs on, in the page's language


def job_title(job: Job, limit: int = TITLE_CHARS, lang: str | None = None) -> str:
    """A short human name for a job: its label, else the start of its prompt, else "(no
    prompt)" in `lang` (the card shows the id beside it, never twice)."""
    name = (job.spec.label or job.spec.prompt or "").strip().replace("\n", " ")
    if not name:
        return say("untitled_job", lang)
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def _taken(job: Job) -> float | None:
    if job.finished_at is None:
        return None
    return max(0.0, job.finished_at - job.created_at)


def job_line(
    job: Job,
    *,
    position: int | None,
    estimate: float | None,
    now: float,
    lang: str | None,
) -> JobLine:
    """The progress panel's line for `job`: state, queue position, elapsed time, estimate,
    which keys it runs on, and (while Kling does not answer for it) since when and when the
    next try is, with the progress bar held where it stood when Kling went quiet."""
    status = JobStatus(job.status)
    elapsed = job.elapsed(now)
    quiet_since = job.unreachable_since if not status.finished else None
    parts: list[str] = []
    if status.finished:
        parts.append(say("took", lang, took=clock(_taken(job) or elapsed)))
        fraction = 1.0
    else:
        if position is not None:
            parts.append(say("queue_position", lang, position=position))
        parts.append(say("elapsed", lang, elapsed=clock(elapsed)))
        if estimate is not None and estimate > 0:
            parts.append(say("estimate_left", lang, left=clock(estimate)))
        elif estimate is not None:
            parts.append(say("estimate_overdue", lang))
        if quiet_since is not None:
            # Nothing happens while Kling is silent: the bar stays where it was then.
            fraction = _fraction(status, job.elapsed(min(now, quiet_since)), estimate)
        else:
            fraction = _fraction(status, elapsed, estimate)
    if job.reused_from:
        parts.append(say("reused", lang))
    failed = status is JobStatus.FAILED
    if failed:
        message = job.error_text(lang)
    elif quiet_since is not None:
        message = unreachable_text(quiet_since, job.retry_at, now=now, lang=lang)
    else:
        message = _message(job, lang)
    return JobLine(
        id=job.id,
        title=job_title(job, lang=lang),
        status=status.value,
        badge=status_label(status, lang),
        meta=" · ".join(parts),
        message=message or "",
        fraction=fraction,
        failed=failed,
        runs_on=job.runs_on or "",
        keys=runs_on_text(job.runs_on, lang),
    )


def unreachable_text(since: float, retry_at: float | None, *, now: float, lang: str | None) -> str:
    """The message for a job Kling is silent about, in `lang` and local time: "Kling has not
    answered since HH:MM:SS; next try in N s"."""
    shown = time.strftime("%H:%M:%S", time.localtime(since))
    if retry_at is None or retry_at <= now:
        return say("unreachable_now", lang, since=shown)
    return say("unreachable_retry", lang, since=shown, seconds=math.ceil(retry_at - now))


def _message(job: Job, lang: str | None) -> str:
    return job.status_message_text.get(lang)


def _fraction(status: JobStatus, elapsed: float, estimate: float | None) -> float:
    """How far along a running job looks: elapsed against elapsed + estimate, never 100 %."""
    if status is JobStatus.QUEUED:
        return 0.0
    if estimate is None:
        return 0.5 if status is JobStatus.DOWNLOADING else 0.1
    total = elapsed + max(estimate, 0.0)
    return min(0.95, elapsed / total) if total > 0 else 0.1


def progress_html(lines: Sequence[JobLine], lang: str | None) -> str:
    """The live job list as HTML, newest first; every person-written value is escaped."""
    if not lines:
        return f'<div class="kts-jobs kts-empty">{html.escape(say("no_jobs", lang))}</div>'
    rows = [_line_html(line) for line in lines]
    return '<div class="kts-jobs">' + "".join(rows) + "</div>"


def _line_html(line: JobLine) -> str:
    width = f"{line.fraction * 100:.0f}%"
    kind = "kts-msg kts-error" if line.failed else "kts-msg"
    message = f'<div class="{kind}">{html.escape(line.message)}</div>' if line.message else ""
    keys = (
        f'<span class="kts-keys" data-keys="{html.escape(line.runs_on)}">'
        f"{html.escape(line.keys)}</span>"
        if line.keys
        else ""
    )
    return (
        f'<div class="kts-job kts-{line.status}" data-job="{html.escape(line.id)}" '
        f'data-status="{line.status}">'
        f'<div class="kts-head"><span class="kts-badge">{html.escape(line.badge)}</span>'
        f'<span class="kts-title">{html.escape(line.title)}</span>{keys}</div>'
        f'<div class="kts-bar"><div style="width:{width}"></div></div>'
        f'<div class="kts-meta">{html.escape(line.meta)} '
        f'<code class="kts-id" title="{html.escape(line.id)}">{html.escape(line.id[:8])}</code>'
        f"</div>{message}</div>"
    )


RESULT_VIEWS = ("first", "video", "last")


def result_view_choices(lang: str | None, *, has_last: bool = True) -> list[tuple[str, str]]:
    """The before/after switch of the result panel: first frame, video, last frame."""
    keys = {"first": "result_first", "video": "result_video", "last": "result_last"}
    return [(say(keys[v], lang), v) for v in RESULT_VIEWS if has_last or v != "last"]


def result_caption(job: Job, lang: str | None) -> str:
    """One line under the latest video, as HTML: its name and how it was made."""
    parts = [job_title(job, 70, lang), settings_summary(job, lang)]
    taken = _taken(job)
    if taken is not None:
        parts.append(say("took", lang, took=clock(taken)))
    keys = runs_on_text(job.runs_on, lang)
    if keys:
        parts.append(keys)
    return f'<div class="kts-caption">{html.escape(" · ".join(parts))}</div>'


def panel_jobs(active: Iterable[Job], recent: Iterable[Job], recent_limit: int = 6) -> list[Job]:
    """The jobs the Studio's progress panel lists: every active job, then the latest finished
    ones, newest first and each once."""
    chosen: dict[str, Job] = {}
    for job in active:
        chosen[job.id] = job
    finished = [j for j in recent if JobStatus(j.status).finished and j.id not in chosen]
    for job in finished[:recent_limit]:
        chosen[job.id] = job
    return sorted(chosen.values(), key=lambda j: j.created_at, reverse=True)


def jobs_signature(jobs: Iterable[Job]) -> str:
    """A short fingerprint of a job list that changes whenever any job in it changes."""
    return "|".join(f"{j.id}:{JobStatus(j.status).value}:{j.updated_at:.3f}:{j.best}" for j in jobs)


# ---------------------------------------------------------------- history


def status_filter_choices(lang: str | None) -> list[tuple[str, str]]:
    """(label, value) pairs for the History tab's status filter."""
    choices = [(say("filter_all", lang), FILTER_ALL), (say("filter_active", lang), FILTER_ACTIVE)]
    choices += [(status_label(s, lang), s.value) for s in JobStatus]
    return choices


def statuses_for(filter_value: str | None) -> list[JobStatus] | None:
    """The statuses a filter value selects; None means every status."""
    if not filter_value or filter_value == FILTER_ALL:
        return None
    if filter_value == FILTER_ACTIVE:
        return list(ACTIVE_STATUSES)
    return [JobStatus(filter_value)]


# The History table's columns, by their title's text key.
HISTORY_KEYS = ("col_when", "col_status", "col_name", "col_settings", "col_time", "col_error")


def history_headers(lang: str | None) -> list[str]:
    """Column titles of the History table."""
    return [say(k, lang) for k in HISTORY_KEYS]


def settings_summary(job: Job, lang: str | None = None) -> str:
    """Model, mode, duration and frame use in one line in `lang`, e.g.
    "kling-v2-6 · pro · 5 s · 2 frames" (zh-CN: "kling-v2-6 · pro · 5 秒 · 2 帧")."""
    frames = say("summary_frames" if job.spec.last_frame else "summary_frame", lang)
    seconds = say("summary_seconds", lang, duration=job.spec.duration)
    return f"{job.spec.model} · {job.spec.mode} · {seconds} · {frames}"


def when(timestamp: float | None) -> str:
    """A timestamp as local "YYYY-MM-DD HH:MM:SS"; "–" when unknown."""
    if timestamp is None:
        return "–"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(timestamp))


def history_rows(jobs: Iterable[Job], *, now: float, lang: str | None) -> list[list[str]]:
    """One table row per job, in the order given (the store lists newest first)."""
    rows = []
    for job in jobs:
        status = JobStatus(job.status)
        took = _taken(job) if status.finished else job.elapsed(now)
        keys = runs_on_text(job.runs_on, lang)
        rows.append(
            [
                when(job.created_at),
                status_label(status, lang),
                job_title(job, lang=lang),
                settings_summary(job, lang) + (f" · {keys}" if keys else ""),
                clock(took),
                job.error_text(lang) or "",
            ]
        )
    return rows


def job_detail_html(job: Job, *, lang: str | None) -> str:
    """Everything about one job: prompt, settings, timings, units and error with remedy."""

    def row(key: str, value: str) -> str:
        return f"<dt>{html.escape(say(key, lang))}</dt><dd>{value}</dd>"

    status = JobStatus(job.status)
    status_value = html.escape(job.status_text(lang))
    timings = [f"{say('detail_created', lang)} {when(job.created_at)}"]
    if job.submitted_at:
        offset = clock(job.submitted_at - job.created_at)
        timings.append(f"{say('detail_submitted', lang)} {when(job.submitted_at)} (+{offset})")
    if job.finished_at:
        timings.append(
            f"{say('detail_finished', lang)} {when(job.finished_at)} "
            f"({say('took', lang, took=clock(_taken(job)))})"
        )
    items = [
        row("detail_job", f"<code>{html.escape(job.id)}</code>"),
        row("col_status", f'<span data-status="{status.value}">{status_value}</span>'),
        row("detail_prompt", html.escape(job.spec.prompt) or "–"),
        row("detail_negative", html.escape(job.spec.negative_prompt) or "–"),
        row("detail_settings", html.escape(settings_summary(job, lang))),
        row("detail_timings", html.escape(" · ".join(timings))),
    ]
    if job.runs_on:
        keys = html.escape(runs_on_text(job.runs_on, lang))
        items.append(
            row("detail_keys", f'<span data-keys="{html.escape(job.runs_on)}">{keys}</span>')
        )
    if job.units is not None:
        items.append(row("detail_units", html.escape(units_text(job, lang))))
    if job.error_code:
        title = job.error_title.get(lang)
        server = job.error_message or ""
        error = " ".join(p for p in (f"[{job.error_code}]", title, server) if p)
        items.append(row("detail_error", html.escape(error)))
        remedy = job.remedy.get(lang)
        if remedy:
            items.append(row("detail_remedy", html.escape(remedy)))
    return '<dl class="kts-detail">' + "".join(items) + "</dl>"


def units_text(job: Job, lang: str | None) -> str:
    """What a job cost: Kling's units on real keys; "free" on the demo simulator (which
    reports what real keys would have cost)."""
    if job.units is None:
        return "–"
    if job.runs_on == KEYS_DEMO:
        return say("units_demo", lang, units=f"{job.units:g}")
    return say("units_paid", lang, units=f"{job.units:g}")


# ---------------------------------------------------------------- prompt lab


@dataclass(frozen=True)
class LabCell:
    """One prompt-lab variant's result as shown under its prompt."""

    job_id: str | None
    status_html: str
    video: str | None
    best: bool


def lab_cell(
    job: Job | None, *, now: float, lang: str | None, marked: bool | None = None
) -> LabCell:
    """The result panel for one variant: its status line, its video once done, best or not
    (`marked`: whether it is the one marked best in this run; None: the job's own mark)."""
    if job is None:
        empty = html.escape(say("lab_nothing_yet", lang))
        return LabCell(None, f'<div class="kts-lab-cell">{empty}</div>', None, False)
    line = job_line(job, position=None, estimate=None, now=now, lang=lang)
    best = job.best if marked is None else marked
    star = "★ " if best else ""
    body = (
        f'<div class="kts-lab-cell kts-{line.status}" data-status="{line.status}">'
        f"<b>{star}{html.escape(line.badge)}</b> · {html.escape(line.meta)}"
        + (f'<div class="kts-msg">{html.escape(line.message)}</div>' if line.message else "")
        + "</div>"
    )
    video = str(job.video_path) if job.video_path and JobStatus(job.status).finished else None
    return LabCell(job.id, body, video, best)


def distinct_prompts(variants: Sequence[str]) -> list[str]:
    """The non-empty variants, stripped, each once, in order."""
    seen: list[str] = []
    for prompt in variants:
        cleaned = prompt.strip()
        if cleaned and cleaned not in seen:
            seen.append(cleaned)
    return seen


# ---------------------------------------------------------------- notices and frames

NOTICE_KINDS = ("error", "info", "note")


def notice_html(message: str, kind: str = "error") -> str:
    """A handler's word to the person, shown next to what it is about ("" shows nothing).
    `kind`: "error" (what went wrong and what to do), "info" (done) or "note" (heads-up)."""
    if not message:
        return ""
    if kind not in NOTICE_KINDS:
        raise ValueError(f"unknown notice kind {kind!r}")
    role = ' role="alert"' if kind == "error" else ""
    return (
        f'<div class="kts-say kts-say-{kind}" data-kind="{kind}"{role}>{html.escape(message)}</div>'
    )


def frame_report_markdown(pair: PreparedPair, lang: str | None) -> str:
    """What frame preparation did, one line per step, in `lang`. With only a first frame
    the size line speaks of that frame alone (never "both frames")."""
    lines = [line.get(lang) for line in pair.report]
    if pair.last is None and lines:
        width, height = pair.target
        lines[0] = say("frame_one_prepared", lang, size=f"{width}x{height}")
    return "\n".join(f"- {line}" for line in lines)


# ---------------------------------------------------------------- errors


def error_message(error: Exception, lang: str | None) -> str:
    """What to tell a person about `error`: its own bilingual text and remedy for a UserError
    (Kling's refusals include their code and the server's message), a plain notice otherwise."""
    if isinstance(error, UserError):
        return error.text(lang)
    return " ".join(
        (say("unexpected", lang, kind=type(error).__name__), say("unexpected_remedy", lang))
    )


# ---------------------------------------------------------------- settings


def endpoint_html(
    endpoint: str,
    *,
    server_keys: bool,
    auth_on: bool,
    lang: str | None,
    server_state: KeyState | None = None,
) -> str:
    """Which Kling endpoint jobs use, whether server keys are set (never their values) and
    what Kling said of them at start-up (`server_state`), and whether a login protects the
    page."""
    if not server_keys:
        keys_line = say("server_keys_unset", lang)
    elif server_state is None or server_state is KeyState.DEMO:
        keys_line = say("server_keys_set", lang)
    else:
        keys_line = say("server_keys_state", lang, state=key_state_text(server_state, lang))
    lines = [
        say("endpoint_line", lang, endpoint=endpoint),
        keys_line,
        say("auth_on" if auth_on else "auth_off", lang),
    ]
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    return f'<ul class="kts-endpoint">{items}</ul>'


def key_status_text(
    browser_account: str | None,
    *,
    demo: bool,
    shared_usable: bool,
    browser_endpoint: str,
    lang: str | None,
    browser_state: KeyState | None = None,
    shared_state: KeyState | None = None,
) -> str:
    """Whose keys this browser's jobs use (by account name only) and what Kling said of them
    (`browser_state` for the browser's own, `shared_state` for the deployment's: None is
    unknown), and the endpoint keys entered here are used with."""
    if browser_account and browser_state is not None:
        status = say(
            "keys_status_browser_state",
            lang,
            account=browser_account,
            state=key_state_text(browser_state, lang),
        )
    elif browser_account:
        status = say("keys_status_browser", lang, account=browser_account)
    elif demo:
        status = say("keys_status_demo", lang)
    elif shared_usable:
        status = say("keys_status_shared_state", lang, state=key_state_text(shared_state, lang))
    else:
        status = say("keys_status_needed", lang)
    return status + " " + say("keys_endpoint", lang, endpoint=browser_endpoint)


def keys_refused_text(check_code: int | None, endpoint: str, lang: str | None) -> str:
    """Kling refused the keys just entered: nothing was saved, and what to do."""
    code = f" [{check_code}]" if check_code is not None else ""
    return " ".join(
        (
            say("keys_refused", lang, code=code, endpoint=endpoint),
            say("keys_refused_remedy", lang),
        )
    )


def engine_text(counts: dict[str, int], pool: int, running: int, lang: str | None) -> str:
    """The engine's pool size and how many jobs are in each broad state."""
    queued = counts.get(JobStatus.QUEUED.value, 0)
    return say(
        "engine_line",
        lang,
        pool=pool,
        running=running,
        queued=queued,
        done=counts.get(JobStatus.DONE.value, 0),
        failed=counts.get(JobStatus.FAILED.value, 0),
    )


# ---------------------------------------------------------------- API answers


def api_job(
    job: Job, *, position: int | None, estimate: float | None, lang: str | None
) -> dict[str, object]:
    """A job as the named API endpoints answer it: JSON-safe, no paths, no secrets."""
    status = JobStatus(job.status)
    error = None
    if job.error_code:
        error = {
            "code": job.error_code,
            "message": job.error_message,
            "text": job.error_text(lang),
            "remedy": job.remedy.get(lang) or None,
        }
    return {
        "id": job.id,
        "status": status.value,
        "status_text": job.status_text(lang),
        "finished": status.finished,
        "queue_position": position,
        "estimate_seconds": None if estimate is None else round(estimate, 1),
        "elapsed_seconds": round(job.elapsed(), 1),
        "label": job.spec.label,
        "prompt": job.spec.prompt,
        "negative_prompt": job.spec.negative_prompt,
        "model": job.spec.model,
        "mode": job.spec.mode,
        "duration": job.spec.duration,
        "last_frame": job.spec.last_frame is not None,
        "kind": job.spec.kind,
        "units": job.units,
        "video_ready": bool(job.video_path) and status is JobStatus.DONE,
        "reused_from": job.reused_from,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "error": error,
    }
