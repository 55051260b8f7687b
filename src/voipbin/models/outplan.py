"""Outplans: how a campaign dials its targets (the caller id, how long a dial rings, how long
to wait between tries, how many tries each destination index gets)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from voipbin.common.address import Address
from voipbin.models.base import Action, RequestBody, ResourceSpec
from voipbin.models.fields import Detail, OptionalName

Unset = msgspec.UnsetType
UNSET = msgspec.UNSET

#: How long one dial rings, in milliseconds (as upstream): 1 second to 10 minutes.
DialTimeout = Annotated[int, msgspec.Meta(ge=1000, le=600_000)]
#: The wait between two tries of a target, in milliseconds: up to a day.
TryInterval = Annotated[int, msgspec.Meta(ge=0, le=86_400_000)]
#: Tries of one destination index.
MaxTryCount = Annotated[int, msgspec.Meta(ge=0, le=100)]


class Outplan(msgspec.Struct, kw_only=True):
    """An outplan."""

    id: UUID
    customer_id: UUID
    name: str
    detail: str
    source: Address
    """The caller id: a ``tel`` number the customer owns."""
    dial_timeout: int
    """Milliseconds a dial rings before it counts as unanswered."""
    try_interval: int
    """Milliseconds between two tries of a target."""
    max_try_count_0: int
    max_try_count_1: int
    max_try_count_2: int
    max_try_count_3: int
    max_try_count_4: int
    tm_create: datetime
    tm_update: datetime | None
    tm_delete: datetime | None


class OutplanCreate(RequestBody, kw_only=True):
    """Body of ``POST /v1.0/outplans``."""

    name: OptionalName = ""
    detail: Detail = ""
    source: Address
    dial_timeout: DialTimeout = 30_000
    try_interval: TryInterval = 60_000
    max_try_count_0: MaxTryCount = 1
    max_try_count_1: MaxTryCount = 0
    max_try_count_2: MaxTryCount = 0
    max_try_count_3: MaxTryCount = 0
    max_try_count_4: MaxTryCount = 0


class OutplanUpdate(RequestBody, kw_only=True):
    """Body of ``PUT /v1.0/outplans/{id}``; a field left out keeps its value."""

    name: OptionalName | Unset = UNSET
    detail: Detail | Unset = UNSET


class OutplanDialInfo(RequestBody, kw_only=True):
    """Body of ``PUT /v1.0/outplans/{id}/dial_info``; a field left out keeps its value."""

    source: Address | Unset = UNSET
    dial_timeout: DialTimeout | Unset = UNSET
    try_interval: TryInterval | Unset = UNSET
    max_try_count_0: MaxTryCount | Unset = UNSET
    max_try_count_1: MaxTryCount | Unset = UNSET
    max_try_count_2: MaxTryCount | Unset = UNSET
    max_try_count_3: MaxTryCount | Unset = UNSET
    max_try_count_4: MaxTryCount | Unset = UNSET


OUTPLANS = ResourceSpec(
    name="outplan",
    plural="outplans",
    model=Outplan,
    create=OutplanCreate,
    update=OutplanUpdate,
    actions=(
        Action(
            "dial_info",
            "PUT",
            OutplanDialInfo,
            summary="Change how the outplan dials (source, timeout, interval, tries)",
        ),
    ),
    summary="Outplans: how a campaign dials (caller id, ring time, retry interval and counts).",
)
