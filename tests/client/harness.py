"""What SDK tests are made of: clients on the in-process app, an injected sleep, and
transports that record exchanges or answer in the app's place."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from tests.inprocess import BASE_URL
from tests.server.conftest import ADMIN_PASSWORD, ADMIN_USERNAME
from voipbin.client import AsyncClient, Client, RetryPolicy

Exchange = tuple[httpx.Request, httpx.Response]


class Sleeps:
    """An injected sleep that records what it was asked to wait, and waits nothing."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)

    async def asleep(self, seconds: float) -> None:
        self.waits.append(seconds)


Intercept = Callable[[httpx.Request, Callable[[], httpx.Response]], httpx.Response]
AsyncIntercept = Callable[
    [httpx.Request, Callable[[], Awaitable[httpx.Response]]], Awaitable[httpx.Response]
]


class Recording(httpx.BaseTransport):
    """Sends through ``inner`` and records every exchange; ``intercept`` (given the request
    and a function that sends it on) may answer in its place."""

    def __init__(self, inner: httpx.BaseTransport, intercept: Intercept | None = None) -> None:
        self.inner = inner
        self.intercept = intercept
        self.log: list[Exchange] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        def forward() -> httpx.Response:
            return self.inner.handle_request(request)

        response = forward() if self.intercept is None else self.intercept(request, forward)
        response.read()
        self.log.append((request, response))
        return response


class AsyncRecording(httpx.AsyncBaseTransport):
    """:class:`Recording` for ``AsyncClient``."""

    def __init__(
        self, inner: httpx.AsyncBaseTransport, intercept: AsyncIntercept | None = None
    ) -> None:
        self.inner = inner
        self.intercept = intercept
        self.log: list[Exchange] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        async def forward() -> httpx.Response:
            return await self.inner.handle_async_request(request)

        response = await (forward() if self.intercept is None else self.intercept(request, forward))
        await response.aread()
        self.log.append((request, response))
        return response


def resource_requests(log: list[Exchange]) -> list[Exchange]:
    """The exchanges other than logins."""
    return [(q, r) for q, r in log if not q.url.path.startswith("/auth/")]


def sync_client(
    transport: httpx.BaseTransport,
    sleeps: Sleeps,
    *,
    retry: RetryPolicy | None = None,
    cache: bool = False,
) -> Client:
    """A client logged in as the super-admin, with an injected sleep and a fixed jitter."""
    return Client(
        BASE_URL,
        username=ADMIN_USERNAME,
        password=ADMIN_PASSWORD,
        transport=transport,
        sleep=sleeps,
        jitter=lambda: 0.5,
        retry=retry,
        cache=cache,
    )


def async_client(
    transport: httpx.AsyncBaseTransport,
    sleeps: Sleeps,
    *,
    retry: RetryPolicy | None = None,
    cache: bool = False,
) -> AsyncClient:
    """:func:`sync_client` for async code."""
    return AsyncClient(
        BASE_URL,
        username=ADMIN_USERNAME,
        password=ADMIN_PASSWORD,
        transport=transport,
        sleep=sleeps.asleep,
        jitter=lambda: 0.5,
        retry=retry,
        cache=cache,
    )
