"""JobStore: the history in SQLite, written before anything is paid and read after a restart."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from job_helpers import make_job

from kling_ui.jobs.models import JobStatus
from kling_ui.jobs.store import SCHEMA_VERSION, JobStore, StoreTooNew, _statements


def test_an_inserted_job_reads_back_equal(store: JobStore, frames: tuple[Path, Path]) -> None:
    job = make_job(
        frames,
        spec={
            "prompt": "slow push-in",
            "negative_prompt": "blur",
            "prompt_parts": {"camera": "push-in", "extra": "soft light"},
            "submitter": "alice",
            "kind": "deck",
            "deck_id": "deck-1",
            "deck_position": 4,
            "label": "Intro to chart",
            "cfg_scale": None,
        },
    )
    store.insert(job)
    assert store.get(job.id) == job


def test_an_inserted_row_is_committed_for_other_connections(
    store: JobStore, frames: tuple[Path, Path]
) -> None:
    job = make_job(frames)
    store.insert(job)
    with sqlite3.connect(store.path) as other:
        row = other.execute(
            "SELECT external_task_id, status FROM jobs WHERE id = ?", (job.id,)
        ).fetchone()
    assert row == (job.external_task_id, "queued")


def test_the_database_runs_in_wal_mode_at_the_current_schema_version(store: JobStore) -> None:
    with sqlite3.connect(store.path) as other:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.schema_version == SCHEMA_VERSION


def test_reopening_keeps_every_row(tmp_path: Path, frames: tuple[Path, Path]) -> None:
    path = tmp_path / "data" / "jobs.sqlite3"
    with JobStore(path) as first:
        job = make_job(frames)
        first.insert(job)
    with JobStore(path) as again:
        assert again.get(job.id) == job
        assert again.schema_version == SCHEMA_VERSION


def test_a_database_from_a_newer_studio_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    with pytest.raises(StoreTooNew) as caught:
        JobStore(path)
    assert caught.value.code == "store.too_new"


def test_update_sets_fields_and_the_update_time(store: JobStore, frames: tuple[Path, Path]) -> None:
    job = store.insert(make_job(frames, updated_at=1.0))
    video = frames[0].parent.parent / "videos" / "x.mp4"
    updated = store.update(
        job.id, status=JobStatus.DONE, video_path=video, units=2.5, task_id="t-1"
    )
    assert updated.status is JobStatus.DONE
    assert updated.video_path == video.resolve()
    assert (updated.units, updated.task_id) == (2.5, "t-1")
    assert updated.updated_at > 1.0


def test_paths_inside_the_data_folder_are_stored_relative(
    store: JobStore, frames: tuple[Path, Path]
) -> None:
    job = store.insert(make_job(frames))
    with sqlite3.connect(store.path) as other:
        first = other.execute("SELECT first_frame FROM jobs WHERE id = ?", (job.id,)).fetchone()[0]
    assert first == "frames/first.png"


def test_update_of_an_unknown_job_or_column_is_an_error(
    store: JobStore, frames: tuple[Path, Path]
) -> None:
    job = store.insert(make_job(frames))
    with pytest.raises(KeyError):
        store.update("no-such-job", status=JobStatus.DONE)
    with pytest.raises(ValueError):
        store.update(job.id, not_a_column=1)


def test_external_task_ids_are_unique(store: JobStore, frames: tuple[Path, Path]) -> None:
    job = store.insert(make_job(frames))
    with pytest.raises(sqlite3.IntegrityError):
        store.insert(make_job(frames, external_task_id=job.external_task_id))


def test_list_filters_by_status_kind_deck_lab_and_text(
    store: JobStore, frames: tuple[Path, Path]
) -> None:
    single = store.insert(make_job(frames, spec={"prompt": "a slow push-in"}))
    deck = store.insert(
        make_job(frames, spec={"kind": "deck", "deck_id": "d1", "deck_position": 0})
    )
    lab = store.insert(
        make_job(frames, status=JobStatus.DONE, spec={"kind": "lab", "lab_group": "g1"})
    )
    assert [j.id for j in store.list(status=JobStatus.DONE)] == [lab.id]
    assert [j.id for j in store.list(status=["queued"], kind="deck")] == [deck.id]
    assert [j.id for j in store.list(deck_id="d1")] == [deck.id]
    assert [j.id for j in store.list(lab_group="g1")] == [lab.id]
    assert [j.id for j in store.list(text="push-in")] == [single.id]


def test_list_is_newest_first_unless_asked(store: JobStore, frames: tuple[Path, Path]) -> None:
    older = store.insert(make_job(frames, created_at=100.0))
    newer = store.insert(make_job(frames, created_at=200.0))
    assert [j.id for j in store.list()] == [newer.id, older.id]
    assert [j.id for j in store.list(newest_first=False)] == [older.id, newer.id]
    assert len(store.list(limit=1)) == 1


def test_unfinished_holds_active_jobs_and_watched_cancelled_ones(
    store: JobStore, frames: tuple[Path, Path]
) -> None:
    wanted = [
        store.insert(make_job(frames, status=status, created_at=float(n)))
        for n, status in enumerate(
            [
                JobStatus.QUEUED,
                JobStatus.SUBMITTING,
                JobStatus.SUBMITTED,
                JobStatus.PROCESSING,
                JobStatus.DOWNLOADING,
                JobStatus.TIMED_OUT,
            ]
        )
    ]
    wanted.append(
        store.insert(
            make_job(frames, status=JobStatus.CANCELLED, watch=JobStatus.PROCESSING, created_at=9.0)
        )
    )
    for status in (JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED):
        store.insert(make_job(frames, status=status))
    assert [j.id for j in store.unfinished()] == [j.id for j in wanted]


@pytest.mark.parametrize(
    ("stored", "read"),
    [
        ("lookup", JobStatus.SUBMITTING),
        ("poll", JobStatus.PROCESSING),
        ("download", JobStatus.DOWNLOADING),
        ("processing", JobStatus.PROCESSING),
    ],
)
def test_a_watch_stored_by_an_older_version_reads_as_its_stage(
    store: JobStore, frames: tuple[Path, Path], stored: str, read: JobStatus
) -> None:
    job = store.insert(make_job(frames, status=JobStatus.CANCELLED))
    store.execute("UPDATE jobs SET watch = ? WHERE id = ?", (stored, job.id))
    assert store.get(job.id).watch is read
    assert [j.id for j in store.unfinished()] == [job.id]


def test_find_reusable_returns_a_done_job_whose_video_still_exists(
    store: JobStore, frames: tuple[Path, Path], tmp_path: Path
) -> None:
    video = tmp_path / "data" / "videos" / "v.mp4"
    video.parent.mkdir(parents=True)
    video.write_bytes(b"video")
    done = store.insert(
        make_job(frames, fingerprint="fp", status=JobStatus.DONE, video_path=video, finished_at=1.0)
    )
    store.insert(make_job(frames, fingerprint="fp", status=JobStatus.FAILED))
    assert store.find_reusable("fp").id == done.id  # type: ignore[union-attr]
    video.unlink()
    assert store.find_reusable("fp") is None
    assert store.find_reusable("other") is None


def test_mark_best_leaves_one_best_per_lab_group(
    store: JobStore, frames: tuple[Path, Path]
) -> None:
    a = store.insert(make_job(frames, spec={"kind": "lab", "lab_group": "g"}))
    b = store.insert(make_job(frames, spec={"kind": "lab", "lab_group": "g"}))
    store.mark_best(a.id)
    store.mark_best(b.id)
    assert (store.get(a.id).best, store.get(b.id).best) == (False, True)


def test_counts_per_status(store: JobStore, frames: tuple[Path, Path]) -> None:
    for status in (JobStatus.QUEUED, JobStatus.QUEUED, JobStatus.DONE):
        store.insert(make_job(frames, status=status))
    assert store.counts() == {"queued": 2, "done": 1}


def test_many_threads_can_write_at_once(store: JobStore, frames: tuple[Path, Path]) -> None:
    jobs = [store.insert(make_job(frames)) for _ in range(8)]

    def bump(job_id: str) -> None:
        for n in range(20):
            store.update(job_id, attempts=n + 1, status_message=f"step {n}")

    threads = [threading.Thread(target=bump, args=(job.id,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {store.get(job.id).attempts for job in jobs} == {20}


def test_no_key_material_is_in_any_column(store: JobStore, frames: tuple[Path, Path]) -> None:
    # The row holds an account fingerprint only; this guards the schema against a key column.
    with sqlite3.connect(store.path) as other:
        columns = {r[1] for r in other.execute("PRAGMA table_info(jobs)")}
    assert not any("key" in c or "secret" in c or "token" in c for c in columns)


def test_a_migration_script_is_split_only_between_whole_statements() -> None:
    script = """
    CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT DEFAULT 'a;b');
    CREATE TRIGGER notes_touch AFTER INSERT ON notes BEGIN
        UPDATE notes SET text = text || ';' WHERE id = new.id;
    END;
    """
    statements = _statements(script)
    assert len(statements) == 2
    with sqlite3.connect(":memory:") as db:
        for statement in statements:
            db.execute(statement)
        db.execute("INSERT INTO notes (id) VALUES (1)")
        assert db.execute("SELECT text FROM notes").fetchone() == ("a;b;",)


# ---- opening the same new store from many places at once ----------------------------------

RACERS = 12
RACE_TIMEOUT = 120
# Each racer imports the store, says it is ready, waits for the go file, then opens the store.
_RACER = """
import sys, time
from pathlib import Path
from kling_ui.jobs.store import JobStore
folder, name = Path(sys.argv[1]), sys.argv[2]
(folder / ("ready-" + name)).touch()
while not (folder / "go").exists():
    time.sleep(0.001)
