"""The History table's row clicks: the row a person clicked decides the job, even when the
timer has redrawn the list between what the page showed and the click; and its scope menu."""

from __future__ import annotations

from pathlib import Path

from gradio.i18n import I18nData
from ui_helpers import make_job

from kling_ui.ui import views
from kling_ui.ui.history_tab import SCOPE_MINE, SCOPE_TEAM, clicked_job, scope_choices
from kling_ui.ui.texts import STRINGS


def listed(tmp_path: Path, *prompts: str) -> list:
    frame = tmp_path / "first.png"
    return [
        make_job(frame, spec={"prompt": prompt}, created_at=1_700_000_000 + n)
        for n, prompt in enumerate(prompts)
    ]


def shown_row(jobs: list, index: int) -> list[str]:
    return views.history_rows(jobs, now=1_700_000_100, lang="en")[index]


def test_a_click_opens_the_job_its_row_shows(tmp_path: Path) -> None:
    jobs = listed(tmp_path, "orbit", "zoom", "pan")
    assert clicked_job(jobs, 1, shown_row(jobs, 1), "en") is jobs[1]


def test_a_click_on_a_row_the_timer_moved_opens_the_job_the_row_showed(tmp_path: Path) -> None:
    drawn = listed(tmp_path, "orbit", "zoom", "pan")
    row = shown_row(drawn, 2)  # "pan" was third on the page when it was clicked
    now_listed = [drawn[2], drawn[0], drawn[1]]  # a new order since
    assert clicked_job(now_listed, 2, row, "en") is drawn[2]


def test_a_click_on_a_job_no_longer_listed_opens_nothing(tmp_path: Path) -> None:
    drawn = listed(tmp_path, "orbit", "zoom")
    row = shown_row(drawn, 0)
    assert clicked_job(drawn[1:], 0, row, "en") is None


def test_without_the_rows_values_the_index_decides(tmp_path: Path) -> None:
    jobs = listed(tmp_path, "orbit", "zoom")
    assert clicked_job(jobs, 1, None, "en") is jobs[1]
    assert clicked_job(jobs, 5, None, "en") is None


def test_the_scope_choices_are_labelled_by_the_browser_in_both_languages() -> None:
    # Not filled by the page's load (see history_tab.scope_choices): the browser translates.
    assert [value for _, value in scope_choices()] == [SCOPE_MINE, SCOPE_TEAM]
    for shown, _ in scope_choices():
        assert isinstance(shown, I18nData) and shown.key in STRINGS
        assert STRINGS[shown.key].en and STRINGS[shown.key].zh
