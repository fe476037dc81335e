"""Building the Studio (`build_studio`) and everything `launch()` needs (`launch_kwargs`).

Tab order: Studio, Deck, Prompt lab, History, Settings. Each tab lives in its own module
with `build(ctx)`. The page follows the store through one shared `gr.Timer` (ui/ticking.py),
so reloading or opening the page elsewhere shows every job; the timer slows down while none of
the person's jobs is under way (ui/pace.py).
"""

from __future__ import annotations

import importlib.util
import logging
from typing import Any

import gradio as gr
from starlette.middleware import Middleware

from kling_ui.i18n import Text, UserError
from kling_ui.jobs.callback import callback_route
from kling_ui.prompts import load_library
from kling_ui.prompts.owned import OwnedPresets
from kling_ui.runtime import Runtime
from kling_ui.ui import api, deck_tab, history_tab, lab_tab, settings_tab, studio_tab, texts
from kling_ui.ui.access import (
    BROWSER_ID_STORAGE,
    BROWSER_KEYS_STORAGE,
    AccessPolicy,
    browser_state_secret,
    parse_auth,
)
from kling_ui.ui.common import bound, new_browser_id
from kling_ui.ui.context import StudioContext
from kling_ui.ui.login_throttle import LOGIN_NOTICE, LoginThrottle, LoginThrottleMiddleware
from kling_ui.ui.pace import FOLLOWING_SECONDS, on_pace
from kling_ui.ui.texts import label
from kling_ui.ui.theme import STUDIO_CSS, studio_theme

log = logging.getLogger("kling_ui.ui")

# Gradio's queue looks for work every 1 ms when it has none: 5 % of a core for a Studio that
# nobody uses. Every 20 ms is 0.5 %, and a queued event waits at most 20 ms longer to start
# (the page's own events answer in 20-60 ms anyway).
QUEUE_IDLE_POLL = 0.02
DRAFT_FRAMES_STORAGE = "kling-ui-studio-frames"
DRAFT_PROMPT_STORAGE = "kling-ui-studio-prompt"
MAX_UPLOAD = "50mb"
STATE_SESSIONS = 500
# Served by URL to anyone who has the path: only outputs under names nobody can guess
# (videos carry their job's random id, frames their content's sha256, decks' media a random
# folder); every index, plan or state file lives outside them (decks: "deck-state").
SERVED_FOLDERS = ("videos", "frames", "decks")
# Uploaded copies in Gradio's cache: checked hourly, removed after a day (Space storage).
DELETE_CACHE = (3600, 86400)


def build_studio(runtime: Runtime, *, policy: AccessPolicy | None = None) -> gr.Blocks:
    """The whole Studio as a `gr.Blocks` for this runtime (its engine must be started
    before the page is served). Launch it with `demo.launch(**launch_kwargs(runtime))`.

    `policy` defaults to the one the settings and the environment (SPACE_ID) give."""
    settings = runtime.settings
    data_dir = settings.data_dir.expanduser().resolve()
    # Everyone shares the built-in presets; each owner's own are kept apart (prompts.owned).
    presets = OwnedPresets(load_library(None), data_dir)
    policy = policy or AccessPolicy.from_settings(settings, demo=runtime.demo)
    secret = browser_state_secret(data_dir)
    with gr.Blocks(title="Kling Transition Studio", delete_cache=DELETE_CACHE) as demo:
        with gr.Row(elem_id="kts-head"):
            gr.Markdown("# " + label("app_title"), elem_id="kts-title")
            gr.Markdown(label("app_tagline"), elem_id="kts-tagline")
        # Whose keys this browser's jobs run on and who pays: made per browser on load and
        # after keys are saved or forgotten (settings_tab), never "demo" while its keys pay.
        banner = gr.HTML(elem_id="kts-banner")
        if policy.shared_keys_refused:
            gr.HTML(
                f'<div class="kts-banner kts-banner-keys">{label("space_keys_banner")}</div>',
                elem_id="kts-keys-banner",
            )
        timer = gr.Timer(FOLLOWING_SECONDS)  # the first refresh sets the pace (ui/pace.py)
        browser_keys = gr.BrowserState(None, storage_key=BROWSER_KEYS_STORAGE, secret=secret)
        browser_id = gr.BrowserState(None, storage_key=BROWSER_ID_STORAGE, secret=secret)
        draft_frames = gr.BrowserState(None, storage_key=DRAFT_FRAMES_STORAGE, secret=secret)
        draft_prompt = gr.BrowserState(None, storage_key=DRAFT_PROMPT_STORAGE, secret=secret)
        with gr.Tabs(selected="studio") as tabs:
            ctx = StudioContext(
                runtime=runtime,
                blocks=demo,
                presets=presets,
                policy=policy,
                timer=timer,
                tabs=tabs,
                browser_keys=browser_keys,
                browser_id=browser_id,
                banner=banner,
                draft_frames=draft_frames,
                draft_prompt=draft_prompt,
            )
            # First in the page's one load event, so every tab's part after it knows whose
            # page it is (a first visit has no stored id yet).
            ctx.loads.add(new_browser_id, [browser_id], [browser_id])
            with gr.Tab(label("tab_studio"), id="studio"):
                ctx.studio = studio_tab.build(ctx)
            with gr.Tab(label("tab_deck"), id="deck"):
                deck_tab.build(ctx)
            with gr.Tab(label("tab_lab"), id="lab"):
                lab_tab.build(ctx)
            with gr.Tab(label("tab_history"), id="history"):
                history_tab.build(ctx)
            with gr.Tab(label("tab_settings"), id="settings"):
                settings_tab.build(ctx)
        ctx.ticks.add(bound(on_pace, ctx), [browser_id], [timer])
        ctx.ticks.wire(timer)
        ctx.loads.wire(demo)
        api.build(ctx)
    demo._queue.sleep_when_free = QUEUE_IDLE_POLL
    demo._queue.progress_update_sleep_when_free = QUEUE_IDLE_POLL
    demo.studio_context = ctx  # type: ignore[attr-defined]  # for tests and benchmarks
    return demo


