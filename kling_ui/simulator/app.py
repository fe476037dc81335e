"""The simulator's HTTP routes: Kling's image-to-video API, the video files, debug controls.

Every API request is, in order: dropped if the API is unreachable, counted, given its drawn
fault, checked for auth, and answered in Kling's envelope (realworld shapes when configured).
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from kling_ui.simulator import realworld
from kling_ui.simulator.auth import check_authorization
from kling_ui.simulator.catalog import MODELS, output_height
from kling_ui.simulator.config import SimulatorConfig
from kling_ui.simulator.envelope import (
    SUCCESS_MESSAGE,
    ApiError,
    bad_request,
    envelope,
    failure,
)
from kling_ui.simulator.faults import (
    DROP,
    SERVER_ERROR,
    SLOW,
    TOO_FAST,
    DroppedResponse,
    FaultInjector,
)
from kling_ui.simulator.render import RenderJob
from kling_ui.simulator.simtask import SimTask
from kling_ui.simulator.tasks import TaskStore
from kling_ui.simulator.validation import (
    IMAGE_FIELDS,
    check_fields,
    check_image,
    decode_base64_image,
    fetch_image_url,
    is_url,
)
from kling_ui.simulator.workers import LifecycleClock, RenderWorker

log = logging.getLogger("kling_ui.simulator.app")

IMAGE2VIDEO = "/v1/videos/image2video"
_VIDEO_NAME = re.compile(r"^[A-Za-z0-9_-]+\.mp4$")
UNKNOWN_TASK_400_MESSAGE = "the task does not exist"


@dataclass
class SimulatorContext:
    """Everything the routes work with."""

    config: SimulatorConfig
    store: TaskStore
    faults: FaultInjector
    renderer: RenderWorker
    clock: LifecycleClock
    videos_dir: Path


Handler = Callable[[Request, SimulatorContext], Awaitable[Any]]


def create_app(ctx: SimulatorContext) -> Starlette:
    """The ASGI app serving Kling's contract over `ctx`."""

    async def image2video(request: Request) -> Response:
        if request.method == "POST":
            return await _answer(request, ctx, _create, "create")
        external = request.query_params.get("external_task_id")
        kind = "list" if external is None else "lookup"
        return await _answer(request, ctx, _query_or_list, kind, external)

    async def video(request: Request) -> Response:
        name = request.path_params["name"]
        path = ctx.videos_dir / name
        if not _VIDEO_NAME.match(name) or not path.is_file():
            return PlainTextResponse("Not Found", status_code=404)
        return FileResponse(path, media_type="video/mp4")

    async def stats(request: Request) -> Response:
        _sync_foreign(request, ctx)
        return JSONResponse(ctx.store.stats(time.time()))

    async def config(request: Request) -> Response:
        if request.method == "POST":
            try:
                changes = await request.json()
                if not isinstance(changes, dict):
                    raise ValueError("send a JSON object of SimulatorConfig fields")
                ctx.config.apply(changes)
            except ValueError as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
            if "seed" in changes:
                ctx.faults.reseed()
                ctx.store.reseed(ctx.config.seed)
            _sync_foreign(request, ctx, restart="foreign_in_flight" in changes)
            log.info("config changed: %s", ", ".join(sorted(changes)))
        return JSONResponse({"config": ctx.config.public_dict()})

    async def occupy(request: Request) -> Response:
        try:
            body = await request.json()
            slots, seconds = body["slots"], body["seconds"]
            if isinstance(slots, bool) or not isinstance(slots, int) or slots < 1:
                raise ValueError("slots must be a whole number of at least 1")
            if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds <= 0:
                raise ValueError("seconds must be a positive number")
        except (ValueError, KeyError, TypeError) as exc:
            return JSONResponse({"error": f"send {{slots, seconds}}: {exc}"}, status_code=400)
        ctx.store.occupy(slots, float(seconds), time.time())
        ctx.clock.wake()
        return JSONResponse(ctx.store.stats(time.time()))

    async def hurry(request: Request) -> Response:
        hurried = ctx.store.hurry(time.time())
        ctx.clock.wake()
        return JSONResponse({"hurried": hurried})

    async def reset(request: Request) -> Response:
        ctx.store.reset()
        ctx.store.reseed(ctx.config.seed)
        ctx.faults.reseed()
        ctx.faults.set_unreachable(None)
        return JSONResponse({"reset": True})

    async def unreachable(request: Request) -> Response:
        now = time.time()
        if request.method == "POST":
            try:
                ctx.faults.set_unreachable(_unreachable_until(await request.json(), now))
            except (ValueError, TypeError) as exc:
                message = f'send {{"seconds": N}} or {{"on": true|false}}: {exc}'
                return JSONResponse({"error": message}, status_code=400)
        return JSONResponse(ctx.faults.unreachable_state(now))

    async def not_found(request: Request, exc: Exception) -> Response:
        if _is_api(request.url.path) and ctx.faults.unreachable(time.time()):
            ctx.store.count_unreachable()
            return DroppedResponse()
        status = exc.status_code if isinstance(exc, HTTPException) else 404
        return JSONResponse(
            envelope(1202, "Resource not found or method not allowed"), status_code=status
        )

    async def query(request: Request) -> Response:
        return await _answer(request, ctx, _query_one, "query", request.path_params["task_id"])

    return Starlette(
        routes=[
            Route(IMAGE2VIDEO, image2video, methods=["GET", "POST"]),
            Route(IMAGE2VIDEO + "/{task_id}", query, methods=["GET"]),
            Route("/videos/{name}", video, methods=["GET", "HEAD"]),
            Route("/debug/stats", stats, methods=["GET"]),
            Route("/debug/config", config, methods=["GET", "POST"]),
            Route("/debug/occupy", occupy, methods=["POST"]),
            Route("/debug/hurry", hurry, methods=["POST"]),
            Route("/debug/reset", reset, methods=["POST"]),
            Route("/debug/unreachable", unreachable, methods=["GET", "POST"]),
        ],
        exception_handlers={404: not_found, 405: not_found},
    )


