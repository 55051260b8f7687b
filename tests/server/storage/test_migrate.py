"""``voipbin migrate``: an empty database is brought to the newest revision, and running it
again changes nothing."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import sqlalchemy as sa

from tests.backends import postgres_database
from voipbin.server.storage.backends import open_database
from voipbin.server.storage.database import sqlalchemy_url
from voipbin.server.storage.migrate import current_revision, head_revision, upgrade
from voipbin.server.storage.schema import HEAD_REVISION, create_schema, schema_revision
from voipbin.server.storage.sqlite import sqlite_path
from voipbin.server.storage.tables import metadata


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it, of each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'new.db'}"
        return
    with postgres_database() as url:
        yield url


def run_sql(url: str, sql: str) -> list[tuple[str, ...]]:
    """Rows of ``sql``, through a connection of the database's own driver."""
    if url.startswith("sqlite"):
        with contextlib.closing(sqlite3.connect(sqlite_path(url))) as connection:
            rows = connection.execute(sql).fetchall()
            connection.commit()
            return [tuple(row) for row in rows]

    async def run() -> list[tuple[str, ...]]:
        connection = await asyncpg.connect(url, timeout=5)
        try:
            return [tuple(row) for row in await connection.fetch(sql)]
        finally:
            await connection.close()

    return asyncio.run(run())


def table_names(url: str) -> set[str]:
    if url.startswith("sqlite"):
        sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
    else:
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    return {row[0] for row in run_sql(url, sql)}


def test_upgrade_brings_an_empty_database_to_head(empty_url: str) -> None:
    assert current_revision(empty_url) is None

    upgrade(empty_url)

    assert current_revision(empty_url) == head_revision()
    assert table_names(empty_url) >= {*metadata.tables, "alembic_version"}


def test_upgrading_twice_is_harmless(empty_url: str) -> None:
    upgrade(empty_url)
    run_sql(empty_url, "INSERT INTO system_settings (key, value) VALUES ('kept', 'yes')")

    upgrade(empty_url)

    assert current_revision(empty_url) == head_revision()
    assert run_sql(empty_url, "SELECT key, value FROM system_settings") == [("kept", "yes")]
    assert run_sql(empty_url, "SELECT version_num FROM alembic_version") == [(head_revision(),)]


def schema_differences(url: str) -> list[Any]:
    """What alembic finds different between the database and the declared tables."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    def differences(connection: Any) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))

    if url.startswith("sqlite"):
        engine = sa.create_engine(url)
        try:
            with engine.connect() as connection:
                return differences(connection)
        finally:
            engine.dispose()

    async def on_postgres() -> list[Any]:
        from sqlalchemy.ext.asyncio import create_async_engine

        engine = create_async_engine(sqlalchemy_url(url))
        try:
            async with engine.connect() as connection:
                result: list[Any] = await connection.run_sync(differences)
                return result
        finally:
            await engine.dispose()

    return asyncio.run(on_postgres())


def test_the_migrations_build_exactly_the_declared_schema(empty_url: str) -> None:
    upgrade(empty_url)

    assert schema_differences(empty_url) == []


def test_the_one_step_schema_is_stamped_at_the_newest_migration() -> None:
    assert head_revision() == HEAD_REVISION


def test_a_database_built_in_one_step_is_the_declared_schema_at_head(empty_url: str) -> None:
    async def build() -> tuple[str | None, str | None]:
        db = open_database(empty_url)
        try:
            before = await schema_revision(db)
            await create_schema(db)
            return before, await schema_revision(db)
        finally:
            await db.close()

    assert asyncio.run(build()) == (None, HEAD_REVISION)
    assert schema_differences(empty_url) == []
    upgrade(empty_url)  # already at head: alembic agrees and changes nothing
    assert current_revision(empty_url) == HEAD_REVISION
