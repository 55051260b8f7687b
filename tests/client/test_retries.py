"""Retries against the real app in-process: a POST retried after a 503 or a lost connection
creates one resource, a 429 waits its Retry-After, and attempts run out."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

import anyio
import httpx
import pytest

from tests.client.harness import (
    AsyncRecording,
    Recording,
    Sleeps,
    async_client,
    resource_requests,
    sync_client,
)
from tests.inprocess import Served, serving, started
from voipbin.client import BadGateway, ResourceExhausted, RetryPolicy

UNAVAILABLE = {
    "error": {
        "status": "UNAVAILABLE",
        "reason": "SERVICE_UNAVAILABLE",
        "message": "Try again shortly.",
        "request_id": "req_injected",
        "details": [],
    }
}


def fail_first_post(*, after_handling: bool) -> Callable[..., httpx.Response]:
    """An intercept that answers the first POST to /v1.0/ with a 503 (after the app handled
    it, or before: as a lost connection)."""
    failed = False

    def intercept(request: httpx.Request, forward: Callable[[], httpx.Response]) -> httpx.Response:
        nonlocal failed
        if failed or request.method != "POST" or not request.url.path.startswith("/v1.0/"):
            return forward()
        failed = True
        if not after_handling:
            raise httpx.ConnectError("connection refused", request=request)
        forward()
        return httpx.Response(503, json=UNAVAILABLE)

    return intercept


@pytest.mark.parametrize("after_handling", [True, False], ids=["after", "before"])
def test_a_post_that_hits_a_503_then_succeeds_creates_one_resource(
    served: Served, sleeps: Sleeps, after_handling: bool
) -> None:
    recorded = Recording(served.transport, fail_first_post(after_handling=after_handling))
    with sync_client(recorded, sleeps) as client:
        tag = client.tags.create(name="once")
        listed = client.tags.list().result

    assert [t.id for t in listed] == [tag.id]
    posts = [q for q, _ in resource_requests(recorded.log) if q.method == "POST"]
    assert len(posts) == 1 + after_handling  # a refused connection is not in the log
    keys = {q.headers["idempotency-key"] for q in posts}
    assert len(keys) == 1
    if after_handling:
        assert recorded.log[-2][1].headers["idempotent-replayed"] == "true"
    assert sleeps.waits == [0.25]  # jitter 0.5 of the first backoff ceiling, 0.5 s


async def test_an_async_post_that_hits_a_503_then_succeeds_creates_one_resource(
    sqlite_url: str, sleeps: Sleeps
) -> None:
    failed = False

    async def intercept(
        request: httpx.Request, forward: Callable[[], Awaitable[httpx.Response]]
    ) -> httpx.Response:
        nonlocal failed
        response = await forward()
        if request.method == "POST" and request.url.path == "/v1.0/tags" and not failed:
            failed = True
            return httpx.Response(503, json=UNAVAILABLE)
        return response

    async with started(sqlite_url) as app:
        recorded = AsyncRecording(httpx.ASGITransport(app=app), intercept)
        async with async_client(recorded, sleeps) as client:
            tag = await client.tags.create(name="once")
            listed = (await client.tags.list()).result

    assert [t.id for t in listed] == [tag.id]
    posts = [q for q, _ in recorded.log if q.url.path == "/v1.0/tags" and q.method == "POST"]
    assert len({q.headers["idempotency-key"] for q in posts}) == 1
    assert len(posts) == 2
    assert sleeps.waits == [0.25]


def test_each_post_gets_its_own_idempotency_key(served: Served, sleeps: Sleeps) -> None:
    recorded = Recording(served.transport)
    with sync_client(recorded, sleeps) as client:
        client.tags.create(name="a")
        client.tags.create(name="a")

    posts = [q for q, _ in resource_requests(recorded.log) if q.method == "POST"]
    assert len({q.headers["idempotency-key"] for q in posts}) == 2
    login = next(q for q, _ in recorded.log if q.url.path == "/auth/login")
    assert "idempotency-key" not in login.headers


def test_backoff_grows_until_the_attempts_run_out(served: Served, sleeps: Sleeps) -> None:
    def always_502(request: httpx.Request, forward: Callable[[], httpx.Response]) -> httpx.Response:
        if request.url.path.startswith("/auth/"):
            return forward()
        return httpx.Response(502, text="<html>Bad Gateway</html>")

    recorded = Recording(served.transport, always_502)
    policy = RetryPolicy(max_attempts=5, backoff=1.0, max_backoff=3.0)
    with sync_client(recorded, sleeps, retry=policy) as client, pytest.raises(BadGateway) as caught:
        client.tags.list()

    assert caught.value.http_status == 502
    assert len(resource_requests(recorded.log)) == 5
    assert sleeps.waits == [0.5, 1.0, 1.5, 1.5]  # jitter 0.5 of 1, 2, 3 (capped), 3


class RealSleeps(Sleeps):
    """Records the waits and really waits (so the server's limiter bucket refills)."""

    def __call__(self, seconds: float) -> None:
        super().__call__(seconds)
        time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        await super().asleep(seconds)
        await anyio.sleep(seconds)


LIMITED = {"ratelimit_customer_rate": 1.0, "ratelimit_customer_burst": 1}


def test_a_429_waits_the_retry_after_it_was_given(sqlite_url: str) -> None:
    sleeps = RealSleeps()
    with serving(sqlite_url, **LIMITED) as served:
        recorded = Recording(served.transport)
        with sync_client(recorded, sleeps) as client:
            client.tags.list()
            assert client.tags.list().result == []

    statuses = [r.status_code for _, r in resource_requests(recorded.log)]
    assert statuses == [200, 429, 200]
    refused = resource_requests(recorded.log)[1][1]
    assert sleeps.waits == [float(refused.headers["retry-after"])] == [1.0]


async def test_an_async_429_waits_the_retry_after_it_was_given(sqlite_url: str) -> None:
    sleeps = RealSleeps()
    async with started(sqlite_url, **LIMITED) as app:
        recorded = AsyncRecording(httpx.ASGITransport(app=app))
        async with async_client(recorded, sleeps) as client:
            await client.tags.list()
            await client.tags.list()

    assert [r.status_code for _, r in resource_requests(recorded.log)] == [200, 429, 200]
    assert sleeps.waits == [1.0]


def test_a_429_that_outlasts_the_attempts_is_raised_with_its_retry_after(
    sqlite_url: str, sleeps: Sleeps
) -> None:
    with (
        serving(sqlite_url, **LIMITED) as served,
        sync_client(
            served.transport, sleeps, retry=RetryPolicy(max_attempts=2, max_retry_after=0.5)
        ) as client,
    ):
        client.tags.list()
        with pytest.raises(ResourceExhausted) as caught:
            client.tags.list()

    assert caught.value.retry_after == 1.0
    assert caught.value.limited_by == "customer"
    assert sleeps.waits == [0.5]  # capped
