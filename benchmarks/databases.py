"""Throwaway databases for one benchmark run: a SQLite file in a temporary folder, or a
PostgreSQL database created through the admin URL and dropped afterwards (even on failure)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import asyncpg

DEFAULT_POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def require_loopback(url: str) -> None:
    """Refuse any database that is not on this machine: benchmarks only talk to loopback."""
    host = urlsplit(url).hostname or ""
    if host not in LOOPBACK:
        raise ValueError(f"benchmarks only use loopback databases, not {host!r}")


def postgres_unreachable(admin_url: str) -> str | None:
    """Why PostgreSQL cannot be used, or ``None`` when it answers."""
    parts = urlsplit(admin_url)
    address = (parts.hostname or "127.0.0.1", parts.port or 5432)
    try:
        with socket.create_connection(address, timeout=2):
            return None
    except OSError as exc:
        return f"PostgreSQL at {address[0]}:{address[1]} is not reachable ({exc})"


@contextlib.contextmanager
def sqlite_database() -> Iterator[str]:
    """The URL of a new SQLite file, removed with its folder afterwards."""
    with tempfile.TemporaryDirectory(prefix="voipbin-bench-") as folder:
        yield f"sqlite:///{folder}/voipbin.db"


@contextlib.contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped afterwards."""
    require_loopback(admin_url)
    name = f"voipbin_bench_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(admin_url, f'CREATE DATABASE "{name}"'))
    try:
        yield urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))
    finally:
        asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def analyze(database_url: str) -> None:
    """Refresh the planner statistics, as autovacuum would soon after seeding. Without them
    PostgreSQL sees a near-empty table, sorts all of the customer's rows for every page, and
    could switch plans in the middle of a run when autovacuum catches up."""
    if database_url.startswith("sqlite"):
        connection = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        try:
            connection.execute("ANALYZE")
        finally:
            connection.close()
        return
    require_loopback(database_url)
    asyncio.run(_admin(database_url, "ANALYZE"))


def count(database_url: str, sql: str) -> int:
    """The integer one ``SELECT count(*) ...`` answers, on SQLite or PostgreSQL."""
    if database_url.startswith("sqlite"):
        connection = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        try:
            value = connection.execute(sql).fetchone()[0]
        finally:
            connection.close()
        return int(value)
    require_loopback(database_url)
    return asyncio.run(_fetch_int(database_url, sql))


def rows(database_url: str, sql: str) -> list[tuple[object, ...]]:
    """Every row one ``SELECT`` answers, on SQLite or PostgreSQL (values as the driver gives
    them: a PostgreSQL timestamp is a ``datetime``, SQLite's is text)."""
    if database_url.startswith("sqlite"):
        connection = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        try:
            return [tuple(row) for row in connection.execute(sql).fetchall()]
        finally:
            connection.close()
    require_loopback(database_url)
    return asyncio.run(_fetch_rows(database_url, sql))


async def _fetch_rows(database_url: str, sql: str) -> list[tuple[object, ...]]:
    connection = await asyncpg.connect(database_url, timeout=5)
    try:
        return [tuple(row) for row in await connection.fetch(sql, timeout=60)]
    finally:
        await connection.close(timeout=5)


async def _fetch_int(database_url: str, sql: str) -> int:
    connection = await asyncpg.connect(database_url, timeout=5)
    try:
        return int(await connection.fetchval(sql, timeout=30))
    finally:
        await connection.close(timeout=5)


async def _admin(admin_url: str, sql: str) -> None:
    connection = await asyncpg.connect(admin_url, timeout=5)
    try:
        await connection.execute(sql, timeout=30)
    finally:
        await connection.close(timeout=5)
