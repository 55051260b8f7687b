"""What a resource declares about itself: its schemas, path, verbs, filters and actions.

Models use Python types (``UUID``, aware ``datetime``, ``None`` for the empty UUID and for the
``9999-01-01`` sentinel); :mod:`voipbin.models.wire` derives the wire form from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

import msgspec

M = TypeVar("M", bound=msgspec.Struct)

Verb = Literal["list", "get", "create", "update", "delete"]
ALL_VERBS: frozenset[Verb] = frozenset({"list", "get", "create", "update", "delete"})

FilterKind = Literal["uuid", "uuids", "text", "enum", "bool", "held"]


@dataclass(frozen=True)
class Filter:
    """An extra list filter: a query parameter compared for equality with a field, or, for
    ``uuids``, comma-separated UUIDs of which the field (a list of ids) holds at least one;
    for ``held``, one of ``values`` that the field (a list) holds.
    """

    name: str
    kind: FilterKind
    values: tuple[str, ...] = ()
    description: str = ""
    column: str = ""
    """The stored column it reads, when not ``name`` (one the model does not show)."""


class RequestBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The base of every request body: a field it does not declare is a 400 naming it (a
    typo never passes silently). Subclasses repeat ``kw_only=True`` for their own fields."""


@dataclass(frozen=True)
class Action:
    """An extra operation on one resource, ``POST|PUT <path>/{id}/<name>``; or, with
    ``item``, on one item the resource holds, ``PUT|DELETE <path>/{id}/<segment>/{<item>}``
    (a contact's address)."""

    name: str
    method: Literal["POST", "PUT", "DELETE"]
    body: type[msgspec.Struct] | None
    returns_resource: bool = True
    summary: str = ""
    undo: str = ""
    """When ``DELETE <path>/{id}/<name>`` (with the same body) undoes the action: its
    summary (a call's ``hold``, ``mute``); ``""`` when nothing undoes it."""
    status: int = 200
    """What the action answers with the resource: ``201`` where it adds an item (an
    address)."""
    segment: str = ""
    """The path segment after ``{id}``, when not ``name`` (several actions share one)."""
    item: str = ""
    """The path parameter naming the item the action works on (``address_id``): a UUID."""

    @property
    def path_segment(self) -> str:
        return self.segment or self.name

    def path(self, base: str) -> str:
        """The action's path under the resource's ``base`` path (``/v1.0/contacts``)."""
        tail = f"/{{{self.item}}}" if self.item else ""
        return f"{base}/{{id}}/{self.path_segment}{tail}"


@dataclass(frozen=True)
class ResourceSpec(Generic[M]):
    """The public declaration of a resource."""

    name: str
    """Singular, snake_case: ``tag``, ``agent``, ``call``."""
    plural: str
    """The path segment: ``tags``."""
    model: type[M]
    create: type[msgspec.Struct] | None = None
    update: type[msgspec.Struct] | None = None
    created: type[msgspec.Struct] | None = None
    """What ``create`` answers, when it shows more than ``model`` (an access key's token)."""
    verbs: frozenset[Verb] = ALL_VERBS
    statuses: tuple[str, ...] = ()
    """The values of ``status`` where the resource has one (enables the ``status`` filter)."""
    filters: tuple[Filter, ...] = ()
    actions: tuple[Action, ...] = ()
    summary: str = ""
    customer_scoped: bool = True
    own: type[msgspec.Struct] | None = None
    """What the caller's own route (``/v1.0/customer``) answers, when it shows the caller
    more than ``model`` shows anyone (a customer's webhook secret): ``model``'s fields, then
    its own."""
    own_actions: tuple[Action, ...] = ()
    """Actions only on the own route: ``POST|PUT <own path>/<name>``."""
    paid: str = ""
    """When a creation may cost money: what is charged (its ``402 INSUFFICIENT_BALANCE``)."""
    create_status: int = 201
    """What a creation answers: ``201`` with a ``Location``, or ``200`` where upstream's
    creation makes several resources at once (``POST /v1.0/calls``)."""

    under: str = ""
    """The path it is served under, in place of ``path``, by routes of its own (an
    outdial's targets: ``/v1.0/outdials/{id}/targets``); its item is ``{<item>}`` there."""
    item: str = "id"
    """The path parameter naming one of it."""
    bulk: int = 0
    """The most ``create`` bodies a creation's body may list, answered ``200 {"result":
    [{"status", "<name minus its owner>" | "error"}]}`` per item, in order (0: none)."""

    @property
    def path(self) -> str:
        return f"/v1.0/{self.plural}"

    @property
    def title(self) -> str:
        return self.name.replace("_", " ")
