"""The preset library: built-in presets from prompts/*.toml plus the person's own presets."""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import cast

from kling_ui.i18n import Text, UserError
from kling_ui.prompts.joining import join_clauses
from kling_ui.prompts.presets import (
    CATEGORIES,
    PART_CATEGORIES,
    Category,
    Preset,
    PresetProblem,
    bad_preset_error,
    parse_preset,
)

log = logging.getLogger("kling_ui.prompts")

BUILTIN_DIR = Path(__file__).resolve().parents[2] / "prompts"
"""The repository's prompts/ folder: one TOML file per category."""
USER_FILE_NAME = "user_presets.json"
EXPORT_FORMAT = "kling-transition-studio/presets"
EXPORT_VERSION = 1
MAX_IMPORT_BYTES = 1_000_000
_FILE_OF_CATEGORY: dict[Category, str] = {
    "camera": "camera.toml",
    "subject": "subject.toml",
    "environment": "environment.toml",
    "text": "text.toml",
    "negative": "negative.toml",
    "template": "templates.toml",
}


class PresetLibrary:
    """Every preset by category: built-in ones first (file order), then the user's own.

    User presets are saved to `<data_dir>/user_presets.json` at once on every change; without
    a data dir they live in memory only. Problems found in the user file at start are kept in
    `problems` (the file's good entries still load) so the app can start and say what was
    skipped.
    """

    def __init__(
        self,
        builtin: Iterable[Preset],
        user: Iterable[Preset] = (),
        *,
        data_dir: Path | None = None,
        problems: Iterable[UserError] = (),
        user_file: Path | None = None,
    ) -> None:
        self._builtin = {c: {} for c in CATEGORIES}  # type: dict[Category, dict[str, Preset]]
        self._user = {c: {} for c in CATEGORIES}  # type: dict[Category, dict[str, Preset]]
        for preset in builtin:
            self._builtin[preset.category][preset.id] = preset
        for preset in user:
            self._user[preset.category][preset.id] = preset
        self.data_dir = data_dir
        self.problems: list[UserError] = list(problems)
        self._lock = threading.Lock()
        self._user_file = user_file

    @property
    def user_file(self) -> Path | None:
        """Where user presets are saved (`user_file` when given, else
        `<data_dir>/user_presets.json`), or None when they live in memory only."""
        if self._user_file is not None:
            return self._user_file
        return None if self.data_dir is None else self.data_dir / USER_FILE_NAME

    def with_user_file(self, path: Path | None) -> PresetLibrary:
        """A library with these built-in presets and the user presets kept in `path` (read
        now when it exists; broken entries are skipped and listed in `problems`); with None,
        user presets kept in memory only."""
        builtin = [p for c in CATEGORIES for p in self._builtin[c].values()]
        if path is None:
            return PresetLibrary(builtin)
        library = PresetLibrary(builtin, data_dir=path.parent, user_file=path)
        _load_user_file(library)
        return library

    def presets(self, category: Category) -> list[Preset]:
        """The presets of one category, built-in first."""
        return [*self._builtin[category].values(), *self._user[category].values()]

    def ids(self, category: Category) -> list[str]:
        """The preset ids of one category, in menu order."""
        return [p.id for p in self.presets(category)]

    def find(self, category: Category, preset_id: str) -> Preset | None:
        """The preset with this id, or None."""
        return self._user[category].get(preset_id) or self._builtin[category].get(preset_id)

    def get(self, category: Category, preset_id: str) -> Preset:
        """The preset with this id, or a UserError listing the ids there are."""
        preset = self.find(category, preset_id)
        if preset is None:
            raise unknown_preset(category, preset_id, self.ids(category))
        return preset

    def choices(self, category: Category, lang: str | None = None) -> list[tuple[str, str]]:
        """(label, id) pairs for a menu, labels in the given language."""
        return [(p.label.get(lang), p.id) for p in self.presets(category)]

    def user_presets(self) -> list[Preset]:
        """Only the person's own presets, by category."""
        return [p for c in CATEGORIES for p in self._user[c].values()]

    def save_user_preset(
        self,
        category: str,
        preset_id: str,
        label: Text | str,
        text: Text | str,
        parts: Mapping[str, str] | None = None,
    ) -> Preset:
        """Add or replace one user preset and save the file. A plain str serves both languages.

        Refuses (UserError) an invalid entry or an id a built-in preset already has.
        """
        entry: dict[str, object] = {
            "id": preset_id,
            "label": _as_table(label),
            "text": _as_table(text),
        }
        if parts:
            entry["parts"] = dict(parts)
        with self._lock:
            preset = self._check_user_entry(category, entry, "the new preset", self._user)
            updated = _copy(self._user)
            updated[preset.category][preset.id] = preset
            self._store(updated)
        return preset

    def delete_user_preset(self, category: Category, preset_id: str) -> bool:
        """Remove one user preset; False when there was none by that id."""
        with self._lock:
            if preset_id not in self._user[category]:
                return False
            updated = _copy(self._user)
            del updated[category][preset_id]
            self._store(updated)
            return True

    def export_user_presets(self) -> str:
        """The user presets as a JSON document that `import_user_presets` reads back."""
        document = {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "presets": [p.as_dict() for p in self.user_presets()],
        }
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"

    def import_user_presets(self, data: str | bytes) -> int:
        """Merge exported presets into the user's (same ids are replaced); all or nothing.

        Returns how many presets were imported. Refuses (UserError) a document that is not an
        export, and names the first entry at fault.
        """
        entries = _parse_export(data)
        with self._lock:
            updated = _copy(self._user)
            for index, entry in enumerate(entries, start=1):
                category = entry.get("category") if isinstance(entry, Mapping) else None
                preset = self._check_user_entry(category, entry, f"entry {index}", updated)
                updated[preset.category][preset.id] = preset
            self._store(updated)
        return len(entries)

    def _check_user_entry(
        self,
        category: object,
        entry: object,
        where: str,
        user: Mapping[Category, Mapping[str, Preset]],
    ) -> Preset:
        """Validate one user entry against the rules and the other presets it may name."""
        try:
            preset, needs_build = parse_preset(
                category, entry, origin="user", allow_one_language=True
            )
            if preset.id in self._builtin[preset.category]:
                raise PresetProblem(
                    Text(
                        "a built-in {category} preset is already called {id!r}; choose another id",
                        "内置的 {category} 预设已使用 {id!r}，请换一个 id",
                    ).format(category=preset.category, id=preset.id)
                )
            self._check_parts(preset, user)
        except PresetProblem as problem:
            raise bad_preset_error(where, problem) from None
        if needs_build:
            preset = _with_built_text(preset, self, user)
        return preset

    def _check_parts(self, preset: Preset, user: Mapping[Category, Mapping[str, Preset]]) -> None:
        """A template may only name presets that exist (built-in or the user's)."""
        for name, preset_id in preset.parts.items():
            category = cast(Category, name)  # parse_preset admits part categories only
            known = {**self._builtin[category], **user[category]}
            if preset_id not in known:
                raise PresetProblem(
                    Text(
                        "template {template!r} names {category} preset {id!r}, "
                        "which does not exist",
                        "模板 {template!r} 引用的 {category} 预设 {id!r} 不存在",
                    ).format(template=preset.id, category=category, id=preset_id)
                )

    def _store(self, user: dict[Category, dict[str, Preset]]) -> None:
        """Write the user file (atomically), then adopt the new presets."""
        path = self.user_file
        if path is not None:
            presets = [p.as_dict() for c in CATEGORIES for p in user[c].values()]
            document = {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "presets": presets}
            try:
                _write_atomically(path, json.dumps(document, ensure_ascii=False, indent=2) + "\n")
            except OSError as exc:
                raise UserError(
                    "prompt.save_failed",
                    Text(
                        "Cannot save presets to {path}: {reason}.",
                        "无法把预设保存到 {path}：{reason}。",
                    ).format(path=path, reason=exc.strerror or exc),
                    remedy=Text(
                        "Check that the data folder is writable and has free space.",
                        "请检查数据文件夹是否可写、磁盘是否有剩余空间。",
                    ),
                ) from None
        self._user = user


