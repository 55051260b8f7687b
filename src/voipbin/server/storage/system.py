"""Values the server keeps for itself in ``system_settings`` (the generated JWT secret)."""

from __future__ import annotations

import sqlalchemy as sa

from voipbin.server.storage.database import Database, UniqueViolation
from voipbin.server.storage.tables import system_settings


class SystemValues:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get_or_set(self, key: str, value: str) -> str:
        """The stored value of ``key``, storing ``value`` first if there is none.

        When several processes race, every one gets the value the first one stored.
        """
        t = system_settings
        select = self.db.compile(
            ("system", "get"), lambda: sa.select(t.c.value).where(t.c.key == sa.bindparam("key"))
        )
        row = await self.db.fetchrow(select, {"key": key})
        if row is not None:
            return str(row[0])
        insert = self.db.compile(
            ("system", "insert"),
            lambda: sa.insert(t).values(key=sa.bindparam("key"), value=sa.bindparam("value")),
        )
        try:
            await self.db.execute(insert, {"key": key, "value": value})
        except UniqueViolation:
            row = await self.db.fetchrow(select, {"key": key})
            assert row is not None
            return str(row[0])
        return value
