"""Outdials: the lists of targets a campaign dials, and their targets.

A target has up to five destinations (``destination_0`` first); a destination left out, or
given with an empty ``type`` and ``target``, is the empty address. ``POST
/v1.0/outdials/{id}/targets`` takes one target (answering ``201`` with it) or a list of up
to 1,000 (answering ``200`` with one result per item, in order: ``{"status": 201, "target":
{...}}`` or ``{"status": 400, "error": {...}}``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

from voipbin.common.address import Address
from voipbin.models.base import Action, RequestBody, ResourceSpec
from voipbin.models.fields import Detail, OptionalName

Unset = msgspec.UnsetType
UNSET = msgspec.UNSET

TARGET_STATUSES: tuple[str, ...] = ("idle", "progressing", "done")
TARGET_RESULTS: tuple[str, ...] = ("", "success", "fail")
#: Most targets one ``POST .../targets`` adds.
MAX_BULK_TARGETS = 1000
#: How many destinations a target has (``destination_0`` .. ``destination_4``).
DESTINATIONS = 5
Data = Annotated[str, msgspec.Meta(max_length=65536)]


class Outdial(msgspec.Struct, kw_only=True):
    """An outdial."""

    id: UUID
    customer_id: UUID
    campaign_id: UUID | None
    name: str
    detail: str
    data: str
    tm_create: datetime
    tm_update: datetime | None
    tm_delete: datetime | None


class OutdialCreate(RequestBody, kw_only=True):
    """Body of ``POST /v1.0/outdials``."""

    campaign_id: UUID | None = None
    name: OptionalName = ""
    detail: Detail = ""
    data: Data = ""


class OutdialUpdate(RequestBody, kw_only=True):
    """Body of ``PUT /v1.0/outdials/{id}``; a field left out keeps its value."""

    name: OptionalName | Unset = UNSET
    detail: Detail | Unset = UNSET


class OutdialCampaignId(RequestBody, kw_only=True):
    """Body of ``PUT /v1.0/outdials/{id}/campaign_id`` (the empty UUID for none)."""

    campaign_id: UUID | None


class OutdialData(RequestBody, kw_only=True):
    """Body of ``PUT /v1.0/outdials/{id}/data``."""

    data: Data


class OutdialTarget(msgspec.Struct, kw_only=True):
    """A target of an outdial: whom a campaign calls, at up to five destinations."""

    id: UUID
    customer_id: UUID
    outdial_id: UUID
    name: str
    detail: str
    data: str
    status: str
    """``idle`` (waiting for a dial), ``progressing`` (being dialled) or ``done``."""
    destination_0: Address
    destination_1: Address
    destination_2: Address
    destination_3: Address
    destination_4: Address
    try_count_0: int
    try_count_1: int
    try_count_2: int
    try_count_3: int
    try_count_4: int
    result: str
    """``""`` until the target is done, then ``success`` (answered) or ``fail`` (its tries
    ran out). Read-only; not in upstream's model."""
    tm_next_try: datetime | None
    """When the target may be dialled again (the sentinel when never). Read-only; not in
    upstream's model."""
    tm_create: datetime
    tm_update: datetime | None
    tm_delete: datetime | None


class OutdialTargetCreate(RequestBody, kw_only=True):
    """One target of ``POST /v1.0/outdials/{id}/targets``: ``destination_0`` is required."""

    name: OptionalName = ""
    detail: Detail = ""
    data: Data = ""
    destination_0: Address
    destination_1: Address | None = None
    destination_2: Address | None = None
    destination_3: Address | None = None
    destination_4: Address | None = None


class OutdialTargetResult(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One item's result in the answer of a list ``POST /v1.0/outdials/{id}/targets``:
    ``status`` 201 with the ``target`` made, or a 4xx with the ``error`` that item got (the
    envelope's ``error`` object)."""

    status: int
    target: OutdialTarget | None = None
    error: dict[str, Any] | None = None


class OutdialTargetResults(msgspec.Struct, kw_only=True):
    """The answer of a list ``POST /v1.0/outdials/{id}/targets``: one result per item, in
    order."""

    result: list[OutdialTargetResult]


OUTDIALS = ResourceSpec(
    name="outdial",
    plural="outdials",
    model=Outdial,
    create=OutdialCreate,
    update=OutdialUpdate,
    actions=(
        Action("campaign_id", "PUT", OutdialCampaignId, summary="Change the outdial's campaign"),
        Action("data", "PUT", OutdialData, summary="Change the outdial's data"),
    ),
    summary="Outdials: the lists of targets campaigns dial.",
)

OUTDIAL_TARGETS = ResourceSpec(
    name="outdial_target",
    plural="outdial_targets",
    model=OutdialTarget,
    create=OutdialTargetCreate,
    verbs=frozenset({"list", "get", "create", "delete"}),
    statuses=TARGET_STATUSES,
    summary="The targets of an outdial, served under /v1.0/outdials/{id}/targets.",
    under="/v1.0/outdials/{id}/targets",
    item="target_id",
    bulk=MAX_BULK_TARGETS,
)
"""Served by their own routes (``server/outdial_targets.py``) under the outdial."""
