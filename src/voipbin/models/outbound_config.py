"""Outbound configs: what a customer's outgoing PSTN calls are checked against. One per
customer, made (empty: every PSTN destination refused) with the customer; read and changed,
never created or deleted through the API (a customer's deletion deletes it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from voipbin.models.base import RequestBody, ResourceSpec
from voipbin.models.fields import Detail, OptionalName
from voipbin.models.provider import Codecs

#: Most entries a whitelist may hold: one per assigned ISO 3166-1 alpha-2 code (249), and
#: a little room.
MAX_WHITELIST = 256

#: An ISO 3166-1 alpha-2 code, in any case (stored upper case). The pattern documents the
#: shape; the server checks the code is an assigned one and names the entry that is not.
CountryCode = Annotated[
    str,
    msgspec.Meta(min_length=2, max_length=2, extra_json_schema={"pattern": "^[A-Za-z]{2}$"}),
]
Whitelist = Annotated[list[CountryCode], msgspec.Meta(max_length=MAX_WHITELIST)]

Unset = msgspec.UnsetType
UNSET = msgspec.UNSET


class OutboundConfig(msgspec.Struct, kw_only=True):
    """A customer's outbound config."""

    id: UUID
    customer_id: UUID
    name: str
    detail: str
    destination_whitelist: list[str]
    """The countries (ISO 3166-1 alpha-2, upper case) outgoing PSTN calls may reach; empty:
    none (every PSTN call is refused)."""
    codecs: str
    default_outgoing_source_number_id: UUID | None
    """The caller id (a live normal number of the customer) of an outgoing PSTN call whose
    own source is not usable; unset: none."""
    tm_create: datetime
    tm_update: datetime | None
    tm_delete: datetime | None


class OutboundConfigUpdate(RequestBody, kw_only=True):
    """Body of ``PUT /v1.0/outbound_configs/{id}`` and ``PUT /v1.0/outbound_config``; a field
    left out, or ``null``, keeps its value (as upstream). ``destination_whitelist: []`` refuses
    every PSTN call; the empty UUID as ``default_outgoing_source_number_id`` clears it."""

    name: OptionalName | Unset = UNSET
    detail: Detail | Unset = UNSET
    destination_whitelist: Whitelist | Unset | None = UNSET
    codecs: Codecs | Unset | None = UNSET
    default_outgoing_source_number_id: UUID | Unset | None = UNSET


OUTBOUND_CONFIGS = ResourceSpec(
    name="outbound_config",
    plural="outbound_configs",
    model=OutboundConfig,
    update=OutboundConfigUpdate,
    verbs=frozenset({"list", "get", "update"}),
    summary=(
        "Outbound configs: the countries a customer's outgoing PSTN calls may reach and their "
        "default caller id. One per customer, made with it."
    ),
)
