"""Trunks: SIP connections of a customer's own PBX or carrier, authenticated by digest
(``basic``: a username and a password, written, never shown) and/or by source address
(``ip``: the ``allowed_ips``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from voipbin.models.base import Filter, RequestBody, ResourceSpec
from voipbin.models.fields import Detail, OptionalName, OptionalSipPassword

AuthType = Literal["basic", "ip"]
#: Most networks one trunk may allow.
MAX_ALLOWED_IPS = 64

#: A DNS label, lowercased when stored: the trunk's own name under the SIP domain. The
#: pattern documents the rule; the server checks it with a message that says it.
DomainLabel = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=63,
        extra_json_schema={"pattern": r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"},
    ),
]
AuthTypes = Annotated[list[AuthType], msgspec.Meta(min_length=1, max_length=2)]
#: An IPv4 or IPv6 address, or a network in CIDR form (``203.0.113.0/24``).
IpNetwork = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
AllowedIps = Annotated[list[IpNetwork], msgspec.Meta(max_length=MAX_ALLOWED_IPS)]
#: A SIP digest username, or ``""`` for none.
SipUsername = Annotated[
    str, msgspec.Meta(max_length=64, extra_json_schema={"pattern": r"^[A-Za-z0-9_.+-]*$"})
]


class Trunk(msgspec.Struct, kw_only=True):
    """A trunk."""

    id: UUID
    customer_id: UUID
    name: str
    detail: str
    domain_name: str
    auth_types: list[str]
    username: str
    allowed_ips: list[str]
    tm_create: datetime
    tm_update: datetime | None
    tm_delete: datetime | None


class TrunkCreate(RequestBody, kw_only=True):
    """Body of ``POST /v1.0/trunks``. ``basic`` needs ``username`` and ``password``; ``ip``
    needs ``allowed_ips``. ``customer_id`` is read from super-admins only."""

    domain_name: DomainLabel
    auth_types: AuthTypes
    name: OptionalName = ""
    detail: Detail = ""
    username: SipUsername = ""
    password: OptionalSipPassword = ""
    allowed_ips: AllowedIps = msgspec.field(default_factory=list)
    customer_id: UUID | None = None


class TrunkUpdate(RequestBody, kw_only=True):
    """Body of ``PUT /v1.0/trunks/{id}``; a field left out keeps its value, and so does an
    empty ``password``. ``domain_name`` cannot change (phones and PBXs are set up with it)."""

    name: OptionalName | msgspec.UnsetType = msgspec.UNSET
    detail: Detail | msgspec.UnsetType = msgspec.UNSET
    auth_types: AuthTypes | msgspec.UnsetType = msgspec.UNSET
    username: SipUsername | msgspec.UnsetType = msgspec.UNSET
    password: OptionalSipPassword | msgspec.UnsetType = msgspec.UNSET
    allowed_ips: AllowedIps | msgspec.UnsetType = msgspec.UNSET


TRUNKS = ResourceSpec(
    name="trunk",
    plural="trunks",
    model=Trunk,
    create=TrunkCreate,
    update=TrunkUpdate,
    filters=(Filter("domain_name", "text", description="Exact domain name."),),
    summary="SIP trunks of a customer: digest (write-only password) and/or IP authentication.",
)
