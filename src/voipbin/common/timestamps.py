"""Timestamps on the wire: ``YYYY-MM-DD HH:MM:SS.ffffff`` in UTC, with a sentinel for "never".

Output always has exactly six fraction digits and no zone suffix. Input also accepts 0-9
fraction digits (extra digits are truncated, never rounded), a ``T`` separator, and ``Z`` or a
numeric offset (converted to UTC). A naive datetime is taken to be UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

SENTINEL_TEXT = "9999-01-01 00:00:00.000000"
SENTINEL = datetime(9999, 1, 1, tzinfo=UTC)

_PATTERN = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[ Tt]"
    r"(?P<time>\d{2}:\d{2}:\d{2})"
    r"(?:\.(?P<fraction>\d{1,9}))?"
    r"(?P<zone>[Zz]|[+-]\d{2}:?\d{2})?",
    re.ASCII,  # \d must not match non-ASCII digits such as fullwidth ones
)


def parse_timestamp(text: str) -> datetime:
    """Parse any accepted input form to an aware UTC datetime at microsecond precision.

    Raises ``ValueError`` for anything else.
    """
    match = _PATTERN.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"not a timestamp: {text!r}")
    fraction = (match["fraction"] or "")[:6].ljust(6, "0")
    value = datetime.strptime(f"{match['date']} {match['time']}", "%Y-%m-%d %H:%M:%S")
    value = value.replace(microsecond=int(fraction), tzinfo=UTC)
    zone = match["zone"]
    if zone and zone not in "Zz":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:])
        if hours > 23 or minutes > 59:
            raise ValueError(f"bad zone offset in {text!r}")
        try:
            value -= sign * timedelta(hours=hours, minutes=minutes)
        except OverflowError as exc:
            raise ValueError(f"timestamp out of range: {text!r}") from exc
    return value


def format_timestamp(value: datetime | None) -> str:
    """The wire form of a timestamp; ``None`` (never happened) is the sentinel."""
    if value is None:
        return SENTINEL_TEXT
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d} "
        f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}.{value.microsecond:06d}"
    )


def normalize_timestamp(text: str) -> str:
    """Any accepted input form rewritten in the canonical output form."""
    return format_timestamp(parse_timestamp(text))


def read_timestamp(text: str | None) -> datetime | None:
    """Read a timestamp field from the wire, where the sentinel, null or ``""`` mean "never"."""
    if not text:
        return None
    value = parse_timestamp(text)
    return None if value >= SENTINEL else value
