"""Text every storage backend can hold: no NUL, no lone surrogate (which is also how bytes
that are not UTF-8 look once decoded with ``surrogateescape``). PostgreSQL refuses both and
SQLite keeps them, so the API refuses them at the door, the same on both."""

from __future__ import annotations

import re

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored on every backend (a field error's description), or
    ``None`` when it can."""
    match = _UNSTORABLE.search(text)
    if match is None:
        return None
    if match[0] == "\x00":
        return "must not contain a NUL character"
    return "must be valid UTF-8 text (it holds bytes that are not UTF-8, or a lone surrogate)"


def printable(name: str) -> str:
    """``name`` safe to put in an answer: a lone surrogate cannot be encoded, so it is
    written as its escape."""
    return name.encode("utf-8", "backslashreplace").decode("utf-8")