async def _answer(
    request: Request,
    ctx: SimulatorContext,
    handler: Handler,
    kind: str,
    target: str | None = None,
) -> Response:
    """Unreachability, faults, auth and the handler, answered in Kling's envelope. `kind` and
    `target` say what the request is for the stats (see TaskStore.count_request)."""
    if ctx.faults.unreachable(time.time()):
        ctx.store.count_unreachable()
        return DroppedResponse()
    _sync_foreign(request, ctx)
    ctx.store.count_request(kind, target)
    busy = ctx.faults.busy_account() if kind == "create" else None
    if busy is not None:
        ctx.store.count_fault("1303")
        return failure(busy)
    fault = ctx.faults.draw()
    if fault in (SERVER_ERROR, TOO_FAST):
        ctx.store.count_fault(fault)
        error = ctx.faults.server_error() if fault == SERVER_ERROR else ctx.faults.too_fast()
        return failure(error)
    config = ctx.config
    try:
        check_authorization(
            request.headers.get("authorization"),
            config.access_key,
            config.secret_key,
            config.api_key,
        )
        body, status = envelope(0, SUCCESS_MESSAGE, await handler(request, ctx)), 200
    except ApiError as error:
        body, status = envelope(error.code, error.message), error.http_status
    if fault == DROP:
        ctx.store.count_fault(fault)
        return DroppedResponse(body)
    if fault == SLOW:
        ctx.store.count_fault(fault)
        await asyncio.sleep(config.slow_seconds)
    return JSONResponse(body, status_code=status)


