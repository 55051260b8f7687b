"""Redis going away, answering slowly, or not at all: every request is still answered, at
once, under a limit of the process's own; the outage and the recovery are logged once each,
and the customer's bucket is shared again once Redis is back."""

from __future__ import annotations

import logging
import time

import anyio
import httpx
import pytest
from anyio.abc import SocketAttribute, SocketStream
from redis.asyncio import Redis

from tests.processes import free_port
from tests.server.conftest import Api, StartApp
from tests.server.ratelimit.conftest import RedisServer
from voipbin.server.app import VoipbinApp
from voipbin.server.ratelimit.gcra import Limit
from voipbin.server.ratelimit.redis import RedisBuckets

BURST = 4
QUICK = 0.5
"""Seconds within which a request must be answered while Redis is in trouble."""


def customer_limit(redis_url: str) -> dict[str, object]:
    return {
        "redis_url": redis_url,
        "ratelimit_customer_rate": 0.01,
        "ratelimit_customer_burst": BURST,
    }


def redis_store(api: Api) -> RedisBuckets:
    assert isinstance(api.app, VoipbinApp)
    assert api.app.limiter is not None
    store = api.app.limiter.customer_buckets
    assert isinstance(store, RedisBuckets)
    return store


async def timed_get(api: Api, path: str = "/v1.0/tags") -> httpx.Response:
    started = time.monotonic()
    response = await api.client.get(path, headers=api.headers)
    elapsed = time.monotonic() - started
    assert elapsed < QUICK, f"{path} took {elapsed:.2f} s"
    assert response.status_code < 500, response.text
    return response


def messages(caplog: pytest.LogCaptureFixture, text: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if text in r.getMessage()]


async def customer_key(url: str) -> str:
    """The one bucket the app keeps in this (private) Redis."""
    client = Redis.from_url(url)
    try:
        keys: list[bytes] = [key async for key in client.scan_iter(match="voipbin:rl:customer:*")]
    finally:
        await client.aclose()
    assert len(keys) == 1, keys
    return keys[0].decode().removeprefix("voipbin:rl:")


async def remaining_seen_by_another_process(url: str, key: str) -> int:
    store = RedisBuckets(url, timeout=2.0)
    try:
        decision = await store.take(key, Limit(0.01, BURST))
        assert not store.degraded
    finally:
        await store.close()
    return decision.remaining


async def test_a_redis_that_stops_and_starts_again(
    start_app: StartApp, private_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="voipbin.ratelimit")
    api = await start_app(**customer_limit(private_redis.url))
    store = redis_store(api)
    with anyio.fail_after(15):
        shared = await timed_get(api)
        assert shared.headers["x-ratelimit-remaining"] == str(BURST - 1)
        key = await customer_key(private_redis.url)

        private_redis.stop()
        during = [await timed_get(api) for _ in range(BURST + 2)]
        ready = await timed_get(api, "/ready")

        # The same limit, counted by this process alone from a full bucket.
        assert [r.status_code for r in during] == [200] * BURST + [429] * 2
        assert during[-1].json()["error"]["details"] == [{"limited_by": "customer"}]
        assert ready.status_code == 200
        assert len(messages(caplog, "Redis is unavailable")) == 1
        assert not messages(caplog, "Redis is back")

        private_redis.start()  # empty: the server kept nothing
        await anyio.sleep(store.retry_seconds + 0.05)
        back = await timed_get(api)

        assert back.status_code == 200
        assert back.headers["x-ratelimit-remaining"] == str(BURST - 1)
        assert len(messages(caplog, "Redis is back")) == 1
        assert await remaining_seen_by_another_process(private_redis.url, key) == BURST - 2
        after = await timed_get(api)
        assert after.headers["x-ratelimit-remaining"] == str(BURST - 3)
    assert len(messages(caplog, "Redis is unavailable")) == 1


async def test_a_redis_that_answers_slowly(
    start_app: StartApp, private_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="voipbin.ratelimit")
    api = await start_app(**customer_limit(private_redis.url))
    store = redis_store(api)
    sleeper = Redis.from_url(private_redis.url)
    try:
        with anyio.fail_after(15):
            assert (await timed_get(api)).headers["x-ratelimit-remaining"] == str(BURST - 1)
            key = await customer_key(private_redis.url)

            async with anyio.create_task_group() as tg:
                # Redis runs one command at a time: this one holds every other for 0.8 s.
                tg.start_soon(sleeper.execute_command, "DEBUG", "SLEEP", "0.8")
                await anyio.sleep(0.1)
                during = [await timed_get(api) for _ in range(3)]
                assert [r.status_code for r in during] == [200, 200, 200]
                assert len(messages(caplog, "Redis is unavailable")) == 1

            await anyio.sleep(store.retry_seconds)
            back = await timed_get(api)
    finally:
        await sleeper.aclose()

    assert len(messages(caplog, "Redis is back")) == 1
    # The check that timed out was still in Redis's queue and may have been counted when it
    # woke; either way the answer is this request's own, and the bucket is shared again.
    remaining = int(back.headers["x-ratelimit-remaining"])
    assert remaining in (BURST - 2, BURST - 3)
    assert await remaining_seen_by_another_process(private_redis.url, key) == remaining - 1


async def hold(stream: SocketStream) -> None:
    """Accept and never answer."""
    async with stream:
        await anyio.sleep_forever()


async def test_a_redis_that_never_answers(
    start_app: StartApp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="voipbin.ratelimit")
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(SocketAttribute.local_port)
    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, hold, tg)
        api = await start_app(**customer_limit(f"redis://127.0.0.1:{port}/0"))

        with anyio.fail_after(10):
            responses = [await timed_get(api) for _ in range(BURST + 1)]
            ready = await timed_get(api, "/ready")
        tg.cancel_scope.cancel()

    assert [r.status_code for r in responses] == [200] * BURST + [429]
    assert ready.status_code == 200
    assert len(messages(caplog, "Redis is unavailable")) == 1


async def test_a_redis_that_is_not_there_from_the_start(
    start_app: StartApp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="voipbin.ratelimit")
    api = await start_app(**customer_limit(f"redis://127.0.0.1:{free_port()}/0"))

    with anyio.fail_after(10):
        responses = [await timed_get(api) for _ in range(BURST + 1)]

    assert [r.status_code for r in responses] == [200] * BURST + [429]
    assert len(messages(caplog, "Redis is unavailable")) == 1
