"""Frame preparation: any slide image in, a Kling-ready PNG or JPEG out.

Opens files safely (decompression-bomb guard on), turns them upright, keeps the first frame,
converts every mode to 8-bit sRGB RGB, flattens transparency, brings first and last frame to
one size within Kling's limits (sides >= 300 px, ratio 1:2.5..2.5:1), and encodes under the
byte cap, deterministically, with a plain report of every change. A PNG that already meets
every limit at the size the pair needs is kept byte for byte (see passthrough.py).
"""

from kling_ui.frames.decode import ALLOWED_FORMATS
from kling_ui.frames.encode import DEFAULT_MAX_BYTES
from kling_ui.frames.errors import FrameError
from kling_ui.frames.geometry import (
    FIT_POLICIES,
    MAX_RATIO,
    MIN_SIDE,
    SLIDE_TARGET,
    FitPolicy,
    choose_target,
)
from kling_ui.frames.prepare import (
    WHITE,
    PreparedFrame,
    PreparedPair,
    open_frame,
    parse_colour,
    prepare_frame,
    prepare_pair,
)
from kling_ui.frames.sources import DEFAULT_UPLOAD_CAP, FrameSource

__all__ = [
    "ALLOWED_FORMATS",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_UPLOAD_CAP",
    "FIT_POLICIES",
    "MAX_RATIO",
    "MIN_SIDE",
    "SLIDE_TARGET",
    "WHITE",
    "FitPolicy",
    "FrameError",
    "FrameSource",
    "PreparedFrame",
    "PreparedPair",
    "choose_target",
    "open_frame",
    "parse_colour",
    "prepare_frame",
    "prepare_pair",
]
