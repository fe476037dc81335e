"""What each Kling model accepts, checked before anything is sent (and shown in the UI).

The facts come from shared/KLING_API.md; where sources disagree the table takes the reading
that Kling accepts more often and lets the server have the last word.
"""

from __future__ import annotations

from dataclasses import dataclass

from kling_ui.i18n import Text
from kling_ui.kling.errors import UnsupportedRequest
from kling_ui.kling.models import CreateTaskRequest

MAX_PROMPT_CHARS = 2500


@dataclass(frozen=True, slots=True)
class ModelCapability:
    """One model's rules: which mode/duration pairs work with a last frame, and its extras."""

    name: str
    label: str
    tail_combos: frozenset[tuple[str, str]]
    cfg_scale: bool
    sound: bool
    fps: int

    @property
    def accepts_tail(self) -> bool:
        """Whether the model can animate from a first to a last frame at all."""
        return bool(self.tail_combos)

    def tail_modes(self) -> list[str]:
        """Modes that work with a last frame, in display order."""
        return [m for m in ("std", "pro") if any(c[0] == m for c in self.tail_combos)]

    def tail_durations(self, mode: str) -> list[str]:
        """Durations that work with a last frame in `mode`."""
        return [d for d in ("5", "10") if (mode, d) in self.tail_combos]


_PRO_BOTH = frozenset({("pro", "5"), ("pro", "10")})

MODELS: dict[str, ModelCapability] = {
    m.name: m
    for m in (
        ModelCapability("kling-v2-6", "Kling 2.6", _PRO_BOTH, cfg_scale=False, sound=True, fps=24),
        ModelCapability(
            "kling-v2-5-turbo", "Kling 2.5 Turbo", _PRO_BOTH, cfg_scale=False, sound=False, fps=24
        ),
        ModelCapability("kling-v2-1", "Kling 2.1", _PRO_BOTH, cfg_scale=False, sound=False, fps=24),
        ModelCapability(
            "kling-v2-1-master",
            "Kling 2.1 Master",
            frozenset(),
            cfg_scale=False,
            sound=False,
            fps=24,
        ),
        ModelCapability(
            "kling-v2-master",
            "Kling 2.0 Master",
            frozenset(),
            cfg_scale=False,
            sound=False,
            fps=24,
        ),
        ModelCapability("kling-v1-6", "Kling 1.6", _PRO_BOTH, cfg_scale=True, sound=False, fps=30),
        ModelCapability("kling-v1-5", "Kling 1.5", _PRO_BOTH, cfg_scale=True, sound=False, fps=30),
        ModelCapability(
            "kling-v1",
            "Kling 1.0",
            frozenset({("std", "5"), ("pro", "5")}),
            cfg_scale=True,
            sound=False,
            fps=30,
        ),
    )
}

DEFAULT_MODEL = "kling-v2-6"

# Units Kling deducts per task (its published price sheet for image-to-video, v2.x rates;
# the query's final_unit_deduction is the real figure and replaces this once known).
_UNITS: dict[tuple[str, str], float] = {
    ("std", "5"): 1.5,
    ("std", "10"): 3.0,
    ("pro", "5"): 2.5,
    ("pro", "10"): 5.0,
}
_UNITS_V1: dict[tuple[str, str], float] = {
    ("std", "5"): 1.0,
    ("std", "10"): 2.0,
    ("pro", "5"): 3.5,
    ("pro", "10"): 7.0,
}


def estimated_units(model: str, mode: str, duration: str) -> float | None:
    """Units a task of these settings is expected to cost, or None when unknown."""
    table = _UNITS_V1 if model.startswith("kling-v1") else _UNITS
    return table.get((mode, duration))


def capability(model: str) -> ModelCapability:
    """The rules of `model`; an unknown model is refused with the list of known ones."""
    try:
        return MODELS[model]
    except KeyError:
        raise UnsupportedRequest(
            f"unknown model {model!r}",
            detail=Text(f"there is no model {model!r}.", f"没有名为 {model!r} 的模型。"),
            remedy=Text(
                "Choose one of: " + ", ".join(MODELS) + ".",
                "请选择以下模型之一：" + "、".join(MODELS) + "。",
            ),
        ) from None


