"""What every tab's builder receives: the runtime, the presets, the access policy, and the
page-wide components (timer, tabs, per-browser state, the keys banner) that tabs wire their
events to; plus whose keys a browser's jobs run on, for the banner and the cost line."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from kling_ui.config import Settings
from kling_ui.jobs.accounts import Credentials
from kling_ui.jobs.engine import JobEngine
from kling_ui.jobs.keycheck import KeyState
from kling_ui.jobs.models import KEYS_SHARED
from kling_ui.prompts import PresetLibrary
from kling_ui.prompts.owned import OwnedPresets
from kling_ui.runtime import Runtime
from kling_ui.ui import views
from kling_ui.ui.access import AccessPolicy, credentials_from_browser
from kling_ui.ui.common import current_request, submitter_of
from kling_ui.ui.prompting import PART_FIELDS, PromptChoice
from kling_ui.ui.ticking import Loads, Ticks

# Beside the keys in a browser's stored value: what Kling said of them when they were saved.
CHECKED_FIELD = "checked"


def stored_key_state(stored: Any) -> KeyState | None:
    """What Kling said of a browser's keys when they were saved (None: not recorded)."""
    if not isinstance(stored, Mapping):
        return None
    try:
        return KeyState(stored.get(CHECKED_FIELD))
    except ValueError:
        return None


@dataclass(frozen=True)
class StudioControls:
    """The Studio tab's inputs that its handlers and other tabs read or fill (lab,
    history's "use again", settings' preset menus)."""

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
    advanced: gr.Accordion  # opened when restored settings have words of their own
    # The event that redraws the preview from the builder and keeps the draft (studio_tab
    # fills it once its handler exists). It follows the person's own edits only
    # (`studio_tab.edits`), so an event that fills the builder chains it
    # (`refresh_builder_after`).
    builder_refresh: dict[str, Any] = field(default_factory=dict)

    def prompt_inputs(self) -> list[Any]:
        """The prompt builder's inputs, whose values make a `PromptChoice` (`choice`)."""
        return [
            self.prompt_lang,
            self.template,
            *self.presets.values(),
            *self.free.values(),
            self.extra,
        ]

    def refresh_builder_after(self, event: Any) -> Any:
        """Redraw the prompt preview and keep the draft once `event` (one that fills the
        builder) has answered."""
        return event.then(**self.builder_refresh)

    def draft_inputs(self) -> list[Any]:
        """What the browser's draft keeps: the builder, the negative prompt and the settings."""
        return [
            *self.prompt_inputs(),
            self.negative,
            self.model,
            self.mode,
            self.duration,
            self.fit,
        ]

    def choice(self, data: Mapping[Any, Any]) -> PromptChoice:
        """The prompt builder's choice in an event's values (keyed by component)."""
        return PromptChoice(
            template=data[self.template] or None,
            presets={name: data[self.presets[name]] or "" for name in PART_FIELDS},
            free={name: data[self.free[name]] or "" for name in PART_FIELDS},
            extra=data[self.extra] or "",
            lang=data[self.prompt_lang] or "en",
        )

    def menus(self) -> list[gr.Dropdown]:
        """The template menu and the parts' preset menus (filled from a preset library)."""
        return [self.template, *self.presets.values()]

    def restore_outputs(self) -> list[Any]:
        """The components "use these settings again" fills, in `settings_update` order
        (`RESTORED` of them)."""
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
            self.advanced,
        ]


# How many components `StudioControls.restore_outputs` lists: eleven single inputs, and a
# preset menu and a box of one's own words per prompt part.
RESTORED = 11 + 2 * len(PART_FIELDS)


