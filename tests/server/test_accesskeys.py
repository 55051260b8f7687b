"""Access keys: the token is shown once, stored only as a hash, and stops working when the key
expires or is deleted."""

from __future__ import annotations

import logging
import re
import sqlite3
from datetime import timedelta
from typing import Any

import asyncpg
import pytest

from tests.server.conftest import (
    Api,
    ManualClock,
    StartApp,
    add_accesskey,
    add_agent,
    assert_error,
    bearer,
    fields_of,
)
from voipbin.common.permissions import Permission
from voipbin.common.timestamps import SENTINEL_TEXT, format_timestamp, parse_timestamp

FIELDS = {
    "id",
    "customer_id",
    "name",
    "detail",
    "token_prefix",
    "tm_expire",
    "tm_create",
    "tm_update",
    "tm_delete",
}
TOKEN = re.compile(r"^vb_[A-Za-z0-9_-]{32}$")
UNUSED_ID = "d9d32881-12fd-4b19-a6b2-6d5b6b6acf76"


async def get(api: Api, key_id: str) -> dict[str, Any]:
    response = await api.client.get(f"/v1.0/accesskeys/{key_id}", headers=api.headers)
    assert response.status_code == 200, response.text
    key: dict[str, Any] = response.json()
    return key


async def assert_works(api: Api, token: str) -> None:
    response = await api.client.get("/v1.0/tags", headers=bearer(token))
    assert response.status_code == 200, response.text


async def assert_refused(api: Api, token: str) -> None:
    for headers, params in (
        (bearer(token), {}),
        ({"Cookie": f"accesskey={token}"}, {}),
        ({}, {"accesskey": token}),
    ):
        response = await api.client.get("/v1.0/tags", headers=headers, params=params)
        assert_error(response, 401, "UNAUTHENTICATED", "INVALID_CREDENTIALS")


# -- create and read --------------------------------------------------------------------------


