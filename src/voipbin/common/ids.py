"""Resource ids: lowercase canonical UUIDs, and the empty UUID meaning "no reference"."""

from __future__ import annotations

import re
import uuid
from uuid import UUID

EMPTY_UUID = UUID(int=0)
EMPTY_UUID_TEXT = str(EMPTY_UUID)

# UUID() alone also takes "+", "_", non-ASCII digits and stray "urn:" or hyphens anywhere.
_ID_FORM = re.compile(
    r"(?:urn:uuid:)?(\{)?[0-9a-f]{8}(-?)[0-9a-f]{4}\2[0-9a-f]{4}\2[0-9a-f]{4}\2[0-9a-f]{12}(?(1)\})",
    re.ASCII | re.IGNORECASE,
)


def new_id() -> UUID:
    """A fresh random (version 4) id."""
    return uuid.uuid4()


def parse_id(text: str) -> UUID:
    """Parse an id in any form people type (uppercase, braces, ``urn:uuid:``).

    Raises ``ValueError`` for anything that is not a UUID.
    """
    if not isinstance(text, str) or not 32 <= len(text) <= 45:
        raise ValueError("not a UUID")
    text = text.strip()
    if not _ID_FORM.fullmatch(text):
        raise ValueError("not a UUID")
    return UUID(text.lower())


def canonical_id(text: str) -> str:
    """The lowercase canonical form of an id given in any accepted form."""
    return str(parse_id(text))


def read_id(text: str | None) -> UUID | None:
    """Read an id from the wire, where the empty UUID (or nothing) means "no reference"."""
    if not text:
        return None
    value = parse_id(text)
    return None if value == EMPTY_UUID else value


def write_id(value: UUID | str | None) -> str:
    """The wire form of an optional reference: ``None`` is the empty UUID, never null."""
    if value is None:
        return EMPTY_UUID_TEXT
    return str(value) if isinstance(value, UUID) else canonical_id(value)
