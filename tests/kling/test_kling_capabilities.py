"""The capability table refuses what Kling would refuse, before anything is sent."""

import pytest

from kling_ui.kling import capabilities
from kling_ui.kling.errors import UnsupportedRequest
from kling_ui.kling.models import CreateTaskRequest


def request(**fields) -> CreateTaskRequest:
    base = {"model_name": "kling-v2-6", "image": "AAAA", "image_tail": "BBBB", "mode": "pro"}
    return CreateTaskRequest(**(base | fields))


@pytest.mark.parametrize(
    ("model", "mode", "duration"),
    [
        ("kling-v1", "std", "5"),
        ("kling-v1", "pro", "5"),
        ("kling-v1-5", "pro", "10"),
        ("kling-v1-6", "pro", "5"),
        ("kling-v2-1", "pro", "10"),
        ("kling-v2-5-turbo", "pro", "5"),
        ("kling-v2-6", "pro", "10"),
    ],
)
def test_allowed_tail_combinations_pass(model, mode, duration):
    assert capabilities.check(request(model_name=model, mode=mode, duration=duration))


@pytest.mark.parametrize(
    ("model", "mode", "duration"),
    [
        ("kling-v1", "std", "10"),
        ("kling-v1-6", "std", "5"),
        ("kling-v2-5-turbo", "std", "5"),
        ("kling-v2-6", "std", "5"),
        ("kling-v2-master", "pro", "5"),
        ("kling-v2-1-master", "pro", "10"),
    ],
)
def test_forbidden_tail_combinations_are_refused_with_what_to_change(model, mode, duration):
    with pytest.raises(UnsupportedRequest) as info:
        capabilities.check(request(model_name=model, mode=mode, duration=duration))
    assert model in info.value.text("en")


def test_v2_6_with_a_tail_is_sent_silent():
    assert capabilities.check(request()).sound == "off"


def test_sound_on_with_a_tail_is_refused():
    with pytest.raises(UnsupportedRequest, match="silent"):
        capabilities.check(request(sound="on"))


def test_cfg_scale_is_refused_on_v2_models():
    with pytest.raises(UnsupportedRequest, match="cfg_scale"):
        capabilities.check(request(cfg_scale=0.5))


def test_cfg_scale_is_allowed_on_v1_models():
    assert capabilities.check(request(model_name="kling-v1-6", cfg_scale=0.5)).cfg_scale == 0.5


def test_prompt_over_2500_characters_is_refused_in_both_languages():
    with pytest.raises(UnsupportedRequest) as info:
        capabilities.check(request(prompt="镜" * 2501))
    assert "2501" in info.value.text("en") and "2501" in info.value.text("zh-CN")


def test_unknown_model_lists_the_known_ones():
    with pytest.raises(UnsupportedRequest) as info:
        capabilities.capability("kling-v9")
    assert "kling-v2-6" in info.value.text("en")


def test_settings_for_forces_pro_with_a_last_frame_and_says_why():
    mode, duration, note = capabilities.settings_for("kling-v2-6", "std", "5", has_tail=True)
    assert (mode, duration) == ("pro", "5")
    assert "pro" in note.en and "pro" in note.zh


def test_settings_for_leaves_single_frame_requests_alone():
    assert capabilities.settings_for("kling-v2-6", "std", "10", has_tail=False)[:2] == ("std", "10")


def test_settings_for_limits_v1_tail_to_5_seconds():
    assert capabilities.settings_for("kling-v1", "std", "10", has_tail=True)[:2] == ("std", "5")


def test_cost_estimate_is_known_for_every_mode_and_duration():
    assert capabilities.estimated_units("kling-v2-6", "pro", "10") == 5.0
    assert capabilities.estimated_units("kling-v1", "std", "5") == 1.0
