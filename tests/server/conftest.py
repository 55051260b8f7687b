"""Fixtures for in-process server tests: a migrated database per backend, a fresh app per
test with its lifespan running, and an httpx client logged in as the super-admin."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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
        # DELETE, not TRUNCATE: on tables this small it takes a millisecond where TRUNCATE
        # takes half a second (it recreates every table's files). Foreign keys are not
        # checked meanwhile (the session acts as a replica), so the order does not matter.
        deletes = "; ".join(f'DELETE FROM "{t["tablename"]}"' for t in tables)
        await connection.execute(
            f"SET session_replication_role = replica; {deletes}; "
            "SET session_replication_role = DEFAULT"
        )
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
        # Tests send hundreds of requests a second from one address and customer; the
        # rate-limit tests turn the layers on themselves.
        "ratelimit_auth_rate": 0.0,
        "ratelimit_ip_rate": 0.0,
        "ratelimit_customer_rate": 0.0,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
async def start_app(database_url: str, tmp_path: Path) -> AsyncIterator[StartApp]:
    """Start apps on the test's database (and a data directory of its own); each runs its
    lifespan until the test ends."""
    async with contextlib.AsyncExitStack() as stack:

        async def start(*, now: Now = utc_now, stream: Any = None, **overrides: Any) -> Api:
            overrides.setdefault("data_dir", str(tmp_path / "data"))
            settings = test_settings(database_url, **overrides)
            app = create_app(settings, now=now, passwords=cheap_passwords(), stream=stream)
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


@dataclass
class Agent:
    """An agent made for a test, logged in through ``POST /auth/login``."""

    id: str
    customer_id: str
    username: str
    password: str
    headers: dict[str, str]


async def add_customer(api: Api, name: str = "Other", *, companions: bool = True) -> str:
    """A new customer, straight into storage, with what every new customer gets (its
    billing account, its outbound config; not with ``companions=False``, as a customer
    from before they existed); its id."""
    async with api.state.db.transaction() as tx:
        row = await api.state.identity.customers.insert(
            {"name": name, "detail": "", "status": "active"}, executor=tx
        )
        if companions:
            await api.state.services["customer"].create_companions(str(row[0]), tx)
    return str(row[0])


async def fund(api: Api, customer_id: str, dollars: str) -> dict[str, Any]:
    """Add ``dollars`` of credit to the customer's billing account, as a super-admin does;
    the account after."""
    customer = await api.client.get(f"/v1.0/customers/{customer_id}", headers=api.headers)
    account_id = customer.json()["billing_account_id"]
    response = await api.client.post(
        f"/v1.0/billing_accounts/{account_id}/balance_add_force",
        content=f'{{"balance": {dollars}}}',
        headers=api.headers,
    )
    assert response.status_code == 200, response.text
    account: dict[str, Any] = response.json()
    return account


async def add_agent(
    api: Api,
    *,
    permission: int,
    customer_id: str | None = None,
    username: str | None = None,
    password: str = "agent-password",
) -> Agent:
    """An agent of ``customer_id`` (a new customer when not given), logged in."""
    identity = api.state.identity
    if customer_id is None:
        customer_id = await add_customer(api)
    username = username or f"agent-{uuid.uuid4().hex[:8]}@example.com"
    row = await identity.agents.insert(
        {
            "customer_id": customer_id,
            "username": username,
            "password_hash": await identity.passwords.hash(password),
            "name": username,
            "permission": permission,
        }
    )
    response = await api.client.post(
        "/auth/login", json={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    token = response.json()["token"]
    return Agent(str(row[0]), customer_id, username, password, {"Authorization": f"Bearer {token}"})


def assert_error(
    response: httpx.Response, http_status: int, status: str, reason: str
) -> dict[str, Any]:
    """Check ``response`` is the error envelope of CONVENTIONS.md §6; return its ``error``."""
    assert response.status_code == http_status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert set(error) == {"status", "reason", "message", "request_id", "details"}
    assert (error["status"], error["reason"]) == (status, reason)
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["details"], list)
    assert error["request_id"]
    assert response.headers["x-request-id"] == error["request_id"]
    return error


def fields_of(error: dict[str, Any]) -> list[str]:
    """The field names an error's ``details`` point at."""
    return [d["field"] for d in error["details"]]


# -- identity helpers (customers, agents, access keys, credentials) ---------------------------


class ManualClock:
    """A wall clock that moves only when told (starting now, so login tokens are valid)."""

    def __init__(self) -> None:
        self.value = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.value

    def advance(self, seconds: float) -> datetime:
        self.value += timedelta(seconds=seconds)
        return self.value


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def login(api: Api, username: str, password: str) -> httpx.Response:
    return await api.client.post("/auth/login", json={"username": username, "password": password})


async def add_accesskey(
    api: Api, headers: dict[str, str] | None = None, **body: Any
) -> dict[str, Any]:
    """A new access key made through ``POST /v1.0/accesskeys`` (as the super-admin unless
    ``headers`` say otherwise); the creation answer, token included."""
    response = await api.client.post("/v1.0/accesskeys", json=body, headers=headers or api.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created
