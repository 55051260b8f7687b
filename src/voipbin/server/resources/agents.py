"""Agents: usernames are emails, unique among live agents; passwords are stored as argon2
hashes and never shown; nobody grants a permission above their own."""

from __future__ import annotations

from typing import Any

import msgspec

from voipbin.common.address import Address, is_email, validate_address
from voipbin.common.errors import InvalidArgument, PermissionDenied, Unprocessable
from voipbin.common.permissions import CUSTOMER_MANAGERS, Permission
from voipbin.models.agent import AGENTS, Agent
from voipbin.server.resources.base import Current, Rules, ServerResource, Values, plain_values
from voipbin.server.resources.context import Context
from voipbin.server.storage.tables import agent_agents

_KNOWN_BITS = (
    Permission.PROJECT_SUPER_ADMIN
    | Permission.CUSTOMER_AGENT
    | Permission.CUSTOMER_ADMIN
    | Permission.CUSTOMER_MANAGER
)
# Each role includes the roles below it: what a holder of the key may grant.
_IMPLIED = {
    Permission.PROJECT_SUPER_ADMIN: _KNOWN_BITS,
    Permission.CUSTOMER_ADMIN: Permission.CUSTOMER_ADMIN
    | CUSTOMER_MANAGERS
    | Permission.CUSTOMER_AGENT,
    Permission.CUSTOMER_MANAGER: Permission.CUSTOMER_MANAGER | Permission.CUSTOMER_AGENT,
    Permission.CUSTOMER_AGENT: Permission.CUSTOMER_AGENT,
}


def grantable(permission: Permission) -> Permission:
    """The bits a caller with ``permission`` may give (to a new agent, or another one)."""
    bits = Permission.NONE
    for role, implied in _IMPLIED.items():
        if permission & role:
            bits |= implied
    return bits


def _permission(ctx: Context, value: int) -> int:
    if value & ~_KNOWN_BITS:
        raise InvalidArgument.field("permission", "must combine the bits 1, 16, 32 and 64")
    if value & ~grantable(ctx.principal.permission):
        raise PermissionDenied(message="The caller cannot grant a permission they do not hold.")
    return value


def _username(value: str) -> str:
    """An email address, lowercased: ``Q@example.com`` and ``q@example.com`` are one agent."""
    if not is_email(value):
        raise InvalidArgument.field("username", "must be an email address")
    return value.lower()


async def _tag_ids(ctx: Context, ids: list[Any]) -> str:
    texts = [str(i) for i in ids]
    missing = await ctx.services["tag"].missing(ctx.customer_id, texts)
    if missing:
        raise Unprocessable.field("tag_ids", f"no such tags: {', '.join(missing)}")
    return msgspec.json.encode(list(dict.fromkeys(texts))).decode()


def _addresses(addresses: list[Address]) -> list[Address]:
    return [validate_address(a, f"addresses[{i}]") for i, a in enumerate(addresses)]


async def _stored_addresses(ctx: Context, addresses: list[Address]) -> str:
    """Checked addresses as stored; an ``agent`` address must name a live agent of the
    customer (422 naming the first that does not). All are checked in one query."""
    agents = [a.target for a in addresses if a.type == "agent"]
    missing = set(await ctx.services["agent"].missing(ctx.customer_id, agents)) if agents else ()
    if missing:
        i = next(i for i, a in enumerate(addresses) if a.type == "agent" and a.target in missing)
        raise Unprocessable.field(f"addresses[{i}].target", "is not an agent of the customer")
    return msgspec.json.encode(addresses).decode()


async def _create(ctx: Context, body: Any, current: Current | None) -> Values:
    # Malformed fields (400) first, then permission (403), then references (422).
    username, addresses = _username(body.username), _addresses(body.addresses)
    permission = _permission(ctx, body.permission)
    return {
        "username": username,
        "password_hash": ctx.passwords.hash(body.password),
        "name": body.name,
        "detail": body.detail,
        "ring_method": body.ring_method,
        "status": "offline",
        "permission": permission,
        "tag_ids": await _tag_ids(ctx, body.tag_ids),
        "addresses": await _stored_addresses(ctx, addresses),
    }


async def _set_addresses(ctx: Context, body: Any, current: Current | None) -> Values:
    return {"addresses": await _stored_addresses(ctx, _addresses(body.addresses))}


async def _set_tag_ids(ctx: Context, body: Any, current: Current | None) -> Values:
    return {"tag_ids": await _tag_ids(ctx, body.tag_ids)}


async def _set_permission(ctx: Context, body: Any, current: Current | None) -> Values:
    return {"permission": _permission(ctx, body.permission)}


async def _set_status(ctx: Context, body: Any, current: Current | None) -> Values:
    return {"status": body.status}


async def _set_password(ctx: Context, body: Any, current: Current | None) -> Values:
    return {"password_hash": ctx.passwords.hash(body.password)}


def _guard(ctx: Context, verb: str, current: Current) -> None:
    """Nobody acts on an agent who holds more than they may grant (a manager on an admin),
    except on themselves."""
    principal = ctx.principal
    if str(current["id"]) == principal.agent_id:
        return
    if int(current["permission"]) & ~grantable(principal.permission):
        raise PermissionDenied(message="The agent holds a permission the caller does not.")


RESOURCE: ServerResource[Agent] = ServerResource(
    spec=AGENTS,
    table=agent_agents,
    reason_prefix="AGENT",
    rules=Rules(
        read=CUSTOMER_MANAGERS,
        create=CUSTOMER_MANAGERS,
        update=CUSTOMER_MANAGERS,
        delete=CUSTOMER_MANAGERS,
        self_service=frozenset({"get", "update", "addresses", "status", "password"}),
    ),
    prepare_create=_create,
    prepare_update=plain_values,
    actions={
        "addresses": _set_addresses,
        "tag_ids": _set_tag_ids,
        "permission": _set_permission,
        "status": _set_status,
        "password": _set_password,
    },
    guard=_guard,
    unique={"uq_agent_agents_username": ("username", "AGENT_ALREADY_EXISTS")},
    identity=True,
)
