"""The prompt builder: presets from prompts/*.toml and the user's own, joined into one prompt.

Order follows the seed: camera movement, subject change, environment, text stability, then
extra free text. Prompts go to Kling in one language; lengths are counted as Unicode code
points against Kling's 2500-character limit.
"""

from kling_ui.prompts.builder import (
    DEFAULT_NEGATIVE,
    DEFAULT_TEMPLATE,
    MAX_PROMPT_CHARS,
    PART_FIELDS,
    PromptParts,
    build_negative_prompt,
    build_prompt,
    check_prompt_lengths,
    prompt_length,
    resolve_part,
    validate_prompt_lengths,
)
from kling_ui.prompts.library import BUILTIN_DIR, USER_FILE_NAME, PresetLibrary, load_library
from kling_ui.prompts.presets import (
    CATEGORIES,
    CATEGORY_LABELS,
    PART_CATEGORIES,
    Category,
    Preset,
)
from kling_ui.prompts.strategy import IN_PLACE_THRESHOLD, Strategy, StrategyHint, strategy_hint

__all__ = [
    "BUILTIN_DIR",
    "CATEGORIES",
    "CATEGORY_LABELS",
    "DEFAULT_NEGATIVE",
    "DEFAULT_TEMPLATE",
    "IN_PLACE_THRESHOLD",
    "MAX_PROMPT_CHARS",
    "PART_CATEGORIES",
    "PART_FIELDS",
    "USER_FILE_NAME",
    "Category",
    "Preset",
    "PresetLibrary",
    "PromptParts",
    "Strategy",
    "StrategyHint",
    "build_negative_prompt",
    "build_prompt",
    "check_prompt_lengths",
    "load_library",
    "prompt_length",
    "resolve_part",
    "strategy_hint",
    "validate_prompt_lengths",
]
