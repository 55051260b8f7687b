"""The request context: a request id for every request, on every response, and the last
line of defence that turns any unhandled exception into a ``500 INTERNAL`` envelope.

``RequestContextMiddleware`` is the outermost layer; ``UnhandledErrorMiddleware`` sits inside
CORS, so a 500 carries the CORS headers like any other response (a browser client can then
read it and its request id).
"""

from __future__ import annotations

import logging
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from ulid import ULID

from voipbin.common.errors import ApiError, Internal
from voipbin.server.errors import envelope, request_id_of

log = logging.getLogger("voipbin.server")

_SAFE_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")


def new_request_id() -> str:
    return f"req_{ULID()}"


def inbound_request_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            return value.decode("ascii") if _SAFE_ID.fullmatch(value) else None
    return None


async def _guarded(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """Run ``app``; if it raises before responding, answer with the envelope instead."""
    started = False

    async def tracking_send(message: Message) -> None:
        nonlocal started
        if message["type"] == "http.response.start":
            started = True
        await send(message)

    try:
        await app(scope, receive, tracking_send)
    except Exception as exc:
        request_id = request_id_of(scope)
        error = exc if isinstance(exc, ApiError) else Internal()
        if not isinstance(exc, ApiError) and not scope.get("voipbin.error_logged"):
            # Both layers see a crash after the response started; log it once.
            scope["voipbin.error_logged"] = True
            log.exception(
                "unhandled error in %s %s [request_id=%s]",
                scope.get("method"),
                scope.get("path"),
                request_id,
            )
        if started:
            raise
        body, headers = envelope(error, request_id)
        await send(
            {
                "type": "http.response.start",
                "status": error.http_status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    *((k.lower().encode(), v.encode()) for k, v in headers.items()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class RequestContextMiddleware:
    """Outermost: names the request and puts ``X-Request-Id`` on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = inbound_request_id(scope) or new_request_id()
        scope["voipbin.request_id"] = request_id
        header = (b"x-request-id", request_id.encode("ascii"))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        await _guarded(self.app, scope, receive, send_with_id)


class UnhandledErrorMiddleware:
    """Inside CORS: an unhandled exception becomes ``500 INTERNAL`` with the CORS headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await _guarded(self.app, scope, receive, send)
