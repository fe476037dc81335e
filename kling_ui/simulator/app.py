"""The simulator's HTTP routes: Kling's image-to-video API, the video files, debug controls."""

from __future__ import annotations

import asyncio
import logging
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
_HIDDEN_CONFIG = ("access_key", "secret_key")


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
            return await _answer(request, ctx, _create, create=True)
        return await _answer(request, ctx, _query_or_list)

    async def video(request: Request) -> Response:
        name = request.path_params["name"]
        path = ctx.videos_dir / name
        if not _VIDEO_NAME.match(name) or not path.is_file():
            return PlainTextResponse("Not Found", status_code=404)
        return FileResponse(path, media_type="video/mp4")

    async def stats(request: Request) -> Response:
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
            log.info("config changed: %s", ", ".join(sorted(changes)))
        return JSONResponse({"config": _public_config(ctx.config)})

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

    async def reset(request: Request) -> Response:
        ctx.store.reset()
        ctx.faults.reseed()
        return JSONResponse({"reset": True})

    async def not_found(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 404
        return JSONResponse(
            envelope(1202, "Resource not found or method not allowed"), status_code=status
        )

    async def query(request: Request) -> Response:
        return await _answer(request, ctx, _query_one)

    return Starlette(
        routes=[
            Route(IMAGE2VIDEO, image2video, methods=["GET", "POST"]),
            Route(IMAGE2VIDEO + "/{task_id}", query, methods=["GET"]),
            Route("/videos/{name}", video, methods=["GET", "HEAD"]),
            Route("/debug/stats", stats, methods=["GET"]),
            Route("/debug/config", config, methods=["GET", "POST"]),
            Route("/debug/occupy", occupy, methods=["POST"]),
            Route("/debug/reset", reset, methods=["POST"]),
        ],
        exception_handlers={404: not_found, 405: not_found},
    )


async def _answer(
    request: Request, ctx: SimulatorContext, handler: Handler, *, create: bool = False
) -> Response:
    """Faults, auth and the handler, answered in Kling's envelope."""
    ctx.store.count_request(create=create)
    fault = ctx.faults.draw()
    if fault in (SERVER_ERROR, TOO_FAST):
        ctx.store.count_fault(fault)
        error = ctx.faults.server_error() if fault == SERVER_ERROR else ctx.faults.too_fast()
        return failure(error)
    config = ctx.config
    try:
        check_authorization(
            request.headers.get("authorization"), config.access_key, config.secret_key
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
        base_url=str(request.base_url).rstrip("/"),
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
    return task.created_data()


async def _query_one(request: Request, ctx: SimulatorContext) -> dict[str, Any]:
    return ctx.store.find(request.path_params["task_id"], time.time()).data()


async def _query_or_list(request: Request, ctx: SimulatorContext) -> Any:
    external = request.query_params.get("external_task_id")
    if external is not None:
        return ctx.store.find(external, time.time(), external_only=True).data()
    page_num = _int_param(request, "pageNum", 1, 1, 1000)
    page_size = _int_param(request, "pageSize", 30, 1, 500)
    return [task.data() for task in ctx.store.page(page_num, page_size, time.time())]


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


def _public_config(config: SimulatorConfig) -> dict[str, Any]:
    return {k: v for k, v in config.as_dict().items() if k not in _HIDDEN_CONFIG}