@dataclass
class StudioContext:
    """Shared by every tab builder; `deck_tab.build(ctx)` receives it too."""

    runtime: Runtime
    blocks: gr.Blocks
    presets: OwnedPresets
    policy: AccessPolicy
    timer: gr.Timer
    tabs: gr.Tabs
    browser_keys: gr.BrowserState
    browser_id: gr.BrowserState
    studio: StudioControls | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    # What each tab refreshes on the shared timer; build.py wires them as one event.
    ticks: Ticks = field(default_factory=Ticks)
    # What each tab fills when the page opens; build.py wires them as one load event.
    loads: Loads = field(default_factory=Loads)
    banner: gr.HTML | None = None  # whose keys this browser's jobs run on (filled on load)
    # The Studio's draft kept in the browser (frames; prompt builder and settings), so a
    # reload keeps the work in progress (see drafts.py); made by build.py.
    draft_frames: gr.BrowserState | None = None
    draft_prompt: gr.BrowserState | None = None
    # Where keys typed in a browser are sent; None: the configured endpoint. Tests point it
    # at a loopback simulator so a demo Studio never reaches the real Kling.
    browser_base_url: str | None = None

    @property
    def engine(self) -> JobEngine:
        """The process's job engine."""
        return self.runtime.engine

    @property
    def library(self) -> PresetLibrary:
        """The presets of whoever the running event is from (the built-in ones plus their
        own; built-in only outside an event). Handlers that are sent the browser id use
        `library_for`."""
        request = current_request()
        return self.presets.base if request is None else self.library_for(request)

    def owner(self, request: gr.Request | None, browser_id: Any = None) -> str:
        """Who is asking, and so whose jobs, decks and presets are theirs (see
        `common.submitter_of`)."""
        return submitter_of(request, browser_id)

    def library_for(self, request: gr.Request | None, browser_id: Any = None) -> PresetLibrary:
        """The built-in presets plus the asking person's own."""
        return self.presets.for_owner(self.owner(request, browser_id))

    @property
    def team(self) -> bool:
        """True when people log in: History then also offers the team's jobs, read-only."""
        return self.policy.auth_on

    @property
    def settings(self) -> Settings:
        """The process's settings."""
        return self.runtime.settings

    @property
    def browser_endpoint(self) -> str:
        """The Kling endpoint keys entered in a browser are used with."""
        return (self.browser_base_url or self.settings.endpoint).rstrip("/")

    def browser_credentials(self, stored_keys: Any) -> Credentials | None:
        """The credentials of the keys a browser holds, or None."""
        return credentials_from_browser(stored_keys, self.browser_endpoint)

    def payer_for(self, stored_keys: Any) -> str | None:
        """Whose keys this browser's next job runs on (KEYS_OWN, KEYS_DEMO, KEYS_SHARED), or
        None when it has none it may use."""
        return views.payer_of(
            self.browser_credentials(stored_keys) is not None,
            demo=self.runtime.demo,
            shared_usable=self.policy.shared_keys_usable,
        )

    def banner_html(self, stored_keys: Any, lang: str) -> str:
        """The top banner for this browser: the demo simulator, its own keys (account and
        whether Kling verified them) or the shared keys (as checked at start-up)."""
        browser = self.browser_credentials(stored_keys)
        payer = self.payer_for(stored_keys)
        if browser is not None:
            return views.keys_banner_html(
                payer, account=browser.account, state=stored_key_state(stored_keys), lang=lang
            )
        if payer is None and self.policy.shared_keys_refused:
            return ""  # the page's own banner already says the shared keys are switched off
        check = self.runtime.key_check if payer == KEYS_SHARED else None
        return views.keys_banner_html(
            payer, state=None if check is None else check.state, lang=lang
        )

    def key_status(self, stored_keys: Any, lang: str) -> str:
        """What Settings says of the keys in use: this browser's own (and what Kling said of
        them when they were saved), or the shared ones, or the demo simulator."""
        browser = self.browser_credentials(stored_keys)
        shared = self.runtime.key_check
        return views.key_status_text(
            browser.account if browser else None,
            demo=self.runtime.demo,
            shared_usable=self.policy.shared_keys_usable,
            browser_endpoint=self.browser_endpoint,
            lang=lang,
            browser_state=stored_key_state(stored_keys),
            shared_state=None if shared is None else shared.state,
        )

    def endpoint_html(self, lang: str) -> str:
        """Settings' endpoint line: where jobs go, whether the server has keys, the login."""
        shared = self.runtime.key_check
        return views.endpoint_html(
            self.runtime.endpoint_text(lang),
            server_keys=self.policy.shared_keys,
            auth_on=self.policy.auth_on,
            lang=lang,
            server_state=None if shared is None else shared.state,
        )

    def engine_text(self, lang: str) -> str:
        """Settings' engine line: jobs per status, the pool and what runs now."""
        snapshot = self.engine.snapshot()
        return views.engine_text(snapshot.counts, self.engine.concurrency, snapshot.in_flight, lang)

    def credentials_for(self, stored_keys: Any) -> Credentials | None:
        """The credentials a browser's job runs with (None: the engine's default account);
        UserError `keys.required` when the browser must bring its own."""
        browser = credentials_from_browser(stored_keys, self.browser_endpoint)
        return self.policy.credentials_for(browser)
