"""The statements behind the event outbox: the generic repository over ``event_outbox``
(an append-only table: insert with a unique creation time, and a keyset list of one
resource's events served by its ``(resource, resource_id, tm_create)`` index), and the
forward read the event stream tails it with."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from voipbin.server.storage.clock import CreationClock
from voipbin.server.storage.database import Database, Row
from voipbin.server.storage.repository import Repository, in_id_list
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
        self.reorders = db.name == "postgresql"
        """Transactions commit in another order than their events were created (PostgreSQL;
        SQLite writes one transaction at a time)."""

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

    async def earlier_of(
        self,
        resources: Sequence[str],
        resource_ids: Sequence[str],
        since: datetime,
        until: datetime,
    ) -> list[Row]:
        """The events of ``resource_ids`` (of one of ``resources``) created from ``since`` to
        before ``until``, oldest first, as ``EVENT_FIELDS``: served by the ``(resource,
        resource_id, tm_create)`` index."""
        o = event_outbox
        dialect = self.db.name
        statement = self.db.compile(
            ("outbox", "earlier_of"),
            lambda: (
                sa.select(*(o.c[name] for name in EVENT_FIELDS))
                .where(
                    in_id_list(o.c.resource, dialect, "resources"),
                    in_id_list(o.c.resource_id, dialect, "ids"),
                    o.c.tm_create >= sa.bindparam("since"),
                    o.c.tm_create < sa.bindparam("until"),
                )
                .order_by(o.c.tm_create)
            ),
        )
        ts = self.db.timestamp_param
        params = {
            "resources": self.db.ids_param(list(resources)),
            "ids": self.db.ids_param(list(resource_ids)),
            "since": ts(since),
            "until": ts(until),
        }
        return await self.db.fetch(statement, params)

    async def notify(self, channel: str, payload: str) -> None:
        """``NOTIFY channel, payload`` (PostgreSQL only): every listening process hears it."""
        statement = self.db.compile(
            ("outbox", "notify"),
            lambda: sa.select(sa.func.pg_notify(sa.bindparam("channel"), sa.bindparam("payload"))),
        )
        await self.db.fetch(statement, {"channel": channel, "payload": payload})
