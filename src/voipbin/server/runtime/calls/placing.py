"""The checks an outgoing call passes before it is dialled (``behaviour-calls-billing-numbers.md``
§1.5, §1.6, with our fixes: each refusal is a 4xx naming why), and what they choose: the
source shown to the callee, the routes to try in order, and the cost type it is billed as.

Reads only: a placement is written by the service, in the transaction that creates the call.
A flow placing calls (``call``, ``connect``) reads through its step's transaction
(``executor``); a request reads before opening one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec

from voipbin.common.address import Address, is_e164
from voipbin.common.errors import InvalidArgument, PermissionDenied
from voipbin.common.ids import EMPTY_UUID_TEXT
from voipbin.common.number_countries import calling_code, number_country
from voipbin.common.timestamps import SENTINEL_TEXT
from voipbin.models.route import DEFAULT_ROUTES_CUSTOMER_ID, TARGET_ALL
from voipbin.server.resources.context import Context
from voipbin.server.resources.outbound_configs import allows
from voipbin.server.runtime.carrier.base import CarrierRoute
from voipbin.server.storage.database import Executor
from voipbin.server.storage.repository import ListQuery

#: The cost type of a minute of an outgoing call, by destination type.
COST_TYPES: dict[str, str] = {"tel": "call_pstn_outgoing", "sip": "call_extension"}
#: Destinations that ring through groupcalls, not calls (``runtime/groupcalls/``).
GROUPCALL_TYPES = ("agent", "extension")
#: Most routes looked at per customer (routes are few: a handful per country).
_MAX_ROUTES = 1000

_whitelist = msgspec.json.Decoder(list[str])


@dataclass(frozen=True, slots=True)
class Placement:
    """How one destination is called."""

    source: Address
    destination: Address
    cost_type: str
    routes: list[CarrierRoute]
    """Tried in order (failover, §1.5); empty for a ``sip`` destination."""


async def require_identity(
    ctx: Context, destinations: list[Address], executor: Executor | None = None
) -> None:
    """``403 IDENTITY_VERIFICATION_REQUIRED`` when a ``tel`` destination is called by a
    customer whose identity is not verified (§1.6 step 4)."""
    if not any(d.type == "tel" for d in destinations):
        return
    row = await ctx.services["customer"].repository.find(
        ("identity_verification_status",), {"id": ctx.customer_id}, executor=executor
    )
    if row is None or row[0] != "verified":
        raise PermissionDenied(
            "IDENTITY_VERIFICATION_REQUIRED",
            "Customer identity verification is required to call a tel destination.",
        )


async def place(
    ctx: Context,
    source: Address,
    destination: Address,
    index: int,
    executor: Executor | None = None,
) -> Placement:
    """The placement of ``destinations[index]``, or the 4xx that refuses it."""
    field = f"destinations[{index}]"
    cost_type = COST_TYPES.get(destination.type)
    if cost_type is None:
        raise InvalidArgument.field(
            f"{field}.type", f"a call reaches a tel or sip destination, not {destination.type}"
        )
    await ctx.ledger.require(ctx.customer_id, cost_type, executor=executor)
    if destination.type == "sip":
        return Placement(source, destination, cost_type, [])
    config = await _outbound_config(ctx, executor)
    country = number_country(destination.target)
    if country is None or not allows(config, country):
        named = country or "no country"
        raise InvalidArgument.field(
            f"{field}.target",
            f"{destination.target} is a number of {named}, which the outbound config's "
            "destination_whitelist does not hold",
        )
    routes = await routes_for(ctx, destination.target, executor)
    if not routes:
        raise InvalidArgument.field(
            f"{field}.target", f"no route reaches {destination.target}: add one for its country"
        )
    default_id = str(config["default_outgoing_source_number_id"])
    shown = await _source(ctx, source, default_id, executor)
    return Placement(shown, destination, cost_type, routes)


async def _outbound_config(ctx: Context, executor: Executor | None) -> dict[str, Any]:
    row = await ctx.services["outbound_config"].repository.find(
        ("destination_whitelist", "default_outgoing_source_number_id"),
        {"customer_id": ctx.customer_id},
        executor=executor,
    )
    if row is None:  # never made: an empty whitelist, as a new one has
        return {"destination_whitelist": [], "default_outgoing_source_number_id": EMPTY_UUID_TEXT}
    raw = row[0]
    text = raw if isinstance(raw, str) else bytes(raw).decode()
    return {
        "destination_whitelist": _whitelist.decode(text),
        "default_outgoing_source_number_id": str(row[1]),
    }


async def _source(
    ctx: Context, source: Address, default_id: str, executor: Executor | None
) -> Address:
    """The caller id of a ``tel`` call: ``source`` when it is a normal, active number of the
    customer; otherwise the outbound config's default number, checked the same way; else a
    400 naming ``source`` (§1.6 step 7.9)."""
    numbers = ctx.services["number"].repository
    wanted = {"customer_id": ctx.customer_id, "type": "normal", "status": "active"}
    owned = source.type == "tel" and is_e164(source.target)
    mine = {**wanted, "number": source.target}
    if owned and await numbers.find(("id",), mine, executor=executor) is not None:
        return source
    if default_id != EMPTY_UUID_TEXT:
        row = await numbers.find(("number",), {**wanted, "id": default_id}, executor=executor)
        if row is not None:
            return Address(type="tel", target=str(row[0]), target_name=source.target_name)
    raise InvalidArgument.field(
        "source",
        "is no normal, active number of the customer, and the outbound config names no "
        "default_outgoing_source_number_id to use instead",
    )


async def routes_for(
    ctx: Context, number: str, executor: Executor | None = None
) -> list[CarrierRoute]:
    """The routes to try for ``number``, in order: the customer's own for its country code
    and ``all``, lower priority first; then the default ones whose provider the customer's
    routes do not already use (§1.5)."""
    code = calling_code(number)
    targets = {TARGET_ALL, *([code] if code else [])}
    routes = ctx.services["route"].repository
    fields = routes.fields
    chosen: list[str] = []
    for owner in (ctx.customer_id, DEFAULT_ROUTES_CUSTOMER_ID):
        rows = await routes.list(ListQuery(limit=_MAX_ROUTES, customer_id=owner), executor)
        found = [dict(zip(fields, r, strict=True)) for r in rows]
        found = [r for r in found if r["target"] in targets]
        found.sort(key=lambda r: (int(r["priority"]), str(r["tm_create"])))
        chosen += [str(r["provider_id"]) for r in found if str(r["provider_id"]) not in chosen]
    providers = ctx.services["provider"].repository
    result = []
    for provider_id in chosen:
        row = await providers.get(provider_id, executor)
        if row is None:
            continue
        provider = dict(zip(providers.fields, row, strict=True))
        if str(provider["tm_delete"]) != SENTINEL_TEXT:
            continue
        headers = provider["tech_headers"]
        result.append(
            CarrierRoute(
                provider_id=provider_id,
                hostname=str(provider["hostname"]),
                tech_prefix=str(provider["tech_prefix"]),
                tech_postfix=str(provider["tech_postfix"]),
                tech_headers=msgspec.json.decode(
                    bytes(headers) if isinstance(headers, msgspec.Raw) else str(headers),
                    type=dict[str, str],
                ),
            )
        )
    return result
