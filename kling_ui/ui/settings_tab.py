"""The Settings tab: the endpoint in use and whether keys are set (never their values), the
engine's state, a per-browser key entry (a key pair or a single API key) checked with Kling
before it is kept in this browser only, and the person's own presets as a file (download,
import)."""

from __future__ import annotations

from typing import Any

import gradio as gr

from kling_ui.jobs.keycheck import KeyState, check_keys
from kling_ui.ui import views
from kling_ui.ui.access import browser_keys
from kling_ui.ui.common import INSTANT, answers_in_words, bound, lang_of, notice_box
from kling_ui.ui.context import CHECKED_FIELD, StudioContext
from kling_ui.ui.preset_files import (
    export_file,
    export_folder,
    exported_note,
    import_file,
    studio_menus,
)
from kling_ui.ui.prompting import PART_FIELDS
from kling_ui.ui.texts import label, say
from kling_ui.ui.uploads import LenientFile

# The Studio's menus an import refills: the template and each prompt part's presets.
MENUS = 1 + len(PART_FIELDS)


def build(ctx: StudioContext) -> None:
    """Lay out the Settings tab inside the current Tab and wire its events."""
    studio = ctx.studio
    if studio is None:
        raise RuntimeError("the Studio tab must be built before Settings")
    gr.Markdown("### " + label("settings_endpoint"))
    endpoint = gr.HTML(elem_id="kts-endpoint")
    gr.Markdown("### " + label("settings_engine"))
    engine = gr.Markdown(elem_id="kts-engine")
    refresh = gr.Button(label("history_refresh"), size="sm", elem_id="kts-settings-refresh")
    gr.Markdown("### " + label("settings_browser_keys"))
    gr.Markdown(label("settings_browser_keys_info"))
    key_status = gr.Markdown(elem_id="kts-key-status")
    with gr.Row():
        access = gr.Textbox(
            label=label("access_key"), type="password", max_lines=1, elem_id="kts-access-key"
        )
        secret = gr.Textbox(
            label=label("secret_key"), type="password", max_lines=1, elem_id="kts-secret-key"
        )
        single = gr.Textbox(
            label=label("api_key"), type="password", max_lines=1, elem_id="kts-api-key"
        )
    with gr.Row():
        save = gr.Button(
            label("save_keys"), variant="primary", scale=0, min_width=160, elem_id="kts-save-keys"
        )
        forget = gr.Button(label("forget_keys"), scale=0, min_width=160, elem_id="kts-forget-keys")
    keys_notice = notice_box("kts-keys-notice")
    gr.Markdown("### " + label("presets_files"))
    gr.Markdown(label("presets_files_info"))
    with gr.Row(equal_height=False):
        with gr.Column():
            download = gr.Button(label("presets_download"), elem_id="kts-presets-download")
            exported = gr.File(
                label=label("presets_file"), interactive=False, elem_id="kts-presets-file"
            )
        upload = LenientFile(
            label=label("presets_upload"),
            file_types=[".json"],
            type="filepath",
            elem_id="kts-presets-upload",
        )
    presets_notice = notice_box("kts-presets-notice")
    gr.Markdown(label("settings_language"))
    # The page's keys banner (build.py makes it); a hidden stand-in keeps the wiring simple.
    banner = ctx.banner if ctx.banner is not None else gr.HTML(visible=False)
    overview = [endpoint, engine, key_status, banner]  # what `on_refresh` and `on_load` fill

    refresh.click(bound(on_refresh, ctx), [ctx.browser_keys], overview, **INSTANT)
    # Queued: the check waits on Kling.
    save.click(
        bound(on_save, ctx),
        [access, secret, single, ctx.browser_keys],
        [ctx.browser_keys, access, secret, single, key_status, banner, keys_notice],
        api_visibility="private",
        show_progress_on=[key_status],
    )
    forget.click(
        bound(on_forget, ctx),
        None,
        [ctx.browser_keys, key_status, banner, keys_notice],
        api_visibility="private",
        show_progress="hidden",
    )
    download.click(
        bound(on_download_presets, ctx),
        None,
        [exported, presets_notice],
        api_visibility="private",
        show_progress="hidden",
    )
    studio.refresh_builder_after(
        upload.upload(
            bound(on_import_presets, ctx),
            [upload],
            [upload, presets_notice, *studio.menus()],
            api_visibility="private",
            show_progress="hidden",
        )
    )
    ctx.loads.add(bound(on_load, ctx), [ctx.browser_keys], overview)


