"""The real app in-process for SDK and CLI tests, reachable by httpx clients of both kinds.

``AsyncClient`` reaches an app through ``httpx.ASGITransport``. A sync ``Client`` cannot run
the app on its own thread's (absent) event loop, so :func:`serving` starts the app on an anyio
blocking portal (an event loop in a background thread) and :class:`PortalTransport` hands
each request to it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from anyio.from_thread import BlockingPortal, start_blocking_portal
from starlette.applications import Starlette

from tests.server.conftest import cheap_passwords, test_settings
from voipbin.server import create_app

BASE_URL = "http://testserver"


class PortalTransport(httpx.BaseTransport):
    """A sync transport into an ASGI app running on ``portal``."""

    def __init__(self, app: Starlette, portal: BlockingPortal) -> None:
        self._inner = httpx.ASGITransport(app=app)
        self._portal = portal

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()

        async def send() -> tuple[int, list[tuple[bytes, bytes]], bytes]:
            response = await self._inner.handle_async_request(request)
            return response.status_code, response.headers.raw, await response.aread()

        status, headers, content = self._portal.call(send)
        return httpx.Response(status, headers=headers, content=content, request=request)


@dataclass
class Served:
    """An app running on a portal, and a sync transport into it; ``portal`` runs coroutines
    on the app's event loop (to reach its state directly)."""

    app: Starlette
    transport: PortalTransport
    portal: BlockingPortal


@contextmanager
def serving(database_url: str, **settings: Any) -> Iterator[Served]:
    """The app on ``database_url`` with its lifespan running, until the block ends."""
    with start_blocking_portal("asyncio") as portal:

        def build() -> Starlette:
            return create_app(test_settings(database_url, **settings), passwords=cheap_passwords())

        app = portal.call(build)
        with portal.wrap_async_context_manager(app.router.lifespan_context(app)):
            yield Served(app, PortalTransport(app, portal), portal)


@asynccontextmanager
async def started(database_url: str, **settings: Any) -> AsyncIterator[Starlette]:
    """The app on ``database_url`` with its lifespan running on this event loop."""
    app = create_app(test_settings(database_url, **settings), passwords=cheap_passwords())
    async with app.router.lifespan_context(app):
        yield app
