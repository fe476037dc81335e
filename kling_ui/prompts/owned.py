"""Presets per owner: everyone shares the built-in presets; each owner (a login, a browser)
has their own presets in their own file, which nobody else sees.

Files live under `<data_dir>/presets/`, named by a hash of the owner (so a file name names
no one), outside every folder the Studio serves. The command line keeps its presets in
`<data_dir>/user_presets.json` as before (see `load_library`).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from pathlib import Path

from kling_ui.prompts.library import PresetLibrary

OWNER_FOLDER = "presets"
KEPT_LIBRARIES = 256  # owners' libraries kept in memory (newest used first)


def owner_file_name(owner: str) -> str:
    """The file name of an owner's presets: a hash of the owner string."""
    return hashlib.sha256(owner.encode("utf-8")).hexdigest()[:32] + ".json"


class OwnedPresets:
    """The built-in presets (`base`, no one's own presets) and one library per owner."""

    def __init__(
        self, base: PresetLibrary, data_dir: Path | None, *, capacity: int = KEPT_LIBRARIES
    ) -> None:
        self.base = base
        self.folder = None if data_dir is None else Path(data_dir) / OWNER_FOLDER
        self._capacity = capacity
        self._libraries: OrderedDict[str, PresetLibrary] = OrderedDict()
        self._lock = threading.Lock()

    def for_owner(self, owner: str | None) -> PresetLibrary:
        """The built-in presets plus `owner`'s own (the built-in ones alone for None)."""
        if not owner:
            return self.base
        with self._lock:
            library = self._libraries.get(owner)
            if library is not None:
                self._libraries.move_to_end(owner)
                return library
            path = None if self.folder is None else self.folder / owner_file_name(owner)
            library = self.base.with_user_file(path)
            self._libraries[owner] = library
            while len(self._libraries) > self._capacity:
                self._libraries.popitem(last=False)
            return library
