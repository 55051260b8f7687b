"""The event feed: one per server process, it reads the events every process writes to the
outbox, as they commit, and hands each to the websocket listeners whose topics match it.

How it finds them: it reads forward from a cursor (the newest creation time it has seen).
A transaction that wrote its event before another's may commit after it, below the cursor,
so it reads from before any event it was told of and has not found yet (told with its
creation time; told while a read was on its way, that read is made again from before it),
and every poll it reads the last ``lag_seconds`` again; it drops the events
it has already handed out by id, so each event goes to a listener at most once. On
PostgreSQL each read that finds events also looks, through the outbox's per-resource index,
for earlier events of their resources it has not handed out (one committed behind a later
event of another resource, told of too late by another instance): those go first, so a
resource's events keep their order. It reads
when told that events were written (by this process's outbox, or by another process over
the bus: ``bus.py``) until it has found them, and every ``poll_seconds`` in any case; an
event that commits more than ``lag_seconds`` after it was created is missed. It runs only
while some websocket is open.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import msgspec

from voipbin.common.timestamps import parse_timestamp
from voipbin.server.runtime.clock import Clock
from voipbin.server.runtime.events.bus import Bus, Told
from voipbin.server.runtime.events.topics import AGENT, CUSTOMER, Topic, published_topics
from voipbin.server.storage.database import Row
from voipbin.server.storage.outbox import EVENT_FIELDS, OutboxTail

log = logging.getLogger("voipbin.runtime.events")

_ID, _CUSTOMER, _TYPE, _RESOURCE, _RESOURCE_ID, _DATA, _CREATED = (
    EVENT_FIELDS.index(name)
    for name in ("id", "customer_id", "type", "resource", "resource_id", "data", "tm_create")
)
#: The close code of a listener that fell too far behind (its queue was full).
CLOSE_TOO_SLOW = 4008
_BEFORE = timedelta(microseconds=1)
#: The first wait before reading again for an event told of but not found yet (doubling).
_RECHECK_SECONDS = 0.005


class _Owner(msgspec.Struct):
    owner_id: str | None = None


_owner = msgspec.json.Decoder(_Owner)


@dataclass(frozen=True, slots=True)
class Close:
    """The last item of a listener's queue: close the websocket with this code."""

    code: int
    reason: str


