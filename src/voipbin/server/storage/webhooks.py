"""The statements behind webhook deliveries (``webhook_deliveries``): the generic repository,
plus the head of a lane (its oldest delivery not yet delivered or failed), which goes out
before any later one of the same lane."""

from __future__ import annotations

import sqlalchemy as sa

from voipbin.server.storage.database import Executor, Row
from voipbin.server.storage.repository import Repository

#: The statuses of a delivery still to go out: the head of its lane is one of these.
ACTIVE = ("pending", "delivering")


class DeliveryRows(Repository):
    """The repository of ``webhook_deliveries`` with its lanes."""

    async def lane_head(self, executor: Executor, lane: str) -> Row | None:
        """The oldest delivery of ``lane`` still to go out; ``None`` when there is none."""
        t = self.table

        def build() -> sa.Select[tuple[object, ...]]:
            return (
                self._select()
                .where(
                    t.c.lane == sa.bindparam("lane"),
                    sa.or_(*(t.c.status == sa.literal_column(f"'{s}'") for s in ACTIVE)),
                    t.c.tm_delete.is_(None),
                )
                .order_by(t.c.tm_create)
                .limit(1)
            )

        statement = self.db.compile((self._key, "lane_head"), build)
        row = await executor.fetchrow(statement, {"lane": lane})
        return None if row is None else self._decode(row)
