"""``Idempotency-Key`` on POST (CONVENTIONS.md §10): replay, mismatch, a repeat while the
first still runs, nothing stored for refused requests, keys per credential with the role
checked first, the key committed with the resource, nothing secret at rest, expiry, and the
same answer from another server process sharing the database."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.request
from typing import Any

import anyio
import pytest
import sqlalchemy as sa
from starlette.requests import Request

from tests.server.conftest import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    Api,
    ManualClock,
    StartApp,
    add_accesskey,
    add_agent,
    assert_error,
    bearer,
    fields_of,
)
from tests.server.conftest import test_settings as settings_for
from voipbin.common.errors import Unavailable
from voipbin.server.idempotency import fingerprint
from voipbin.server.storage.database import compile_statement
from voipbin.server.storage.idempotency import IdempotencyKeys


def with_key(api: Api, key: str) -> dict[str, str]:
    return {**api.headers, "Idempotency-Key": key}


async def tag_names(api: Api) -> list[str]:
    response = await api.client.get("/v1.0/tags", headers=api.headers)
    return [t["name"] for t in response.json()["result"]]


async def test_a_repeat_gets_the_same_answer_and_creates_nothing_more(api: Api) -> None:
    first = await api.client.post("/v1.0/tags", json={"name": "vip"}, headers=with_key(api, "k1"))
    again = await api.client.post("/v1.0/tags", json={"name": "vip"}, headers=with_key(api, "k1"))

    assert first.status_code == again.status_code == 201
    assert "idempotent-replayed" not in first.headers
    assert again.headers["idempotent-replayed"] == "true"
    assert again.content == first.content
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["x-request-id"] != first.headers["x-request-id"]
    assert await tag_names(api) == ["vip"]


async def test_the_same_key_with_another_body_is_422(api: Api) -> None:
    await api.client.post("/v1.0/tags", json={"name": "a"}, headers=with_key(api, "k"))

    response = await api.client.post("/v1.0/tags", json={"name": "b"}, headers=with_key(api, "k"))

    assert_error(response, 422, "INVALID_ARGUMENT", "IDEMPOTENCY_KEY_REUSED")
    assert await tag_names(api) == ["a"]


async def test_keys_belong_to_their_customer(api: Api) -> None:
    other = await add_agent(api, permission=32)
    mine = await api.client.post("/v1.0/tags", json={"name": "x"}, headers=with_key(api, "k"))
    theirs = await api.client.post(
        "/v1.0/tags", json={"name": "x"}, headers={**other.headers, "Idempotency-Key": "k"}
    )

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert "idempotent-replayed" not in theirs.headers
    assert mine.json()["id"] != theirs.json()["id"]


async def test_requests_refused_before_they_ran_store_nothing(api: Api) -> None:
    refused = [
        await api.client.post("/v1.0/tags", json={"name": ""}, headers=with_key(api, "k")),
        await api.client.post("/v1.0/tags", content=b"{", headers=with_key(api, "k")),
        await api.client.post("/v1.0/tags", json={"name": "x"}, headers={"Idempotency-Key": "k"}),
    ]
    assert [r.status_code for r in refused] == [400, 400, 401]

    response = await api.client.post("/v1.0/tags", json={"name": "x"}, headers=with_key(api, "k"))

    assert response.status_code == 201
    assert "idempotent-replayed" not in response.headers


async def test_a_malformed_key_is_a_400_naming_the_header(api: Api) -> None:
    for key in ("x" * 256, "with space"):
        response = await api.client.post(
            "/v1.0/tags", json={"name": "x"}, headers=with_key(api, key)
        )
        error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
        assert fields_of(error) == ["Idempotency-Key"], key
    assert await tag_names(api) == []


async def test_a_repeat_while_the_first_runs_is_409(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = api.state.services["tag"]
    create = service.create
    entered, release = asyncio.Event(), asyncio.Event()

    async def slow_create(principal: Any, body: bytes, **options: Any) -> Any:
        entered.set()
        await release.wait()
        return await create(principal, body, **options)

    monkeypatch.setattr(service, "create", slow_create)
    with anyio.fail_after(10):
        first = asyncio.create_task(
            api.client.post("/v1.0/tags", json={"name": "x"}, headers=with_key(api, "k"))
        )
        await entered.wait()
        during = await api.client.post("/v1.0/tags", json={"name": "x"}, headers=with_key(api, "k"))
        release.set()
        done = await first
        after = await api.client.post("/v1.0/tags", json={"name": "x"}, headers=with_key(api, "k"))

    assert_error(during, 409, "FAILED_PRECONDITION", "IDEMPOTENCY_KEY_IN_USE")
    assert done.status_code == 201
    assert after.headers["idempotent-replayed"] == "true"
    assert await tag_names(api) == ["x"]


async def test_a_request_that_failed_releases_its_key(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = api.state.services["tag"]
    create = service.create
    calls = 0

    async def failing_once(principal: Any, body: bytes, **options: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            from voipbin.common.errors import Unavailable

            raise Unavailable()
        return await create(principal, body, **options)

    monkeypatch.setattr(service, "create", failing_once)
    failed = await api.client.post("/v1.0/tags", json={"name": "x"}, headers=with_key(api, "k"))
    retried = await api.client.post("/v1.0/tags", json={"name": "x"}, headers=with_key(api, "k"))

    assert failed.status_code == 503
    assert retried.status_code == 201
    assert "idempotent-replayed" not in retried.headers
    assert await tag_names(api) == ["x"]


async def own_customer(api: Api) -> str:
    me = await api.client.get("/v1.0/me", headers=api.headers)
    customer_id: str = me.json()["customer_id"]
    return customer_id


async def stored_rows(api: Api) -> list[tuple[Any, ...]]:
    """Every row of the idempotency table, read as the database holds it."""
    db = api.state.db
    statement = compile_statement(sa.text("SELECT * FROM idempotency_keys"), db.dialect)
    return [tuple(row) for row in await db.fetch(statement, {})]


async def test_an_agent_cannot_replay_an_admins_access_key(api: Api) -> None:
    agent = await add_agent(api, permission=16, customer_id=await own_customer(api))
    body = {"name": "deploy"}
    created = await api.client.post(
        "/v1.0/accesskeys", json=body, headers=with_key(api, "deploy-1")
    )

    replay = await api.client.post(
        "/v1.0/accesskeys", json=body, headers={**agent.headers, "Idempotency-Key": "deploy-1"}
    )

    assert created.status_code == 201
    assert_error(replay, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")
    assert created.json()["token"] not in replay.text


async def test_a_caller_who_may_no_longer_create_gets_403_not_the_stored_response(
    api: Api,
) -> None:
    manager = await add_agent(api, permission=64, customer_id=await own_customer(api))
    headers = {**manager.headers, "Idempotency-Key": "k"}
    first = await api.client.post("/v1.0/tags", json={"name": "x"}, headers=headers)
    await api.state.identity.agents.update(manager.id, {"permission": 16})

    again = await api.client.post("/v1.0/tags", json={"name": "x"}, headers=headers)

    assert first.status_code == 201
    assert_error(again, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")


async def test_keys_belong_to_the_credential_that_sent_them(api: Api) -> None:
    key_a = bearer((await add_accesskey(api, name="a"))["token"])
    key_b = bearer((await add_accesskey(api, name="b"))["token"])
    mine = await api.client.post("/v1.0/tags", json={"name": "x"}, headers=with_key(api, "k"))

    by_key_a = await api.client.post(
        "/v1.0/tags", json={"name": "x"}, headers={**key_a, "Idempotency-Key": "k"}
    )
    # Another body under the same key, from another credential: no 422 that tells what the
    # key was used for.
    by_key_b = await api.client.post(
        "/v1.0/tags", json={"name": "y"}, headers={**key_b, "Idempotency-Key": "k"}
    )
    key_a_again = await api.client.post(
        "/v1.0/tags", json={"name": "x"}, headers={**key_a, "Idempotency-Key": "k"}
    )

    assert [r.status_code for r in (mine, by_key_a, by_key_b, key_a_again)] == [201] * 4
    assert "idempotent-replayed" not in by_key_a.headers
    assert "idempotent-replayed" not in by_key_b.headers
    assert key_a_again.headers["idempotent-replayed"] == "true"
    assert key_a_again.content == by_key_a.content
    assert len({mine.json()["id"], by_key_a.json()["id"], by_key_b.json()["id"]}) == 3
    assert sorted(await tag_names(api)) == ["x", "x", "y"]


async def test_when_recording_the_response_fails_nothing_is_created_and_a_retry_creates_one(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    complete = IdempotencyKeys.complete

    async def times_out(self: IdempotencyKeys, *args: Any) -> None:
        await complete(self, *args)  # written in the transaction...
        raise Unavailable("REQUEST_TIMEOUT")  # ...which then fails before it commits

    monkeypatch.setattr(IdempotencyKeys, "complete", times_out)
    failed = await api.client.post("/v1.0/tags", json={"name": "x"}, headers=with_key(api, "k"))
    after_failure = await tag_names(api)
    monkeypatch.setattr(IdempotencyKeys, "complete", complete)
    retried = await api.client.post("/v1.0/tags", json={"name": "x"}, headers=with_key(api, "k"))
    again = await api.client.post("/v1.0/tags", json={"name": "x"}, headers=with_key(api, "k"))

    assert_error(failed, 503, "UNAVAILABLE", "REQUEST_TIMEOUT")
    assert after_failure == []
    assert retried.status_code == 201
    assert "idempotent-replayed" not in retried.headers
    assert again.headers["idempotent-replayed"] == "true"
    assert again.content == retried.content
    assert await tag_names(api) == ["x"]


async def test_a_request_whose_key_was_taken_over_creates_nothing(
    start_app: StartApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = ManualClock()
    api = await start_app(now=clock)
    service = api.state.services["tag"]
    create = service.create
    entered, release = asyncio.Event(), asyncio.Event()

    async def stalls_once(principal: Any, body: bytes, **options: Any) -> Any:
        if not entered.is_set():
            entered.set()
            await release.wait()
        return await create(principal, body, **options)

    monkeypatch.setattr(service, "create", stalls_once)
    with anyio.fail_after(10):
        first = asyncio.create_task(
            api.client.post("/v1.0/tags", json={"name": "x"}, headers=with_key(api, "k"))
        )
        await entered.wait()
        clock.advance(61)  # the first looks abandoned: its key is taken over
        second = await api.client.post("/v1.0/tags", json={"name": "x"}, headers=with_key(api, "k"))
        release.set()
        stalled = await first
    third = await api.client.post("/v1.0/tags", json={"name": "x"}, headers=with_key(api, "k"))

    assert second.status_code == 201
    assert_error(stalled, 409, "FAILED_PRECONDITION", "IDEMPOTENCY_KEY_IN_USE")
    assert third.headers["idempotent-replayed"] == "true"
    assert third.content == second.content
    assert await tag_names(api) == ["x"]


async def test_a_create_that_reads_other_resources_runs_in_its_transaction(api: Api) -> None:
    # An agent's tag_ids are checked by reading the tags: on SQLite a transaction holds the
    # one connection, so the checks must run before it, or the create waits on itself.
    tag = await api.client.post("/v1.0/tags", json={"name": "t"}, headers=api.headers)
    body = {
        "username": "ann@example.com",
        "password": "agent-password",
        "tag_ids": [tag.json()["id"]],
    }

    with anyio.fail_after(10):
        first = await api.client.post("/v1.0/agents", json=body, headers=with_key(api, "k"))
        again = await api.client.post("/v1.0/agents", json=body, headers=with_key(api, "k"))

    assert first.status_code == 201, first.text
    assert first.json()["tag_ids"] == [tag.json()["id"]]
    assert again.headers["idempotent-replayed"] == "true"
    assert again.content == first.content


async def test_the_stored_response_holds_no_secret(api: Api) -> None:
    body = {"name": "deploy-key", "detail": "for the deploy robot"}
    created = await api.client.post("/v1.0/accesskeys", json=body, headers=with_key(api, "k"))
    token = created.json()["token"]

    rows = await stored_rows(api)
    replay = await api.client.post("/v1.0/accesskeys", json=body, headers=with_key(api, "k"))

    assert len(rows) == 1
    stored = " ".join(str(value) for value in rows[0])
    assert token not in stored
    assert token[3:] not in stored  # not even without its prefix
    assert "deploy robot" not in stored
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json()["token"] == token


async def test_expired_keys_are_purged_at_most_once_a_minute(start_app: StartApp) -> None:
    clock = ManualClock()
    api = await start_app(now=clock)

    async def post(key: str) -> None:
        response = await api.client.post(
            "/v1.0/tags", json={"name": key}, headers=with_key(api, key)
        )
        assert response.status_code == 201, response.text

    async def keys() -> list[str]:
        return sorted(str(row[1]) for row in await stored_rows(api))

    await post("k1")
    clock.advance(30)
    await post("k2")
    clock.advance(24 * 3600 - 20)  # k1 expired 10 s ago; k2 has 20 s left
    await post("k3")
    after_first_purge = await keys()
    clock.advance(30)  # k2 has expired too, but the last purge was 30 s ago
    await post("k4")
    within_the_minute = await keys()
    clock.advance(31)
    await post("k5")

    assert after_first_purge == ["k2", "k3"]
    assert within_the_minute == ["k2", "k3", "k4"]
    assert await keys() == ["k3", "k4", "k5"]


def _request(body: bytes) -> Request:
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1.0/tags",
        "query_string": b"",
        "headers": [],
    }
    return Request(scope, receive=None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000 + b"]" * 100_000, b'{"name": "\\xff"}'.replace(b"\\xff", b"\xff"), b"{"],
    ids=["too-deep", "invalid-utf8", "not-json"],
)
def test_a_body_that_does_not_decode_is_fingerprinted_byte_for_byte(body: bytes) -> None:
    one = fingerprint(_request(body), body)

    assert one == fingerprint(_request(body), body)
    assert one != fingerprint(_request(body + b" "), body + b" ")


def _post(port: int, token: str, key: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/v1.0/tags",
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()


def _start_server(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "voipbin.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1).close()
            return process
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise AssertionError("the second server did not start") from None
            time.sleep(0.05)


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_another_server_process_on_the_same_database_replays(
    start_app: StartApp, database_url: str
) -> None:
    from tests.cli.test_main import free_port

    api = await start_app()
    port = free_port()
    env = {
        **os.environ,
        "VOIPBIN_DATABASE_URL": database_url,
        "VOIPBIN_JWT_SECRET": settings_for(database_url).jwt_secret,
        "VOIPBIN_BOOTSTRAP_USERNAME": ADMIN_USERNAME,
        "VOIPBIN_BOOTSTRAP_PASSWORD": ADMIN_PASSWORD,
        "VOIPBIN_RATELIMIT_CUSTOMER_RATE": "0",
    }
    process = await anyio.to_thread.run_sync(_start_server, port, env)
    try:
        here = await api.client.post(
            "/v1.0/tags", json={"name": "shared"}, headers=with_key(api, "k")
        )
        # The same request as another client writes it: other spacing, same JSON.
        body = json.dumps({"name": "shared"}, indent=2).encode()
        status, headers, replayed = await anyio.to_thread.run_sync(
            _post, port, api.token, "k", body
        )
    finally:
        process.terminate()
        await anyio.to_thread.run_sync(process.wait, 10)

    assert here.status_code == status == 201
    assert headers["idempotent-replayed"] == "true"
    assert replayed == here.content
    assert await tag_names(api) == ["shared"]
