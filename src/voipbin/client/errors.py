"""Error answers back to the error tree: the one place the SDK reads the envelope.

An envelope maps to the class of its HTTP status and canonical status; a reason this SDK's
catalog does not know (a newer server) keeps its text. A body that is not an envelope (a
proxy's HTML page, an empty 502) maps by HTTP status alone.
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from voipbin.common.errors import (
    ERROR_CLASSES,
    ApiError,
    Detail,
    FieldError,
    error_class_for,
    error_class_for_http,
)
from voipbin.common.reasons import REASONS


class _Error(msgspec.Struct):
    status: str = ""
    reason: str = ""
    message: str = ""
    request_id: str = ""
    details: list[object] | None = None


class _Envelope(msgspec.Struct):
    error: _Error


_decoder = msgspec.json.Decoder(_Envelope)


def _text(value: object) -> str:
    return value if isinstance(value, str) else msgspec.json.encode(value).decode()


def _detail(item: object) -> Detail:
    if not isinstance(item, dict):
        return {"value": _text(item)}
    if set(item) == {"field", "description"}:
        return FieldError(_text(item["field"]), _text(item["description"]))
    return {str(k): _text(v) for k, v in item.items()}


def error_from_response(status: int, headers: Mapping[str, str], content: bytes) -> ApiError:
    """The exception for an error answer (``status`` >= 400)."""
    request_id = headers.get("x-request-id", "")
    try:
        error = _decoder.decode(content).error
    except (msgspec.DecodeError, msgspec.ValidationError):
        error = None
    if error is None or not error.reason:
        cls = error_class_for_http(status)
        row = REASONS.get(cls.default_reason)
        message = row.message if row is not None else f"The server answered {status}."
        return cls.from_envelope(
            cls.default_reason,
            message,
            request_id=request_id,
            headers=headers,
            http_status=status,
            body=content,
        )
    cls = error_class_for(status, error.status)
    if cls is ApiError:
        cls = error_class_for_http(status)
    return cls.from_envelope(
        error.reason,
        error.message or error.reason,
        [_detail(d) for d in error.details or ()],
        request_id=error.request_id or request_id,
        headers=headers,
        http_status=status,
        body=content,
    )


def error_from_frame(content: bytes) -> ApiError:
    """The exception for an error frame of the event stream: ``{"type": "error", "error":
    {...}}``, the envelope with a ``type``. A frame carries no HTTP status, so the reason's
    catalog row gives it (an unknown reason: the first status of its canonical status)."""
    try:
        error = _decoder.decode(content).error
    except (msgspec.DecodeError, msgspec.ValidationError):
        error = _Error(status="INTERNAL", reason="INTERNAL", message="A malformed error frame.")
    row = REASONS.get(error.reason)
    if row is not None:
        status = row.http
    else:
        status = next((c.http_status for c in ERROR_CLASSES if c.status == error.status), 500)
    return error_from_response(status, {}, msgspec.json.encode({"error": error}))
