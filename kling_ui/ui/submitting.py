"""The Studio's own refusal before a job reaches the one door (kling_ui.jobs.requests),
where the Studio, the prompt lab and the API prepare, save and submit their frames."""

from __future__ import annotations

from kling_ui.i18n import Text, UserError
from kling_ui.ui.texts import text
from kling_ui.ui.views import ControlState, blocked_text


def no_first_frame() -> UserError:
    """Generate was asked for without a first frame."""
    return UserError(
        "frame.missing_first", text("no_first_frame"), remedy=text("no_first_frame_remedy")
    )


def blocked(state: ControlState) -> UserError:
    """Generate was asked for while Kling's rules keep it off (`state.can_submit` false)."""
    return UserError(
        "generate.blocked", Text(blocked_text(state, "en"), blocked_text(state, "zh-CN"))
    )
