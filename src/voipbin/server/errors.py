"""The one place errors become responses: the envelope of CONVENTIONS.md §6.

Handlers raise ``ApiError`` subclasses; routing errors (unknown path, wrong method) arrive as
Starlette ``HTTPException``s and are translated here; anything else is caught by the request
context middleware and rendered as ``500 INTERNAL`` through :func:`envelope`.
"""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from voipbin.common.errors import ApiError, Internal, MethodNotAllowed, NotFound

_encoder = msgspec.json.Encoder()


def request_id_of(scope: Any) -> str:
    value: str = scope.get("voipbin.request_id", "")
    return value


def envelope(error: ApiError, request_id: str) -> tuple[bytes, dict[str, str]]:
    """The body and headers of an error response."""
    body = _encoder.encode(
        {
            "error": {
                "status": error.status.value,
                "reason": error.reason,
                "message": error.message,
                "request_id": request_id,
                "details": error.details_as_dicts(),
            }
        }
    )
    return body, error.headers


def error_response(error: ApiError, request_id: str) -> Response:
    body, headers = envelope(error, request_id)
    return Response(body, error.http_status, headers=headers, media_type="application/json")


async def api_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc, request_id_of(request.scope))


async def http_exception_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    error: ApiError
    if exc.status_code == 404:
        error = NotFound("ROUTE_NOT_FOUND")
    elif exc.status_code == 405:
        allow = (exc.headers or {}).get("Allow", "")
        error = MethodNotAllowed(headers={"Allow": allow} if allow else None)
    else:
        error = Internal()
    return error_response(error, request_id_of(request.scope))


EXCEPTION_HANDLERS: dict[Any, Any] = {
    ApiError: api_error_handler,
    HTTPException: http_exception_handler,
}