def on_refresh(ctx: StudioContext, stored: Any, request: gr.Request):
    """The endpoint, the engine, the keys in use and the banner, read again."""
    lang = lang_of(request)
    return (
        ctx.endpoint_html(lang),
        ctx.engine_text(lang),
        ctx.key_status(stored, lang),
        ctx.banner_html(stored, lang),
    )


# What the browser keeps, the three key fields (cleared), the keys' status, the banner, and
# the notice.
@answers_in_words(7, notice=6)
def on_save(
    ctx: StudioContext,
    access_key: str,
    secret_key: str,
    api_key: str,
    current: Any,
    request: gr.Request,
):
    """Check the keys typed with Kling and, unless Kling refuses them, keep them in this
    browser (and resume the jobs waiting for them)."""
    lang = lang_of(request)
    # Half a pair, both kinds, or nothing: UserError, said next to the fields.
    entered = browser_keys(access_key, secret_key, api_key)
    credentials = ctx.browser_credentials(entered)
    assert credentials is not None  # browser_keys made a whole credential
    check = check_keys(credentials)  # one cheap authenticated read, before keeping them
    if check.state is KeyState.REFUSED:
        code = None if check.error is None else check.error.kling_code
        refused = views.keys_refused_text(code, ctx.browser_endpoint, lang)
        said = views.notice_html(refused, "error")
        return gr.skip(), "", "", "", ctx.key_status(current, lang), gr.skip(), said
    stored = entered | {CHECKED_FIELD: check.state.value}
    ctx.engine.provide_credentials(credentials)
    state = views.key_state_text(check.state, lang)
    said = say("keys_saved", lang, account=credentials.account, state=state)
    return (
        stored,
        "",
        "",
        "",
        ctx.key_status(stored, lang),
        ctx.banner_html(stored, lang),
        views.notice_html(said, "info"),
    )


def on_forget(ctx: StudioContext, request: gr.Request):
    """Forget this browser's keys."""
    lang = lang_of(request)
    said = views.notice_html(say("keys_forgotten", lang), "info")
    # An empty mapping, not None: the page does not write a null value to its storage, so
    # None would leave the old keys there for the next visit.
    forgotten: dict[str, str] = {}
    return forgotten, ctx.key_status(forgotten, lang), ctx.banner_html(forgotten, lang), said


@answers_in_words(2, notice=1)  # the file, the notice
def on_download_presets(ctx: StudioContext, request: gr.Request):
    """The person's own presets as a file to download."""
    path = export_file(ctx.library, export_folder())
    said = views.notice_html(exported_note(ctx.library, lang_of(request)), "info")
    return str(path), said


# The upload (cleared), the notice, and the Studio's template and part menus.
@answers_in_words(MENUS + 2, notice=1)
def on_import_presets(ctx: StudioContext, path: str | None, request: gr.Request):
    """A presets file imported among the person's own presets; the Studio's menus offer
    them at once."""
    if not path:
        return [gr.skip()] * (MENUS + 2)
    lang = lang_of(request)
    count = import_file(ctx.library, path)
    said = views.notice_html(say("presets_imported", lang, count=count), "info")
    choices = studio_menus(ctx.library, lang)[:MENUS]
    return [None, said, *(gr.update(choices=c) for c in choices)]


def on_load(ctx: StudioContext, stored: Any, request: gr.Request):
    """The Settings tab in the page's language; jobs waiting for this browser's keys (from
    before a restart) resumed."""
    credentials = ctx.browser_credentials(stored)
    if credentials is not None:
        # Jobs started with these keys before a restart wait for them: resume them.
        ctx.engine.provide_credentials(credentials)
    return on_refresh(ctx, stored, request)
