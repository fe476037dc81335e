"""The prompt and frame-fit options every generating CLI command shares."""

from __future__ import annotations

import argparse

from kling_ui.frames import FIT_POLICIES, FitPolicy
from kling_ui.prompts.builder import PromptParts, build_prompt, validate_prompt_lengths
from kling_ui.prompts.library import PresetLibrary

_PART_HELP = "a {what} preset id (see `python -m kling_ui presets`) or your own words in quotes"


def add_prompt_options(parser: argparse.ArgumentParser) -> None:
    """Add --camera, --subject, --environment, --text, --template and --fit to a parser."""
    group = parser.add_argument_group(
        "prompt builder",
        "Build the prompt from presets or free text, in the order camera, subject, "
        "environment, text stability. With none of these, the seed template is used.",
    )
    group.add_argument("--camera", metavar="ID|TEXT", help=_PART_HELP.format(what="camera"))
    group.add_argument("--subject", metavar="ID|TEXT", help=_PART_HELP.format(what="subject"))
    group.add_argument(
        "--environment", metavar="ID|TEXT", help=_PART_HELP.format(what="environment")
    )
    group.add_argument(
        "--text",
        dest="text_stability",
        metavar="ID|TEXT",
        help=_PART_HELP.format(what="text-stability"),
    )
    group.add_argument(
        "--template",
        metavar="ID",
        help="start from a whole-prompt template; the options above replace its parts",
    )
    group.add_argument(
        "--fit",
        choices=FIT_POLICIES,
        default="fit",
        help="how frames are brought to one size: fit (scale and pad with the edge colour, "
        "the default), cover (centre-crop) or stretch",
    )


def prompt_from_args(
    args: argparse.Namespace, library: PresetLibrary, lang: str | None, extra: str = ""
) -> tuple[str, PromptParts, FitPolicy]:
    """The prompt, the parts it was built from and the fit policy the options ask for.

    `extra` (e.g. a command's own --prompt text) follows the built parts. With no part, no
    template and no extra, the seed template is used. Raises UserError for an unknown preset
    id or a prompt over Kling's 2500 characters.
    """
    parts = PromptParts(
        camera=getattr(args, "camera", None),
        subject=getattr(args, "subject", None),
        environment=getattr(args, "environment", None),
        text_stability=getattr(args, "text_stability", None),
        template=getattr(args, "template", None),
        extra=extra or "",
    )
    has_parts = any(
        (parts.camera, parts.subject, parts.environment, parts.text_stability, parts.template)
    )
    if not has_parts and not parts.extra.strip():
        parts = PromptParts.default()
    prompt = build_prompt(parts, library, lang)
    validate_prompt_lengths(prompt)
    return prompt, parts, getattr(args, "fit", None) or "fit"
