"""The Settings tab: the endpoint in use and whether keys are set (never their values), the
engine's state, a per-browser key entry kept in this browser only, and the person's own
presets as a file (download, import)."""

from __future__ import annotations

from typing import Any

import gradio as gr

from kling_ui.ui import views
from kling_ui.ui.access import browser_keys, credentials_from_browser
from kling_ui.ui.common import lang_of, shows_errors
from kling_ui.ui.context import StudioContext
from kling_ui.ui.preset_files import (
    export_file,
    export_folder,
    exported_note,
    import_file,
    studio_menus,
)
from kling_ui.ui.texts import label, say


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
    with gr.Row():
        save = gr.Button(label("save_keys"), variant="primary", elem_id="kts-save-keys")
        forget = gr.Button(label("forget_keys"), elem_id="kts-forget-keys")
    gr.Markdown("### " + label("presets_files"))
    gr.Markdown(label("presets_files_info"))
    with gr.Row(equal_height=False):
        with gr.Column():
            download = gr.Button(label("presets_download"), elem_id="kts-presets-download")
            exported = gr.File(
                label=label("presets_file"), interactive=False, elem_id="kts-presets-file"
            )
        upload = gr.File(
            label=label("presets_upload"),
            file_types=[".json"],
            type="filepath",
            elem_id="kts-presets-upload",
        )
    gr.Markdown(label("settings_language"))

    def status_of(stored: Any, lang: str) -> str:
        browser = credentials_from_browser(stored, ctx.browser_endpoint)
        return views.key_status_text(
            browser.account if browser else None,
            demo=ctx.runtime.demo,
            shared_usable=ctx.policy.shared_keys_usable,
            browser_endpoint=ctx.browser_endpoint,
            lang=lang,
        )

    def overview(lang: str) -> tuple[str, str]:
        snapshot = ctx.engine.snapshot()
        return (
            views.endpoint_html(
                ctx.runtime.endpoint_text(lang),
                server_keys=ctx.policy.shared_keys,
                auth_on=ctx.policy.auth_on,
                lang=lang,
            ),
            views.engine_text(snapshot.counts, ctx.engine.concurrency, snapshot.in_flight, lang),
        )

    def on_refresh(request: gr.Request):
        return overview(lang_of(request))

    refresh.click(on_refresh, None, [endpoint, engine], api_visibility="private", queue=False)

    @shows_errors
    def on_save(access_key: str, secret_key: str, request: gr.Request):
        lang = lang_of(request)
        stored = browser_keys(access_key, secret_key)
        credentials = credentials_from_browser(stored, ctx.browser_endpoint)
        if credentials is not None:
            ctx.engine.provide_credentials(credentials)
            gr.Info(say("keys_saved", lang, account=credentials.account))
        return stored, "", "", status_of(stored, lang)

    # Queued (not queue=False): gr.Info reaches the page only from queued events.
    save.click(
        on_save,
        [access, secret],
        [ctx.browser_keys, access, secret, key_status],
        api_visibility="private",
    )

    def on_forget(request: gr.Request):
        lang = lang_of(request)
        gr.Info(say("keys_forgotten", lang))
        return None, status_of(None, lang)

    forget.click(on_forget, None, [ctx.browser_keys, key_status], api_visibility="private")

    @shows_errors
    def on_download_presets(request: gr.Request):
        path = export_file(ctx.library, export_folder())
        gr.Info(exported_note(ctx.library, lang_of(request)))
        return str(path)

    # Queued: gr.Info reaches the page only from queued events.
    download.click(on_download_presets, None, [exported], api_visibility="private")

    studio = ctx.studio
    menus = [] if studio is None else [studio.template, *studio.presets.values()]

    @shows_errors
    def on_import_presets(path: str | None, request: gr.Request):
        if not path:
            return [gr.skip()] * (1 + len(menus))
        lang = lang_of(request)
        count = import_file(ctx.library, path)
        gr.Info(say("presets_imported", lang, count=count))
        choices = studio_menus(ctx.library, lang)[: len(menus)]
        return [None, *(gr.update(choices=c) for c in choices)]

    upload.upload(on_import_presets, [upload], [upload, *menus], api_visibility="private")

    def on_load(stored: Any, request: gr.Request):
        lang = lang_of(request)
        credentials = credentials_from_browser(stored, ctx.browser_endpoint)
        if credentials is not None:
            # Jobs started with these keys before a restart wait for them: resume them.
            ctx.engine.provide_credentials(credentials)
        return (*overview(lang), status_of(stored, lang))

    ctx.blocks.load(
        on_load,
        [ctx.browser_keys],
        [endpoint, engine, key_status],
        api_visibility="private",
        queue=False,
    )
