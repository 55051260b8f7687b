"""The statements behind the runtime's durable jobs (``runtime_jobs``).

A job is claimed before it runs: one statement marks the due jobs it takes with a claim id and
a lease, skipping rows another transaction holds (``FOR UPDATE SKIP LOCKED`` on PostgreSQL;
SQLite has one writer at a time and ignores the clause). A claimed job is completed by
deleting it *by its claim*, so a process whose lease ran out (and whose job another process
took meanwhile) deletes nothing and must roll back what it did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from voipbin.common.timestamps import parse_timestamp
from voipbin.server.storage.database import Database, Executor, Row
from voipbin.server.storage.tables import runtime_jobs

#: What ``claim`` reads of each job.
_COLUMNS = ("id", "kind", "resource_id", "due", "payload", "attempts", "lane")


@dataclass(frozen=True, slots=True)
class JobRow:
    """A claimed job as stored: its payload still JSON text."""

    id: int
    kind: str
    resource_id: str
    due: datetime
    payload: str
    attempts: int
    lane: str
    """Jobs of one lane run one at a time, in order: the resource's own unless scheduled with
    another (an activeflow's jobs in its call's lane)."""


def _timestamp(value: Any) -> datetime:
    return value if isinstance(value, datetime) else parse_timestamp(str(value))


def _job(row: Row) -> JobRow:
    id_, kind, resource_id, due, payload, attempts, lane = row
    return JobRow(
        int(id_),
        str(kind),
        str(resource_id),
        _timestamp(due),
        str(payload),
        attempts,
        str(lane or resource_id),
    )


def _claimable(j: sa.Table) -> sa.ColumnElement[bool]:
    """Not claimed, or claimed by a lease that has run out at ``now``."""
    return sa.or_(j.c.lease_until.is_(None), j.c.lease_until <= sa.bindparam("now"))


class JobRows:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def insert(
        self,
        executor: Executor,
        *,
        kind: str,
        resource_id: str,
        due: datetime,
        payload: str,
        now: datetime,
        lane: str | None = None,
    ) -> int:
        """Store a new job; its id (later ids for later submissions)."""
        j = runtime_jobs
        statement = self.db.compile(
            ("jobs", "insert"),
            lambda: (
                sa.insert(j)
                .values(
                    kind=sa.bindparam("kind"),
                    resource_id=sa.bindparam("resource_id"),
                    due=sa.bindparam("due"),
                    payload=sa.bindparam("payload"),
                    lane=sa.bindparam("lane"),
                    tm_create=sa.bindparam("now"),
                )
                .returning(j.c.id)
            ),
        )
        ts = self.db.timestamp_param
        row = await executor.fetchrow(
            statement,
            {
                "kind": kind,
                "resource_id": resource_id,
                "due": ts(due),
                "payload": payload,
                "lane": lane,
                "now": ts(now),
            },
        )
        assert row is not None
        return int(row[0])

    async def delete(self, executor: Executor, job_id: int) -> bool:
        """Remove a job, claimed or not; whether there was one."""
        j = runtime_jobs
        statement = self.db.compile(
            ("jobs", "delete"), lambda: sa.delete(j).where(j.c.id == sa.bindparam("id"))
        )
        return await executor.execute(statement, {"id": job_id}) > 0

    async def delete_for(self, executor: Executor, kind: str, resource_id: str) -> int:
        """Remove every job of ``kind`` for ``resource_id``; how many there were."""
        j = runtime_jobs
        statement = self.db.compile(
            ("jobs", "delete_for"),
            lambda: sa.delete(j).where(
                j.c.kind == sa.bindparam("kind"), j.c.resource_id == sa.bindparam("resource_id")
            ),
        )
        return await executor.execute(statement, {"kind": kind, "resource_id": resource_id})

    async def next_due(self, executor: Executor, now: datetime) -> datetime | None:
        """When the earliest job that may be claimed at ``now`` is due."""
        j = runtime_jobs
        statement = self.db.compile(
            ("jobs", "next_due"),
            lambda: sa.select(sa.func.min(j.c.due)).where(_claimable(j)),
        )
        row = await executor.fetchrow(statement, {"now": self.db.timestamp_param(now)})
        return None if row is None or row[0] is None else _timestamp(row[0])

    async def claim(
        self, executor: Executor, *, now: datetime, lease_until: datetime, claim_id: str, limit: int
    ) -> list[JobRow]:
        """Claim up to ``limit`` jobs due at ``now`` for ``claim_id`` until ``lease_until``,
        skipping jobs other transactions hold; the claimed jobs, due time then submission
        order."""
        j = runtime_jobs

        def build() -> sa.Update:
            due = (
                sa.select(j.c.id)
                .where(j.c.due <= sa.bindparam("now"), _claimable(j))
                .order_by(j.c.due, j.c.id)
                .limit(sa.bindparam("limit"))
                .with_for_update(skip_locked=True)
            )
            return (
                sa.update(j)
                .where(j.c.id.in_(due.scalar_subquery()))
                .values(claim_id=sa.bindparam("claim_id"), lease_until=sa.bindparam("lease"))
                .returning(*(j.c[n] for n in _COLUMNS))
            )

        statement = self.db.compile(("jobs", "claim"), build)
        ts = self.db.timestamp_param
        rows = await executor.fetch(
            statement,
            {"now": ts(now), "lease": ts(lease_until), "claim_id": claim_id, "limit": limit},
        )
        jobs = [_job(row) for row in rows]
        jobs.sort(key=lambda job: (job.due, job.id))
        return jobs

    async def complete(self, executor: Executor, job_id: int, claim_id: str) -> bool:
        """Delete a job this claim still holds; ``False`` when the claim was lost (the lease
        ran out and another process took the job, or it was cancelled)."""
        j = runtime_jobs
        statement = self.db.compile(
            ("jobs", "complete"),
            lambda: sa.delete(j).where(
                j.c.id == sa.bindparam("id"), j.c.claim_id == sa.bindparam("claim_id")
            ),
        )
        return await executor.execute(statement, {"id": job_id, "claim_id": claim_id}) > 0

    async def retry(
        self, executor: Executor, job_id: int, claim_id: str, *, due: datetime, error: str
    ) -> bool:
        """Give back a job this claim holds, due again at ``due``, one more attempt counted
        and ``error`` kept; whether the claim still held it."""
        j = runtime_jobs
        statement = self.db.compile(
            ("jobs", "retry"),
            lambda: (
                sa.update(j)
                .where(j.c.id == sa.bindparam("id"), j.c.claim_id == sa.bindparam("claim_id"))
                .values(
                    due=sa.bindparam("due"),
                    attempts=j.c.attempts + 1,
                    last_error=sa.bindparam("error"),
                    claim_id=sa.null(),
                    lease_until=sa.null(),
                )
            ),
        )
        params = {
            "id": job_id,
            "claim_id": claim_id,
            "due": self.db.timestamp_param(due),
            "error": error,
        }
        return await executor.execute(statement, params) > 0

    async def release(self, executor: Executor, claim_id: str) -> int:
        """Give back, unchanged, every job ``claim_id`` still holds (a worker stopping with
        jobs it has not run); how many."""
        j = runtime_jobs
        statement = self.db.compile(
            ("jobs", "release"),
            lambda: (
                sa.update(j)
                .where(j.c.claim_id == sa.bindparam("claim_id"))
                .values(claim_id=sa.null(), lease_until=sa.null())
            ),
        )
        return await executor.execute(statement, {"claim_id": claim_id})
