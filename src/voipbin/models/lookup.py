"""A read-only lookup that is no resource: ``GET <path>?<query>`` answering
``{"result": [...]}`` (``/v1.0/available_numbers``), or a page of it.

Its path may name parameters (``/v1.0/timelines/{resource_type}/{resource_id}/events``): the
SDK fills them in. The lookups of ``voipbin.models.LOOKUPS`` are served generically; one
needing more (the timeline checks who owns the resource) is served by its own route and
declared here all the same, for the SDK and the CLI.

Its query parameters and its answer are declared as structs, so the server validates the
one and encodes the other, and the OpenAPI document describes both, from this declaration.
"""

from __future__ import annotations

from dataclasses import dataclass
from string import Formatter

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
    not_found: str = ""
    """When it answers 404 though its path names nothing (a contact lookup with no match);
    one whose path names a resource answers 404 for that resource anyway."""

    @property
    def path_parameters(self) -> tuple[str, ...]:
        """The names in the path's braces, in order (``resource_type``, ``resource_id``)."""
        return tuple(name for _, name, _, _ in Formatter().parse(self.path) if name)
