"""Writes inside a transaction: a creation-time clash with another process is retried inside
a savepoint, so the transaction goes on; a failure undoes the whole transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from voipbin.common.ids import new_id
from voipbin.models.tag import Tag
from voipbin.server.storage.backends import open_database
from voipbin.server.storage.clock import CreationClock
from voipbin.server.storage.repository import ListQuery, Repository
from voipbin.server.storage.tables import tag_tags

FIELDS = tuple(Tag.__struct_fields__)


async def test_a_clash_inside_a_transaction_is_retried_and_the_transaction_commits(
    database_url: str,
) -> None:
    stuck = datetime.now(UTC) - timedelta(seconds=5)
    db = open_database(database_url)
    customer = str(new_id())
    # Two clocks stuck on the same microsecond: two processes that hand out the same times.
    first = Repository(db, tag_tags, FIELDS, CreationClock(lambda: stuck))
    second = Repository(db, tag_tags, FIELDS, CreationClock(lambda: stuck))
    try:
        await first.insert({"customer_id": customer, "name": "a"})
        await first.insert({"customer_id": customer, "name": "b"})
        async with db.transaction() as tx:
            await second.insert({"customer_id": customer, "name": "c"}, executor=tx)
            await second.insert({"customer_id": customer, "name": "d"}, executor=tx)

        rows = await first.list(ListQuery(limit=10, customer_id=customer))
    finally:
        await db.close()
    created = [row[FIELDS.index("tm_create")] for row in rows]
    assert sorted(row[FIELDS.index("name")] for row in rows) == ["a", "b", "c", "d"]
    assert len(set(created)) == 4


async def test_a_failed_transaction_leaves_nothing_behind(database_url: str) -> None:
    db = open_database(database_url)
    customer = str(new_id())
    tags = Repository(db, tag_tags, FIELDS, CreationClock())
    try:

        async def two_steps() -> None:
            async with db.transaction() as tx:
                await tags.insert({"customer_id": customer, "name": "kept?"}, executor=tx)
                raise RuntimeError("the second step failed")

        with pytest.raises(RuntimeError):
            await two_steps()

        rows = await tags.list(ListQuery(limit=10, customer_id=customer))
    finally:
        await db.close()
    assert rows == []