def problems(request: CreateTaskRequest) -> list[Text]:
    """Everything the capability table forbids in `request`, each saying what to change."""
    cap = capability(request.model_name)
    found: list[Text] = []
    if request.image_tail:
        combo = (request.mode, request.duration)
        if not cap.accepts_tail:
            found.append(
                Text(
                    f"{request.model_name} cannot use a last frame; choose kling-v2-6, "
                    "kling-v2-5-turbo, kling-v2-1, kling-v1-6, kling-v1-5 or kling-v1.",
                    f"{request.model_name} 不支持尾帧；请选择 kling-v2-6、kling-v2-5-turbo、"
                    "kling-v2-1、kling-v1-6、kling-v1-5 或 kling-v1。",
                )
            )
        elif combo not in cap.tail_combos:
            allowed = ", ".join(f"{m} {d}s" for m, d in sorted(cap.tail_combos))
            found.append(
                Text(
                    f"{request.model_name} with a last frame supports only {allowed}; "
                    f"{request.mode} {request.duration}s is not one of them.",
                    f"{request.model_name} 使用尾帧时仅支持 {allowed}；"
                    f"{request.mode} {request.duration} 秒不在其中。",
                )
            )
        if request.sound == "on":
            found.append(
                Text(
                    "A first+last frame video is silent: turn sound off.",
                    "首尾帧视频不支持声音：请关闭声音。",
                )
            )
    if request.cfg_scale is not None and not cap.cfg_scale:
        found.append(
            Text(
                f"cfg_scale works only with kling-v1.x models, not {request.model_name}.",
                f"cfg_scale 仅适用于 kling-v1.x 模型，不适用于 {request.model_name}。",
            )
        )
    if request.sound is not None and not cap.sound:
        found.append(
            Text(
                f"{request.model_name} has no sound option; leave it unset.",
                f"{request.model_name} 没有声音选项；请不要设置。",
            )
        )
    for field in ("prompt", "negative_prompt"):
        text = getattr(request, field) or ""
        if len(text) > MAX_PROMPT_CHARS:
            found.append(
                Text(
                    f"The {field.replace('_', ' ')} has {len(text)} characters; "
                    f"Kling accepts at most {MAX_PROMPT_CHARS}. Shorten it.",
                    f"{'提示词' if field == 'prompt' else '反向提示词'}共 {len(text)} 个字符，"
                    f"可灵最多接受 {MAX_PROMPT_CHARS} 个，请缩短。",
                )
            )
    return found


def check(request: CreateTaskRequest) -> CreateTaskRequest:
    """Refuse `request` with UnsupportedRequest if the table forbids it; return it otherwise.

    Also fills what the rules require: a first+last frame on a sound-capable model is sent
    with `sound: "off"`.
    """
    found = problems(request)
    if found:
        raise UnsupportedRequest(
            "; ".join(t.en for t in found),
            detail=Text(" ".join(t.en for t in found), " ".join(t.zh for t in found)),
        )
    cap = MODELS[request.model_name]
    if request.image_tail and cap.sound and request.sound is None:
        request = request.model_copy(update={"sound": "off"})
    return request


def settings_for(model: str, mode: str, duration: str, *, has_tail: bool) -> tuple[str, str, Text]:
    """The nearest allowed (mode, duration) for these wishes, and a note on what changed and why.

    The UI uses it to apply the rules as the person picks: a last frame forces pro on models
    whose tail combos are pro-only, and says so.
    """
    cap = capability(model)
    note = Text("", "")
    if not has_tail or not cap.accepts_tail:
        return mode, duration, note
    if (mode, duration) in cap.tail_combos:
        return mode, duration, note
    modes = cap.tail_modes()
    new_mode = mode if mode in modes else modes[-1]
    durations = cap.tail_durations(new_mode)
    new_duration = duration if duration in durations else durations[0]
    if new_mode != mode:
        note = Text(
            f"{model} needs {new_mode} mode for a first+last frame video, so mode is {new_mode}.",
            f"{model} 的首尾帧视频需要 {new_mode} 模式，已切换为 {new_mode}。",
        )
    if new_duration != duration:
        note = note + Text(
            f" {model} with a last frame makes {new_duration}s videos only in this mode.",
            f" {model} 使用尾帧时在此模式下仅支持 {new_duration} 秒。",
        )
    return new_mode, new_duration, note
