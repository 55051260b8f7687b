"""The idempotency-key store on each backend: the purge is bounded per run, every process
on a database seals with the same stored secret, and migration 0004 drops the old rows
(unscoped, plaintext) and can be undone."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command

from tests.backends import postgres_database
from tests.server.storage.test_migrate import run_sql
from voipbin.server.storage.backends import open_database
from voipbin.server.storage.clock import CreationClock
from voipbin.server.storage.database import Database
from voipbin.server.storage.idempotency import IdempotencyKeys, StoredResponse
from voipbin.server.storage.migrate import alembic_config, current_revision, upgrade

START = datetime(2030, 1, 1, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.value = START

    def __call__(self) -> datetime:
        return self.value


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = open_database(database_url)
    try:
        yield database
    finally:
        await database.close()


async def test_a_purge_deletes_at_most_its_batch(db: Database) -> None:
    clock = Clock()
    keys = IdempotencyKeys(db, CreationClock(clock), secret="s", purge_batch=2)
    credential = str(uuid.uuid4())
    for n in range(5):
        assert (await keys.claim(credential, f"k{n}", "digest")).outcome == "new"

    later = START + timedelta(hours=24, seconds=1)
    runs = [await keys.purge(later) for _ in range(4)]

    assert runs == [2, 2, 1, 0]


async def test_processes_without_a_configured_secret_share_the_stored_one(db: Database) -> None:
    clock = CreationClock(Clock())
    one, other = IdempotencyKeys(db, clock), IdempotencyKeys(db, clock)
    credential = str(uuid.uuid4())
    claim = await one.claim(credential, "k", "digest")
    response = StoredResponse(201, {"location": "/v1.0/tags/x"}, b'{"token":"vb_secret"}')
    async with db.transaction() as tx:
        await one.complete(claim, response, tx)

    replay = await other.claim(credential, "k", "digest")

    assert replay.outcome == "replay"
    assert replay.stored == response


async def test_a_changed_secret_does_not_replay(db: Database) -> None:
    clock = CreationClock(Clock())
    before = IdempotencyKeys(db, clock, secret="old")
    credential = str(uuid.uuid4())
    claim = await before.claim(credential, "k", "digest")
    async with db.transaction() as tx:
        await before.complete(claim, StoredResponse(201, {}, b"{}"), tx)

    after = await IdempotencyKeys(db, clock, secret="new").claim(credential, "k", "digest")

    assert after.outcome == "mismatch"
    assert after.stored is None


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'new.db'}"
        return
    with postgres_database() as url:
        yield url


def test_migration_0004_drops_the_old_plaintext_rows_and_can_be_undone(empty_url: str) -> None:
    upgrade(empty_url, "0003")
    run_sql(
        empty_url,
        "INSERT INTO idempotency_keys (customer_id, key, fingerprint, state, response_body,"
        " tm_create, tm_expire) VALUES ('d9d32881-12fd-4b19-a6b2-6d5b6b6acf76', 'k', 'f',"
        " 'done', '{\"token\":\"vb_plain\"}', '2030-01-01 00:00:00.000000',"
        " '2030-01-02 00:00:00.000000')",
    )

    upgrade(empty_url, "0004")
    rows_after = run_sql(empty_url, "SELECT key FROM idempotency_keys")
    command.downgrade(alembic_config(empty_url), "0003")

    assert rows_after == []
    assert current_revision(empty_url) == "0003"
    assert run_sql(empty_url, "SELECT customer_id, key FROM idempotency_keys") == []
