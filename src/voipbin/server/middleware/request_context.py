"""The outermost layer: a request id for every request, on every response, and the last
line of defence that turns any unhandled exception into a ``500 INTERNAL`` envelope.
"""

from __future__ import annotations

import logging
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from ulid import ULID

from voipbin.common.errors import ApiError, Internal
from voipbin.server.errors import envelope

log = logging.getLogger("voipbin.server")

_SAFE_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")


def new_request_id() -> str:
    return f"req_{ULID()}"


def inbound_request_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            return value.decode("ascii") if _SAFE_ID.fullmatch(value) else None
    return None


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = inbound_request_id(scope) or new_request_id()
        scope["voipbin.request_id"] = request_id
        header = (b"x-request-id", request_id.encode("ascii"))
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            error = exc if isinstance(exc, ApiError) else Internal()
            if not isinstance(exc, ApiError):
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
                        header,
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
