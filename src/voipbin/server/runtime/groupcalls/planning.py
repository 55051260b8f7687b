"""How each destination of a groupcall will be dialled, decided (and checked) when the
groupcall is created (``behaviour-calls-billing-numbers.md`` §1.7): a ``tel`` or ``sip``
destination is a call, placed as ``POST /v1.0/calls`` places one; an ``agent`` rings the
agent's addresses and an ``extension`` its registered devices, as a nested groupcall.

Deciding it all up front means a linear groupcall's later legs need no request to be
dialled, and that a destination which cannot be rung is refused before anything rings.
Reads only (through ``executor``'s transaction when one is given: a queue rings an agent
from inside its dispatcher's).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import msgspec

from voipbin.common.address import Address
from voipbin.common.errors import ApiError, InvalidArgument, Unprocessable
from voipbin.server.resources.context import Context
from voipbin.server.runtime.calls.placing import Placement, place, require_identity
from voipbin.server.runtime.groupcalls import machine
from voipbin.server.runtime.groupcalls.rows import Nested, Plan
from voipbin.server.storage.database import Executor

log = logging.getLogger("voipbin.runtime.groupcalls")

#: An extension's registered device contacts, by extension id.
Contacts = Callable[[str], Awaitable[list[Address]]]

#: An agent's ring method as stored (``ringall``), as a groupcall's (``ring_all``).
AGENT_RING_METHODS: dict[str, str] = {"ringall": "ring_all", "linear": "linear"}

_addresses = msgspec.json.Decoder(list[Address])


def _raw(value: object) -> bytes:
    return bytes(value) if isinstance(value, msgspec.Raw) else str(value).encode()


async def _extension_id(ctx: Context, number: str, executor: Executor | None) -> str | None:
    row = await ctx.services["extension"].repository.find(
        ("id",), {"customer_id": ctx.customer_id, "extension": number}, executor=executor
    )
    return None if row is None else str(row[0])


async def _devices(
    ctx: Context, number: str, contacts: Contacts, field: str, executor: Executor | None = None
) -> list[Address]:
    extension_id = await _extension_id(ctx, number, executor)
    if extension_id is None:
        raise Unprocessable.field(field, f"{number} is no live extension of the customer")
    found = await contacts(extension_id)
    if not found:
        raise Unprocessable.field(field, f"extension {number} has no registered device")
    return found


async def resolve(
    ctx: Context,
    destination: Address,
    field: str,
    contacts: Contacts,
    executor: Executor | None = None,
) -> tuple[str, list[Address]]:
    """The ring method and the addresses an ``agent`` or ``extension`` destination rings:
    the agent's ``tel`` and ``sip`` addresses and its extensions' devices (in its own ring
    method), or the extension's devices (all at once). ``422`` naming ``field`` (its
    ``.target``) for an agent or extension that is not the customer's, or rings nothing."""
    target = f"{field}.target"
    if destination.type == "extension":
        return "ring_all", await _devices(ctx, destination.target, contacts, target, executor)
    row = await ctx.services["agent"].repository.find(
        ("addresses", "ring_method"),
        {"id": destination.target, "customer_id": ctx.customer_id},
        executor=executor,
    )
    if row is None:
        raise Unprocessable.field(target, "is no live agent of the customer")
    resolved: list[Address] = []
    for address in _addresses.decode(_raw(row[0])):
        if address.type in ("tel", "sip"):
            resolved.append(address)
        elif address.type == "extension":
            try:
                resolved += await _devices(ctx, address.target, contacts, target, executor)
            except ApiError:
                log.info("agent %s: extension %s rings nothing", destination.target, address.target)
    if not resolved:
        raise Unprocessable.field(target, "the agent has no address a call can ring")
    return AGENT_RING_METHODS.get(str(row[1]), "ring_all"), resolved


async def nested(
    ctx: Context,
    source: Address,
    destination: Address,
    index: int,
    contacts: Contacts,
    executor: Executor | None = None,
) -> Nested:
    """The groupcall ``destinations[index]`` (an agent or extension) rings as: each of its
    addresses placed; those that cannot be called are left out (as upstream skips a leg that
    fails), and the first refusal is raised when none can."""
    field = f"destinations[{index}]"
    ring, addresses = await resolve(ctx, destination, field, contacts, executor)
    await require_identity(ctx, addresses, executor)
    kept: list[Address] = []
    placements: list[Placement] = []
    refusal: ApiError | None = None
    for address in addresses:
        try:
            placements.append(await place(ctx, source, address, index, executor))
            kept.append(address)
        except ApiError as exc:
            log.info("%s: %s:%s refused: %s", field, address.type, address.target, exc)
            refusal = refusal or exc
    if not placements:
        assert refusal is not None
        raise refusal
    return Nested(ring_method=ring, destinations=kept, placements=placements)


async def plans(
    ctx: Context, source: Address, destinations: list[Address], contacts: Contacts
) -> list[Plan]:
    """The plan of every destination of ``POST /v1.0/groupcalls``, or the 4xx that refuses
    the first that cannot be rung."""
    for index, destination in enumerate(destinations):
        if machine.leg_kind(destination.type) is None:
            raise InvalidArgument.field(
                f"destinations[{index}].type",
                f"a groupcall rings tel, sip, agent or extension destinations, not "
                f"{destination.type}",
            )
    await require_identity(ctx, destinations)
    result: list[Plan] = []
    for index, destination in enumerate(destinations):
        if machine.leg_kind(destination.type) == "call":
            result.append(Plan(placement=await place(ctx, source, destination, index)))
        else:
            result.append(Plan(nested=await nested(ctx, source, destination, index, contacts)))
    return result
