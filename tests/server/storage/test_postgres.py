"""PostgreSQL that is down or slow answers 503 within the timeout, never a hang or a 500,
and the app recovers when the database does."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import anyio
import asyncpg
import httpx
import pytest

from tests.backends import POSTGRES_ADMIN_URL, missing, reachable, with_database
from tests.server.conftest import StartApp, assert_error, cheap_passwords
from tests.server.conftest import test_settings as settings_for
from tests.server.storage.conftest import create_tag, walk
from voipbin.server import create_app
from voipbin.server.auth.tokens import Tokens

CLOSED_PORT_URL = "postgresql://postgres@127.0.0.1:1/voipbin"


@contextlib.asynccontextmanager
async def app_client(
    database_url: str, database_timeout: float
) -> AsyncIterator[httpx.AsyncClient]:
    """An app on ``database_url`` with its lifespan running, and a client for it."""
    settings = settings_for(database_url, database_timeout=database_timeout)
    app = create_app(settings, passwords=cheap_passwords())
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client,
    ):
        yield client


async def test_an_unreachable_database_is_a_503() -> None:
    # A token that would be good if the database were there to vouch for its agent.
    settings = settings_for(CLOSED_PORT_URL)
    token = Tokens(settings.jwt_secret, 3600).issue(
        str(uuid.uuid4()), str(uuid.uuid4()), datetime.now(UTC)
    )
    with anyio.fail_after(10):
        async with app_client(CLOSED_PORT_URL, database_timeout=1) as client:
            response = await client.get("/v1.0/tags", headers={"Authorization": f"Bearer {token}"})
            ready = await client.get("/ready")

    assert_error(response, 503, "UNAVAILABLE", "SERVICE_UNAVAILABLE")
    assert_error(ready, 503, "UNAVAILABLE", "SERVICE_UNAVAILABLE")


async def test_a_server_that_refuses_the_connection_is_a_503() -> None:
    if not reachable(POSTGRES_ADMIN_URL):
        missing(f"PostgreSQL at {POSTGRES_ADMIN_URL}")
    # PostgreSQL answers, but with an error: there is no such database.
    url = with_database(POSTGRES_ADMIN_URL, f"voipbin_missing_{uuid.uuid4().hex[:8]}")
    settings = settings_for(url)
    token = Tokens(settings.jwt_secret, 3600).issue(
        str(uuid.uuid4()), str(uuid.uuid4()), datetime.now(UTC)
    )
    with anyio.fail_after(10):
        async with app_client(url, database_timeout=2) as client:
            response = await client.get("/v1.0/tags", headers={"Authorization": f"Bearer {token}"})

    assert_error(response, 503, "UNAVAILABLE", "SERVICE_UNAVAILABLE")


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_a_statement_that_waits_too_long_is_a_503_and_the_app_recovers(
    start_app: StartApp, database_url: str
) -> None:
    api = await start_app(database_timeout=0.5)
    tag = await create_tag(api)
    locker = await asyncpg.connect(database_url, timeout=5)
    try:
        transaction = locker.transaction()
        await transaction.start()
        await locker.execute("LOCK TABLE tag_tags IN ACCESS EXCLUSIVE MODE")
        with anyio.fail_after(10):
            started = time.monotonic()
            response = await api.client.get("/v1.0/tags", headers=api.headers)
            waited = time.monotonic() - started
        await transaction.rollback()
    finally:
        await locker.close()

    assert_error(response, 503, "UNAVAILABLE", "REQUEST_TIMEOUT")
    assert waited < 3
    with anyio.fail_after(10):
        assert [item["id"] for item in await walk(api)] == [tag["id"]]
        assert (await create_tag(api, "after"))["name"] == "after"
