"""The person's own presets as a file: written for download, read back from an upload, and
the Studio's preset menus as they stand afterwards. Plain functions over a `PresetLibrary`
and paths: no Gradio here. The library handed in is the asker's own (built-in presets plus
theirs: `StudioContext.library` inside an event), so an export holds only their presets and
an import reaches only their menus."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from kling_ui.i18n import Text, UserError
from kling_ui.prompts import PresetLibrary
from kling_ui.ui.prompting import CATEGORY_OF, PART_FIELDS, menu_choices
from kling_ui.ui.texts import add_strings, say

EXPORT_PREFIX = "kling-presets-"
EXPORT_FOLDER = "kling-ui-presets"

add_strings(
    {
        "presets_files": Text("Your presets", "您的预设"),
        "presets_files_info": Text(
            "Download the presets you saved (from the Prompt lab) as a JSON file, or add "
            "presets from such a file. Presets with the same id are replaced.",
            "把您保存的预设（来自提示词实验室）下载为 JSON 文件，或从这样的文件导入预设。"
            "id 相同的预设会被替换。",
        ),
        "presets_download": Text("Download my presets", "下载我的预设"),
        "presets_file": Text("Presets file", "预设文件"),
        "presets_upload": Text("Import presets from a file", "从文件导入预设"),
        "presets_exported": Text(
            "{count} presets of your own are in the file.",
            "文件中包含您自己的 {count} 个预设。",
        ),
        "presets_imported": Text(
            "Imported {count} presets; the Studio's menus offer them now.",
            "已导入 {count} 个预设，工作室的菜单中现在可以选择它们。",
        ),
    }
)


def export_folder() -> Path:
    """Where download copies are written: one folder in the system's temporary directory
    (Gradio serves files from there and copies them into its own cache)."""
    return Path(tempfile.gettempdir()) / EXPORT_FOLDER


def export_file(library: PresetLibrary, folder: Path) -> Path:
    """Write the user presets' export into `folder` and return the file. The name carries
    the content's hash, so the same presets exported again reuse one file."""
    document = library.export_user_presets().encode("utf-8")
    digest = hashlib.sha256(document).hexdigest()[:12]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{EXPORT_PREFIX}{digest}.json"
    if not path.is_file():
        partial = path.with_suffix(".part")
        partial.write_bytes(document)
        partial.replace(path)
    return path


def exported_note(library: PresetLibrary, lang: str | None) -> str:
    """What the person is told about a fresh download: how many presets it holds."""
    return say("presets_exported", lang, count=len(library.user_presets()))


def unreadable_upload(path: str, problem: str) -> UserError:
    """An uploaded file that cannot be read at all."""
    return UserError(
        "prompt.bad_import",
        Text(
            f"Cannot import presets: the file cannot be read ({problem}).",
            f"无法导入预设：文件无法读取（{problem}）。",
        ),
        remedy=Text("Upload the file again.", "请重新上传该文件。"),
    )


def import_file(library: PresetLibrary, path: str | Path) -> int:
    """Import the presets of an uploaded file; how many were imported. The library refuses
    (UserError) anything that is not its own export and a file over its 1 MB limit (uploads
    are capped by the page's own limit, so reading the whole file is bounded)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise unreadable_upload(str(path), exc.strerror or type(exc).__name__) from None
    return library.import_user_presets(data)


def studio_menus(library: PresetLibrary, lang: str | None) -> list[list[tuple[str, str]]]:
    """The Studio's preset menus' choices: the template menu, then one menu per prompt part
    (in `PART_FIELDS` order), labels in `lang`."""
    parts = [
        menu_choices(library, CATEGORY_OF[name], lang, none_label=say("none_preset", lang))
        for name in PART_FIELDS
    ]
    return [library.choices("template", lang), *parts]