async def _create(request: Request, ctx: SimulatorContext) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise ApiError(400, 1200, "request body is not valid JSON") from None
    fields = check_fields(body)
    images = {}
    for name in IMAGE_FIELDS:
        source = getattr(fields, name)
        if source is None:
            continue
        data = (
            await fetch_image_url(source, name)
            if is_url(source)
            else await run_in_threadpool(decode_base64_image, source, name)
        )
        images[name] = await run_in_threadpool(check_image, data, name)
    config = ctx.config
    task = ctx.store.create(
        now=time.time(),
        concurrency=config.concurrency,
        external_task_id=fields.external_task_id,
        model_name=fields.model_name,
        mode=fields.mode,
        duration=fields.duration,
        latency=config.latency,
        fail_message=ctx.faults.failure_message(),
        callback_url=fields.callback_url,
        base_url=_base_url(request),
        realworld=config.realworld,
        aspect_ratio=_ratio(images["image"].width, images["image"].height),
    )
    if task.fail_message is None:
        tail = images.get("image_tail")
        ctx.renderer.submit(
            task.task_id,
            RenderJob(
                first=images["image"].data,
                last=tail.data if tail is not None else None,
                fps=MODELS[fields.model_name].fps,
                seconds=int(fields.duration),
                height=output_height(fields.mode, config.render_height),
                output=ctx.videos_dir / f"{task.task_id}.mp4",
            ),
        )
    ctx.clock.wake()
    log.info("created %s (%s %s %ss)", task.task_id, task.model_name, task.mode, task.duration)
    return realworld.created_data(task) if config.realworld else task.created_data()


async def _query_one(request: Request, ctx: SimulatorContext) -> dict[str, Any] | None:
    """The path form: the task by task_id or external_task_id; unknown ids answered as the
    config's unknown_id_mode says."""
    asked, now = request.path_params["task_id"], time.time()
    task = ctx.store.lookup(asked, now)
    if task is None:
        return _unknown(ctx.config, asked)
    return _shape(ctx.config, task, now)


async def _query_or_list(request: Request, ctx: SimulatorContext) -> Any:
    """The `?external_task_id=` query, else one page of the list.

    The query answers the task (realworld: a list holding it, or an empty list or null for
    an unknown id). The list is newest first, or in a fixed shuffled order in realworld mode.
    """
    config, now = ctx.config, time.time()
    external = request.query_params.get("external_task_id")
    if external is not None:
        task = ctx.store.lookup(external, now, external_only=True)
        if config.realworld:
            if task is None:
                return None if config.unknown_id_mode == "null" else []
            return [_shape(config, task, now, listed=True)]
        return _shape(config, task, now) if task is not None else _unknown(config, external)
    page_num = _int_param(request, "pageNum", 1, 1, 1000)
    page_size = _int_param(request, "pageSize", 30, 1, 500)
    page = ctx.store.page(page_num, page_size, now, shuffled=config.realworld)
    return [_shape(config, task, now, listed=True) for task in page]


def _shape(config: SimulatorConfig, task: SimTask, now: float, *, listed: bool = False) -> Any:
    """The task's `data` object in the configured shape."""
    if config.realworld:
        return realworld.query_data(task, now, listed=listed)
    return task.data()


def _unknown(config: SimulatorConfig, asked: str) -> None:
    """The answer to an unknown id: None (data null), or the 400/1201 or 404/1203 refusal."""
    mode = config.unknown_id_mode
    if mode == "null":
        return None
    if mode == "400":
        raise bad_request(UNKNOWN_TASK_400_MESSAGE)
    raise ApiError(404, 1203, f"task not found: {asked}")


def _sync_foreign(request: Request, ctx: SimulatorContext, *, restart: bool = False) -> None:
    """Bring the foreign tasks in line with the config (see TaskStore.sync_foreign)."""
    config = ctx.config
    changed = ctx.store.sync_foreign(
        finished=config.foreign_tasks,
        in_flight=config.foreign_in_flight,
        latency=config.latency,
        now=time.time(),
        base_url=_base_url(request),
        restart=restart,
    )
    if changed:
        ctx.clock.wake()


def _unreachable_until(body: Any, now: float) -> float | None:
    """The end of the unreachable phase a /debug/unreachable body asks for (None: off)."""
    if not isinstance(body, dict):
        raise ValueError("send a JSON object")
    if "seconds" in body:
        seconds = body["seconds"]
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds <= 0:
            raise ValueError("seconds must be a positive number")
        return now + float(seconds)
    if isinstance(body.get("on"), bool):
        return math.inf if body["on"] else None
    raise ValueError("name seconds or on")


def _is_api(path: str) -> bool:
    return path.startswith("/v1/")


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _ratio(width: int, height: int) -> str:
    divisor = math.gcd(width, height) or 1
    return f"{width // divisor}:{height // divisor}"


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise bad_request(f"{name} is invalid: {raw!r}, it must be from {low} to {high}")
    return value