def load_library(data_dir: Path | None = None, *, presets_dir: Path | None = None) -> PresetLibrary:
    """Built-in presets from `presets_dir` (default: the repository's prompts/) plus the
    user presets saved in `data_dir`.

    A broken built-in file is a UserError naming the file and entry (fix the file); a broken
    user file is recorded in `library.problems` and skipped, so the app still starts.
    """
    folder = presets_dir or BUILTIN_DIR
    loaded: list[tuple[Preset, bool]] = []
    for category, file_name in _FILE_OF_CATEGORY.items():
        loaded.extend(_read_builtin_file(folder / file_name, category))
    library = PresetLibrary([p for p, needs_build in loaded if not needs_build], data_dir=data_dir)
    templates: dict[str, Preset] = {}
    for preset, needs_build in loaded:
        if preset.category != "template":
            continue
        try:
            library._check_parts(preset, library._user)
        except PresetProblem as problem:
            raise bad_preset_error(_FILE_OF_CATEGORY["template"], problem) from None
        templates[preset.id] = (
            _with_built_text(preset, library, library._user) if needs_build else preset
        )
    library._builtin["template"] = templates  # file order, built texts filled in
    if data_dir is not None:
        _load_user_file(library)
    return library


def _read_builtin_file(path: Path, category: Category) -> list[tuple[Preset, bool]]:
    """The presets of one built-in TOML file, in file order."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _bad_builtin_file(path, Text("the file is missing", "文件不存在")) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise _bad_builtin_file(
            path, Text("it is not valid TOML ({exc})", "TOML 格式错误（{exc}）").format(exc=exc)
        ) from None
    entries = document.get("preset", [])
    if not isinstance(entries, list):
        raise _bad_builtin_file(path, Text("use [[preset]] tables", "请使用 [[preset]] 表"))
    seen: set[str] = set()
    presets = []
    for entry in entries:
        try:
            preset, needs_build = parse_preset(category, entry, origin="builtin")
        except PresetProblem as problem:
            raise bad_preset_error(path.name, problem) from None
        if preset.id in seen:
            raise _bad_builtin_file(
                path, Text("id {id!r} appears twice", "id {id!r} 重复出现").format(id=preset.id)
            )
        seen.add(preset.id)
        presets.append((preset, needs_build))
    return presets


def _bad_builtin_file(path: Path, problem: Text) -> UserError:
    """A refusal for a built-in preset file that cannot be read."""
    return UserError(
        "prompt.bad_preset_file",
        Text(
            "The preset file {path} cannot be loaded: {problem}.",
            "无法加载预设文件 {path}：{problem}。",
        ).format(path=path, problem=problem),
        remedy=Text("Fix the file (see prompts/README.md).", "请按 prompts/README.md 修正该文件。"),
    )


def _load_user_file(library: PresetLibrary) -> None:
    """Load the user's saved presets, skipping (and recording) any that are broken."""
    path = library.user_file
    if path is None or not path.exists():
        return
    try:
        entries = _parse_export(path.read_bytes())
    except (UserError, OSError) as exc:
        problem = exc if isinstance(exc, UserError) else _unreadable_user_file(path, exc)
        log.warning("user presets skipped: %s", problem)
        library.problems.append(problem)
        return
    for index, entry in enumerate(entries, start=1):
        category = entry.get("category") if isinstance(entry, Mapping) else None
        try:
            preset = library._check_user_entry(
                category, entry, f"{path.name}, entry {index}", library._user
            )
        except UserError as problem:
            log.warning("user preset skipped: %s", problem)
            library.problems.append(problem)
            continue
        library._user[preset.category][preset.id] = preset


