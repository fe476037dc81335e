"""The create request's rules, checked the way Kling checks them (400 / 1201 naming the field)."""

from __future__ import annotations

import base64
import binascii
import io
from dataclasses import dataclass
from typing import Any

import httpx
from PIL import Image, UnidentifiedImageError

from kling_ui.simulator.catalog import DEFAULT_MODEL, MODELS
from kling_ui.simulator.envelope import ApiError, bad_request

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MIN_IMAGE_SIDE = 300
MAX_ASPECT = 2.5
MAX_PROMPT_CHARS = 2500
URL_FETCH_TIMEOUT = 5.0
IMAGE_FIELDS = ("image", "image_tail")
_TAIL_EXCLUSIVE = ("camera_control", "static_mask", "dynamic_masks")
_FORMATS = {"JPEG", "PNG"}


@dataclass(frozen=True, slots=True)
class CreateFields:
    """A create body whose plain fields passed; images are still their sources (base64/URL)."""

    model_name: str
    mode: str
    duration: str
    image: str
    image_tail: str | None
    prompt: str
    negative_prompt: str
    cfg_scale: float | None
    sound: str | None
    callback_url: str | None
    external_task_id: str | None


@dataclass(frozen=True, slots=True)
class CheckedImage:
    """An image that passed every rule: its bytes and pixel size."""

    data: bytes
    width: int
    height: int


def check_fields(body: Any) -> CreateFields:
    """Every rule that needs no image bytes; raises ApiError (1200/1201) on the first problem."""
    if not isinstance(body, dict):
        raise ApiError(400, 1200, "request body must be a JSON object")
    model_name = _optional_str(body, "model_name") or DEFAULT_MODEL
    model = MODELS.get(model_name)
    if model is None:
        raise bad_request(f"model_name is invalid: {model_name} is not supported")
    image = _optional_str(body, "image")
    if not image:
        raise bad_request("image is required")
    image_tail = _optional_str(body, "image_tail") or None
    mode = _optional_str(body, "mode") or "std"
    if mode not in ("std", "pro"):
        raise bad_request(f"mode is invalid: {mode} (use std or pro)")
    duration = body.get("duration", "5")
    if duration not in ("5", "10"):
        raise bad_request(f'duration is invalid: {duration!r} (use the string "5" or "10")')
    prompt = _optional_str(body, "prompt")
    negative_prompt = _optional_str(body, "negative_prompt")
    for name, text in (("prompt", prompt), ("negative_prompt", negative_prompt)):
        if len(text) > MAX_PROMPT_CHARS:
            raise bad_request(
                f"{name} is too long: {len(text)} characters, at most {MAX_PROMPT_CHARS}"
            )
    cfg_scale = _cfg_scale(body, model_name, model.cfg_scale)
    sound = _sound(body, model_name, model.sound)
    if image_tail:
        for name in _TAIL_EXCLUSIVE:
            if body.get(name) not in (None, "", [], {}):
                raise bad_request(f"{name} cannot be used together with image_tail")
        if (mode, duration) not in model.tail_combos:
            raise bad_request(
                f"model/mode/duration({model_name}/{mode}/{duration}) "
                "is not supported with image_tail"
            )
        if sound == "on" and model.tail_silent_only:
            raise bad_request(f"sound on is not supported with image_tail on {model_name}")
    callback_url = _optional_str(body, "callback_url") or None
    if callback_url and not callback_url.startswith(("http://", "https://")):
        raise bad_request("callback_url is invalid: it must be an http(s) URL")
    external_task_id = _optional_str(body, "external_task_id") or None
    return CreateFields(
        model_name=model_name,
        mode=mode,
        duration=duration,
        image=image,
        image_tail=image_tail,
        prompt=prompt,
        negative_prompt=negative_prompt,
        cfg_scale=cfg_scale,
        sound=sound,
        callback_url=callback_url,
        external_task_id=external_task_id,
    )


def is_url(source: str) -> bool:
    """Whether an image field holds a URL rather than base64."""
    return source.startswith(("http://", "https://"))


def decode_base64_image(source: str, field: str) -> bytes:
    """The bytes of a base64 image field; a `data:` prefix or non-base64 text is refused."""
    if source.lstrip().lower().startswith("data:"):
        raise bad_request(
            f"{field} is invalid: base64 must not start with a data: prefix "
            "(send only the base64 text)"
        )
    compact = "".join(source.split())
    if len(compact) > (MAX_IMAGE_BYTES * 4) // 3 + 4:
        raise bad_request(f"{field} is too large: at most 10MB")
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise bad_request(f"{field} is invalid: not valid base64") from None


async def fetch_image_url(url: str, field: str, timeout: float = URL_FETCH_TIMEOUT) -> bytes:
    """The bytes behind an image URL (fetched with a short timeout); 1201 if unreachable."""
    try:
        async with (
            httpx.AsyncClient(timeout=timeout, follow_redirects=True) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code != 200:
                raise bad_request(
                    f"{field} is invalid: the image URL answered HTTP {response.status_code}"
                )
            data = bytearray()
            async for chunk in response.aiter_bytes():
                data += chunk
                if len(data) > MAX_IMAGE_BYTES:
                    raise bad_request(f"{field} is too large: at most 10MB")
            return bytes(data)
    except httpx.HTTPError:
        raise bad_request(f"{field} is invalid: the image URL could not be fetched") from None


def check_image(data: bytes, field: str) -> CheckedImage:
    """Refuse anything but a decodable JPG/PNG of at most 10 MB, sides >= 300 px, ratio <= 2.5."""
    if len(data) > MAX_IMAGE_BYTES:
        raise bad_request(f"{field} is too large: {len(data)} bytes, at most 10MB")
    try:
        with Image.open(io.BytesIO(data)) as img:
            kind = img.format
            width, height = img.size
            if kind in _FORMATS:
                img.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise bad_request(f"{field} is invalid: not a readable JPG or PNG image") from None
    if kind not in _FORMATS:
        raise bad_request(f"{field} format is invalid: {kind}, only JPG/JPEG/PNG are supported")
    if min(width, height) < MIN_IMAGE_SIDE:
        raise bad_request(
            f"{field} is too small: {width}x{height}, each side must be at least {MIN_IMAGE_SIDE}px"
        )
    if not 1 / MAX_ASPECT <= width / height <= MAX_ASPECT:
        raise bad_request(
            f"{field} aspect ratio is invalid: {width}x{height}, it must be between 1:2.5 and 2.5:1"
        )
    return CheckedImage(data, width, height)


def _optional_str(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise bad_request(f"{name} is invalid: it must be a string")
    return value


def _cfg_scale(body: dict[str, Any], model_name: str, supported: bool) -> float | None:
    value = body.get("cfg_scale")
    if value is None:
        return None
    if not supported:
        raise bad_request(f"cfg_scale is not supported by model {model_name}")
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise bad_request(f"cfg_scale is invalid: {value!r}, it must be a number from 0 to 1")
    return float(value)


def _sound(body: dict[str, Any], model_name: str, supported: bool) -> str | None:
    value = body.get("sound")
    if value is None:
        return None
    if not supported:
        raise bad_request(f"sound is not supported by model {model_name}")
    if value not in ("on", "off"):
        raise bad_request(f"sound is invalid: {value!r} (use on or off)")
    return str(value)
