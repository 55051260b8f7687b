"""The thin HTTP layer under the routes: JSON responses, and handlers as ASGI endpoints.

Starlette wraps a plain function endpoint in its own request/response and exception layers;
every error here is already rendered once, by the edge middleware, so an endpoint is handed
to the router as a bare ASGI app instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from voipbin.common.errors import InvalidArgument
from voipbin.common.ids import canonical_id
from voipbin.common.text import printable, text_problem

JSON = "application/json"
_encoder = msgspec.json.Encoder()

Handler = Callable[[Request], Awaitable[Response]]


def json_response(value: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(_encoder.encode(value), status, headers=headers, media_type=JSON)


def etag_response(request: Request, value: Any) -> Response:
    """A single resource with its ``ETag`` (a hash of the body), or ``304`` with no body when
    the request's ``If-None-Match`` names it."""
    body = _encoder.encode(value)
    etag = f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"'
    wanted = request.headers.get("if-none-match")
    if wanted is not None and _matches(wanted, etag):
        return Response(status_code=304, headers={"ETag": etag})
    return Response(body, 200, headers={"ETag": etag}, media_type=JSON)


def _matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    # Weak comparison, as RFC 9110 asks for If-None-Match.
    return any(t.strip().removeprefix("W/") == etag for t in header.split(","))


def path_id(text: str | None, name: str = "id") -> str:
    """The path parameter ``name`` as a canonical id, or ``400 INVALID_ID`` naming it as the
    OpenAPI document does (``id``, ``target_id``, ``resource_id``), on every route alike."""
    try:
        return canonical_id(text or "")
    except ValueError:
        raise InvalidArgument.field(name, "must be a UUID", "INVALID_ID") from None


def query_params(scope: Scope) -> dict[str, str]:
    """The query string as a plain mapping (the last value of a repeated name wins), read as
    UTF-8. A name or value that is not UTF-8 or holds NUL is ``400 INVALID_REQUEST_PARAMETER``
    naming it: no backend could store it, and a filter compares it with stored text."""
    query: bytes = scope["query_string"]
    if not query:
        return {}
    # Bytes that are not UTF-8 (raw or %-escaped) become lone surrogates, found below.
    pairs = parse_qsl(
        query.decode("utf-8", "surrogateescape"), keep_blank_values=True, errors="surrogateescape"
    )
    for name, value in pairs:
        problem = text_problem(name) or text_problem(value)
        if problem is not None:
            raise InvalidArgument.field(printable(name), problem, "INVALID_REQUEST_PARAMETER")
    return dict(pairs)


#: The credential parameters (CONVENTIONS.md §8), known to every endpoint.
CREDENTIAL_PARAMETERS = ("token", "accesskey")


def check_parameters(params: Iterable[str], known: Iterable[str] = CREDENTIAL_PARAMETERS) -> None:
    """``400 INVALID_REQUEST_PARAMETER`` naming the first of ``params`` that is neither in
    ``known`` nor a credential parameter, and listing those that are."""
    for name in params:
        if name not in known and name not in CREDENTIAL_PARAMETERS:
            allowed = sorted({*known, *CREDENTIAL_PARAMETERS})
            raise InvalidArgument.field(
                name,
                f"unknown parameter; known parameters: {', '.join(allowed)}",
                "INVALID_REQUEST_PARAMETER",
            )


def no_parameters(request: Request) -> None:
    """Only lists and lookups take query parameters; elsewhere any but the credentials is a
    400 (a typo never passes silently)."""
    if request.scope["query_string"]:
        check_parameters(query_params(request.scope))


class Endpoint:
    """An ASGI app that runs ``handler`` on the request and sends what it returns."""

    __slots__ = ("handler",)

    def __init__(self, handler: Handler) -> None:
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.handler(Request(scope, receive))
        await response(scope, receive, send)