async def test_create_shows_the_token_once(api: Api) -> None:
    response = await api.client.post(
        "/v1.0/accesskeys", json={"name": "ci", "detail": "build server"}, headers=api.headers
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert set(created) == FIELDS | {"token"}
    assert response.headers["location"] == f"/v1.0/accesskeys/{created['id']}"
    assert TOKEN.match(created["token"]), created["token"]
    assert created["token_prefix"] == created["token"][:11]
    assert (created["name"], created["detail"]) == ("ci", "build server")
    assert created["tm_expire"] == SENTINEL_TEXT
    assert created["tm_update"] == created["tm_create"]
    assert created["tm_delete"] == SENTINEL_TEXT

    shown = {k: v for k, v in created.items() if k != "token"}
    assert await get(api, created["id"]) == shown
    response = await api.client.get(f"/v1.0/accesskeys/{UNUSED_ID}", headers=api.headers)
    assert_error(response, 404, "NOT_FOUND", "ACCESSKEY_NOT_FOUND")
    listed = await api.client.get("/v1.0/accesskeys", headers=api.headers)
    assert listed.json()["result"] == [shown]
    updated = await api.client.put(
        f"/v1.0/accesskeys/{created['id']}", json={"name": "ci-2"}, headers=api.headers
    )
    assert updated.status_code == 200, updated.text
    assert set(updated.json()) == FIELDS
    for response in (listed, updated):
        assert created["token"] not in response.text
        assert created["token"][11:] not in response.text
    await assert_works(api, created["token"])


async def test_every_token_is_different(api: Api) -> None:
    tokens = [(await add_accesskey(api))["token"] for _ in range(5)]
    assert len(set(tokens)) == 5
    assert all(TOKEN.match(t) for t in tokens)


async def test_a_key_acts_as_its_customers_admin(api: Api) -> None:
    admin = await add_agent(api, permission=int(Permission.CUSTOMER_ADMIN))
    key = await add_accesskey(api, customer_id=admin.customer_id)
    assert key["customer_id"] == admin.customer_id
    response = await api.client.post("/v1.0/tags", json={"name": "k"}, headers=bearer(key["token"]))
    assert response.status_code == 201, response.text
    assert response.json()["customer_id"] == admin.customer_id
    # Admins may not grant super-admin, and neither may their keys.
    response = await api.client.post(
        "/v1.0/agents",
        json={"username": "su@example.com", "password": "password!", "permission": 1},
        headers=bearer(key["token"]),
    )
    assert_error(response, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")


async def test_only_a_super_admin_chooses_the_keys_customer(api: Api) -> None:
    admin = await add_agent(api, permission=int(Permission.CUSTOMER_ADMIN))
    victim = await add_agent(api, permission=int(Permission.CUSTOMER_ADMIN))
    key = await add_accesskey(api, admin.headers, customer_id=victim.customer_id)
    assert key["customer_id"] == admin.customer_id
    response = await api.client.get("/v1.0/customer", headers=bearer(key["token"]))
    assert response.json()["id"] == admin.customer_id
    response = await api.client.post(
        "/v1.0/accesskeys",
        json={"customer_id": UNUSED_ID},
        headers=api.headers,
    )
    error = assert_error(response, 422, "INVALID_ARGUMENT", "UNPROCESSABLE_ENTITY")
    assert fields_of(error) == ["customer_id"]


# -- expiry -----------------------------------------------------------------------------------


async def test_expire_sets_tm_expire(start_app: StartApp) -> None:
    clock = ManualClock()
    api = await start_app(now=clock)
    key = await add_accesskey(api, expire=3600)
    assert key["tm_expire"] == format_timestamp(clock.value + timedelta(seconds=3600))
    assert parse_timestamp(key["tm_expire"]) - parse_timestamp(key["tm_create"]) <= timedelta(
        seconds=3600
    )
    assert (await get(api, key["id"]))["tm_expire"] == key["tm_expire"]


async def test_an_expired_key_is_401_invalid_credentials(start_app: StartApp) -> None:
    clock = ManualClock()
    # The default cache: a cached key must still expire on time.
    api = await start_app(now=clock, auth_cache_seconds=2.0)
    key = await add_accesskey(api, expire=1)
    forever = await add_accesskey(api)
    await assert_works(api, key["token"])

    clock.advance(0.999)
    await assert_works(api, key["token"])
    clock.advance(0.001)
    await assert_refused(api, key["token"])
    clock.advance(3600)
    await assert_refused(api, key["token"])
    await assert_works(api, forever["token"])
    # It is still listed (expired is not deleted), so its owner can see why.
    assert (await get(api, key["id"]))["tm_delete"] == SENTINEL_TEXT


async def test_a_bad_expire_is_400_naming_it(api: Api) -> None:
    for expire in (0, -1, -3600, "60", 1.5, 10**12):
        response = await api.client.post(
            "/v1.0/accesskeys", json={"name": "x", "expire": expire}, headers=api.headers
        )
        error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
        assert fields_of(error) == ["expire"], expire
    listed = await api.client.get("/v1.0/accesskeys", headers=api.headers)
    assert listed.json()["result"] == []


# -- deletion ---------------------------------------------------------------------------------


async def test_a_deleted_key_is_401_invalid_credentials_at_once(start_app: StartApp) -> None:
    api = await start_app(auth_cache_seconds=2.0)
    key = await add_accesskey(api)
    other = await add_accesskey(api)
    await assert_works(api, key["token"])

    response = await api.client.delete(f"/v1.0/accesskeys/{key['id']}", headers=api.headers)
    assert response.status_code == 204

    await assert_refused(api, key["token"])
    await assert_works(api, other["token"])
    deleted = await get(api, key["id"])
    assert deleted["tm_delete"] != SENTINEL_TEXT
    response = await api.client.put(
        f"/v1.0/accesskeys/{key['id']}", json={"name": "back"}, headers=api.headers
    )
    assert_error(response, 409, "FAILED_PRECONDITION", "ACCESSKEY_STATE_INVALID")


async def test_a_key_cannot_be_guessed_from_its_prefix(api: Api) -> None:
    key = await add_accesskey(api)
    for token in (key["token_prefix"], key["token"][:-1], key["token"] + "x", "vb_", "vb_x"):
        response = await api.client.get("/v1.0/tags", headers=bearer(token))
        assert_error(response, 401, "UNAUTHENTICATED", "INVALID_CREDENTIALS")


# -- the plaintext is kept nowhere ------------------------------------------------------------


async def database_text(url: str) -> str:
    """Every row of every table, as text."""
    lines: list[str] = []
    if url.startswith("sqlite:///"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            tables = [
                r[0]
                for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            ]
            for table in tables:
                lines += [repr(row) for row in connection.execute(f'SELECT * FROM "{table}"')]
        finally:
            connection.close()
        return "\n".join(lines)
    pg = await asyncpg.connect(url, timeout=5)
    try:
        tables = await pg.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        for table in tables:
            rows = await pg.fetch(f'SELECT * FROM "{table["tablename"]}"')
            lines += [repr(tuple(row.values())) for row in rows]
    finally:
        await pg.close()
    return "\n".join(lines)


# httpx logs the URLs the test client requests, query included: that is the client's log.
CLIENT_LOGGERS = ("httpx", "httpcore")


async def test_the_token_is_in_neither_the_database_nor_the_logs(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    key = await add_accesskey(api, name="secret", expire=3600)
    token = key["token"]
    for headers, params in (
        (bearer(token), {}),
        ({"Cookie": f"accesskey={token}"}, {}),
        ({}, {"accesskey": token}),
        ({"Cookie": f"token={token}"}, {}),
        ({}, {"token": token}),
    ):
        response = await api.client.get("/v1.0/accesskeys", headers=headers, params=params)
        assert response.status_code == 200, response.text
    response = await api.client.put(
        f"/v1.0/accesskeys/{key['id']}", json={"detail": "used"}, headers=bearer(token)
    )
    assert response.status_code == 200, response.text

    stored = await database_text(api.state.settings.database_url)
    assert key["id"] in stored  # the dump does see the key's row
    assert key["token_prefix"] in stored
    assert token not in stored
    assert token[11:] not in stored

    def text_of(records: list[logging.LogRecord]) -> str:
        return "\n".join(f"{r.name} {r.getMessage()} {r.args!r} {r.exc_text}" for r in records)

    client = [r for r in caplog.records if r.name.startswith(CLIENT_LOGGERS)]
    assert token in text_of(client)  # the capture works: it sees the client's query string
    server_logs = text_of([r for r in caplog.records if r not in client])
    assert token not in server_logs
    assert token[11:] not in server_logs
