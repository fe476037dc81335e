"""JobStore: the job history in SQLite (standard library), WAL mode, one row per job.

The store is the history and the engine's memory across restarts: a row with its
external_task_id is committed before any create request leaves, and every step after that
is written as it happens. Paths under the store's folder are kept relative, so the data
folder can move. The schema carries a version (`PRAGMA user_version`) and migrates forward.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import random
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from kling_ui.i18n import Text, UserError
from kling_ui.jobs.models import Job, JobSpec, JobStatus
from kling_ui.jobs.owners import owner_of, shares

# Each entry moves the schema up one version; never edit a released entry, append a new one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        external_task_id TEXT NOT NULL UNIQUE,
        task_id TEXT,
        account TEXT NOT NULL,
        submitter TEXT NOT NULL,
        kind TEXT NOT NULL,
        deck_id TEXT,
        deck_position INTEGER,
        lab_group TEXT,
        label TEXT,
        first_frame TEXT NOT NULL,
        first_hash TEXT NOT NULL,
        last_frame TEXT,
        last_hash TEXT,
        prompt TEXT NOT NULL,
        negative_prompt TEXT NOT NULL,
        prompt_parts TEXT NOT NULL,
        model TEXT NOT NULL,
        mode TEXT NOT NULL,
        duration TEXT NOT NULL,
        cfg_scale REAL,
        new_take INTEGER NOT NULL DEFAULT 0,
        fingerprint TEXT NOT NULL,
        status TEXT NOT NULL,
        status_message TEXT NOT NULL DEFAULT '',
        status_message_zh TEXT NOT NULL DEFAULT '',
        task_status TEXT,
        watch TEXT,
        error_code TEXT,
        error_message TEXT,
        error_title_en TEXT,
        error_title_zh TEXT,
        error_stage TEXT,
        remedy_en TEXT,
        remedy_zh TEXT,
        video_path TEXT,
        video_url TEXT,
        units REAL,
        created_at REAL NOT NULL,
        submitting_at REAL,
        submitted_at REAL,
        processing_at REAL,
        downloading_at REAL,
        finished_at REAL,
        updated_at REAL NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        reused_from TEXT,
        best INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX jobs_status ON jobs (status);
    CREATE INDEX jobs_fingerprint ON jobs (fingerprint, status);
    CREATE INDEX jobs_deck ON jobs (deck_id, deck_position);
    CREATE INDEX jobs_lab ON jobs (lab_group);
    CREATE INDEX jobs_created ON jobs (created_at);
    """,
    # 2: whose keys a job runs on, who owns it, and since when Kling has not answered for it.
    """
    ALTER TABLE jobs ADD COLUMN runs_on TEXT;
    ALTER TABLE jobs ADD COLUMN owner TEXT;
    ALTER TABLE jobs ADD COLUMN unreachable_since REAL;
    ALTER TABLE jobs ADD COLUMN retry_at REAL;
    CREATE INDEX jobs_owner ON jobs (owner, created_at);
    """,
    # 3: the store is the queue of every process on the folder: which engine has each job
    # (a lease it renews), which jobs hold one of the account's Kling slots, and cancels
    # asked for by another process.
    """
    ALTER TABLE jobs ADD COLUMN claimed_by TEXT;
    ALTER TABLE jobs ADD COLUMN lease_until REAL;
    ALTER TABLE jobs ADD COLUMN holds_slot INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE jobs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX jobs_slots ON jobs (account, holds_slot);
    CREATE INDEX jobs_claims ON jobs (claimed_by, lease_until);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
STORE_FILE = "jobs.sqlite3"  # the store's file name inside a data folder
BUSY_TIMEOUT = 10.0  # seconds an opener or writer waits for another connection's lock

_SPEC_COLUMNS = (
    "submitter",
    "kind",
    "deck_id",
    "deck_position",
    "lab_group",
    "label",
    "prompt",
    "negative_prompt",
    "model",
    "mode",
    "duration",
    "cfg_scale",
)
# Every Job field but its spec is a column of the same name.
_JOB_COLUMNS = tuple(f.name for f in dataclasses.fields(Job) if f.name != "spec")
_PATH_COLUMNS = ("first_frame", "last_frame", "video_path")
_FINISHED = tuple(s.value for s in JobStatus if s.finished)
_OWNER = "COALESCE(owner, submitter)"  # rows stored before owners count as their submitter's
_WAITING_OR_RUNNING = tuple(
    s.value for s in JobStatus if not s.finished and s is not JobStatus.TIMED_OUT
)
# `watch` as rows written before it took JobStatus values keep it.
_LEGACY_WATCH = {
    "lookup": JobStatus.SUBMITTING,
    "poll": JobStatus.PROCESSING,
    "download": JobStatus.DOWNLOADING,
}


def _statements(script: str) -> list[str]:
    """The SQL statements of a migration script, split where SQLite says one is complete
    (so a ';' inside a string literal or a trigger body does not split a statement)."""
    statements: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \t\r\n;"):
                statements.append(pending.strip())
            pending = ""
    if pending.strip(" \t\r\n;"):
        statements.append(pending.strip())
    return statements


def _is_busy(error: sqlite3.OperationalError) -> bool:
    """True when SQLite refused because another connection holds a lock."""
    text = str(error).lower()
    return "locked" in text or "busy" in text


class StoreTooNew(UserError):
    """The database was written by a newer version of the Studio."""

    def __init__(self, path: Path, version: int) -> None:
        super().__init__(
            "store.too_new",
            Text(
                f"The job history {path} has schema version {version}; this version of the "
                f"Studio knows up to {SCHEMA_VERSION}.",
                f"任务记录 {path} 的结构版本为 {version}，当前版本的工作室最高只支持 "
                f"{SCHEMA_VERSION}。",
            ),
            remedy=Text(
                "Update the Studio, or point KLING_UI_DATA_DIR at another folder.",
                "请升级工作室，或将 KLING_UI_DATA_DIR 指向其他文件夹。",
            ),
        )


class JobStore:
    """Thread-safe access to the jobs table of one SQLite file."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.root = self.path.parent.resolve()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(
            self.path, check_same_thread=False, isolation_level=None, timeout=BUSY_TIMEOUT
        )
        try:
            self._db.row_factory = sqlite3.Row
            self._db.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}")
            self._enable_wal()
            # FULL: a committed row survives power loss too, not only a killed process.
            self._db.execute("PRAGMA synchronous=FULL")
            self._migrate()
        except BaseException:
            self._db.close()
            raise

    # ---- schema ---------------------------------------------------------------------------

    @property
    def schema_version(self) -> int:
        """The schema version of the open database."""
        with self._lock:
            return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _enable_wal(self) -> None:
        # Switching a new file to WAL needs an exclusive lock, and SQLite answers "database is
        # locked" at once, without its busy handler, when two openers would deadlock on that
        # upgrade: so retry, with jitter, for as long as the busy timeout would have waited.
        deadline = time.monotonic() + BUSY_TIMEOUT
        pause = 0.005
        while True:
            try:
                self._db.execute("PRAGMA journal_mode=WAL").fetchone()
                return
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() >= deadline:
                    raise
            time.sleep(pause * (0.5 + random.random()))
            pause = min(pause * 2, 0.2)

    def _migrate(self) -> None:
        # Any number of processes may open a new file together: each step runs under the write
        # lock (BEGIN IMMEDIATE waits through busy_timeout) and re-reads the version inside it,
        # so exactly one opener applies each migration and the others find it done.
        with self._lock:
            while True:
                if self.schema_version == SCHEMA_VERSION:
                    return
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    version = self.schema_version
                    if version > SCHEMA_VERSION:
                        raise StoreTooNew(self.path, version)
                    if version < SCHEMA_VERSION:
                        for statement in _statements(MIGRATIONS[version]):
                            self._db.execute(statement)
                        self._db.execute(f"PRAGMA user_version={version + 1}")
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise

    # ---- writing --------------------------------------------------------------------------

    def insert(self, job: Job, **claim: Any) -> Job:
        """Add a new job row and commit it before returning. `claim` may set the claim
        columns (claimed_by, lease_until) in the same write."""
        row = self._row_from_job(job) | claim
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        with self._lock:
            self._db.execute(f"INSERT INTO jobs ({columns}) VALUES ({marks})", tuple(row.values()))
        return job

    def update(self, job_id: str, **fields: Any) -> Job:
        """Set the given Job fields (and updated_at), commit, and return the job as stored."""
        if not fields:
            return self.get(job_id)
        values = {name: self._to_db(name, value) for name, value in fields.items()}
        values["updated_at"] = time.time()
        unknown = set(values) - self._columns()
        if unknown:
            raise ValueError(f"not job columns: {sorted(unknown)}")
        assignments = ", ".join(f"{name} = ?" for name in values)
        with self._lock:
            cursor = self._db.execute(
                f"UPDATE jobs SET {assignments} WHERE id = ?", (*values.values(), job_id)
            )
            if cursor.rowcount == 0:
                raise KeyError(job_id)
            return self.get(job_id)

    def mark_best(self, job_id: str) -> Job:
        """Mark a prompt-lab variant as the best of its group (and only it)."""
        with self._lock:
            job = self.get(job_id)
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if job.spec.lab_group:
                    self._db.execute(
                        "UPDATE jobs SET best = 0 WHERE lab_group = ?", (job.spec.lab_group,)
                    )
                self._db.execute(
                    "UPDATE jobs SET best = 1, updated_at = ? WHERE id = ?", (time.time(), job_id)
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            return self.get(job_id)

    @contextlib.contextmanager
    def write_transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (BEGIN IMMEDIATE: other processes' writers wait) committed
        when the block ends, rolled back if it raises."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one writing statement in its own transaction; the number of rows it changed."""
        with self._lock:
            return self._db.execute(sql, tuple(params)).rowcount

    def jobs_where(self, where: str, params: Iterable[Any] = ()) -> list[Job]:
        """The jobs matching an SQL condition, oldest first."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT * FROM jobs WHERE {where} ORDER BY created_at, rowid", tuple(params)
            ).fetchall()
        return [self._job_from_row(r) for r in rows]

    # ---- reading --------------------------------------------------------------------------

    def get(self, job_id: str) -> Job:
        """The job with this id; KeyError if there is none."""
        with self._lock:
            row = self._db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise KeyError(job_id)
        return self._job_from_row(row)

    def list(
        self,
        status: JobStatus | str | Iterable[JobStatus | str] | None = None,
        text: str | None = None,
        kind: str | None = None,
        deck_id: str | None = None,
        lab_group: str | None = None,
        submitter: str | None = None,
        limit: int | None = 200,
        newest_first: bool = True,
        owner: str | None = None,
        team: bool = False,
    ) -> list[Job]:
        """Jobs matching every given filter; `text` searches prompts, labels and ids.
        `owner` keeps one owner's jobs (rows without an owner count as their submitter's);
        `team` keeps every logged-in person's jobs ("user:" owners)."""
        where: list[str] = []
        params: list[Any] = []
        if owner is not None:
            where.append(f"{_OWNER} = ?")
            params.append(owner)
        if team:
            where.append(f"{_OWNER} LIKE 'user:%'")
        if status is not None:
            statuses = [status] if isinstance(status, str) else list(status)
            where.append(f"status IN ({', '.join('?' for _ in statuses)})")
            params.extend(JobStatus(s).value for s in statuses)
        if text:
            like = f"%{text}%"
            where.append(
                "(prompt LIKE ? OR negative_prompt LIKE ? OR label LIKE ? OR id LIKE ? "
                "OR task_id LIKE ? OR external_task_id LIKE ?)"
            )
            params.extend([like] * 6)
        for column, value in (
            ("kind", kind),
            ("deck_id", deck_id),
            ("lab_group", lab_group),
            ("submitter", submitter),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        sql = "SELECT * FROM jobs"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY created_at {'DESC' if newest_first else 'ASC'}, rowid"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()
        return [self._job_from_row(r) for r in rows]

    def unfinished(self) -> list[Job]:
        """Jobs the engine still has work on, oldest first: every active status, plus
        cancelled jobs whose paid-for task is still being watched or downloaded."""
        marks = ", ".join("?" for _ in _FINISHED)
        with self._lock:
            rows = self._db.execute(
                f"SELECT * FROM jobs WHERE status NOT IN ({marks}) OR watch IS NOT NULL "
                "ORDER BY created_at, rowid",
                _FINISHED,
            ).fetchall()
        return [self._job_from_row(r) for r in rows]

    def counts(self) -> dict[str, int]:
        """How many jobs are in each status (statuses with none are left out)."""
        with self._lock:
            rows = self._db.execute("SELECT status, COUNT(*) FROM jobs GROUP BY status").fetchall()
        return {row[0]: row[1] for row in rows}

    def find_reusable(
        self, fingerprint: str, *, owner: str | None = None, account: str | None = None
    ) -> Job | None:
        """The newest done job with this fingerprint whose video file still exists; with
        `owner`, only one it may reuse (its own, or a teammate's when both are logged in),
        and with `account`, only one made on that Kling account."""
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM jobs WHERE fingerprint = ? AND status = ? "
                "AND video_path IS NOT NULL ORDER BY finished_at DESC",
                (fingerprint, JobStatus.DONE.value),
            ).fetchall()
        for row in rows:
            job = self._job_from_row(row)
            if owner is not None and not shares(owner_of(job), owner):
                continue
            if account is not None and job.account != account:
                continue
            if job.video_path is not None and job.video_path.is_file():
                return job
        return None

    def find_in_flight(self, fingerprint: str, *, owner: str, account: str) -> Job | None:
        """The newest job of `owner` on `account` with this fingerprint that is still under
        way (not cancelled): an identical submit follows it instead of paying again."""
        marks = ", ".join("?" for _ in _FINISHED)
        with self._lock:
            row = self._db.execute(
                f"SELECT * FROM jobs WHERE fingerprint = ? AND account = ? AND {_OWNER} = ? "
                f"AND status NOT IN ({marks}) ORDER BY created_at DESC, rowid DESC LIMIT 1",
                (fingerprint, account, owner, *_FINISHED),
            ).fetchone()
        return None if row is None else self._job_from_row(row)

    def count_unfinished(self, owner: str) -> int:
        """How many of `owner`'s jobs are waiting or running (queued up to downloading; a
        timed-out task, already paid for and only watched, does not count): what the
        per-owner cap counts."""
        marks = ", ".join("?" for _ in _WAITING_OR_RUNNING)
        with self._lock:
            row = self._db.execute(
                f"SELECT COUNT(*) FROM jobs WHERE {_OWNER} = ? AND status IN ({marks})",
                (owner, *_WAITING_OR_RUNNING),
            ).fetchone()
        return int(row[0])

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> JobStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- conversion -----------------------------------------------------------------------

    def _columns(self) -> set[str]:
        if not hasattr(self, "_column_names"):
            with self._lock:
                info = self._db.execute("PRAGMA table_info(jobs)").fetchall()
            self._column_names = {r["name"] for r in info}
        return self._column_names

    def _to_db(self, name: str, value: Any) -> Any:
        if value is None:
            return None
        if name in _PATH_COLUMNS:
            path = Path(value).resolve()
            return str(path.relative_to(self.root)) if path.is_relative_to(self.root) else str(path)
        if isinstance(value, JobStatus):
            return value.value
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False)
        return value

    def _from_db_path(self, value: str | None) -> Path | None:
        if value is None:
            return None
        path = Path(value)
        return path if path.is_absolute() else self.root / path

    def _row_from_job(self, job: Job) -> dict[str, Any]:
        spec = job.spec
        row: dict[str, Any] = {name: getattr(job, name) for name in _JOB_COLUMNS}
        row.update({name: getattr(spec, name) for name in _SPEC_COLUMNS})
        row.update(
            first_frame=spec.first_frame,
            last_frame=spec.last_frame,
            prompt_parts=dict(spec.prompt_parts),
            new_take=spec.new_take,
        )
        return {name: self._to_db(name, value) for name, value in row.items()}

    def _job_from_row(self, row: sqlite3.Row) -> Job:
        first = self._from_db_path(row["first_frame"])
        assert first is not None
        spec = JobSpec.model_construct(
            first_frame=first,
            last_frame=self._from_db_path(row["last_frame"]),
            prompt_parts=json.loads(row["prompt_parts"] or "{}"),
            new_take=bool(row["new_take"]),
            **{name: row[name] for name in _SPEC_COLUMNS},
        )
        values = {name: row[name] for name in _JOB_COLUMNS}
        watch = row["watch"]
        values.update(
            status=JobStatus(row["status"]),
            watch=None if watch is None else _LEGACY_WATCH.get(watch) or JobStatus(watch),
            video_path=self._from_db_path(row["video_path"]),
            best=bool(row["best"]),
        )
        return Job(spec=spec, **values)
