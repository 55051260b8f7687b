"""The statements behind the event outbox: the generic repository over ``event_outbox``
(an append-only table: insert with a unique creation time, and a keyset list of one
resource's events served by its ``(resource, resource_id, tm_create)`` index), and the
forward read the event stream tails it with."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from voipbin.server.storage.clock import CreationClock
from voipbin.server.storage.database import Database, Row
from voipbin.server.storage.repository import Repository
from voipbin.server.storage.tables import event_outbox

#: The columns an event row is read with, in this order.
EVENT_FIELDS = ("id", "customer_id", "type", "resource", "resource_id", "data", "tm_create")


def outbox_repository(db: Database, clock: CreationClock) -> Repository:
    """The repository of the outbox, sharing ``clock`` with every other table's."""
    return Repository(db, event_outbox, EVENT_FIELDS, clock)


class OutboxTail:
    """The outbox read forward, as the event stream tails it: rows created after a moment,
    oldest first, served by the unique ``tm_create`` index."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def after(self, since: datetime, limit: int) -> list[Row]:
        """Up to ``limit`` events created after ``since``, oldest first, as ``EVENT_FIELDS``."""
        o = event_outbox
        statement = self.db.compile(
            ("outbox", "after"),
            lambda: (
                sa.select(*(o.c[name] for name in EVENT_FIELDS))
                .where(o.c.tm_create > sa.bindparam("since"))
                .order_by(o.c.tm_create)
                .limit(sa.bindparam("limit"))
            ),
        )
        return await self.db.fetch(
            statement, {"since": self.db.timestamp_param(since), "limit": limit}
        )

    async def notify(self, channel: str, payload: str) -> None:
        """``NOTIFY channel, payload`` (PostgreSQL only): every listening process hears it."""
        statement = self.db.compile(
            ("outbox", "notify"),
            lambda: sa.select(sa.func.pg_notify(sa.bindparam("channel"), sa.bindparam("payload"))),
        )
        await self.db.fetch(statement, {"channel": channel, "payload": payload})
