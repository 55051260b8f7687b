"""Outdials and their targets: two generic resources. The targets' verbs are served under
their outdial by ``server/outdial_targets.py``, which checks the outdial first; this module
turns a target's body into its row."""

from __future__ import annotations

from typing import Any

import msgspec

from voipbin.common.address import Address, validate_address
from voipbin.common.errors import InvalidArgument
from voipbin.common.ids import EMPTY_UUID_TEXT
from voipbin.models.outdial import (
    DESTINATIONS,
    OUTDIAL_TARGETS,
    OUTDIALS,
    Outdial,
    OutdialTarget,
    OutdialTargetCreate,
)
from voipbin.server.resources.base import Current, ServerResource, Values, plain_values
from voipbin.server.resources.context import Context
from voipbin.server.storage.tables import outdial_outdials, outdial_targets

EMPTY_ADDRESS = Address(type="", target="")


def _empty(address: Address | None) -> bool:
    return address is None or (address.type == "" and address.target == "")


def target_values(body: OutdialTargetCreate) -> Values:
    """A target's columns (without its outdial and customer): ``destination_0`` a valid
    address, the others valid or empty (400 naming the field otherwise)."""
    values: Values = {"name": body.name, "detail": body.detail, "data": body.data}
    for i in range(DESTINATIONS):
        field = f"destination_{i}"
        address: Address | None = getattr(body, field)
        if _empty(address):
            if i == 0:
                raise InvalidArgument.field(f"{field}.target", "the first destination is required")
            address = EMPTY_ADDRESS
        else:
            assert address is not None
            address = validate_address(address, field)
        values[field] = msgspec.json.encode(address).decode()
    return values


async def _outdial_values(ctx: Context, body: Any, current: Current | None) -> Values:
    values = await plain_values(ctx, body, current)
    if "campaign_id" in values:
        campaign_id = values["campaign_id"]
        values["campaign_id"] = EMPTY_UUID_TEXT if campaign_id is None else str(campaign_id)
    return values


RESOURCE: ServerResource[Outdial] = ServerResource(
    spec=OUTDIALS,
    table=outdial_outdials,
    reason_prefix="OUTDIAL",
    prepare_create=_outdial_values,
    actions={"campaign_id": _outdial_values, "data": plain_values},
    references={"campaign_id": "campaign"},
    events="outdial",
)

TARGETS: ServerResource[OutdialTarget] = ServerResource(
    spec=OUTDIAL_TARGETS, table=outdial_targets, reason_prefix="OUTDIAL_TARGET"
)
