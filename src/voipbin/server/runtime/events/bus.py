"""How server processes tell each other that events were written: the ids and creation
times of the events a process emitted, published to every other process, so that each
one's event feed reads them from the outbox as soon as they commit instead of at its next
poll.

Through Redis pub/sub when ``VOIPBIN_REDIS_URL`` is set, else PostgreSQL ``LISTEN/NOTIFY``;
on SQLite (one process) there is no one to tell. The bus carries no events, only wake-ups:
the outbox stays the one source of what happened, so a lost message costs latency (the
feed's poll finds the event), never an event.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from voipbin.common.timestamps import format_timestamp, parse_timestamp
from voipbin.server.ratelimit.resp import Connection, command
from voipbin.server.storage.outbox import OutboxTail

if TYPE_CHECKING:
    from voipbin.server.storage.listen import PostgresListener

log = logging.getLogger("voipbin.runtime.events")

#: The channel on either backend.
CHANNEL = "voipbin_events"
#: The most events one message tells of (a NOTIFY payload is at most 8000 bytes).
IDS_PER_MESSAGE = 100
#: How long a failed Redis connection waits before connecting again.
RETRY_SECONDS = 2.0

Told = tuple[str, datetime]
"""An event written: its id and creation time."""
Heard = Callable[[list[Told]], None]
"""Called with the events another process (or this one) published."""


def _told(payload: bytes | str) -> list[Told]:
    """The events of a message: ``<id>/<tm_create>`` entries, comma-separated (a malformed
    entry is skipped: the feed's poll finds its event)."""
    text = payload.decode() if isinstance(payload, bytes) else payload
    told = []
    for entry in text.split(","):
        event_id, _, created = entry.partition("/")
        with contextlib.suppress(ValueError):
            told.append((event_id, parse_timestamp(created)))
    return told


def _payload(told: list[Told]) -> str:
    return ",".join(f"{event_id}/{format_timestamp(created)}" for event_id, created in told)


class Bus:
    """No other process (SQLite): publishing does nothing."""

    def start(self, heard: Heard) -> None:
        """Hear what every process publishes, from now on."""

    def publish(self, told: list[Told]) -> None:
        """Tell every process that these events were written (fire and forget)."""

    async def close(self) -> None:
        """Stop hearing and publishing."""


class _Publishing(Bus):
    """Publishes from one task, so that emitting never waits on the bus; ids emitted in the
    same event-loop pass go out in one message."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[list[Told]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def publish(self, told: list[Told]) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._publish(), name="bus")
        self._queue.put_nowait(told)

    async def _publish(self) -> None:
        failing = False
        while True:
            ids = await self._queue.get()
            while not self._queue.empty() and len(ids) < IDS_PER_MESSAGE:
                ids += self._queue.get_nowait()
            try:
                for start in range(0, len(ids), IDS_PER_MESSAGE):
                    await self._send(_payload(ids[start : start + IDS_PER_MESSAGE]))
                failing = False
            except Exception as exc:
                if not failing:
                    log.warning("cannot publish events on the bus (%s); polls will find them", exc)
                failing = True

    async def _send(self, payload: str) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


class PostgresBus(_Publishing):
    """``NOTIFY voipbin_events`` on the shared database; a LISTEN connection hears it."""

    def __init__(self, url: str, tail: OutboxTail) -> None:
        super().__init__()
        self.url = url
        self.tail = tail
        self._listener: PostgresListener | None = None

    def start(self, heard: Heard) -> None:
        # Imported here: a server on SQLite never loads asyncpg.
        from voipbin.server.storage.listen import PostgresListener

        if self._listener is None:
            self._listener = PostgresListener(self.url, CHANNEL, lambda p: heard(_told(p)))
            self._listener.start()

    async def _send(self, payload: str) -> None:
        await self.tail.notify(CHANNEL, payload)

    async def close(self) -> None:
        await super().close()
        if self._listener is not None:
            await self._listener.close()


class RedisBus(_Publishing):
    """``PUBLISH voipbin_events`` on Redis; a SUBSCRIBEd connection hears it."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self._publisher: Connection | None = None
        self._subscriber: asyncio.Task[None] | None = None

    def start(self, heard: Heard) -> None:
        if self._subscriber is None:
            loop = asyncio.get_running_loop()
            self._subscriber = loop.create_task(self._subscribe(heard), name="bus-subscribe")

    async def _subscribe(self, heard: Heard) -> None:
        failing = False
        while True:
            connection = None
            try:
                connection = await Connection.open(self.url)
                connection.on_message = lambda _channel, payload: heard(_told(payload))
                await connection.send(command(b"SUBSCRIBE", CHANNEL.encode()))
                failing = False
                # The protocol says a loss only by ``closed``; a second's delay is nothing here.
                while not connection.closed:  # noqa: ASYNC110
                    await asyncio.sleep(1.0)
                log.warning("the Redis subscription was lost; subscribing again")
            except (OSError, ConnectionError) as exc:
                if not failing:
                    log.warning("cannot subscribe to Redis (%s); trying again", exc)
                failing = True
            finally:
                if connection is not None:
                    connection.close()
            await asyncio.sleep(RETRY_SECONDS)

    async def _send(self, payload: str) -> None:
        if self._publisher is None or self._publisher.closed:
            self._publisher = await Connection.open(self.url)
        await self._publisher.send(command(b"PUBLISH", CHANNEL.encode(), payload.encode()))

    async def close(self) -> None:
        await super().close()
        task, self._subscriber = self._subscriber, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._publisher is not None:
            self._publisher.close()


def bus_for(database_url: str, redis_url: str, tail: OutboxTail) -> Bus:
    """Redis when configured, else PostgreSQL's NOTIFY, else (SQLite) none."""
    if redis_url:
        return RedisBus(redis_url)
    if database_url.split(":", 1)[0].lower().startswith("postgres"):
        return PostgresBus(database_url, tail)
    return Bus()
