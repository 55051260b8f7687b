"""Durable jobs on each backend: due-time then submission order on the virtual clock, a
handler's writes committed with the job's completion (or neither), retries, cancelling, and
a lease that hands a dead process's job to another."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from voipbin.common.ids import new_id
from voipbin.models.tag import Tag
from voipbin.server.runtime.clock import RealClock, VirtualClock
from voipbin.server.runtime.jobs import Job, Jobs, NotVirtual
from voipbin.server.storage.backends import open_database
from voipbin.server.storage.clock import CreationClock
from voipbin.server.storage.database import Database, Executor
from voipbin.server.storage.repository import ListQuery, Repository
from voipbin.server.storage.tables import runtime_jobs, tag_tags

START = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
FIELDS = tuple(Tag.__struct_fields__)
CUSTOMER = "5a4f7a8e-64a2-4b6e-9d0c-2f1f3e0c9b11"


def at(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


@contextlib.asynccontextmanager
async def opened(url: str) -> AsyncIterator[Database]:
    db = open_database(url)
    try:
        yield db
    finally:
        await db.close()


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    async with opened(database_url) as db:
        yield db


def tags_of(db: Database, clock: VirtualClock) -> Repository:
    return Repository(db, tag_tags, FIELDS, CreationClock(clock.now))


async def tag_names(tags: Repository) -> list[str]:
    rows = await tags.list(ListQuery(limit=100, customer_id=CUSTOMER))
    return sorted(str(row[FIELDS.index("name")]) for row in rows)


async def pending(db: Database) -> list[tuple[Any, ...]]:
    """The stored jobs: (kind, resource_id, attempts, last_error), oldest first."""
    j = runtime_jobs
    statement = db.compile(
        ("test", "jobs"),
        lambda: sa.select(j.c.kind, j.c.resource_id, j.c.attempts, j.c.last_error).order_by(j.c.id),
    )
    return [(str(r[0]), str(r[1]), r[2], r[3]) for r in await db.fetch(statement, {})]


async def schedule(jobs: Jobs, kind: str, due: datetime, **payload: Any) -> int:
    async with jobs.db.transaction() as tx:
        return await jobs.schedule(tx, kind, str(new_id()), due, payload)


async def test_jobs_run_in_due_order_and_ties_in_submission_order(db: Database) -> None:
    clock = VirtualClock(START)
    jobs = Jobs(db, clock)
    ran: list[tuple[str, datetime]] = []

    async def record(tx: Executor, job: Job) -> None:
        ran.append((job.payload["name"], clock.now()))
        if job.payload["name"] == "b":
            # A job scheduled by a job, due inside the window: it runs before "late".
            soon = clock.now() + timedelta(seconds=2)
            await jobs.schedule(tx, "record", job.resource_id, soon, {"name": "b2"})

    jobs.register("record", record)
    await schedule(jobs, "record", at(10), name="late")
    await schedule(jobs, "record", at(5), name="b")
    await schedule(jobs, "record", at(5), name="c")
    await schedule(jobs, "record", at(0), name="now")
    await schedule(jobs, "record", at(30), name="after")
    async with db.transaction() as tx:
        # Two in one transaction: still in the order they were submitted.
        await jobs.schedule(tx, "record", str(new_id()), at(5), {"name": "d"})
        await jobs.schedule(tx, "record", str(new_id()), at(5), {"name": "e"})

    assert await jobs.advance(10) == at(10)

    assert ran == [
        ("now", at(0)),
        ("b", at(5)),
        ("c", at(5)),
        ("d", at(5)),
        ("e", at(5)),
        ("b2", at(7)),
        ("late", at(10)),
    ]
    assert [kind for kind, *_ in await pending(db)] == ["record"]  # "after"
    assert await jobs.advance(19.999) == at(29.999)
    assert len(ran) == 7
    await jobs.advance(0.001)
    assert ran[-1] == ("after", at(30))
    assert await pending(db) == []


async def test_a_handlers_writes_and_the_jobs_completion_commit_together(db: Database) -> None:
    clock = VirtualClock(START)
    jobs = Jobs(db, clock)
    tags = tags_of(db, clock)
    attempts: list[int] = []

    async def tag_then_maybe_fail(tx: Executor, job: Job) -> None:
        attempts.append(job.attempts)
        await tags.insert({"customer_id": CUSTOMER, "name": f"try-{job.attempts}"}, executor=tx)
        if job.attempts < 2:
            raise RuntimeError("the far end is not ready")

    jobs.register("tag", tag_then_maybe_fail)
    resource = str(new_id())
    async with db.transaction() as tx:
        await jobs.schedule(tx, "tag", resource, at(1))

    await jobs.advance(1)
    # The failed run left nothing but the job, due again a second later (then two).
    assert await tag_names(tags) == []
    assert await pending(db) == [("tag", resource, 1, "RuntimeError: the far end is not ready")]
    await jobs.advance(1)
    assert attempts == [0, 1]
    assert await pending(db) == [("tag", resource, 2, "RuntimeError: the far end is not ready")]
    await jobs.advance(1.5)
    assert attempts == [0, 1]  # due at 1 + 1 + 2 = 4 s
    await jobs.advance(0.5)
    assert attempts == [0, 1, 2]
    assert await tag_names(tags) == ["try-2"]
    assert await pending(db) == []


async def test_after_commit_steps_run_once_the_handler_committed_and_never_on_a_rollback(
    db: Database,
) -> None:
    clock = VirtualClock(START)
    jobs = Jobs(db, clock)
    tags = tags_of(db, clock)
    seen: list[tuple[int, list[str]]] = []
    reads: list[asyncio.Task[None]] = []

    async def read(attempt: int) -> None:
        # What any connection reads by then: the handler's writes, committed.
        seen.append((attempt, await tag_names(tags)))

    async def tag_then_report(tx: Executor, job: Job) -> None:
        await tags.insert({"customer_id": CUSTOMER, "name": f"try-{job.attempts}"}, executor=tx)
        job.on_commit(lambda: reads.append(asyncio.create_task(read(job.attempts))))
        if job.attempts == 0:
            raise RuntimeError("rolled back")

    jobs.register("tag", tag_then_report)
    async with db.transaction() as tx:
        await jobs.schedule(tx, "tag", str(new_id()), at(0))
    await jobs.advance(0)
    assert reads == []  # rolled back: its after-commit step never ran
    await jobs.advance(1)
    await asyncio.gather(*reads)
    assert seen == [(1, ["try-1"])]


async def test_a_job_of_a_kind_without_a_handler_is_kept_for_a_retry(db: Database) -> None:
    clock = VirtualClock(START)
    jobs = Jobs(db, clock)
    await schedule(jobs, "unknown", at(0))
    await jobs.run_due()
    [(kind, _, attempts, error)] = await pending(db)
    assert (kind, attempts) == ("unknown", 1)
    assert "no handler" in error


async def test_cancel_by_resource_or_id_in_a_transaction(db: Database) -> None:
    clock = VirtualClock(START)
    jobs = Jobs(db, clock)
    ran: list[str] = []

    async def record(tx: Executor, job: Job) -> None:
        ran.append(job.payload["name"])

    jobs.register("timeout", record)
    jobs.register("other", record)
    call = str(new_id())
    async with db.transaction() as tx:
        await jobs.schedule(tx, "timeout", call, at(5), {"name": "timeout-1"})
        await jobs.schedule(tx, "timeout", call, at(6), {"name": "timeout-2"})
        await jobs.schedule(tx, "other", call, at(5), {"name": "other"})
        kept = await jobs.schedule(tx, "timeout", str(new_id()), at(5), {"name": "kept"})
        by_id = await jobs.schedule(tx, "timeout", str(new_id()), at(5), {"name": "by-id"})

    async def cancel_then_fail() -> None:
        async with db.transaction() as tx:
            assert await jobs.cancel(tx, "timeout", call) == 2
            raise RuntimeError("the transition failed")

    # A cancel in a transaction that rolls back cancels nothing.
    with pytest.raises(RuntimeError):
        await cancel_then_fail()
    assert len(await pending(db)) == 5

    async with db.transaction() as tx:
        assert await jobs.cancel(tx, "timeout", call) == 2
        assert await jobs.cancel_id(tx, by_id) is True
        assert await jobs.cancel_id(tx, by_id) is False
    await jobs.advance(60)
    assert ran == ["other", "kept"]
    assert kept > 0


async def test_a_job_scheduled_in_a_transaction_that_rolls_back_never_runs(db: Database) -> None:
    jobs = Jobs(db, VirtualClock(START))

    async def schedule_then_fail() -> None:
        async with db.transaction() as tx:
            await jobs.schedule(tx, "timeout", str(new_id()), at(1))
            raise RuntimeError("the transition failed")

    with pytest.raises(RuntimeError):
        await schedule_then_fail()
    assert await pending(db) == []


async def test_advance_is_for_a_virtual_clock_only(db: Database) -> None:
    jobs = Jobs(db, RealClock())
    with pytest.raises(NotVirtual):
        await jobs.advance(1)


async def test_the_worker_runs_a_job_scheduled_for_now_without_waiting_for_its_poll(
    db: Database,
) -> None:
    jobs = Jobs(db, RealClock(), poll_seconds=30)
    done = asyncio.Event()

    async def finish(tx: Executor, job: Job) -> None:
        done.set()

    jobs.register("soon", finish)
    jobs.start()
    try:
        await asyncio.sleep(0.05)  # the worker is asleep until its next poll
        await schedule(jobs, "soon", datetime.now(UTC) + timedelta(milliseconds=50))
        await asyncio.wait_for(done.wait(), 5)
    finally:
        await jobs.stop()
    assert await pending(db) == []


async def test_a_job_claimed_by_a_process_that_died_is_taken_after_the_lease(
    database_url: str,
) -> None:
    clock = VirtualClock(START)
    async with opened(database_url) as db_a, opened(database_url) as db_b:
        first, second = Jobs(db_a, clock, lease_seconds=30), Jobs(db_b, clock, lease_seconds=30)
        started = asyncio.Event()
        ran: list[str] = []

        async def hang(tx: Executor, job: Job) -> None:
            started.set()
            await asyncio.Event().wait()  # until the process dies

        async def finish(tx: Executor, job: Job) -> None:
            ran.append(job.resource_id)

        first.register("step", hang)
        second.register("step", finish)
        await schedule(first, "step", at(0))
        dying = asyncio.create_task(first.run_due())
        await asyncio.wait_for(started.wait(), 5)
        dying.cancel()  # killed mid-job: its transaction rolls back, its claim stays
        with contextlib.suppress(asyncio.CancelledError):
            await dying

        assert await second.run_due() == 0  # the lease still holds
        clock.advance(30)
        assert await second.run_due() == 1
        assert len(ran) == 1
        assert await pending(db_b) == []


async def test_concurrent_jobs_run_lane_by_lane_in_order_and_never_more_than_asked(
    postgres_url: str,
) -> None:
    """PostgreSQL on the real clock runs a batch in lanes: a lane's jobs one at a time in due
    order (jobs of different resources scheduled into one lane too), other lanes alongside, at
    most ``concurrency`` at once; a job waiting on another lane does not hold that lane up."""
    from tests.server.conftest import _truncate

    await _truncate(postgres_url)
    async with opened(postgres_url) as db:
        clock = RealClock()
        jobs = Jobs(db, clock, concurrency=3)
        released = asyncio.Event()
        ran: list[str] = []
        running: set[str] = set()
        most = 0

        async def record(tx: Executor, job: Job) -> None:
            nonlocal most
            name = job.payload["name"]
            lane = name[0]
            assert lane not in running, f"two jobs of lane {lane} at once"
            running.add(lane)
            most = max(most, len(running))
            try:
                if name == "a1":
                    # Held until a job of another lane has run: one lane at a time would hang.
                    await asyncio.wait_for(released.wait(), 5)
                elif name == "b1":
                    released.set()
                await asyncio.sleep(0.01)
                ran.append(name)
            finally:
                running.discard(lane)

        jobs.register("record", record)
        now = clock.now()
        lane_a = str(new_id())
        async with db.transaction() as tx:
            for offset, name in enumerate(["a1", "a2", "a3"]):
                # One lane across three resources, as an activeflow's jobs in its call's.
                due = now - timedelta(seconds=10 - offset)
                await jobs.schedule(tx, "record", str(new_id()), due, {"name": name}, lane=lane_a)
            for name in ["b1", "c1", "d1", "e1", "f1"]:
                await jobs.schedule(tx, "record", str(new_id()), now, {"name": name})

        assert await jobs.run_due() == 8

    assert [n for n in ran if n[0] == "a"] == ["a1", "a2", "a3"]
    assert ran.index("b1") < ran.index("a1")
    assert sorted(ran) == ["a1", "a2", "a3", "b1", "c1", "d1", "e1", "f1"]
    assert 2 <= most <= 3
