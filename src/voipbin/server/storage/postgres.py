"""PostgreSQL through an asyncpg pool.

The pool is opened on first use and reopened after a failure, so the server starts (and
answers ``/health``) while the database is down, and recovers when it returns. Every call is
bounded by the timeout; a refused connection or a timeout is a 503, and a value PostgreSQL or
asyncpg refuses (its SQLSTATE class 22, "data exception") is a 400.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar, cast

import asyncpg
import asyncpg.exceptions._base as asyncpg_base
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect

from voipbin.common.errors import Unavailable
from voipbin.server.storage.database import (
    Compiled,
    Database,
    Executor,
    Row,
    UniqueViolation,
    UnstorableKind,
    unstorable,
)

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


# SQLSTATE of a data exception -> what was wrong with the value.
_DATA_KINDS: dict[str, UnstorableKind] = {
    "22021": "text",  # character_not_in_repertoire: NUL
    "22P05": "text",  # untranslatable_character: \u0000 in JSON
    "22003": "range",  # numeric_value_out_of_range
    "22008": "range",  # datetime_field_overflow
    "22001": "length",  # string_data_right_truncation
}
# asyncpg's own refusal while encoding an argument, by the words of its message.
_ENCODING_KINDS: tuple[tuple[str, UnstorableKind], ...] = (
    ("codec can't encode", "text"),
    ("out of ", "range"),
)


def _data_kind(exc: Exception) -> UnstorableKind:
    kind = _DATA_KINDS.get(getattr(exc, "sqlstate", "") or "")
    if kind is not None:
        return kind
    message = str(exc)
    if message.startswith("invalid input for query argument"):
        for words, kind in _ENCODING_KINDS:
            if words in message:
                return kind
    return "form"


async def _guard(call: Awaitable[T], seconds: float) -> T:
    try:
        async with asyncio.timeout(seconds):
            return await call
    except asyncpg.UniqueViolationError as exc:
        raise UniqueViolation(exc.constraint_name or "") from exc
    except (asyncpg.DataError, asyncpg_base.DataError) as exc:
        # Before ``_UNAVAILABLE``: asyncpg's client-side DataError is an InterfaceError.
        raise unstorable(_data_kind(exc)) from exc
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


async def _keep_session(connection: asyncpg.Connection) -> None:
    """What a pooled connection needs when it goes back to the pool: nothing more. asyncpg
    has already rolled back a transaction left open; beyond that its default reset sends
    ``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`` on every release,
    one more round trip for every statement run outside a transaction and every transaction,
    to undo session state the server never makes on a pooled connection (no advisory
    locks, cursors or ``SET``; ``LISTEN`` has a connection of its own, ``listen.py``)."""


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

    def ids_param(self, ids: Sequence[str]) -> Any:
        return ids if isinstance(ids, list) else list(ids)

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
                    reset=_keep_session,
                )
                try:
                    self._pool = await _guard(pool, self.timeout)
                except asyncpg.PostgresError as exc:
                    # Refused by the server (wrong password, no such database): down for us.
                    raise Unavailable() from exc
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
