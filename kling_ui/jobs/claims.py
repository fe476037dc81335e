"""The store as one queue for every process on a data folder: claims, leases and slots.

Every unfinished job is claimed by one engine (`claimed_by`, a random id per engine) whose
claim lasts until `lease_until` (wall time) and is renewed while the engine runs. A job whose
lease ran out (its process was killed) or that no engine claims is an orphan: any live engine
with the account's keys takes it over and resumes it from its row (looking the task up by its
external id first, so nothing is paid twice).

Kling's concurrency is per account and shared by every process: `holds_slot` marks the jobs
whose task may be in flight at Kling. A create may leave only after `take_slot` found fewer
than the limit marked, in one write transaction (SQLite's write lock serialises every
process). The same design on PostgreSQL is written up in docs/queue.md.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from kling_ui.jobs.models import Job, JobStatus
from kling_ui.jobs.store import JobStore

_FINISHED = tuple(s.value for s in JobStatus if s.finished)
_UNFINISHED = f"(status NOT IN ({', '.join('?' for _ in _FINISHED)}) OR watch IS NOT NULL)"


class ClaimBook:
    """One engine's claims in the store. Thread-safe through the store's own lock."""

    def __init__(self, store: JobStore, engine_id: str, lease_seconds: float) -> None:
        if lease_seconds <= 0:
            raise ValueError("lease_seconds must be positive")
        self.store = store
        self.engine_id = engine_id
        self.lease_seconds = lease_seconds

    def lease_end(self) -> float:
        """The wall time a claim made or renewed now lasts until."""
        return time.time() + self.lease_seconds

    def claim_columns(self) -> dict[str, object]:
        """The claim columns for a job this engine inserts."""
        return {"claimed_by": self.engine_id, "lease_until": self.lease_end()}

    def take_orphans(self, accounts: Iterable[str]) -> list[Job]:
        """Claim every unfinished job of these accounts that no live engine holds (never
        claimed, or its lease ran out); returns them, oldest first."""
        names = sorted(set(accounts))
        if not names:
            return []
        marks = ", ".join("?" for _ in names)
        now = time.time()
        with self.store.write_transaction() as db:
            rows = db.execute(
                f"SELECT id FROM jobs WHERE {_UNFINISHED} AND account IN ({marks}) "
                "AND (claimed_by IS NULL OR lease_until IS NULL OR lease_until < ?)",
                (*_FINISHED, *names, now),
            ).fetchall()
            ids = [row[0] for row in rows]
            db.executemany(
                "UPDATE jobs SET claimed_by = ?, lease_until = ? WHERE id = ?",
                [(self.engine_id, self.lease_end(), job_id) for job_id in ids],
            )
        if not ids:
            return []
        marks = ", ".join("?" for _ in ids)
        return self.store.jobs_where(f"id IN ({marks})", ids)

    def renew(self, job_ids: Iterable[str]) -> tuple[set[str], set[str]]:
        """Extend the leases of these jobs; returns (the ids still ours, the ids of ours
        whose cancel another process asked for). A job no longer ours was taken over after
        this engine stalled past its lease: the caller drops it."""
        ids = sorted(set(job_ids))
        if not ids:
            return set(), set()
        marks = ", ".join("?" for _ in ids)
        with self.store.write_transaction() as db:
            db.execute(
                f"UPDATE jobs SET lease_until = ? WHERE claimed_by = ? AND id IN ({marks})",
                (self.lease_end(), self.engine_id, *ids),
            )
            rows = db.execute(
                f"SELECT id, cancel_requested FROM jobs WHERE claimed_by = ? AND id IN ({marks})",
                (self.engine_id, *ids),
            ).fetchall()
        ours = {row[0] for row in rows}
        cancels = {row[0] for row in rows if row[1]}
        return ours, cancels

    def release(self, job_ids: Iterable[str]) -> None:
        """Give these jobs up (the engine stops): any live engine may take them over now."""
        ids = sorted(set(job_ids))
        if not ids:
            return
        marks = ", ".join("?" for _ in ids)
        self.store.execute(
            f"UPDATE jobs SET claimed_by = NULL, lease_until = NULL "
            f"WHERE claimed_by = ? AND id IN ({marks})",
            (self.engine_id, *ids),
        )

    def take_slot(self, job_id: str, account: str, limit: int) -> bool:
        """Mark the job as holding one of the account's Kling slots if fewer than `limit`
        are held by all processes together; False (nothing changed) when they are all held."""
        with self.store.write_transaction() as db:
            held = db.execute(
                f"SELECT COUNT(*) FROM jobs WHERE account = ? AND holds_slot = 1 AND id != ? "
                f"AND {_UNFINISHED}",
                (account, job_id, *_FINISHED),
            ).fetchone()[0]
            if held >= limit:
                return False
            db.execute(
                "UPDATE jobs SET holds_slot = 1 WHERE id = ? AND claimed_by = ?",
                (job_id, self.engine_id),
            )
        return True

    def hold_slot(self, job_id: str) -> None:
        """Mark a resumed job whose task may be in flight as holding a slot."""
        self.store.execute("UPDATE jobs SET holds_slot = 1 WHERE id = ?", (job_id,))

    def free_slot(self, job_id: str) -> None:
        """The job's task ended (or its create was refused): its slot is free again."""
        self.store.execute("UPDATE jobs SET holds_slot = 0 WHERE id = ?", (job_id,))

    def unheld_of_other_accounts(self, known: Iterable[str]) -> list[Job]:
        """Unfinished jobs no live engine holds whose account's keys are not among `known`:
        they wait until someone enters those keys again."""
        names = sorted(set(known))
        marks = ", ".join("?" for _ in names) or "''"
        return self.store.jobs_where(
            f"{_UNFINISHED} AND account NOT IN ({marks}) "
            "AND (claimed_by IS NULL OR lease_until IS NULL OR lease_until < ?)",
            (*_FINISHED, *names, time.time()),
        )

    def slots_held(self, account: str) -> int:
        """How many of the account's slots all processes hold together."""
        with self.store.write_transaction() as db:
            return int(
                db.execute(
                    "SELECT COUNT(*) FROM jobs WHERE account = ? AND holds_slot = 1", (account,)
                ).fetchone()[0]
            )

    def request_cancel(self, job_id: str) -> bool:
        """Ask the engine that holds this job (in another process) to cancel it; False when
        no live engine holds it."""
        changed = self.store.execute(
            "UPDATE jobs SET cancel_requested = 1 WHERE id = ? AND claimed_by IS NOT NULL "
            "AND claimed_by != ? AND lease_until >= ?",
            (job_id, self.engine_id, time.time()),
        )
        return changed > 0

    def clear_cancel_request(self, job_id: str) -> None:
        """The holder acted on a cancel asked for by another process."""
        self.store.execute("UPDATE jobs SET cancel_requested = 0 WHERE id = ?", (job_id,))
