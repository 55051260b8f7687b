"""The event feed's order: an event told of while a read of the outbox is on its way, created
before where that read starts and committed (with a later event of its resource) before it
is answered, is still handed out before the later event; and so is one that commits while a
read goes on past a full batch."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from voipbin.server.runtime.clock import RealClock
from voipbin.server.runtime.events.bus import Bus
from voipbin.server.runtime.events.feed import Close, EventFeed, Listener
from voipbin.server.runtime.events.topics import CUSTOMER, Topic
from voipbin.server.storage.database import Row
from voipbin.server.storage.outbox import OutboxTail

CUSTOMER_ID = "5e1a0000-0000-4000-8000-000000000001"


class _Outbox(OutboxTail):
    """The outbox as the feed reads it: the committed rows created after ``since``. A hook
    runs while a read is on its way (before its snapshot is taken)."""

    def __init__(self) -> None:
        self.committed: list[Row] = []
        self.during_next_read: Callable[[], None] | None = None
        self.after_a_full_batch: Callable[[], None] | None = None
        """Runs during the read that follows one that answered a full batch."""
        self._full = False

    reorders = True

    async def earlier_of(
        self,
        resources: Sequence[str],
        resource_ids: Sequence[str],
        since: datetime,
        until: datetime,
    ) -> list[Row]:
        found = [
            r
            for r in self.committed
            if r[3] in resources and r[4] in resource_ids and since <= r[6] < until
        ]
        return sorted(found, key=lambda r: r[6])

    def commit(self, event_id: str, type: str, resource_id: str, created: datetime) -> None:
        data = json.dumps({"id": resource_id})
        self.committed.append((event_id, CUSTOMER_ID, type, "call", resource_id, data, created))

    async def after(self, since: datetime, limit: int) -> list[Row]:
        await asyncio.sleep(0)
        hook, self.during_next_read = self.during_next_read, None
        if hook is not None:
            hook()
        if self._full and self.after_a_full_batch is not None:
            hook, self.after_a_full_batch = self.after_a_full_batch, None
            hook()
        rows = sorted((r for r in self.committed if r[6] > since), key=lambda r: r[6])
        self._full = len(rows) >= limit
        return rows[:limit]


async def _frames(listener: Listener, count: int) -> list[tuple[str, str]]:
    got = []
    for _ in range(count):
        frame = await asyncio.wait_for(listener.queue.get(), 5)
        assert not isinstance(frame, Close)
        decoded = json.loads(frame)
        got.append((decoded["type"], decoded["data"]["id"]))
    return got


async def test_an_event_told_while_a_read_is_on_its_way_comes_before_its_resources_later_one() -> (
    None
):
    outbox = _Outbox()
    clock = RealClock()
    feed = EventFeed(outbox, clock, Bus(), poll_seconds=60)
    listener = Listener(100)
    feed.attach(listener)
    feed.subscribe(listener, [Topic((CUSTOMER, CUSTOMER_ID))])
    start = clock.now()
    try:
        # Another call's event moves the feed's cursor on.
        other = start + timedelta(seconds=1)
        outbox.commit("e-other", "call_created", "other-call", other)
        feed.heard([("e-other", other)])
        assert await _frames(listener, 1) == [("call_created", "other-call")]

        # A call created before it commits late; its next event follows at once, and the
        # feed is told of the first only while the read that finds the second is on its way.
        created, updated = start + timedelta(seconds=0.5), start + timedelta(seconds=2)

        def late_commit() -> None:
            outbox.commit("e-created", "call_created", "the-call", created)
            outbox.commit("e-updated", "call_updated", "the-call", updated)
            feed.heard([("e-created", created)])

        outbox.during_next_read = late_commit
        feed.heard([("e-updated", updated)])
        assert await _frames(listener, 2) == [
            ("call_created", "the-call"),
            ("call_updated", "the-call"),
        ]
    finally:
        feed.detach(listener)
        await feed.close()


async def test_a_read_does_not_go_on_past_a_full_batch_while_an_older_event_is_uncommitted() -> (
    None
):
    outbox = _Outbox()
    clock = RealClock()
    feed = EventFeed(outbox, clock, Bus(), poll_seconds=60, batch=2)
    listener = Listener(100)
    feed.attach(listener)
    feed.subscribe(listener, [Topic((CUSTOMER, CUSTOMER_ID))])
    start = clock.now()

    def at(seconds: float) -> datetime:
        return start + timedelta(seconds=seconds)

    try:
        # Three events of other calls are committed, more than a batch of them; the call's
        # first event, created before them, is written (told) but not committed yet.
        for n, second in enumerate((2, 3, 4)):
            outbox.commit(f"e-{n}", "call_created", f"other-{n}", at(second))

        # Right after the feed's first full batch, the call's first event commits with its
        # next one.
        def late_commit() -> None:
            outbox.commit("e-created", "call_created", "the-call", at(1))
            outbox.commit("e-hangup", "call_hangup", "the-call", at(5))
            feed.heard([("e-hangup", at(5))])

        outbox.after_a_full_batch = late_commit
        feed.heard([("e-created", at(1)), *((f"e-{n}", at(s)) for n, s in enumerate((2, 3, 4)))])
        frames = await _frames(listener, 5)
        the_call = [f for f in frames if f[1] == "the-call"]
        assert the_call == [("call_created", "the-call"), ("call_hangup", "the-call")]
        assert {f[1] for f in frames} == {"other-0", "other-1", "other-2", "the-call"}
    finally:
        feed.detach(listener)
        await feed.close()


async def test_an_earlier_event_never_told_of_still_comes_before_its_resources_later_one() -> None:
    """Another instance's event whose message was lost (or comes later than the next event of
    its resource) is found with the later one, and handed out first."""
    outbox = _Outbox()
    clock = RealClock()
    feed = EventFeed(outbox, clock, Bus(), poll_seconds=60)
    listener = Listener(100)
    feed.attach(listener)
    feed.subscribe(listener, [Topic((CUSTOMER, CUSTOMER_ID))])
    start = clock.now()
    try:
        other = start + timedelta(seconds=1)
        outbox.commit("e-other", "call_created", "other-call", other)
        feed.heard([("e-other", other)])
        assert await _frames(listener, 1) == [("call_created", "other-call")]

        # Created before the other call's event, committed after it; nobody tells the feed.
        outbox.commit("e-created", "call_created", "the-call", start + timedelta(seconds=0.5))
        updated = start + timedelta(seconds=2)
        outbox.commit("e-updated", "call_updated", "the-call", updated)
        feed.heard([("e-updated", updated)])

        assert await _frames(listener, 2) == [
            ("call_created", "the-call"),
            ("call_updated", "the-call"),
        ]
    finally:
        feed.detach(listener)
        await feed.close()
