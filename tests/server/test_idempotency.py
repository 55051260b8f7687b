"""``Idempotency-Key`` on POST (CONVENTIONS.md §10): replay, mismatch, a repeat while the
first still runs, nothing stored for refused requests, and the same answer from another
server process sharing the database."""

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

from tests.server.conftest import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    Api,
    StartApp,
    add_agent,
    assert_error,
    fields_of,
)
from tests.server.conftest import test_settings as settings_for


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
