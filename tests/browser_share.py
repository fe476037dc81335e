"""How the test modules are handed to pytest-xdist's workers: whole modules (loadscope), in
the suite's order, with at most half the workers driving Chromium at once.

A module whose tests take the `browser` fixture keeps about a core busy (the page, and the
Studio it talks to in the same worker); most other modules spend their time waiting on
simulated Kling tasks. Handed out in order, the browser modules all ran at once at the start
(the machine's two cores oversubscribed) and the waiting modules together at the end (a core
idle). Capping the browser modules at half the workers overlaps the two kinds.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

from xdist.scheduler import LoadScopeScheduling


def takes_the_browser(source: str) -> bool:
    """Whether a test module's source has a test function taking the `browser` fixture."""
    return any(
        isinstance(node, ast.FunctionDef)
        and node.name.startswith("test")
        and any(arg.arg == "browser" for arg in node.args.args + node.args.kwonlyargs)
        for node in ast.walk(ast.parse(source))
    )


def browser_modules(scopes: Iterable[str], rootdir: Path) -> frozenset[str]:
    """The module scopes (paths relative to `rootdir`) whose tests drive Chromium."""
    found, read = set(), {}
    for scope in scopes:
        path = rootdir / scope.split("::", 1)[0]  # a class's scope is "module.py::Class"
        if path not in read:
            read[path] = (
                path.suffix == ".py" and path.is_file() and takes_the_browser(path.read_text())
            )
        if read[path]:
            found.add(scope)
    return frozenset(found)


def next_scope(waiting: Iterable[str], browser: Collection[str], browsing: int, cap: int) -> str:
    """The scope to hand out next: the first waiting one, unless `browsing` workers already
    drive Chromium (`cap` at most), then the first one that does not (the first one anyway
    when every waiting scope does)."""
    order = list(waiting)
    if browsing < cap:
        return order[0]
    return next((scope for scope in order if scope not in browser), order[0])


class BrowserShareScheduling(LoadScopeScheduling):
    """pytest-xdist's loadscope scheduling with at most half the workers in browser modules."""

    def __init__(self, config: Any, log: Any = None) -> None:
        super().__init__(config, log)
        self._rootdir = Path(config.rootpath)
        self._browser: frozenset[str] | None = None

    def _browsing(self, other_than: Any) -> int:
        """How many workers other than `other_than` still have a browser module's test to run."""
        assert self._browser is not None
        return sum(
            any(scope in self._browser and not all(done.values()) for scope, done in units.items())
            for node, units in self.assigned_work.items()
            if node is not other_than
        )

    def _assign_work_unit(self, node: Any) -> None:
        if self._browser is None:
            self._browser = browser_modules(self.workqueue, self._rootdir)
        cap = max(1, len(self.nodes) // 2)
        scope = next_scope(self.workqueue, self._browser, self._browsing(node), cap)
        self.workqueue.move_to_end(scope, last=False)
        super()._assign_work_unit(node)
