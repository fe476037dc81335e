"""A transition strategy for a frame pair, computed locally from how alike the slides are.

Similar slides (same layout, small change) animate best as an in-place evolution with
little camera motion; very different slides need a camera-driven transition to carry the
change. The score is shown with the hint so the person can judge it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from PIL import Image

from kling_ui.frames import FrameSource, PreparedFrame, open_frame
from kling_ui.i18n import Text
from kling_ui.prompts.builder import PromptParts

Strategy = Literal["in_place", "camera"]

IN_PLACE_THRESHOLD = 0.6
"""Similarity at or above which the slides count as the same layout with a small change."""
GRID = (96, 54)  # thumbnail size both slides are compared at (16:9, 6 px blocks)
BLOCK = 6
STRUCTURE_WEIGHT = 0.75  # layout matters more than palette for how a transition reads
_C1 = (0.01 * 255) ** 2  # SSIM's stabilising constants for 8-bit values
_C2 = (0.03 * 255) ** 2

SUGGESTED_PARTS: dict[Strategy, PromptParts] = {
    "in_place": PromptParts(
        template="in_place_evolution",
        camera="gentle_drift",
        subject="in_place",
        environment="unchanged",
        text_stability="sharp_stable",
    ),
    "camera": PromptParts(
        template="camera_journey",
        camera="fly_through",
        subject="grow_shrink",
        environment="light_sweep",
        text_stability="crossfade",
    ),
}


@dataclass(frozen=True)
class StrategyHint:
    """What the comparison found and the prompt parts it suggests."""

    similarity: float
    """0 (nothing alike) .. 1 (identical), the weighted mix of the two scores below."""
    structure: float
    """Layout likeness: mean SSIM of greyscale thumbnails, 0..1."""
    colour: float
    """Palette likeness: colour-histogram intersection, 0..1."""
    strategy: Strategy
    parts: PromptParts
    explanation: Text

    @property
    def camera(self) -> str:
        """The suggested camera preset id."""
        return self.parts.camera or "static"


def strategy_hint(
    first: Image.Image | PreparedFrame | FrameSource,
    last: Image.Image | PreparedFrame | FrameSource,
) -> StrategyHint:
    """Compare two slides and suggest in-place evolution or a camera-driven transition.

    Fast at any input size: both images are reduced to 96x54 thumbnails first. Files and
    bytes are opened with the same safety checks as frame preparation (FrameError on refusal).
    """
    first_rgb, last_rgb = _thumbnail(first), _thumbnail(last)
    structure = _structure_similarity(first_rgb, last_rgb)
    colour = _colour_similarity(first_rgb, last_rgb)
    similarity = round(STRUCTURE_WEIGHT * structure + (1 - STRUCTURE_WEIGHT) * colour, 3)
    strategy: Strategy = "in_place" if similarity >= IN_PLACE_THRESHOLD else "camera"
    return StrategyHint(
        similarity=similarity,
        structure=round(structure, 3),
        colour=round(colour, 3),
        strategy=strategy,
        parts=SUGGESTED_PARTS[strategy],
        explanation=_explain(similarity, strategy),
    )


def _thumbnail(source: Image.Image | PreparedFrame | FrameSource) -> np.ndarray:
    """The image as a GRID-sized RGB array (aspect is not kept: both use the same grid)."""
    if isinstance(source, PreparedFrame):
        image = source.image()
    else:
        image = open_frame(source, at_least=(GRID[0] * 2, GRID[1] * 2))
    small = image.convert("RGB").resize(GRID, Image.Resampling.BOX, reducing_gap=2.0)
    return np.asarray(small, dtype=np.float64)


def _structure_similarity(first: np.ndarray, last: np.ndarray) -> float:
    """Mean SSIM over BLOCK x BLOCK tiles of the luma thumbnails, clipped to 0..1."""
    weights = np.array([0.299, 0.587, 0.114])
    a, b = first @ weights, last @ weights
    height, width = a.shape
    shape = (height // BLOCK, BLOCK, width // BLOCK, BLOCK)
    tiles_a = a[: shape[0] * BLOCK, : shape[2] * BLOCK].reshape(shape).swapaxes(1, 2)
    tiles_b = b[: shape[0] * BLOCK, : shape[2] * BLOCK].reshape(shape).swapaxes(1, 2)
    mean_a, mean_b = tiles_a.mean(axis=(2, 3)), tiles_b.mean(axis=(2, 3))
    var_a, var_b = tiles_a.var(axis=(2, 3)), tiles_b.var(axis=(2, 3))
    covariance = ((tiles_a - mean_a[..., None, None]) * (tiles_b - mean_b[..., None, None])).mean(
        axis=(2, 3)
    )
    ssim = ((2 * mean_a * mean_b + _C1) * (2 * covariance + _C2)) / (
        (mean_a**2 + mean_b**2 + _C1) * (var_a + var_b + _C2)
    )
    return float(np.clip(ssim.mean(), 0.0, 1.0))


def _colour_similarity(first: np.ndarray, last: np.ndarray) -> float:
    """Intersection of 8x8x8-bin colour histograms (1 = same palette in the same amounts)."""

    def histogram(pixels: np.ndarray) -> np.ndarray:
        bins = (pixels.reshape(-1, 3) // 32).astype(np.int64)
        index = bins[:, 0] * 64 + bins[:, 1] * 8 + bins[:, 2]
        counts = np.bincount(index, minlength=512).astype(np.float64)
        return counts / counts.sum()

    return float(np.minimum(histogram(first), histogram(last)).sum())


def _explain(similarity: float, strategy: Strategy) -> Text:
    """The hint in plain words, with the score behind it."""
    percent = round(similarity * 100)
    if strategy == "in_place":
        return Text(
            "The slides are {percent}% alike (same layout, small change): let the content "
            "evolve in place, with little camera motion.",
            "两页相似度为 {percent}%（版式相同、变化较小）：建议让内容原地演变，镜头尽量少动。",
        ).format(percent=percent)
    return Text(
        "The slides are only {percent}% alike: a camera-driven transition (flying through "
        "to the next slide) will carry the change better than morphing in place.",
        "两页相似度仅为 {percent}%：建议用镜头运动（穿越到下一页）来带动转场，比原地变形效果更好。",
    ).format(percent=percent)
