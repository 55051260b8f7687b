"""SQLite busy with another process's write answers 503 after the timeout, not a 500."""

from __future__ import annotations

import sqlite3

import pytest

from tests.server.conftest import StartApp, assert_error
from tests.server.storage.conftest import create_tag, walk
from voipbin.server.storage.sqlite import sqlite_path


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_write_while_another_connection_holds_the_write_lock_is_a_503(
    start_app: StartApp, database_url: str
) -> None:
    api = await start_app(database_timeout=0.2)
    before = await create_tag(api, "before")
    other = sqlite3.connect(sqlite_path(database_url), isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        response = await api.client.post("/v1.0/tags", json={"name": "x"}, headers=api.headers)
        # Readers are not blocked by a writer (WAL).
        assert [item["id"] for item in await walk(api)] == [before["id"]]
        other.execute("ROLLBACK")
    finally:
        other.close()

    assert_error(response, 503, "UNAVAILABLE", "REQUEST_TIMEOUT")
    after = await create_tag(api, "after")
    assert [item["id"] for item in await walk(api)] == [after["id"], before["id"]]
