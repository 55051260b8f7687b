"""Numbers: purchase (create), configure, release (delete).

A live ``number`` belongs to one customer at a time across the whole server (409
``NUMBER_ALREADY_EXISTS``); a release soft-deletes it with ``status: deleted`` and frees it.
Virtual numbers are ``+899`` then 9 digits, never ``+899000...``; ``type`` left out is
inferred from that prefix (upstream makes callers send it). A normal number needs the
customer's identity verified (403 ``IDENTITY_VERIFICATION_REQUIRED``), is bought from the
carrier (422 for a number it does not offer) and charged its first month with its creation
(402 ``INSUFFICIENT_BALANCE`` when the customer's billing account cannot pay it).
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

import msgspec

from voipbin.common.errors import InvalidArgument, PermissionDenied
from voipbin.common.ids import EMPTY_UUID_TEXT
from voipbin.common.permissions import CUSTOMER_MANAGERS, Permission
from voipbin.models.number import (
    NUMBERS,
    RESERVED_VIRTUAL_PREFIX,
    VIRTUAL_PREFIX,
    Number,
    NumberMetadata,
)
from voipbin.server.billing.ledger import Usage
from voipbin.server.resources.base import Current, Rules, ServerResource, Values, plain_values
from voipbin.server.resources.context import Context
from voipbin.server.resources.fields import check_phone_number
from voipbin.server.storage.database import Executor
from voipbin.server.storage.tables import number_numbers

_VIRTUAL = re.compile(r"\+899[0-9]{9}", re.ASCII)


def _number_and_type(number: str, wanted: str | None) -> tuple[str, str]:
    """The number and its type, or a 400 naming the rule it breaks."""
    kind = wanted or ("virtual" if number.startswith(VIRTUAL_PREFIX) else "normal")
    if kind == "virtual":
        if not _VIRTUAL.fullmatch(number):
            raise InvalidArgument.field("number", "a virtual number is +899 then 9 digits")
        if number.startswith(RESERVED_VIRTUAL_PREFIX):
            raise InvalidArgument.field("number", "+899000... numbers are reserved")
        return number, kind
    check_phone_number(number, "number")
    if number.startswith(VIRTUAL_PREFIX):
        raise InvalidArgument.field("number", "a +899 number is virtual: leave out type")
    return number, kind


async def _identity_verified(ctx: Context) -> None:
    """``403 IDENTITY_VERIFICATION_REQUIRED`` unless the buying customer is verified."""
    row = await ctx.services["customer"].repository.find(
        ("identity_verification_status",), {"id": ctx.customer_id}
    )
    if row is None or row[0] != "verified":
        raise PermissionDenied(
            "IDENTITY_VERIFICATION_REQUIRED",
            "Buying a normal number needs the customer's identity_verification_status to be "
            "verified; virtual (+899) numbers need no verification.",
        )


async def _charge(ctx: Context, executor: Executor, number: Current) -> None:
    """Pay the first month of a normal number, in the transaction that makes it: a
    purchase that cannot be paid (``402``) makes no number."""
    if number["type"] == "normal":
        usage = Usage("number", "number", str(number["id"]))
        await ctx.ledger.charge(ctx.customer_id, usage, executor)


def _flow_id(value: UUID | None) -> str:
    return EMPTY_UUID_TEXT if value is None else str(value)


async def _create(ctx: Context, body: Any, current: Current | None) -> Values:
    wanted = None if body.type is msgspec.UNSET else body.type
    number, kind = _number_and_type(body.number, wanted)
    values: Values = {
        "number": number,
        "type": kind,
        "call_flow_id": _flow_id(body.call_flow_id),
        "message_flow_id": _flow_id(body.message_flow_id),
        "name": body.name,
        "detail": body.detail,
        "status": "active",
        "metadata": _metadata(False),
    }
    if kind == "normal":
        await _identity_verified(ctx)
        # Refused before the carrier is asked; charged with the new row (see _charge).
        await ctx.ledger.require(ctx.customer_id, "number")
        await ctx.carrier.purchase(number)
        # Purchase and renew times are those of normal numbers only, as upstream.
        values["tm_purchase"] = values["tm_renew"] = ctx.now
    return values


async def _update(ctx: Context, body: Any, current: Current | None) -> Values:
    values = await plain_values(ctx, body, current)
    for field in ("call_flow_id", "message_flow_id"):
        if field in values:
            values[field] = _flow_id(values[field])
    return values


async def _set_flow_ids(ctx: Context, body: Any, current: Current | None) -> Values:
    return {
        "call_flow_id": _flow_id(body.call_flow_id),
        "message_flow_id": _flow_id(body.message_flow_id),
    }


def _metadata(rtp_debug: bool) -> str:
    return msgspec.json.encode(NumberMetadata(rtp_debug=rtp_debug)).decode()


async def _set_metadata(ctx: Context, body: Any, current: Current | None) -> Values:
    return {"metadata": _metadata(body.rtp_debug)}


RESOURCE: ServerResource[Number] = ServerResource(
    spec=NUMBERS,
    table=number_numbers,
    reason_prefix="NUMBER",
    rules=Rules(
        # Plain agents are denied, as upstream; buying and releasing spend the customer's
        # money, so they are the admin's; pointing a number at flows is a manager's job too.
        read=CUSTOMER_MANAGERS,
        create=Permission.CUSTOMER_ADMIN,
        update=CUSTOMER_MANAGERS,
        delete=Permission.CUSTOMER_ADMIN,
    ),
    prepare_create=_create,
    prepare_update=_update,
    with_create=_charge,
    actions={"flow_ids": _set_flow_ids, "metadata": _set_metadata},
    unique={"uq_number_numbers_number": ("number", "NUMBER_ALREADY_EXISTS")},
    deleted_values={"status": "deleted"},
    references={"call_flow_id": "flow", "message_flow_id": "flow"},
    events="number",
)
