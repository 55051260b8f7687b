"""``LISTEN`` on PostgreSQL: one dedicated connection that hears a channel's notifications
(``NOTIFY``, sent by any process on the same database) and hands each payload to a callback.

The connection is opened on ``start`` and opened again after it fails, every few seconds,
for as long as the listener runs: a database that goes away and comes back costs the
notifications sent meanwhile, never the listener.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import asyncpg

log = logging.getLogger(__name__)

#: How long a failed connection waits before connecting again.
RETRY_SECONDS = 2.0


class PostgresListener:
    """Hears ``channel`` on the database at ``url`` while started."""

    def __init__(
        self, url: str, channel: str, heard: Callable[[str], None], *, timeout: float = 5.0
    ) -> None:
        self.url = url
        self.channel = channel
        self.heard = heard
        self.timeout = timeout
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._listen(), name="listen")

    def _on_notification(self, connection: Any, pid: int, channel: str, payload: object) -> None:
        self.heard(str(payload))

    async def _listen(self) -> None:
        failing = False
        while True:
            try:
                connection = await asyncpg.connect(self.url, timeout=self.timeout)
            except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
                if not failing:
                    log.warning("cannot LISTEN on %s (%s); trying again", self.channel, exc)
                failing = True
                await asyncio.sleep(RETRY_SECONDS)
                continue
            lost = asyncio.Event()
            connection.add_termination_listener(lambda _, lost=lost: lost.set())
            try:
                await connection.add_listener(self.channel, self._on_notification)
                failing = False
                await lost.wait()
                log.warning("the LISTEN connection of %s was lost; connecting again", self.channel)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("LISTEN on %s failed (%s); connecting again", self.channel, exc)
            finally:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(connection.close(), self.timeout)
            await asyncio.sleep(RETRY_SECONDS)

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
