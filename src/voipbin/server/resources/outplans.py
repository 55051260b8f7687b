"""Outplans: the generic resource; ``source`` is a ``tel`` number the customer owns (an
active number of theirs), checked on creation and on every ``dial_info`` change."""

from __future__ import annotations

from typing import Any

import msgspec

from voipbin.common.address import Address, validate_address
from voipbin.common.errors import InvalidArgument, Unprocessable
from voipbin.models.outplan import OUTPLANS, Outplan
from voipbin.server.resources.base import Current, ServerResource, Values, plain_values
from voipbin.server.resources.context import Context
from voipbin.server.storage.tables import campaign_outplans


async def owned_source(ctx: Context, source: Address, field: str = "source") -> str:
    """The source as stored (JSON): a ``tel`` address (400 otherwise) of an active number
    of the customer (422 naming ``field.target`` otherwise)."""
    if source.type != "tel":
        raise InvalidArgument.field(f"{field}.type", "must be tel: a number the customer owns")
    source = validate_address(source, field)
    owned = {"customer_id": ctx.customer_id, "number": source.target, "status": "active"}
    if await ctx.services["number"].repository.find(("id",), owned) is None:
        raise Unprocessable.field(
            f"{field}.target", f"{source.target} is no active number of the customer"
        )
    return msgspec.json.encode(source).decode()


async def _values(ctx: Context, body: Any, current: Current | None) -> Values:
    values = await plain_values(ctx, body, current)
    if "source" in values:
        values["source"] = await owned_source(ctx, values["source"])
    return values


RESOURCE: ServerResource[Outplan] = ServerResource(
    spec=OUTPLANS,
    table=campaign_outplans,
    reason_prefix="OUTPLAN",
    prepare_create=_values,
    actions={"dial_info": _values},
)
