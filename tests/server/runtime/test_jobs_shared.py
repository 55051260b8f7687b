"""Many server processes share one PostgreSQL's jobs: each job runs exactly once, whichever
process claims it (two databases here, each with its own pool, as two processes have)."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime

import pytest

from tests.server.runtime.test_jobs import CUSTOMER, opened, pending, tag_names, tags_of
from voipbin.common.ids import new_id
from voipbin.server.runtime.clock import VirtualClock
from voipbin.server.runtime.jobs import Handler, Job, Jobs
from voipbin.server.storage.database import Executor

#: As many as one page of tags holds, so that one read sees every job's write.
JOBS = 100


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_two_workers_never_run_one_job_twice(database_url: str) -> None:
    clock = VirtualClock(datetime.now(UTC))
    async with opened(database_url) as db_a, opened(database_url) as db_b:
        ran: Counter[str] = Counter()
        by_worker: Counter[str] = Counter()
        tags = tags_of(db_a, clock)

        def handler(worker: str) -> Handler:
            async def run(tx: Executor, job: Job) -> None:
                ran[job.resource_id] += 1
                by_worker[worker] += 1
                await tags.insert({"customer_id": CUSTOMER, "name": job.resource_id}, executor=tx)
                await asyncio.sleep(0)  # let the other worker in

            return run

        workers = [Jobs(db, clock) for db in (db_a, db_b)]
        for name, jobs in zip("ab", workers, strict=True):
            jobs.register("step", handler(name))
        resources = [str(new_id()) for _ in range(JOBS)]
        async with db_a.transaction() as tx:
            for resource in resources:
                await workers[0].schedule(tx, "step", resource, clock.now())

        async def drain(jobs: Jobs) -> None:
            while await jobs.run_due(limit=8):
                pass

        await asyncio.gather(*(drain(jobs) for jobs in workers))

        assert sorted(ran) == sorted(resources)
        assert set(ran.values()) == {1}
        assert by_worker["a"] > 0
        assert by_worker["b"] > 0
        assert await tag_names(tags) == sorted(resources)
        assert await pending(db_a) == []
