"""Glue every tab shares: the request's language, who is asking, and problems said in words.

Handlers stay thin: they read the request's language, call the engine or a pure view
function, and let `answers_in_words` turn a `UserError` into a notice in that language,
written into the notice box next to what caused it while every other output is left as it
is. A page event never raises `gr.Error`: Gradio would mark every output component of the
event with its red "Error" badge. Only the named API endpoints (`shows_errors`) raise, so
a script gets an exception. Nothing fails silently: unexpected exceptions are logged with
their traceback and reach the person as a plain notice; refused input is logged in one
line, never with a traceback.

The frame and deck uploads skip Gradio's own checks of a file (`uploads`), which
would fail before any handler runs (a text file named .png, a type not in the list) and
mark the event's outputs as errored; frame preparation and the deck loader refuse such
files with their own words instead.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

import gradio as gr

from kling_ui.i18n import Lang, UserError, pick_lang
from kling_ui.ui import views
from kling_ui.ui.uploads import LenientImage

log = logging.getLogger("kling_ui.ui")

F = TypeVar("F", bound=Callable[..., Any])

GENERATE_CONCURRENCY_ID = "kling-generate"
GENERATE_CONCURRENCY_LIMIT = 3
REMEMBERED_SESSIONS = 5000  # page sessions whose browser id is known (newest kept)
# How most page events are wired: no API endpoint and answered at once, outside the queue
# (`INSTANT`); the timer's, the loads' and the live ones also show no spinner (`QUIET`).
INSTANT: dict[str, Any] = {"api_visibility": "private", "queue": False}
QUIET: dict[str, Any] = {**INSTANT, "show_progress": "hidden"}

# The request of the event a `shows_errors` handler is answering, for code that serves the
# person but is not handed the request (e.g. `StudioContext.library`).
_CURRENT_REQUEST: contextvars.ContextVar[Any] = contextvars.ContextVar(
    "kling_ui_request", default=None
)


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
        token = _CURRENT_REQUEST.set(_request_in(args, kwargs))
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
        finally:
            _CURRENT_REQUEST.reset(token)

    return wrapper  # type: ignore[return-value]


def answers_in_words(outputs: int, notice: int = 0) -> Callable[[F], F]:
    """Wrap a page event handler so a failure becomes words next to its cause.

    The handler has `outputs` outputs (1: it returns one value, else a list or tuple) and
    the one at index `notice` is a notice box (`notice_box`). A `UserError` (or `gr.Error`)
    is logged in one line and written there in the person's language, with its remedy;
    anything else is logged with its traceback and said as a plain notice. Every other
    output is left unchanged (`gr.skip()`), so no component shows Gradio's error state. The
    handler must take a `gr.Request` parameter for the language to be known.
    """
    if not 0 <= notice < outputs:
        raise ValueError("the notice must be one of the outputs")

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            request = _request_in(args, kwargs)
            token = _CURRENT_REQUEST.set(request)
            try:
                return fn(*args, **kwargs)
            except UserError as exc:
                log.info("refused: %s", exc)
                message = exc.text(lang_of(request))
            except gr.Error as exc:
                log.info("refused: %s", exc.message)
                message = str(exc.message)
            except Exception as exc:
                log.exception("handler %s failed", getattr(fn, "__name__", fn))
                message = views.error_message(exc, lang_of(request))
            finally:
                _CURRENT_REQUEST.reset(token)
            return refusal(outputs, notice, message)

        return wrapper  # type: ignore[return-value]

    return decorate


def bound(handler: Callable[..., Any], *context: Any) -> Callable[..., Any]:
    """`handler` with its first arguments given (the `StudioContext`, a tab's components):
    what a page event is wired to. Like `functools.partial`, except that Gradio still sees
    the handler's name and the parameters it fills itself (`request: gr.Request`,
    `evt: gr.SelectData`), which it cannot find through a partial (it reads the annotations
    of a function only)."""
    signature = inspect.signature(handler)
    rest = list(signature.parameters.values())[len(context) :]

    @functools.wraps(handler)
    def event(*args: Any, **kwargs: Any) -> Any:
        return handler(*context, *args, **kwargs)

    event.__signature__ = signature.replace(parameters=rest)  # type: ignore[attr-defined]
    return event


def refusal(outputs: int, notice: int, message: str) -> Any:
    """The return value of a handler with `outputs` outputs that only says `message` in its
    notice box at index `notice` (every other output unchanged)."""
    said = views.notice_html(message, "error")
    if outputs == 1:
        return said
    values: list[Any] = [gr.skip()] * outputs
    values[notice] = said
    return values


def notice_box(elem_id: str, *, visible: bool = True) -> gr.HTML:
    """Where a handler's notices appear, next to the inputs they are about (empty: hidden)."""
    return gr.HTML(
        "", elem_id=elem_id, elem_classes=["kts-notice", "kts-hide-empty"], visible=visible
    )


def current_request() -> gr.Request | None:
    """The request of the `shows_errors` handler running now (None outside one)."""
    return _CURRENT_REQUEST.get()


class _SessionBrowsers:
    """Which browser id each page session carries (the page's load event and every event
    that sends the id say so), so a handler that is not sent the id still knows whose it is.
    Bounded: the newest `REMEMBERED_SESSIONS` sessions are kept."""

    def __init__(self, capacity: int = REMEMBERED_SESSIONS) -> None:
        self._ids: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()
        self._capacity = capacity

    def note(self, session: str, browser_id: str) -> None:
        with self._lock:
            self._ids.pop(session, None)
            self._ids[session] = browser_id
            while len(self._ids) > self._capacity:
                self._ids.popitem(last=False)

    def get(self, session: str) -> str | None:
        with self._lock:
            return self._ids.get(session)


_SESSION_BROWSERS = _SessionBrowsers()


def _session_of(request: gr.Request | None) -> str | None:
    session = getattr(request, "session_hash", None) if request is not None else None
    return session if isinstance(session, str) and session else None


def submitter_of(request: gr.Request | None, browser_id: Any = None) -> str:
    """Who is asking, and so who owns what they make (jobs, decks, presets): the logged-in
    user ("user:<name>"), else the browser's stored id ("browser:<id>"; when the event did
    not send it, the id this page session sent before), else this page or API session
    ("session:<hash>")."""
    username = getattr(request, "username", None) if request is not None else None
    if username:
        return f"user:{username}"[:200]
    session = _session_of(request)
    if isinstance(browser_id, str) and browser_id:
        if session is not None:
            _SESSION_BROWSERS.note(session, browser_id)
        return f"browser:{browser_id}"[:200]
    known = _SESSION_BROWSERS.get(session) if session is not None else None
    if known:
        return f"browser:{known}"[:200]
    return f"session:{session or 'unknown'}"[:200]


def new_browser_id(current: Any, request: gr.Request | None = None) -> str:
    """The browser's id: the stored one, or a fresh random id the first time; noted for the
    page session, so later events of the page know whose they are."""
    browser_id = current if isinstance(current, str) and current else uuid.uuid4().hex
    session = _session_of(request)
    if session is not None:
        _SESSION_BROWSERS.note(session, browser_id)
    return browser_id


def frame_image(label_text: Any, *, height: int, elem_id: str) -> gr.Image:
    """A first- or last-frame input: an image handed on as a file path (frame preparation
    reads the file as uploaded, and refuses what it cannot read in words), from an upload
    or the clipboard."""
    return LenientImage(
        label=label_text,
        type="filepath",
        sources=["upload", "clipboard"],
        height=height,
        elem_id=elem_id,
    )
