"""Durable jobs: every delay of the runtime (a dial timeout, the end of a talk, a ``sleep``, a
webhook retry) is a row in ``runtime_jobs``, run once when it falls due by whichever server
process claims it.

Use::

    jobs.register("call.dial_timeout", on_dial_timeout)   # at start, once per kind

    async with db.transaction() as tx:                      # a transition...
        await calls.move(tx, call_id, "dialing", "ringing")
        await jobs.schedule(tx, "call.dial_timeout", call_id, jobs.clock.now() + DIAL_TIMEOUT)

    async def on_dial_timeout(tx: Executor, job: Job) -> None:
        ...  # runs in the transaction that deletes the job: both commit, or neither

- ``schedule`` and ``cancel`` write in the caller's transaction, so a transition and the jobs
  it schedules or cancels commit together.
- A worker claims due jobs (a claim id and a lease; on PostgreSQL ``FOR UPDATE SKIP LOCKED``,
  so each job goes to one process), then runs each handler in a transaction that first
  deletes the job by its claim: the handler's writes and the job's completion commit
  together. A process killed mid-job leaves its claim behind; once the lease runs out another
  process takes the job. A handler that raises is logged and its job is given back, due again
  after a backoff (1 s, doubling, at most 5 minutes); a job is never dropped.
- Jobs run in due-time order; jobs due at the same time run in submission order. With
  ``concurrency`` above 1 (PostgreSQL on the real clock), a claimed batch runs in *lanes*:
  jobs of one lane (a resource's, unless scheduled with another: an activeflow's jobs run in
  its call's lane) run one at a time and in that order, up to ``concurrency`` lanes at once,
  so one slow resource or a burst of one kind does not hold up the others. SQLite has one
  writer at a time and the virtual clock must repeat itself: both run one job at a time.
- Real clock: the worker polls every ``poll_seconds`` and wakes early when this process
  schedules a job due before its next poll. Virtual clock: the worker runs what is due now;
  ``advance(seconds)`` moves the clock from due job to due job, running each (and whatever it
  schedules inside the window), and returns when everything due by then has run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import msgspec

from voipbin.common.errors import Unavailable
from voipbin.server.runtime.clock import Clock, VirtualClock
from voipbin.server.storage.database import Database, Executor
from voipbin.server.storage.jobs import JobRow, JobRows

log = logging.getLogger("voipbin.runtime.jobs")

#: The first retry's delay and the longest one (the delay doubles with each attempt).
RETRY_FIRST = timedelta(seconds=1)
RETRY_MOST = timedelta(minutes=5)
#: How many due jobs a worker claims at once.
CLAIM_BATCH = 32
#: How long the worker waits to look again when a job it was woken for was not there yet
#: (the transaction that scheduled it had not committed).
_RECHECK_SECONDS = 0.01
#: The longest a kind may be (the column's size).
KIND_MAX_LENGTH = 64


@dataclass(frozen=True, slots=True)
class Job:
    """A due job, as its handler gets it."""

    id: int
    kind: str
    resource_id: str
    due: datetime
    payload: dict[str, Any]
    attempts: int
    """How many earlier runs failed."""
    committed: list[Callable[[], None]] = field(default_factory=list)
    """Run once the job's transaction has committed (see :meth:`on_commit`)."""

    def on_commit(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once the transaction the handler runs in has committed (never
        if it rolls back): start work outside the database (a network request) only when
        what it reports on is there for others to read."""
        self.committed.append(callback)


Handler = Callable[[Executor, Job], Awaitable[None]]
"""Runs a job inside the transaction that completes it; raising rolls both back."""


class NotVirtual(Exception):
    """``advance`` on a server whose clock is real."""


def retry_delay(attempts: int) -> timedelta:
    """How long after its ``attempts``-th failure (counting from 0) a job is due again."""
    return min(RETRY_FIRST * (1 << min(attempts, 20)), RETRY_MOST)


class Jobs:
    """The durable jobs of one server process, and its worker."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        poll_seconds: float = 0.5,
        lease_seconds: float = 30.0,
        concurrency: int = 1,
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"jobs run at least one at a time, not {concurrency!r}")
        self.db = db
        self.clock = clock
        self.poll_seconds = poll_seconds
        self.concurrency = concurrency
        self.lease = timedelta(seconds=lease_seconds)
        self.rows = JobRows(db)
        self._handlers: dict[str, Handler] = {}
        # One batch at a time in this process: the worker and ``advance`` take turns.
        self._running = asyncio.Lock()
        self._wake = asyncio.Event()
        self._soonest: datetime | None = None
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    # -- the interface the runtime uses ----------------------------------------------------

    def register(self, kind: str, handler: Handler) -> None:
        """Run ``handler`` for every job of ``kind`` (one handler per kind)."""
        if not kind or len(kind) > KIND_MAX_LENGTH:
            raise ValueError(f"a job kind is 1 to {KIND_MAX_LENGTH} characters: {kind!r}")
        if kind in self._handlers:
            raise ValueError(f"jobs of kind {kind!r} already have a handler")
        self._handlers[kind] = handler

    async def schedule(
        self,
        executor: Executor,
        kind: str,
        resource_id: str,
        due: datetime,
        payload: Mapping[str, Any] | None = None,
        *,
        lane: str | None = None,
    ) -> int:
        """Store a job of ``kind`` for ``resource_id``, due at ``due`` (a time of
        ``self.clock``), in the caller's transaction; its id. ``payload`` is JSON. ``lane``
        (an id; ``resource_id`` when not given): the jobs it runs one at a time with."""
        job_id = await self.rows.insert(
            executor,
            kind=kind,
            resource_id=resource_id,
            due=due,
            payload=msgspec.json.encode(dict(payload or {})).decode(),
            now=self.clock.now(),
            lane=None if lane == resource_id else lane,
        )
        self._wake_for(due)
        return job_id

    async def cancel(self, executor: Executor, kind: str, resource_id: str) -> int:
        """Remove every pending job of ``kind`` for ``resource_id``; how many there were.
        A job already running completes or rolls back on its own (its deletion finds no
        row, so its handler's writes roll back)."""
        return await self.rows.delete_for(executor, kind, resource_id)

    async def cancel_id(self, executor: Executor, job_id: int) -> bool:
        """Remove the job ``job_id``; whether it was pending."""
        return await self.rows.delete(executor, job_id)

    # -- running due jobs ------------------------------------------------------------------

    async def run_due(self, limit: int = CLAIM_BATCH) -> int:
        """Claim up to ``limit`` jobs due now and run them in order; how many were claimed."""
        async with self._running:
            return await self._run_due(limit)

    async def _run_due(self, limit: int) -> int:
        now = self.clock.now()
        claim_id = str(uuid.uuid4())
        async with self.db.transaction() as tx:
            claimed = await self.rows.claim(
                tx, now=now, lease_until=now + self.lease, claim_id=claim_id, limit=limit
            )
        lanes: dict[str, list[JobRow]] = {}
        for row in claimed:
            lanes.setdefault(row.lane, []).append(row)
        if self.concurrency == 1 or len(lanes) == 1:
            ran = await self._run_lane(claimed, claim_id)
        else:
            slots = asyncio.Semaphore(self.concurrency)

            async def run(rows: list[JobRow]) -> int:
                async with slots:
                    return await self._run_lane(rows, claim_id)

            ran = sum(await asyncio.gather(*(run(rows) for rows in lanes.values())))
        if ran < len(claimed):
            # Stopping: give back the rest now rather than when their lease runs out.
            with contextlib.suppress(Exception):
                await self.rows.release(self.db, claim_id)
            log.info("stopping: %d claimed jobs given back", len(claimed) - ran)
        return len(claimed)

    async def _run_lane(self, rows: list[JobRow], claim_id: str) -> int:
        """Run ``rows`` one after the other until the worker stops; how many ran."""
        for index, row in enumerate(rows):
            if self._stopping:
                return index
            await self._run(row, claim_id)
        return len(rows)

    async def _run(self, row: JobRow, claim_id: str) -> None:
        handler = self._handlers.get(row.kind)
        try:
            job = Job(
                row.id,
                row.kind,
                row.resource_id,
                row.due,
                msgspec.json.decode(row.payload),
                row.attempts,
            )
            async with self.db.transaction() as tx:
                if not await self.rows.complete(tx, row.id, claim_id):
                    log.warning("job %d (%s) was taken over or cancelled", row.id, row.kind)
                    return
                if handler is None:
                    raise LookupError(f"no handler for jobs of kind {row.kind!r}")
                await handler(tx, job)
            for callback in job.committed:
                try:
                    callback()
                except Exception:
                    log.exception("job %d (%s): an after-commit step failed", row.id, row.kind)
        except Exception as exc:
            delay = retry_delay(row.attempts)
            log.exception(
                "job %d (%s, %s) failed on attempt %d; retrying in %s",
                row.id,
                row.kind,
                row.resource_id,
                row.attempts + 1,
                delay,
            )
            error = f"{type(exc).__name__}: {exc}"[:1000]
            try:
                await self.rows.retry(
                    self.db, row.id, claim_id, due=self.clock.now() + delay, error=error
                )
            except Exception:
                # The claim stays; the job runs again when its lease runs out.
                log.exception("job %d could not be given back", row.id)

    # -- the virtual clock -----------------------------------------------------------------

    async def advance(self, seconds: float) -> datetime:
        """Move the virtual clock ``seconds`` forward, stopping at each due job in order (due
        time, then submission) to run it, and any job it schedules inside the window; the time
        after. ``NotVirtual`` on a real clock."""
        clock = self.clock
        if not isinstance(clock, VirtualClock):
            raise NotVirtual()
        if not seconds >= 0:
            raise ValueError(f"a clock does not move by {seconds!r} seconds")
        async with self._running:
            target = clock.now() + timedelta(seconds=seconds)
            while not self._stopping:
                due = await self.rows.next_due(self.db, clock.now())
                if due is None or due > target:
                    break
                clock.move_to(due)
                if not await self._run_due(1):
                    break  # held by another process's transaction: it runs it
            return clock.move_to(target)

    # -- the worker ------------------------------------------------------------------------

    def _wake_for(self, due: datetime) -> None:
        if self._soonest is None or due < self._soonest:
            self._soonest = due
            self._wake.set()

    def _delay(self) -> float:
        """How long the worker sleeps before looking again."""
        soonest, self._soonest = self._soonest, None
        if soonest is None:
            return self.poll_seconds
        ahead = (soonest - self.clock.now()).total_seconds()
        if ahead <= 0:
            # Woken for a job that was not there yet: its transaction had not committed.
            return min(_RECHECK_SECONDS, self.poll_seconds)
        if self.clock.mode == "virtual":
            return self.poll_seconds  # virtual time does not pass while sleeping
        return min(ahead, self.poll_seconds)

    async def _work(self) -> None:
        failing = False
        while not self._stopping:
            claimed = 0
            try:
                claimed = await self.run_due()
                failing = False
            except Unavailable:
                if not failing:
                    log.warning("the database is unreachable; the jobs worker keeps trying")
                failing = True
            except Exception:
                if not failing:
                    log.exception("the jobs worker cannot claim jobs; it keeps trying")
                failing = True
            if claimed >= CLAIM_BATCH or self._stopping:
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._delay())

    def start(self) -> None:
        """Start the worker (once)."""
        if self._task is None:
            self._stopping = False
            self._task = asyncio.get_running_loop().create_task(self._work(), name="jobs")

    async def stop(self, grace: float = 10.0) -> None:
        """Stop the worker after the job it is running; cancel it after ``grace`` seconds."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(task, grace)
        except TimeoutError:
            log.warning("the jobs worker did not stop within %s s; cancelled", grace)
