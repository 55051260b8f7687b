"""A read-only lookup that is no resource: ``GET <path>?<query>`` answering
``{"result": [...]}`` (``/v1.0/available_numbers``).

Its query parameters and its answer are declared as structs, so the server validates the
one and encodes the other, and the OpenAPI document describes both, from this declaration.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec


@dataclass(frozen=True)
class Lookup:
    """The public declaration of a lookup."""

    name: str
    """snake_case, the operation's name: ``available_numbers``."""
    path: str
    query: type[msgspec.Struct]
    """Its query parameters, one field each (strings, integers or enums; defaults for the
    optional ones)."""
    answer: type[msgspec.Struct]
    """What it answers (``{"result": [...]}``)."""
    tag: str
    summary: str = ""
    description: str = ""