class Listener:
    """One websocket's side of the feed: its topics and a bounded queue of frames to send.

    A listener whose queue is full is closed (:data:`CLOSE_TOO_SLOW`) rather than waited
    for: the feed never waits on a client, so a slow one never slows the others."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.queue: asyncio.Queue[str | Close] = asyncio.Queue()
        self.topics: dict[str, Topic] = {}
        self.closed = False

    def offer(self, frame: str) -> None:
        if self.closed:
            return
        if self.queue.qsize() >= self.size:
            self.close(CLOSE_TOO_SLOW, f"too slow: {self.size} frames were waiting")
            return
        self.queue.put_nowait(frame)

    def close(self, code: int, reason: str) -> None:
        """Drop what waits and have the websocket close with ``code``."""
        if self.closed:
            return
        self.closed = True
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(Close(code, reason))


def _timestamp(value: Any) -> datetime:
    return value if isinstance(value, datetime) else parse_timestamp(str(value))


def frame_of(type: str, data: str) -> str:
    """An event's frame: ``{"type", "data"}``, the body a webhook carries (``type`` is a
    catalogue name and ``data`` JSON, so neither needs escaping)."""
    return f'{{"type":"{type}","data":{data}}}'


class EventFeed:
    def __init__(
        self,
        tail: OutboxTail,
        clock: Clock,
        bus: Bus,
        *,
        poll_seconds: float = 1.0,
        lag_seconds: float = 5.0,
        batch: int = 500,
    ) -> None:
        self.tail = tail
        self.clock = clock
        self.bus = bus
        self.poll_seconds = poll_seconds
        self.lag = timedelta(seconds=lag_seconds)
        self.batch = batch
        self._listeners: dict[tuple[str, str], set[Listener]] = {}
        self._count = 0
        self._cursor: datetime | None = None
        self._seen: dict[str, datetime] = {}
        # Events told of and not found yet: when each was told (monotonic seconds), and
        # when it was created (the next read starts before it).
        self._pending: dict[str, tuple[float, datetime]] = {}
        self._recheck = _RECHECK_SECONDS
        self._next_sweep = 0.0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # -- listeners -------------------------------------------------------------------------

    def attach(self, listener: Listener) -> None:
        self._count += 1
        if self._task is None:
            self._cursor = self.clock.now()
            self.bus.start(self.heard)
            self._task = asyncio.get_running_loop().create_task(self._run(), name="event-feed")

    def detach(self, listener: Listener) -> None:
        self._count -= 1
        self.unsubscribe(listener, list(listener.topics))

    def subscribe(self, listener: Listener, topics: list[Topic]) -> None:
        for topic in topics:
            listener.topics[topic.text] = topic
            self._listeners.setdefault(topic.scope, set()).add(listener)

    def unsubscribe(self, listener: Listener, texts: list[str]) -> None:
        scopes = {listener.topics.pop(t).scope for t in texts if t in listener.topics}
        kept = {topic.scope for topic in listener.topics.values()}
        for scope in scopes - kept:
            under = self._listeners.get(scope)
            if under is not None:
                under.discard(listener)
                if not under:
                    del self._listeners[scope]

    # -- being told of events --------------------------------------------------------------

    def emitted(self, event_id: str, created: datetime) -> None:
        """This process wrote the event ``event_id`` (it commits soon, or never)."""
        told = [(event_id, created)]
        self.bus.publish(told)
        self.heard(told)

    def heard(self, told: list[Told]) -> None:
        """These events were written, by this process or another."""
        if self._task is None or not self._count:
            return
        now = time.monotonic()
        for event_id, created in told:
            if event_id not in self._seen:
                self._pending.setdefault(event_id, (now, created))
        self._recheck = _RECHECK_SECONDS
        self._wake.set()

    # -- reading ---------------------------------------------------------------------------

    async def read(self, sweep: bool) -> None:
        """Read what was written since the cursor (``sweep``: within the lag window too) and
        hand it out."""
        cursor = self._cursor
        assert cursor is not None
        since = cursor - self.lag if sweep else cursor
        if self._pending:
            # An event told of may be older than the cursor (its transaction committed after
            # a later one's): reading from before it hands it out in creation order.
            since = min(since, min(c for _, c in self._pending.values()) - _BEFORE)
        while True:
            asked = time.monotonic()
            rows = await self.tail.after(since, self.batch)
            # An event told of while the read was on its way, created before where it read
            # from, may have committed before it, and a later event of its resource with it:
            # read again from before it, so that the later one is not handed out first.
            late = [c for t, c in self._pending.values() if t >= asked and c <= since]
            if late:
                since = min(late) - _BEFORE
                continue
            rows = await self._with_missed(rows, since)
            for row in rows:
                self._take(row)
            if len(rows) < self.batch:
                break
            last = _timestamp(rows[-1][_CREATED])
            if any(c < last for _, c in self._pending.values()):
                # An event told of and older than this full batch has not committed yet:
                # reading on from here (a new snapshot) could hand out a later event of its
                # resource before it. The next read, soon, starts from before it again.
                break
            since = last
        now = time.monotonic()
        lag = self.lag.total_seconds()
        self._pending = {i: p for i, p in self._pending.items() if now - p[0] < lag}
        if sweep:
            cutoff = (self._cursor or cursor) - 2 * self.lag
            self._seen = {i: t for i, t in self._seen.items() if t > cutoff}

    async def _with_missed(self, rows: list[Row], since: datetime) -> list[Row]:
        """``rows``, after the events of their resources created before ``since`` (within
        the lag window) and not handed out: one whose transaction committed after a later
        event was read past, and which the feed was told of too late (by another instance)
        or not at all. A resource's later event cannot commit before its earlier one (both
        change its row), so when the later is read the earlier is there to be found."""
        if not self.tail.reorders:
            return rows
        fresh = [r for r in rows if str(r[_ID]) not in self._seen]
        if not fresh:
            return rows
        resources = sorted({str(r[_RESOURCE]) for r in fresh})
        ids = sorted({str(r[_RESOURCE_ID]) for r in fresh})
        earlier = await self.tail.earlier_of(resources, ids, since - self.lag, since)
        missed = [r for r in earlier if str(r[_ID]) not in self._seen]
        return [*missed, *rows] if missed else rows

    def _take(self, row: Row) -> None:
        event_id = str(row[_ID])
        if event_id in self._seen:
            return
        created = _timestamp(row[_CREATED])
        self._seen[event_id] = created
        self._pending.pop(event_id, None)
        if self._cursor is None or created > self._cursor:
            self._cursor = created
        self.dispatch(
            str(row[_CUSTOMER]),
            str(row[_TYPE]),
            str(row[_RESOURCE]),
            str(row[_RESOURCE_ID]),
            str(row[_DATA]),
        )

    def dispatch(
        self, customer_id: str, type: str, resource: str, resource_id: str, data: str
    ) -> None:
        """Offer the event to every listener one of whose topics matches it, once each."""
        candidates = set(self._listeners.get((CUSTOMER, customer_id), ()))
        owner = None
        if any(scope == AGENT for scope, _ in self._listeners):
            with contextlib.suppress(msgspec.DecodeError, msgspec.ValidationError):
                owner = _owner.decode(data).owner_id
            if owner:
                candidates |= self._listeners.get((AGENT, owner), set())
        if not candidates:
            return
        published = list(published_topics(customer_id, owner or "", resource, type, resource_id))
        frame = None
        for listener in candidates:
            if any(t.matches(p) for t in listener.topics.values() for p in published):
                frame = frame or frame_of(type, data)
                listener.offer(frame)

    async def _run(self) -> None:
        failing = False
        while True:
            if not self._count:
                self._task = None  # the next listener starts it again
                return
            self._wake.clear()
            now = time.monotonic()
            sweep = now >= self._next_sweep
            if sweep:
                self._next_sweep = now + self.poll_seconds
            try:
                await self.read(sweep)
                failing = False
            except Exception:
                if not failing:
                    log.exception("the event feed cannot read the outbox; it keeps trying")
                failing = True
            if self._pending:
                delay = min(self._recheck, self.poll_seconds)
                self._recheck *= 2
            else:
                delay = max(0.0, self._next_sweep - time.monotonic())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.bus.close()
