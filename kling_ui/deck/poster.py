"""A clip's poster: its first frame as a picture."""

from __future__ import annotations

from pathlib import Path

import av
from PIL import Image

from kling_ui.video import NotAVideo


def first_frame(clip: Path) -> Image.Image:
    """The first frame the clip shows, in RGB. Raises `NotAVideo` when there is none."""
    try:
        with av.open(str(clip)) as container:
            if not container.streams.video:
                raise NotAVideo(f"{clip.name}: no video stream")
            for frame in container.decode(video=0):
                return frame.to_image().convert("RGB")
    except (av.error.FFmpegError, OSError) as exc:
        raise NotAVideo(f"{clip.name}: {exc.__class__.__name__}") from exc
    raise NotAVideo(f"{clip.name}: no decodable frame")
