"""SDK test fixtures: the real app in-process (SQLite unless a test asks for both backends)
and clients logged in as the super-admin."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from starlette.applications import Starlette

from tests.client.harness import Sleeps, async_client, sync_client
from tests.inprocess import Served, serving, started
from tests.server import conftest as server
from voipbin.client import AsyncClient, Client

# The server suite's database fixtures: a migrated, empty database (of each backend).
database_url = server.database_url
postgres_url = server.postgres_url
sqlite_template = server.sqlite_template
sqlite_url = server.sqlite_url


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def served(sqlite_url: str) -> Iterator[Served]:
    """The app on SQLite, for sync clients."""
    with serving(sqlite_url) as s:
        yield s


@pytest.fixture
def client(served: Served, sleeps: Sleeps) -> Iterator[Client]:
    with sync_client(served.transport, sleeps) as c:
        yield c


@pytest.fixture
async def app(sqlite_url: str) -> AsyncIterator[Starlette]:
    """The app on SQLite, on the test's event loop, for async clients."""
    async with started(sqlite_url) as a:
        yield a


@pytest.fixture
async def aclient(app: Starlette, sleeps: Sleeps) -> AsyncIterator[AsyncClient]:
    async with async_client(httpx.ASGITransport(app=app), sleeps) as c:
        yield c
