"""What every tab's builder receives: the runtime, the presets, the access policy, and the
page-wide components (timer, tabs, per-browser state) that tabs wire their events to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from kling_ui.config import Settings
from kling_ui.jobs.accounts import Credentials
from kling_ui.jobs.engine import JobEngine
from kling_ui.prompts import PresetLibrary
from kling_ui.runtime import Runtime
from kling_ui.ui.access import AccessPolicy, credentials_from_browser


@dataclass
class StudioControls:
    """The Studio tab's inputs that other tabs read or fill (lab, history's "use again")."""

    first: gr.Image
    last: gr.Image
    fit: gr.Radio
    prompt_lang: gr.Radio
    template: gr.Dropdown
    presets: dict[str, gr.Dropdown]
    free: dict[str, gr.Textbox]
    extra: gr.Textbox
    preview: gr.Textbox
    negative: gr.Textbox
    model: gr.Dropdown
    mode: gr.Radio
    duration: gr.Radio

    def restore_outputs(self) -> list[Any]:
        """The components "use these settings again" fills, in `settings_update` order."""
        return [
            self.first,
            self.last,
            self.fit,
            self.prompt_lang,
            self.template,
            *self.presets.values(),
            *self.free.values(),
            self.extra,
            self.negative,
            self.model,
            self.mode,
            self.duration,
        ]


@dataclass
class StudioContext:
    """Shared by every tab builder; `deck_tab.build(ctx)` receives it too."""

    runtime: Runtime
    blocks: gr.Blocks
    library: PresetLibrary
    policy: AccessPolicy
    timer: gr.Timer
    tabs: gr.Tabs
    browser_keys: gr.BrowserState
    browser_id: gr.BrowserState
    studio: StudioControls | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def engine(self) -> JobEngine:
        """The process's job engine."""
        return self.runtime.engine

    @property
    def settings(self) -> Settings:
        """The process's settings."""
        return self.runtime.settings

    @property
    def browser_endpoint(self) -> str:
        """The Kling endpoint keys entered in a browser are used with."""
        return self.settings.endpoint

    def credentials_for(self, stored_keys: Any) -> Credentials | None:
        """The credentials a browser's job runs with (None: the engine's default account);
        UserError `keys.required` when the browser must bring its own."""
        browser = credentials_from_browser(stored_keys, self.browser_endpoint)
        return self.policy.credentials_for(browser)
