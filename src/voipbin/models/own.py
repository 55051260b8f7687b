"""The caller's own routes: a resource reached without an id (``/v1.0/customer``,
``/v1.0/me``), the one the credential belongs to.

A route declares only its path and which resource it shows; what it answers, the body of
its update and its actions come from that resource's :class:`~voipbin.models.base.ResourceSpec`
(``own``, ``update``, ``own_actions``), so the server, the SDK and the CLI build it alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec

from voipbin.models.base import Action, ResourceSpec


@dataclass(frozen=True)
class OwnRoute:
    """The public declaration of an own route: ``GET <path>``, and when ``writable``
    ``PUT <path>`` and ``POST|PUT <path>/<action>`` for the resource's own actions."""

    name: str
    """snake_case: the SDK attribute (``client.outbound_config``); hyphenated, the CLI group."""
    path: str
    spec: ResourceSpec[Any]
    writable: bool
    """Whether the route can be changed (by the customer's admins): PUT and its actions."""
    summary: str
    missing: str = ""
    """When some callers have no such resource: why they get a 404."""

    @property
    def model(self) -> type[msgspec.Struct]:
        """What the route answers: the resource as its own people see it."""
        return self.spec.own or self.spec.model

    @property
    def update(self) -> type[msgspec.Struct] | None:
        """The body of ``PUT <path>``, or ``None`` when the route cannot be changed."""
        return self.spec.update if self.writable else None

    @property
    def actions(self) -> tuple[Action, ...]:
        """The route's actions (``<path>/<name>``): the resource's own ones, when writable."""
        return self.spec.own_actions if self.writable else ()

    @property
    def title(self) -> str:
        return self.spec.title
