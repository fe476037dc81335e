"""`python -m kling_ui jobs` lists the history; `resume` finishes what a crash left."""

from __future__ import annotations

import json
from pathlib import Path

from cli_helpers import base_env, run_cli

from kling_ui.cli import EXIT_OK


def test_jobs_on_an_empty_data_folder_lists_nothing(workdir: Path) -> None:
    env = base_env(workdir / "d")
    assert run_cli(["jobs", "--json"], env, workdir).last_json() == []
    table = run_cli(["jobs"], env, workdir)
    assert table.code == EXIT_OK and "No jobs yet" in table.out


def test_jobs_lists_each_generated_video_newest_first(workdir: Path) -> None:
    env = base_env(workdir / "d")
    made = [
        run_cli(
            ["generate", "first.png", "last.png", "--prompt", prompt, "--json"], env, workdir
        ).last_json()
        for prompt in ("first take", "second take")
    ]
    listed = run_cli(["jobs", "--json"], env, workdir).last_json()
    assert [job["id"] for job in listed] == [made[1]["job_id"], made[0]["job_id"]]
    assert {job["status"] for job in listed} == {"done"}
    assert "access_key" not in json.dumps(listed)
    table = run_cli(["jobs", "--search", "second"], env, workdir)
    assert made[1]["job_id"][:8] in table.out and made[0]["job_id"][:8] not in table.out


def test_resume_with_nothing_unfinished_says_so(workdir: Path) -> None:
    run = run_cli(["resume"], base_env(workdir / "d"), workdir)
    assert run.code == EXIT_OK
    assert "Nothing to resume" in run.err
