"""Routes: which provider carries a customer's outgoing calls to a country, in which order.

A route's ``target`` is ``+<country calling code>`` (``+1``, ``+44``) or ``all``. Routes of
the customer ``00000000-0000-0000-0000-000000000001`` (:data:`DEFAULT_ROUTES_CUSTOMER_ID`) are
the defaults of every customer, as upstream's "basic route" customer: the carrier is to try
the customer's own routes for a call's country and ``all``, then the default ones through
providers the customer's do not already use; lower ``priority`` first. Only super-admins see
or change routes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from voipbin.models.base import Filter, RequestBody, ResourceSpec
from voipbin.models.fields import Detail, OptionalName

Unset = msgspec.UnsetType
UNSET = msgspec.UNSET

DEFAULT_ROUTES_CUSTOMER_ID = "00000000-0000-0000-0000-000000000001"
"""The owner of the routes every customer falls back on (upstream's basic-route customer)."""

TARGET_ALL = "all"

#: ``+`` and an ITU country calling code, or ``all``. Upstream's clients send the code without
#: the ``+`` (``"1"``): accepted, and stored with it.
Target = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^(\+?[1-9][0-9]{0,2}|all)$",
        description="+<country calling code> (+1, +44) or all.",
        extra_json_schema={"examples": ["+1", "all"]},
    ),
]
#: Lower is tried first.
Priority = Annotated[int, msgspec.Meta(ge=0, le=2_147_483_647)]


class Route(msgspec.Struct, kw_only=True):
    """A route."""

    id: UUID
    customer_id: UUID
    name: str
    detail: str
    provider_id: UUID
    priority: int
    target: str
    tm_create: datetime
    tm_update: datetime | None
    tm_delete: datetime | None


class RouteCreate(RequestBody, kw_only=True):
    """Body of ``POST /v1.0/routes``. Without ``customer_id`` the route is the caller's
    customer's; ``00000000-0000-0000-0000-000000000001`` makes it a default of every one."""

    customer_id: UUID | None = None
    name: OptionalName = ""
    detail: Detail = ""
    provider_id: UUID
    priority: Priority = 0
    target: Target


class RouteUpdate(RequestBody, kw_only=True):
    """Body of ``PUT /v1.0/routes/{id}``; a field left out keeps its value."""

    name: OptionalName | Unset = UNSET
    detail: Detail | Unset = UNSET
    provider_id: UUID | Unset = UNSET
    priority: Priority | Unset = UNSET
    target: Target | Unset = UNSET


ROUTES = ResourceSpec(
    name="route",
    plural="routes",
    model=Route,
    create=RouteCreate,
    update=RouteUpdate,
    filters=(Filter("provider_id", "uuid", description="Only routes to this provider."),),
    summary="Which providers carry a customer's calls to each country (super-admins only).",
)
