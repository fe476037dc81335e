"""The test suite's own scheduling (tests/browser_share.py): at most half the xdist workers
run modules that drive Chromium, the rest take the modules that wait on simulated tasks."""

from __future__ import annotations

from pathlib import Path

from browser_share import browser_modules, next_scope, takes_the_browser

WAITING = ["ui/test_a.py", "jobs/test_b.py", "ui/test_c.py", "jobs/test_d.py"]
BROWSER = {"ui/test_a.py", "ui/test_c.py"}


def test_under_the_cap_the_next_module_in_order_is_handed_out() -> None:
    assert next_scope(WAITING, BROWSER, browsing=1, cap=2) == "ui/test_a.py"


def test_at_the_cap_the_first_module_without_a_browser_is_handed_out() -> None:
    assert next_scope(WAITING, BROWSER, browsing=2, cap=2) == "jobs/test_b.py"


def test_when_only_browser_modules_wait_one_is_handed_out_anyway() -> None:
    assert next_scope(["ui/test_c.py"], BROWSER, browsing=3, cap=2) == "ui/test_c.py"


def test_a_module_is_a_browser_module_when_a_test_takes_the_browser_fixture() -> None:
    assert takes_the_browser("def test_x(browser: Browser, studio) -> None:\n    pass\n")
    assert not takes_the_browser("def test_x(studio) -> None:\n    browser = 1\n")
    assert not takes_the_browser("def helper(browser):\n    pass\n")


def test_the_suites_browser_modules_are_found_by_their_tests(tmp_path: Path) -> None:
    (tmp_path / "test_page.py").write_text("def test_p(browser):\n    pass\n")
    (tmp_path / "test_engine.py").write_text("def test_e(simulator):\n    pass\n")
    scopes = ["test_page.py", "test_engine.py", "test_page.py::Grouped"]
    assert browser_modules(scopes, tmp_path) == {"test_page.py", "test_page.py::Grouped"}
