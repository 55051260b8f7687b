"""List pages: ``{"result": [...], "next_page_token": "..."}`` and their query parameters."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Generic, TypeVar

import msgspec

from voipbin.common.errors import InvalidArgument
from voipbin.common.timestamps import parse_timestamp

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 100

#: How every list's ``page_size`` is described (the OpenAPI document, the SDK's docs).
PAGE_SIZE_DESCRIPTION = (
    "Items per page, 1-100, default 100; a larger number lists 100 (0 is a 400)."
)
#: What a ``page_size`` that is refused must be, on every list alike.
PAGE_SIZE_PROBLEM = "must be a whole number of at least 1 (more than 100 lists 100)"

# int() alone also takes "1_0", surrounding spaces and non-ASCII digits.
_INTEGER = re.compile(r"[+-]?[0-9]+")


class Page(msgspec.Struct, Generic[T]):
    """One page of a list. ``next_page_token`` is ``""`` on the last page."""

    result: list[T]
    next_page_token: str = ""


def parse_page_size(text: str | None) -> int:
    """``page_size``: 1-100, default 100; larger values are clamped to 100, as VoIPBIN does
    (CONVENTIONS.md §4), so the refusal of the rest says so."""
    if text is None or text == "":
        return DEFAULT_PAGE_SIZE
    try:
        value = int(text, 10) if _INTEGER.fullmatch(text) else 0
    except ValueError:
        value = 0
    if value < 1:
        raise InvalidArgument.field("page_size", PAGE_SIZE_PROBLEM, "INVALID_REQUEST_PARAMETER")
    return min(value, MAX_PAGE_SIZE)


def parse_page_token(text: str | None) -> datetime | None:
    """``page_token``: a timestamp in any accepted form; items older than it are listed."""
    if not text:
        return None
    return parse_query_timestamp("page_token", text)


def parse_query_timestamp(name: str, text: str) -> datetime:
    """A timestamp query parameter, or ``400 INVALID_REQUEST_PARAMETER`` naming it."""
    try:
        return parse_timestamp(text)
    except ValueError:
        raise InvalidArgument.field(
            name, "must be a timestamp like 2022-05-01 15:10:38.785510", "INVALID_REQUEST_PARAMETER"
        ) from None
