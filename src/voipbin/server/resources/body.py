"""Decoding request bodies into declared structs, with errors that name the field."""

from __future__ import annotations

import re
from typing import TypeVar

import msgspec

from voipbin.common.errors import InvalidArgument

T = TypeVar("T")

_PATH = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_MISSING = re.compile(r"^Object missing required field `(?P<name>[^`]+)`")
_NOT_OBJECT = re.compile(r"^Expected `object`, got `[a-z]+`$")


def _field(message: str) -> tuple[str, str]:
    """The field path (``destinations[1].target``) and the description of a msgspec error."""
    match = _PATH.search(message)
    path = match["path"].lstrip(".") if match else ""
    text = message[: match.start()] if match else message
    missing = _MISSING.match(text)
    if missing:
        name = missing["name"]
        return (f"{path}.{name}" if path else name), "is required"
    return path, text[0].lower() + text[1:] if text else text


def decode_body(body: bytes, kind: type[T]) -> T:
    """The body as ``kind``; ``400 INVALID_JSON_BODY`` or ``400 INVALID_ARGUMENT`` if not."""
    if not body.strip():
        raise InvalidArgument("INVALID_JSON_BODY", "The request body is empty; send a JSON object.")
    try:
        return msgspec.json.decode(body, type=kind)
    except msgspec.ValidationError as exc:
        message = str(exc)
        if _NOT_OBJECT.match(message):
            raise InvalidArgument("INVALID_JSON_BODY") from None
        field, description = _field(message)
        raise InvalidArgument.field(field, description) from None
    except msgspec.DecodeError:
        raise InvalidArgument("INVALID_JSON_BODY") from None
