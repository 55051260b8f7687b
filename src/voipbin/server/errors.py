"""The one place errors become responses: the envelope of CONVENTIONS.md §6.

Handlers raise ``ApiError`` subclasses; routing errors (unknown path, wrong method) arrive as
Starlette ``HTTPException``s and are translated by :func:`as_api_error`; anything else is a
bug, rendered as ``500 INTERNAL``. The edge middleware (``middleware.request_context``) catches
them all and renders them with :func:`envelope`.
"""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.exceptions import HTTPException

from voipbin.common.errors import ApiError, Internal, MethodNotAllowed, NotFound

_encoder = msgspec.json.Encoder()


def request_id_of(scope: Any) -> str:
    value: str = scope.get("voipbin.request_id", "")
    return value


def as_api_error(exc: Exception) -> ApiError | None:
    """The API error an exception stands for; ``None`` for a bug (a 500)."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, HTTPException):
        if exc.status_code == 404:
            return NotFound("ROUTE_NOT_FOUND")
        if exc.status_code == 405:
            allow = (exc.headers or {}).get("Allow", "")
            return MethodNotAllowed(headers={"Allow": allow} if allow else None)
        return Internal()
    return None


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
