"""Create requests are checked like Kling checks them: 400 / 1201 with a message naming the
field, and nothing is created."""

from __future__ import annotations

import base64
import io
import socket

import pytest
from PIL import Image

from kling_ui.simulator import slide_png


def _image_b64(width: int, height: int, fmt: str = "PNG") -> str:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (90, 120, 200)).save(out, format=fmt)
    return base64.b64encode(out.getvalue()).decode()


def _assert_1201(response, *words: str) -> str:
    body = response.json()
    assert response.status_code == 400, response.text[:300]
    assert body["code"] == 1201 and body["data"] is None
    for word in words:
        assert word in body["message"]
    return body["message"]


REFUSED = {
    "unknown model": ({"model_name": "kling-v9"}, ["model_name"]),
    "no image": ({"image": None}, ["image"]),
    "data: prefix": ({"image": "data:image/png;base64,iVBORw0KGgo="}, ["image", "data:"]),
    "not base64": ({"image": "this is not base64!"}, ["image", "base64"]),
    "gif": ({"image": _image_b64(640, 360, "GIF")}, ["image", "format"]),
    "side under 300": ({"image": _image_b64(299, 400)}, ["image", "300"]),
    "too wide": ({"image": _image_b64(1000, 390)}, ["image", "aspect ratio"]),
    "too tall": ({"image": _image_b64(390, 1000)}, ["image", "aspect ratio"]),
    "tail too small": ({"image_tail": _image_b64(640, 200)}, ["image_tail", "300"]),
    "tail data: prefix": ({"image_tail": "data:image/png;base64,AAAA"}, ["image_tail"]),
    "long prompt": ({"prompt": "x" * 2501}, ["prompt", "2500"]),
    "long negative prompt": ({"negative_prompt": "x" * 2501}, ["negative_prompt", "2500"]),
    "cfg_scale on v2": ({"cfg_scale": 0.5}, ["cfg_scale"]),
    "cfg_scale above 1": ({"model_name": "kling-v1-6", "cfg_scale": 1.5}, ["cfg_scale"]),
    "cfg_scale below 0": ({"model_name": "kling-v1-6", "cfg_scale": -0.1}, ["cfg_scale"]),
    "mode": ({"mode": "ultra"}, ["mode"]),
    "duration as a number": ({"duration": 5}, ["duration"]),
    "duration 7": ({"duration": "7"}, ["duration"]),
    "sound before v2-6": ({"model_name": "kling-v2-5-turbo", "sound": "off"}, ["sound"]),
    "sound value": ({"sound": "loud", "image_tail": None}, ["sound"]),
    "sound on with tail on v2-6": ({"sound": "on"}, ["sound", "image_tail"]),
    "camera_control with tail": ({"camera_control": {"type": "simple"}}, ["camera_control"]),
    "static_mask with tail": ({"static_mask": "AAAA"}, ["static_mask"]),
    "dynamic_masks with tail": ({"dynamic_masks": [{"mask": "AAAA"}]}, ["dynamic_masks"]),
    "tail on v2-master": ({"model_name": "kling-v2-master"}, ["image_tail"]),
    "tail on v1 pro 10": ({"model_name": "kling-v1", "duration": "10"}, ["image_tail"]),
    "tail on v1-6 std": ({"model_name": "kling-v1-6", "mode": "std"}, ["image_tail"]),
    "callback not http": ({"callback_url": "ftp://example"}, ["callback_url"]),
}


@pytest.mark.parametrize("overrides,words", REFUSED.values(), ids=REFUSED.keys())
def test_invalid_create_is_refused_with_1201_naming_the_field(api, overrides, words):
    _assert_1201(api.create(**overrides), *words)
    stats = api.stats()
    assert stats["tasks"] == 0 and stats["create_attempts"] == 1


def test_tail_table_message_reads_like_kling(api):
    message = _assert_1201(api.create(model_name="kling-v2-5-turbo", mode="std"))
    assert message == "model/mode/duration(kling-v2-5-turbo/std/5) is not supported with image_tail"


def test_image_over_10_mb_is_refused(api):
    padded = slide_png(640, 360) + b"\0" * (10 * 1024 * 1024)
    _assert_1201(api.create(image=base64.b64encode(padded).decode()), "image", "10MB")


def test_body_that_is_not_json_is_1200(api):
    response = api.http.post("/v1/videos/image2video", content=b"{not json", headers=api.headers())
    assert response.status_code == 400 and response.json()["code"] == 1200


def test_duplicate_external_task_id_is_refused(api):
    api.create_ok(external_task_id="kts-same")
    _assert_1201(api.create(external_task_id="kts-same"), "external_task_id")
    assert api.stats()["created"] == {"kts-same": 1}


ACCEPTED = {
    "v2-6 pro 10 with tail": {"duration": "10"},
    "v2-6 tail with sound off": {"sound": "off"},
    "v2-6 single image with sound on": {"sound": "on", "image_tail": None},
    "v1 std 5 with tail": {"model_name": "kling-v1", "mode": "std", "cfg_scale": 0.5},
    "v1-6 pro 10 with tail": {"model_name": "kling-v1-6", "duration": "10", "cfg_scale": 1},
    "v2-master single image": {"model_name": "kling-v2-master", "image_tail": None},
    "prompts at 2500": {"prompt": "p" * 2500, "negative_prompt": "n" * 2500},
    "jpeg at the ratio limit": {"image": _image_b64(750, 300, "JPEG"), "image_tail": None},
    "no model_name (kling-v1)": {"model_name": None, "mode": "std"},
}


@pytest.mark.parametrize("overrides", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_valid_create_is_accepted(api, overrides):
    data = api.create_ok(**overrides)
    assert data["task_status"] == "submitted"


def test_image_url_is_fetched(api, receiver, slide_png):
    receiver.files["/first.png"] = slide_png(640, 360, text="From a URL")
    data = api.create_ok(image=f"{receiver.url}/first.png", image_tail=None)
    assert api.wait(data["task_id"])["task_status"] == "succeed"


def test_image_url_answering_404_is_refused(api, receiver):
    _assert_1201(api.create(image=f"{receiver.url}/missing.png"), "image")


def test_unreachable_image_url_is_refused(api):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    _assert_1201(api.create(image_tail=f"http://127.0.0.1:{free_port}/x.png"), "image_tail")
