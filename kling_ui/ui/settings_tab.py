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
from kling_ui.ui.common import answers_in_words, lang_of, notice_box
from kling_ui.ui.context import CHECKED_FIELD, StudioContext, stored_key_state
from kling_ui.ui.preset_files import (
    export_file,
    export_folder,
    exported_note,
    import_file,
    studio_menus,
)
from kling_ui.ui.texts import label, say
from kling_ui.ui.uploads import LenientFile


def build(ctx: StudioContext) -> None:
    """Lay out the Settings tab inside the current Tab and wire its events."""
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

    def status_of(stored: Any, lang: str) -> str:
        browser = ctx.browser_credentials(stored)
        shared = ctx.runtime.key_check
        return views.key_status_text(
            browser.account if browser else None,
            demo=ctx.runtime.demo,
            shared_usable=ctx.policy.shared_keys_usable,
            browser_endpoint=ctx.browser_endpoint,
            lang=lang,
            browser_state=stored_key_state(stored),
            shared_state=None if shared is None else shared.state,
        )

    def overview(lang: str) -> tuple[str, str]:
        snapshot = ctx.engine.snapshot()
        shared = ctx.runtime.key_check
        return (
            views.endpoint_html(
                ctx.runtime.endpoint_text(lang),
                server_keys=ctx.policy.shared_keys,
                auth_on=ctx.policy.auth_on,
                lang=lang,
                server_state=None if shared is None else shared.state,
            ),
            views.engine_text(snapshot.counts, ctx.engine.concurrency, snapshot.in_flight, lang),
        )

    def on_refresh(stored: Any, request: gr.Request):
        lang = lang_of(request)
        return (*overview(lang), status_of(stored, lang), ctx.banner_html(stored, lang))

    refresh.click(
        on_refresh,
        [ctx.browser_keys],
        [endpoint, engine, key_status, banner],
        api_visibility="private",
        queue=False,
    )

    @answers_in_words(7, notice=6)
    def on_save(access_key: str, secret_key: str, api_key: str, current: Any, request: gr.Request):
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
            return gr.skip(), "", "", "", status_of(current, lang), gr.skip(), said
        stored = entered | {CHECKED_FIELD: check.state.value}
        ctx.engine.provide_credentials(credentials)
        state = views.key_state_text(check.state, lang)
        said = say("keys_saved", lang, account=credentials.account, state=state)
        return (
            stored,
            "",
            "",
            "",
            status_of(stored, lang),
            ctx.banner_html(stored, lang),
            views.notice_html(said, "info"),
        )

    # Queued: the check waits on Kling.
    save.click(
        on_save,
        [access, secret, single, ctx.browser_keys],
        [ctx.browser_keys, access, secret, single, key_status, banner, keys_notice],
        api_visibility="private",
        show_progress_on=[key_status],
    )

    def on_forget(request: gr.Request):
        lang = lang_of(request)
        said = views.notice_html(say("keys_forgotten", lang), "info")
        # An empty mapping, not None: the page does not write a null value to its storage,
        # so None would leave the old keys there for the next visit.
        forgotten: dict[str, str] = {}
        return forgotten, status_of(forgotten, lang), ctx.banner_html(forgotten, lang), said

    forget.click(
        on_forget,
        None,
        [ctx.browser_keys, key_status, banner, keys_notice],
        api_visibility="private",
        show_progress="hidden",
    )

    @answers_in_words(2, notice=1)
    def on_download_presets(request: gr.Request):
        path = export_file(ctx.library, export_folder())
        said = views.notice_html(exported_note(ctx.library, lang_of(request)), "info")
        return str(path), said

    download.click(
        on_download_presets,
        None,
        [exported, presets_notice],
        api_visibility="private",
        show_progress="hidden",
    )

    studio = ctx.studio
    menus = [] if studio is None else [studio.template, *studio.presets.values()]

    @answers_in_words(2 + len(menus), notice=1)
    def on_import_presets(path: str | None, request: gr.Request):
        if not path:
            return [gr.skip()] * (2 + len(menus))
        lang = lang_of(request)
        count = import_file(ctx.library, path)
        said = views.notice_html(say("presets_imported", lang, count=count), "info")
        choices = studio_menus(ctx.library, lang)[: len(menus)]
        return [None, said, *(gr.update(choices=c) for c in choices)]

    upload.upload(
        on_import_presets,
        [upload],
        [upload, presets_notice, *menus],
        api_visibility="private",
        show_progress="hidden",
    )

    def on_load(stored: Any, request: gr.Request):
        lang = lang_of(request)
        credentials = ctx.browser_credentials(stored)
        if credentials is not None:
            # Jobs started with these keys before a restart wait for them: resume them.
            ctx.engine.provide_credentials(credentials)
        return (*overview(lang), status_of(stored, lang), ctx.banner_html(stored, lang))

    ctx.blocks.load(
        on_load,
        [ctx.browser_keys],
        [endpoint, engine, key_status, banner],
        api_visibility="private",
        queue=False,
    )
