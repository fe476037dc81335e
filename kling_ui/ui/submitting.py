"""The Studio's own refusal before a job reaches the one door (kling_ui.jobs.requests),
where the Studio, the prompt lab and the API prepare, save and submit their frames."""

from __future__ import annotations

from kling_ui.i18n import UserError
from kling_ui.ui.texts import text


def no_first_frame() -> UserError:
    """Generate was asked for without a first frame."""
    return UserError(
        "frame.missing_first", text("no_first_frame"), remedy=text("no_first_frame_remedy")
    )
