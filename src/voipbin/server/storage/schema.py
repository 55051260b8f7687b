"""Building a new database in one step: the current schema, stamped with the newest migration.

This is Alembic's own recipe for a database built from scratch, done on the raw driver so that
starting the server on an empty database does not load Alembic. A test checks that the schema
built here equals the one the migrations build, and that ``HEAD_REVISION`` is their head.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.schema import CreateIndex, CreateTable

from voipbin.server.storage.database import Database, compile_statement
from voipbin.server.storage.tables import metadata

HEAD_REVISION = "0028"

_alembic = sa.MetaData()
alembic_version = sa.Table(
    "alembic_version",
    _alembic,
    sa.Column("version_num", sa.String(32), nullable=False),
    sa.PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)


async def schema_revision(db: Database) -> str | None:
    """The migration the database is at; ``None`` for a database without the schema."""
    if not await db.has_table("alembic_version"):
        return None
    statement = db.compile(("schema", "revision"), lambda: sa.select(alembic_version.c.version_num))
    row = await db.fetchrow(statement, {})
    return None if row is None else str(row[0])


async def create_schema(db: Database) -> None:
    """Create every table and index of the current schema and record ``HEAD_REVISION``."""
    statements = []
    for table in [*metadata.sorted_tables, alembic_version]:
        statements.append(compile_statement(CreateTable(table), db.dialect))
        statements.extend(
            compile_statement(CreateIndex(index), db.dialect)
            for index in sorted(table.indexes, key=lambda i: str(i.name))
        )
    stamp = compile_statement(
        sa.insert(alembic_version).values(version_num=sa.bindparam("v")), db.dialect
    )
    async with db.transaction() as tx:
        for statement in statements:
            await tx.execute(statement, {})
        await tx.execute(stamp, {"v": HEAD_REVISION})
