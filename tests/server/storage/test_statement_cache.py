"""Compiled statements are cached per table and per field list: two repositories of one table
that return different fields never get each other's statements."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from voipbin.common.ids import new_id
from voipbin.models.tag import Tag
from voipbin.server.storage.backends import open_database
from voipbin.server.storage.clock import CreationClock
from voipbin.server.storage.database import STATEMENT_CACHE_SIZE
from voipbin.server.storage.repository import ListQuery, Repository
from voipbin.server.storage.tables import tag_tags


async def test_repositories_of_one_table_with_other_fields_keep_their_own_statements(
    database_url: str,
) -> None:
    db = open_database(database_url)
    clock = CreationClock()
    full = Repository(db, tag_tags, Tag.__struct_fields__, clock)
    ids_only = Repository(db, tag_tags, ("id",), clock)
    customer = str(new_id())
    try:
        narrow = await ids_only.insert({"customer_id": customer, "name": "a"})
        wide = await full.insert({"customer_id": customer, "name": "b"})
        listed_narrow = await ids_only.list(ListQuery(limit=5, customer_id=customer))
        listed_wide = await full.list(ListQuery(limit=5, customer_id=customer))
        got = await full.get(str(narrow[0]))
    finally:
        await db.close()

    assert len(narrow) == 1
    assert len(wide) == len(Tag.__struct_fields__)
    assert {len(row) for row in listed_narrow} == {1}
    assert {len(row) for row in listed_wide} == {len(Tag.__struct_fields__)}
    assert got is not None
    assert len(got) == len(Tag.__struct_fields__)


async def test_the_statement_cache_keeps_only_the_most_recently_used(database_url: str) -> None:
    db = open_database(database_url)
    try:
        built: list[int] = []

        def statement(n: int) -> Callable[[], sa.ClauseElement]:
            def build() -> sa.ClauseElement:
                built.append(n)
                return sa.select(sa.literal_column(str(n)))

            return build

        first = db.compile(("test", 0), statement(0))
        for n in range(1, STATEMENT_CACHE_SIZE + 100):
            db.compile(("test", n), statement(n))
            # The first statement stays while it is used.
            assert db.compile(("test", 0), statement(0)) is first
        size = db.compiled_statements
        db.compile(("test", 1), statement(1))
    finally:
        await db.close()

    assert size <= STATEMENT_CACHE_SIZE
    assert built.count(0) == 1
    # Statement 1 was the least recently used: it had to be compiled again.
    assert built.count(1) == 2
