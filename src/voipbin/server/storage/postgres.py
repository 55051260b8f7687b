"""PostgreSQL through an asyncpg pool.

The pool is opened on first use and reopened after a failure, so the server starts (and
answers ``/health``) while the database is down, and recovers when it returns. Every call is
bounded by the timeout; a refused connection or a timeout is a 503.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar, cast

import asyncpg
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect

from voipbin.common.errors import Unavailable
from voipbin.server.storage.database import Compiled, Database, Executor, Row, UniqueViolation

log = logging.getLogger(__name__)
T = TypeVar("T")

_UNAVAILABLE = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.AdminShutdownError,
)


async def _guard(call: Awaitable[T], seconds: float) -> T:
    try:
        async with asyncio.timeout(seconds):
            return await call
    except asyncpg.UniqueViolationError as exc:
        raise UniqueViolation(exc.constraint_name or "") from exc
    except (TimeoutError, asyncpg.QueryCanceledError) as exc:
        raise Unavailable("REQUEST_TIMEOUT") from exc
    except _UNAVAILABLE as exc:
        raise Unavailable() from exc


def _rowcount(status: str) -> int:
    tail = status.rsplit(" ", 1)[-1]
    return int(tail) if tail.isdigit() else 0


class _Transaction(Executor):
    def __init__(self, connection: Any, timeout: float) -> None:
        self.connection = connection
        self.timeout = timeout

    async def fetch(self, statement: Compiled, params: Mapping[str, Any]) -> list[Row]:
        rows: list[Row] = await _guard(
            self.connection.fetch(statement.sql, *statement.args(params)), self.timeout
        )
        return rows

    async def fetchrow(self, statement: Compiled, params: Mapping[str, Any]) -> Row | None:
        row: Row | None = await _guard(
            self.connection.fetchrow(statement.sql, *statement.args(params)), self.timeout
        )
        return row

    @contextlib.asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        async with self.connection.transaction():
            yield

    async def execute(self, statement: Compiled, params: Mapping[str, Any]) -> int:
        status = await _guard(
            self.connection.execute(statement.sql, *statement.args(params)), self.timeout
        )
        return _rowcount(status)


class PostgresDatabase(Database):
    name = "postgresql"
    dialect = asyncpg_dialect.dialect()  # type: ignore[no-untyped-call]

    def __init__(self, url: str, *, timeout: float = 5.0, max_size: int = 10) -> None:
        super().__init__()
        self.url = url
        self.timeout = timeout
        self.max_size = max_size
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()

    def timestamp_param(self, value: datetime) -> Any:
        return value

    async def _open(self) -> asyncpg.Pool:
        async with self._opening:
            if self._pool is None:
                pool = asyncpg.create_pool(
                    self.url,
                    min_size=1,
                    max_size=self.max_size,
                    timeout=self.timeout,
                    command_timeout=self.timeout,
                    server_settings={"timezone": "UTC"},
                )
                self._pool = await _guard(pool, self.timeout)
            return self._pool

    async def _call(self, call: Callable[[asyncpg.Pool], Awaitable[T]]) -> T:
        pool = self._pool or await self._open()
        return await _guard(call(pool), self.timeout)

    async def fetch(self, statement: Compiled, params: Mapping[str, Any]) -> list[Row]:
        args = statement.args(params)
        records = await self._call(lambda pool: pool.fetch(statement.sql, *args))
        return cast(list[Row], records)

    async def fetchrow(self, statement: Compiled, params: Mapping[str, Any]) -> Row | None:
        args = statement.args(params)
        record = await self._call(lambda pool: pool.fetchrow(statement.sql, *args))
        return cast(Row | None, record)

    async def execute(self, statement: Compiled, params: Mapping[str, Any]) -> int:
        args = statement.args(params)
        status: str = await self._call(lambda pool: pool.execute(statement.sql, *args))
        return _rowcount(status)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Executor]:
        pool = self._pool or await self._open()
        connection = await _guard(pool.acquire(), self.timeout)
        try:
            transaction = connection.transaction()
            await _guard(transaction.start(), self.timeout)
            try:
                yield _Transaction(connection, self.timeout)
            except BaseException:
                with contextlib.suppress(Exception):
                    await transaction.rollback()
                raise
            await _guard(transaction.commit(), self.timeout)
        finally:
            await pool.release(connection)

    async def has_table(self, name: str) -> bool:
        found = await self._call(
            lambda pool: pool.fetchval("SELECT to_regclass($1) IS NOT NULL", name)
        )
        return bool(found)

    async def ping(self) -> None:
        await self._call(lambda pool: pool.fetchval("SELECT 1"))

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            try:
                await asyncio.wait_for(pool.close(), self.timeout)
            except TimeoutError:
                pool.terminate()