def mcp_missing() -> UserError:
    """KLING_UI_MCP is on but Gradio's MCP extra is not installed."""
    return UserError(
        "config.mcp_missing",
        Text(
            "KLING_UI_MCP is set but Gradio's MCP support is not installed.",
            "已设置 KLING_UI_MCP，但未安装 Gradio 的 MCP 支持。",
        ),
        remedy=Text(
            "Install it with: pip install 'gradio[mcp]' (or unset KLING_UI_MCP).",
            "请运行 pip install 'gradio[mcp]' 安装（或取消 KLING_UI_MCP）。",
        ),
    )


def served_folders(runtime: Runtime) -> list[str]:
    """The data folder's parts the page may show (videos, frames, decks): never the job
    database, the engine's lock or the browser-state secret beside them."""
    data_dir = runtime.settings.data_dir.expanduser().resolve()
    return [str(data_dir / name) for name in SERVED_FOLDERS]


def launch_kwargs(runtime: Runtime) -> dict[str, Any]:
    """Keyword arguments for `demo.launch()`: theme, CSS, translations, no run history,
    the login from KLING_UI_AUTH (throttled per address), the data folder as an allowed path,
    the Kling callback route when KLING_UI_PUBLIC_URL is set, and the MCP server when
    KLING_UI_MCP is on."""
    settings = runtime.settings
    auth = parse_auth(settings.auth.get_secret_value() if settings.auth else None)
    if settings.mcp and importlib.util.find_spec("mcp") is None:
        raise mcp_missing()
    routes = [callback_route(runtime.engine)] if settings.public_url else []
    app_kwargs: dict[str, Any] = {"routes": routes}
    if auth:
        app_kwargs["middleware"] = [Middleware(LoginThrottleMiddleware, throttle=LoginThrottle())]
    kwargs: dict[str, Any] = {
        "theme": studio_theme(),
        "css": STUDIO_CSS,
        "i18n": texts.i18n(),
        "run_history": False,
        "auth": auth,
        "allowed_paths": served_folders(runtime),
        "app_kwargs": app_kwargs,
        "max_file_size": MAX_UPLOAD,
        "footer_links": ["api", "gradio", "settings"],
        "mcp_server": settings.mcp,
        # Gradio keeps ~350 kB of state per page load or client; keep the newest 500 only.
        "state_session_capacity": STATE_SESSIONS,
        # Gradio's own start-up probe (one HEAD request, 3 s, no retry on a timeout) fails a
        # start on a busy machine with "localhost is not accessible"; its server is already
        # listening when launch() returns, and a Studio never needs a share link.
        "_frontend": False,
    }
    if auth:
        kwargs["auth_message"] = f"Kling Transition Studio. {LOGIN_NOTICE}"
    return kwargs