def _unreadable_user_file(path: Path, exc: OSError) -> UserError:
    """The user file exists but cannot be read."""
    return UserError(
        "prompt.user_file_unreadable",
        Text(
            "Cannot read saved presets {path}: {exc}.", "无法读取已保存的预设 {path}：{exc}。"
        ).format(path=path, exc=exc),
    )


def _parse_export(data: str | bytes) -> list[object]:
    """The preset entries of an exported document (or of a bare JSON list of entries)."""
    size = len(data.encode("utf-8") if isinstance(data, str) else data)
    if size > MAX_IMPORT_BYTES:
        raise _bad_import(
            Text("it is {size:,} bytes, over 1 MB", "大小为 {size:,} 字节，超过 1 MB").format(
                size=size
            )
        )
    try:
        document = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _bad_import(
            Text("it is not valid JSON ({exc})", "不是有效的 JSON（{exc}）").format(exc=exc)
        ) from None
    if isinstance(document, list):
        return document
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
        raise _bad_import(Text("it is not a preset export", "它不是预设导出文件"))
    if document.get("version") != EXPORT_VERSION:
        raise _bad_import(
            Text(
                "export version {version!r} is not supported", "不支持导出版本 {version!r}"
            ).format(version=document.get("version"))
        )
    presets = document.get("presets")
    if not isinstance(presets, list):
        raise _bad_import(Text('"presets" must be a list', '"presets" 必须是列表'))
    return presets


