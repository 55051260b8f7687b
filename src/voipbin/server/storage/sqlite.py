"""SQLite through the standard library's sqlite3, in WAL mode.

Statements run on the event loop thread: a keyset page takes tens of microseconds, far less
than handing it to a thread would. Concurrent writers in other processes wait up to the
timeout, then the request is a 503.

Text with NUL is refused before it reaches SQLite, which would store it: PostgreSQL cannot, and
both backends must accept the same values. Like every value a backend cannot store, it is a 400.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import sqlite3
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy.dialects import sqlite as sqlite_dialect

from voipbin.common.errors import Unavailable
from voipbin.common.timestamps import format_timestamp
from voipbin.server.storage.database import (
    Compiled,
    Database,
    Executor,
    Row,
    UniqueViolation,
    unstorable,
)

_UNIQUE = re.compile(r"UNIQUE constraint failed: (.+)")


def sqlite_path(url: str) -> str:
    """The file of a ``sqlite:///path`` URL (``sqlite:///:memory:`` for memory)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        raise ValueError(f"not a sqlite URL: {url!r}")
    return url[len(prefix) :] or ":memory:"


def _unique_name(message: str) -> str:
    match = _UNIQUE.search(message)
    if match is None:
        return message
    columns = [part.strip() for part in match.group(1).split(",")]
    table = columns[0].split(".")[0]
    return "uq_" + "_".join([table, *(c.split(".", 1)[1] for c in columns)])


def _unavailable(exc: sqlite3.OperationalError) -> Exception:
    """A busy or unreachable database file is a 503; any other error stays what it is."""
    message = str(exc).lower()
    if "locked" in message or "busy" in message:
        return Unavailable("REQUEST_TIMEOUT")
    if any(s in message for s in ("unable to open", "disk i/o", "readonly", "read-only")):
        return Unavailable()
    return exc


class _Connection(Executor):
    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def _run(self, statement: Compiled, params: Mapping[str, Any]) -> sqlite3.Cursor:
        args = statement.args(params)
        # A plain loop: a statement has a handful of arguments, and this is every request.
        for arg in args:
            if isinstance(arg, str) and "\x00" in arg:
                raise unstorable("text")
        try:
            return self.connection.execute(statement.sql, args)
        except UnicodeEncodeError as exc:  # a lone surrogate
            raise unstorable("text") from exc
        except OverflowError as exc:
            raise unstorable("length" if "longer" in str(exc) else "range") from exc
        except sqlite3.DataError as exc:
            raise unstorable("length" if "too big" in str(exc) else "form") from exc
        except sqlite3.IntegrityError as exc:
            if "UNIQUE" in str(exc):
                raise UniqueViolation(_unique_name(str(exc))) from exc
            raise
        except sqlite3.OperationalError as exc:
            raise _unavailable(exc) from exc

    async def fetch(self, statement: Compiled, params: Mapping[str, Any]) -> list[Row]:
        return self._run(statement, params).fetchall()

    async def fetchrow(self, statement: Compiled, params: Mapping[str, Any]) -> Row | None:
        row: Row | None = self._run(statement, params).fetchone()
        return row

    async def execute(self, statement: Compiled, params: Mapping[str, Any]) -> int:
        return self._run(statement, params).rowcount


class _Transaction(_Connection):
    @contextlib.asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        self.connection.execute("SAVEPOINT voipbin")
        try:
            yield
        except BaseException:
            self.connection.execute("ROLLBACK TO voipbin")
            self.connection.execute("RELEASE voipbin")
            raise
        self.connection.execute("RELEASE voipbin")


class SQLiteDatabase(Database):
    name = "sqlite"
    dialect = sqlite_dialect.dialect(paramstyle="qmark")

    def __init__(self, url: str, *, timeout: float = 5.0) -> None:
        super().__init__()
        self.path = sqlite_path(url)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(
            self.path, timeout=timeout, isolation_level=None, check_same_thread=False
        )
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA foreign_keys=ON")
        self._connection = _Connection(connection)
        # A transaction holds the one connection across awaits; other statements wait for it.
        self._lock = asyncio.Lock()

    def timestamp_param(self, value: datetime) -> Any:
        return format_timestamp(value)

    def ids_param(self, ids: Sequence[str]) -> Any:
        return msgspec.json.encode(ids).decode()

    async def fetch(self, statement: Compiled, params: Mapping[str, Any]) -> list[Row]:
        if self._lock.locked():
            async with self._lock:
                return await self._connection.fetch(statement, params)
        return await self._connection.fetch(statement, params)

    async def fetchrow(self, statement: Compiled, params: Mapping[str, Any]) -> Row | None:
        if self._lock.locked():
            async with self._lock:
                return await self._connection.fetchrow(statement, params)
        return await self._connection.fetchrow(statement, params)

    async def execute(self, statement: Compiled, params: Mapping[str, Any]) -> int:
        if self._lock.locked():
            async with self._lock:
                return await self._connection.execute(statement, params)
        return await self._connection.execute(statement, params)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Executor]:
        async with self._lock:
            raw = self._connection.connection
            try:
                raw.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise Unavailable("REQUEST_TIMEOUT") from exc
            try:
                yield _Transaction(raw)
            except BaseException:
                raw.execute("ROLLBACK")
                raise
            raw.execute("COMMIT")

    async def has_table(self, name: str) -> bool:
        row = self._connection.connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
        return row is not None

    async def ping(self) -> None:
        try:
            self._connection.connection.execute("SELECT 1").fetchone()
        except sqlite3.Error as exc:
            raise Unavailable() from exc

    async def close(self) -> None:
        self._connection.connection.close()
