"""A list of referenced ids is checked in one statement whose text does not depend on the
list's length: tens of thousands of ids are answered (PostgreSQL's 32,767 bind parameters are
no limit), and lists of every length share one compiled statement."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from voipbin.common.ids import new_id
from voipbin.models.tag import Tag
from voipbin.server.storage.backends import open_database
from voipbin.server.storage.clock import CreationClock
from voipbin.server.storage.database import Database
from voipbin.server.storage.repository import Repository
from voipbin.server.storage.tables import tag_tags


@pytest.fixture
async def tags(database_url: str) -> AsyncIterator[Repository]:
    db = open_database(database_url)
    try:
        yield Repository(db, tag_tags, Tag.__struct_fields__, CreationClock())
    finally:
        await db.close()


async def _insert(tags: Repository, customer_id: str, count: int) -> list[str]:
    return [
        str((await tags.insert({"customer_id": customer_id, "name": f"t{i}"}))[0])
        for i in range(count)
    ]


async def test_forty_thousand_ids_are_answered_in_one_statement(tags: Repository) -> None:
    customer, other = str(new_id()), str(new_id())
    live = await _insert(tags, customer, 20)
    deleted = await _insert(tags, customer, 3)
    for id in deleted:
        assert await tags.soft_delete(id)
    foreign = await _insert(tags, other, 3)
    unknown = [str(new_id()) for _ in range(40_000)]
    asked = unknown[:20_000] + live + deleted + foreign + unknown[20_000:]

    scoped = await tags.live_ids(asked, customer)
    unscoped = await tags.live_ids(asked)

    assert scoped == set(live)
    assert unscoped == set(live) | set(foreign)


async def test_lists_of_every_length_share_one_compiled_statement(tags: Repository) -> None:
    db: Database = tags.db
    customer = str(new_id())
    live = await _insert(tags, customer, 2)
    await tags.live_ids(live, customer)
    compiled = db.compiled_statements

    for length in range(1, 301):
        found = await tags.live_ids([*live, *(str(new_id()) for _ in range(length))], customer)
        assert found == set(live)

    assert db.compiled_statements == compiled
