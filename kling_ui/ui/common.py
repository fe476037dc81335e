"""Glue every tab shares: the request's language, who is asking, and errors shown as errors.

Handlers stay thin: they read the request's language, call the engine or a pure view
function, and let `shows_errors` turn a `UserError` into a `gr.Error` with its remedy in
that language. Nothing fails silently: unexpected exceptions are logged with their
traceback and reach the person as a plain notice.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import gradio as gr

from kling_ui.i18n import Lang, UserError, pick_lang
from kling_ui.ui import views

log = logging.getLogger("kling_ui.ui")

F = TypeVar("F", bound=Callable[..., Any])

GENERATE_CONCURRENCY_ID = "kling-generate"
GENERATE_CONCURRENCY_LIMIT = 3


def lang_of(request: gr.Request | None) -> Lang:
    """The language of the person behind `request`, from its Accept-Language header."""
    if request is None:
        return "en"
    headers = getattr(request, "headers", None)
    return pick_lang(headers.get("accept-language") if headers is not None else None)


def _request_in(args: tuple[Any, ...], kwargs: dict[str, Any]) -> gr.Request | None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, gr.Request):
            return value
    return None


def shows_errors(fn: F) -> F:
    """Wrap an event handler so every failure reaches the person in their language.

    A `UserError` becomes a `gr.Error` with its message and remedy; `gr.Error` passes as
    it is; anything else is logged with its traceback and shown as a plain notice. The
    handler must take a `gr.Request` parameter for the language to be known.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except UserError as exc:
            lang = lang_of(_request_in(args, kwargs))
            log.info("refused: %s", exc)
            raise gr.Error(exc.text(lang), print_exception=False) from exc
        except Exception as exc:
            lang = lang_of(_request_in(args, kwargs))
            log.exception("handler %s failed", getattr(fn, "__name__", fn))
            raise gr.Error(views.error_message(exc, lang), print_exception=False) from exc

    return wrapper  # type: ignore[return-value]


def submitter_of(request: gr.Request | None, browser_id: Any) -> str:
    """Who is asking, for the engine's fair queue: the logged-in user, else the browser's
    stored id, else this page session."""
    username = getattr(request, "username", None) if request is not None else None
    if username:
        return f"user:{username}"[:200]
    if isinstance(browser_id, str) and browser_id:
        return f"browser:{browser_id}"[:200]
    session = getattr(request, "session_hash", None) if request is not None else None
    return f"session:{session or 'unknown'}"[:200]


def new_browser_id(current: Any) -> str:
    """The browser's id: the stored one, or a fresh random id the first time."""
    if isinstance(current, str) and current:
        return current
    return uuid.uuid4().hex


def frame_image(label_text: str, *, height: int, elem_id: str) -> gr.Image:
    """A first- or last-frame input: an image handed on as a file path (frame preparation
    reads the file as uploaded), from an upload or the clipboard."""
    return gr.Image(
        label=label_text,
        type="filepath",
        sources=["upload", "clipboard"],
        height=height,
        elem_id=elem_id,
    )
