"""The bare reference: one Starlette route that runs the list query on the raw driver (an
asyncpg pool or one sqlite3 connection) and encodes the page with msgspec.

No middleware, no authentication, no repository, no settings: the least a handler serving the
same page can do. The budget compares the real server against it. It runs the exact SQL the
repository issued for the same list (captured by ``benchmarks.seed``), passed in as
``VOIPBIN_BENCH_BARE`` so that ``granian --factory benchmarks.bare:app_from_env`` can build it.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import AsyncIterator, Sequence
from typing import Any, Protocol, cast

import asyncpg
import msgspec
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

ENV = "VOIPBIN_BENCH_BARE"
MAX_PAGE_SIZE = 100

Rows = Sequence[Sequence[Any]]


class BareConfig(msgspec.Struct, frozen=True):
    """What the bare handler serves: one path, one statement and the names of its columns."""

    database_url: str
    path: str
    sql: str
    args: list[Any]
    """Positional arguments of ``sql``; the one at ``limit_index`` is replaced per request."""
    limit_index: int
    fields: list[str]
    """Column names, in the order the statement returns them."""
    created_index: int
    """Position of ``tm_create``, whose value is the next page token."""


class Page(msgspec.Struct):
    result: list[Any]
    next_page_token: str = ""


def app_from_env() -> Starlette:
    """The bare app for the ``VOIPBIN_BENCH_BARE`` of this process (a granian factory)."""
    return bare_app(msgspec.json.decode(os.environ[ENV], type=BareConfig))


def page_size(text: str | None) -> int:
    try:
        size = int(text) if text else MAX_PAGE_SIZE
    except ValueError:
        size = MAX_PAGE_SIZE
    return min(max(size, 1), MAX_PAGE_SIZE)


def bare_app(config: BareConfig) -> Starlette:
    item = msgspec.defstruct("Item", [(name, str) for name in config.fields])
    encoder = msgspec.json.Encoder()
    source = source_for(config.database_url, config.sql)
    created, limit_index = config.created_index, config.limit_index

    async def list_page(request: Request) -> Response:
        size = page_size(request.query_params.get("page_size"))
        args = list(config.args)
        args[limit_index] = size + 1
        rows = await source.fetch(args)
        token = ""
        if len(rows) > size:
            rows = rows[:size]
            token = str(rows[-1][created])
        body = encoder.encode(Page([item(*row) for row in rows], token))
        return Response(body, media_type="application/json")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await source.open()
        try:
            yield
        finally:
            await source.close()

    return Starlette(routes=[Route(config.path, list_page, methods=["GET"])], lifespan=lifespan)


class Source(Protocol):
    async def open(self) -> None: ...
    async def fetch(self, args: Sequence[Any]) -> Rows: ...
    async def close(self) -> None: ...


def source_for(database_url: str, sql: str) -> Source:
    if database_url.startswith("sqlite"):
        return SQLiteSource(database_url, sql)
    return PostgresSource(database_url, sql)


class SQLiteSource:
    """One connection, set up as the server's (storage/sqlite.py), queried on the loop."""

    def __init__(self, url: str, sql: str) -> None:
        self.sql = sql
        self.connection = sqlite3.connect(
            url.removeprefix("sqlite:///"), isolation_level=None, check_same_thread=False
        )
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=NORMAL")

    async def open(self) -> None:
        pass

    async def fetch(self, args: Sequence[Any]) -> Rows:
        return self.connection.execute(self.sql, args).fetchall()

    async def close(self) -> None:
        self.connection.close()


class PostgresSource:
    """A pool of the same shape as the server's (storage/postgres.py)."""

    def __init__(self, url: str, sql: str) -> None:
        self.url = url
        self.sql = sql
        self.pool: asyncpg.Pool | None = None

    async def open(self) -> None:
        self.pool = await asyncpg.create_pool(
            self.url, min_size=1, max_size=10, server_settings={"timezone": "UTC"}
        )

    async def fetch(self, args: Sequence[Any]) -> Rows:
        assert self.pool is not None
        # Records index like tuples; the stubs do not say they are sequences.
        return cast(Rows, await self.pool.fetch(self.sql, *args))

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()