with JobStore(folder / "data" / "jobs.sqlite3") as store:
    print(store.schema_version)
"""


def test_many_threads_can_open_a_new_store_at_once(tmp_path: Path) -> None:
    path = tmp_path / "data" / "jobs.sqlite3"
    barrier = threading.Barrier(RACERS)
    versions: list[int] = []
    errors: list[BaseException] = []

    def open_store() -> None:
        try:
            barrier.wait()
            with JobStore(path) as store:
                versions.append(store.schema_version)
        except BaseException as exc:  # every failure is reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert versions == [SCHEMA_VERSION] * RACERS


def test_a_new_store_waits_for_another_writer_before_switching_to_wal(tmp_path: Path) -> None:
    # SQLite refuses this switch at once, without waiting through the busy timeout, while
    # another connection holds the write lock on a file still in rollback-journal mode.
    path = tmp_path / "jobs.sqlite3"
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.3, writer.execute, ("COMMIT",))
    release.start()
    try:
        with JobStore(path) as store:
            assert store.schema_version == SCHEMA_VERSION
    finally:
        release.join()
        writer.close()
    with sqlite3.connect(path) as other:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_many_processes_can_open_a_new_store_at_once(tmp_path: Path) -> None:
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", _RACER, str(tmp_path), str(n)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(RACERS)
    ]
    try:
        deadline = time.monotonic() + RACE_TIMEOUT
        while len(list(tmp_path.glob("ready-*"))) < RACERS and time.monotonic() < deadline:
            time.sleep(0.01)
        (tmp_path / "go").touch()
        results = [(racer.wait(RACE_TIMEOUT), *racer.communicate()) for racer in racers]
    finally:
        for racer in racers:
            racer.kill()
    assert [(code, out.strip(), err) for code, out, err in results] == [
        (0, str(SCHEMA_VERSION), "")
    ] * RACERS
    with JobStore(tmp_path / "data" / "jobs.sqlite3") as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.list() == []