def _bad_import(problem: Text) -> UserError:
    """A refusal for a preset file that cannot be imported."""
    return UserError(
        "prompt.bad_import",
        Text("Cannot import presets: {problem}.", "无法导入预设：{problem}。").format(
            problem=problem
        ),
        remedy=Text(
            "Choose a file made by the Studio's preset export.",
            "请选择由本工作室“导出预设”生成的文件。",
        ),
    )


def unknown_preset(category: str, preset_id: str, known: list[str]) -> UserError:
    """A refusal naming a preset that does not exist, and the ones that do."""
    listed = ", ".join(known) or "-"
    return UserError(
        "prompt.unknown_preset",
        Text(
            "There is no {category} preset called {id!r}.", "没有名为 {id!r} 的 {category} 预设。"
        ).format(category=category, id=preset_id),
        remedy=Text("Choose one of: {listed}.", "可选：{listed}。").format(listed=listed),
    )


def _with_built_text(
    template: Preset, library: PresetLibrary, user: Mapping[Category, Mapping[str, Preset]]
) -> Preset:
    """A template whose text is built from its parts (already checked to exist), both languages."""
    clauses = []
    for category in PART_CATEGORIES:
        if category in template.parts:
            preset_id = template.parts[category]
            found = user[category].get(preset_id) or library._builtin[category][preset_id]
            clauses.append(found.text)
    text = Text(
        join_clauses([c.en for c in clauses], "en", first_is_preset=True),
        join_clauses([c.zh for c in clauses], "zh-CN", first_is_preset=True),
    )
    return Preset(
        template.category, template.id, template.label, text, template.parts, template.origin
    )


def _as_table(value: Text | str) -> object:
    """A Text or a one-language string as an {en, zh} table (anything else is left to the
    validator to refuse)."""
    if isinstance(value, Text):
        return {"en": value.en, "zh": value.zh}
    return {"en": value, "zh": value} if isinstance(value, str) else value


def _copy(user: Mapping[Category, Mapping[str, Preset]]) -> dict[Category, dict[str, Preset]]:
    """A copy to change, so a failed save leaves the library as it was."""
    return {c: dict(user[c]) for c in CATEGORIES}


def _write_atomically(path: Path, content: str) -> None:
    """Write via a temporary file and rename, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=".user_presets.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
