"""Fixtures for in-process server tests: a migrated database per backend, a fresh app per
test with its lifespan running, and an httpx client logged in as the super-admin."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from starlette.applications import Starlette

from tests.backends import postgres_database
from voipbin.server import Settings, create_app
from voipbin.server.app import AppState
from voipbin.server.auth.passwords import Passwords
from voipbin.server.storage import migrate
from voipbin.server.storage.clock import Now, utc_now

ADMIN_USERNAME = "admin@localhost"
ADMIN_PASSWORD = "admin-password"


def cheap_passwords() -> Passwords:
    """argon2 with the smallest parameters: tests hash often and prove nothing by waiting."""
    return Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "voipbin.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with postgres_database() as url:
        migrate.upgrade(url)
        yield url


async def _truncate(url: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url, timeout=5)
    try:
        tables = await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version'"
        )
        names = ", ".join(f'"{t["tablename"]}"' for t in tables)
        await connection.execute(f"TRUNCATE {names}")
    finally:
        await connection.close()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database of each backend."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "voipbin.db"
        shutil.copy(template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    asyncio.run(_truncate(url))
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated, empty SQLite database (for tests about one backend's behaviour)."""
    path = tmp_path / "voipbin.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@dataclass
class Api:
    """A running app and a client for it, logged in as the super-admin."""

    app: Starlette
    client: httpx.AsyncClient
    token: str
    headers: dict[str, str]

    @property
    def state(self) -> AppState:
        state: AppState = self.app.state.voipbin
        return state


StartApp = Callable[..., Awaitable[Api]]


def test_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "bootstrap_username": ADMIN_USERNAME,
        "bootstrap_password": ADMIN_PASSWORD,
        "jwt_secret": "test-secret-that-is-long-enough-for-hs256",
        "auth_cache_seconds": 0.0,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
async def start_app(database_url: str) -> AsyncIterator[StartApp]:
    """Start apps on the test's database; each runs its lifespan until the test ends."""
    async with contextlib.AsyncExitStack() as stack:

        async def start(*, now: Now = utc_now, **overrides: Any) -> Api:
            settings = test_settings(database_url, **overrides)
            app = create_app(settings, now=now, passwords=cheap_passwords())
            await stack.enter_async_context(app.router.lifespan_context(app))
            client = await stack.enter_async_context(
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app), base_url="http://testserver"
                )
            )
            response = await client.post(
                "/auth/login", json={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD}
            )
            assert response.status_code == 200, response.text
            token = response.json()["token"]
            return Api(app, client, token, {"Authorization": f"Bearer {token}"})

        yield start


@pytest.fixture
async def api(start_app: StartApp) -> Api:
    """A fresh app on each backend, logged in as the super-admin."""
    return await start_app()
