"""The edge of the app: one ASGI layer that every request crosses first.

It names the request (``X-Request-Id`` on every response), answers CORS (preflights, and the
``Access-Control-*`` headers on responses to cross-origin requests), admits the request's
input (``middleware.input``: the path without a trailing slash, a bounded and checked body),
and renders every error
as the envelope: the ``ApiError``s handlers raise, routing's 404 and 405, and any other
exception as a ``500 INTERNAL``, logged with the request id. Doing it all in one layer keeps
the request path to a single wrapper, and an error gets its CORS headers like any response.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from voipbin.common.errors import ApiError, Internal, InvalidArgument
from voipbin.server.errors import as_api_error, envelope
from voipbin.server.middleware.input import InputLimits, normalise_path
from voipbin.server.ratelimit.limiter import RateLimiter, rate_limit_headers

log = logging.getLogger("voipbin.server")

_SAFE_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# Every 10-bit value as its two characters; 130 bits (two zero bits, then the 128) are 13 pairs.
_PAIRS = tuple(a + b for a in _CROCKFORD for b in _CROCKFORD)
_SHIFTS = tuple(range(120, -1, -10))


def ulid_text(value: int) -> str:
    """The 26-character Crockford base32 form of a 128-bit ULID (two characters at a time)."""
    pairs = _PAIRS
    return "".join([pairs[(value >> shift) & 1023] for shift in _SHIFTS])


def new_request_id() -> str:
    """``req_`` and a ULID: 48 bits of milliseconds, then 80 random bits."""
    milliseconds = time.time_ns() // 1_000_000
    return "req_" + ulid_text(milliseconds << 80 | int.from_bytes(os.urandom(10), "big"))


def inbound_request_id(value: bytes) -> str | None:
    return value.decode("ascii") if _SAFE_ID.fullmatch(value) else None


Headers = list[tuple[bytes, bytes]]


class RequestContextMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        limiter: RateLimiter | None = None,
        limits: InputLimits | None = None,
        allow_methods: Sequence[str] = ("GET", "POST", "PUT", "DELETE"),
        expose_headers: Sequence[str] = (),
        max_age: int = 600,
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.limits = limits or InputLimits()
        self.allow_methods = frozenset(allow_methods)
        self._cors: Headers = [
            (b"access-control-allow-origin", b"*"),
            (b"access-control-expose-headers", ", ".join(expose_headers).encode()),
        ]
        self._preflight: Headers = [
            (b"access-control-allow-methods", ", ".join(allow_methods).encode()),
            (b"access-control-max-age", str(max_age).encode()),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        normalise_path(scope)
        request_id = None
        origin = preflight_method = requested_headers = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                request_id = inbound_request_id(value)
            elif name == b"origin":
                origin = value
            elif name == b"access-control-request-method":
                preflight_method = value
            elif name == b"access-control-request-headers":
                requested_headers = value
        request_id = request_id or new_request_id()
        scope["voipbin.request_id"] = request_id
        extra: Headers = [(b"x-request-id", request_id.encode("ascii"))]
        if origin is not None:
            extra += self._cors
            if scope["method"] == "OPTIONS" and preflight_method is not None:
                await self._answer_preflight(send, extra, preflight_method, requested_headers)
                return
        if self.limiter is not None:
            limited = self.limiter.check_ip(scope)
            if limited is not None:
                await _send_error(send, limited, request_id, extra + rate_limit_headers(scope))
                return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [
                    *message.get("headers", ()),
                    *extra,
                    *rate_limit_headers(scope),
                ]
            await send(message)

        try:
            admitted = await self.limits.admit(scope, receive)
            if admitted is None:  # the client left before sending its body
                return
            await self.app(scope, admitted, send_with_headers)
        except Exception as exc:
            error = as_api_error(exc)
            if error is None:
                error = Internal()
                log.exception(
                    "unhandled error in %s %s [request_id=%s]",
                    scope.get("method"),
                    scope.get("path"),
                    request_id,
                )
            if started:
                raise
            await _send_error(send, error, request_id, extra + rate_limit_headers(scope))

    async def _answer_preflight(
        self, send: Send, extra: Headers, method: bytes, requested_headers: bytes | None
    ) -> None:
        headers = [*extra, *self._preflight]
        if requested_headers is not None:
            headers.append((b"access-control-allow-headers", requested_headers))
        if method.decode("latin-1") not in self.allow_methods:
            error = InvalidArgument.field(
                "Access-Control-Request-Method",
                f"must be one of: {', '.join(sorted(self.allow_methods))}",
            )
            await _send_error(send, error, extra[0][1].decode("ascii"), headers)
            return
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})


async def _send_error(send: Send, error: ApiError, request_id: str, extra: Headers) -> None:
    body, headers = envelope(error, request_id)
    await send(
        {
            "type": "http.response.start",
            "status": error.http_status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *((k.lower().encode(), v.encode()) for k, v in headers.items()),
                *extra,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
