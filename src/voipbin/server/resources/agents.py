"""Agents: usernames are emails, unique among live agents; passwords are stored as argon2
hashes and never shown; a password change ends the agent's earlier logins; nobody grants a
permission above their own; the last super-admin cannot be demoted or deleted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from voipbin.common.address import Address, is_email, validate_address
from voipbin.common.errors import (
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    Unprocessable,
)
from voipbin.common.permissions import CUSTOMER_MANAGERS, Permission
from voipbin.common.timestamps import SENTINEL_TEXT
from voipbin.models.agent import AGENTS, Agent
from voipbin.server.auth.principal import Principal
from voipbin.server.resources.base import Current, Rules, ServerResource, Values, plain_values
from voipbin.server.resources.context import Context
from voipbin.server.resources.references import stored_tag_ids
from voipbin.server.storage.principals import Principals
from voipbin.server.storage.tables import agent_agents

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

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
        "password_hash": await ctx.passwords.hash(body.password),
        "name": body.name,
        "detail": body.detail,
        "ring_method": body.ring_method,
        "status": "offline",
        "permission": permission,
        "tag_ids": await stored_tag_ids(ctx, body.tag_ids),
        "addresses": await _stored_addresses(ctx, addresses),
    }


async def _set_addresses(ctx: Context, body: Any, current: Current | None) -> Values:
    return {"addresses": await _stored_addresses(ctx, _addresses(body.addresses))}


async def _set_tag_ids(ctx: Context, body: Any, current: Current | None) -> Values:
    return {"tag_ids": await stored_tag_ids(ctx, body.tag_ids)}


async def _set_permission(ctx: Context, body: Any, current: Current | None) -> Values:
    permission = _permission(ctx, body.permission)
    if current is not None and not permission & Permission.PROJECT_SUPER_ADMIN:
        await _not_the_last_super_admin(ctx, current)
    return {"permission": permission}


async def _not_the_last_super_admin(ctx: Context, current: Current) -> None:
    """``409 AGENT_STATE_INVALID`` when ``current`` is the only live super-admin agent:
    without one, nobody could manage customers or grant the role again.

    Counted, then written: two super-admins demoting each other at the same instant could
    both pass. A conditional UPDATE would close that; it is rare enough to leave for now.
    """
    live = current["tm_delete"] == SENTINEL_TEXT
    if not (live and int(current["permission"]) & Permission.PROJECT_SUPER_ADMIN):
        return
    if await Principals(ctx.services["agent"].repository.db).super_admins() <= 1:
        raise FailedPrecondition(
            "AGENT_STATE_INVALID",
            "This is the only super-admin agent: it cannot lose the super-admin permission "
            "or be deleted; make another agent a super-admin first.",
        )


async def _check_delete(ctx: Context, current: Current) -> None:
    await _not_the_last_super_admin(ctx, current)


async def _set_status(ctx: Context, body: Any, current: Current | None) -> Values:
    values: Values = {"status": body.status}
    if body.status == "available" and (current is None or current["status"] != "available"):
        values["tm_available"] = ctx.now  # a queue's longest_idle routing reads it
    return values


async def _set_password(ctx: Context, body: Any, current: Current | None) -> Values:
    return await password_values(ctx, body.password)


async def password_values(ctx: Context, password: str) -> Values:
    """The columns a new password writes, in one UPDATE: its hash, and a new token
    generation, which ends every login token issued before it (each carries the generation
    it was issued under). Whatever sets a password (this action, a reset) writes these.

    The generation is a time from the creation clock, which never repeats in a process, so
    it differs from every earlier one even when the wall clock stands still.
    """
    moment = ctx.services["agent"].repository.clock.next()
    return {
        "password_hash": await ctx.passwords.hash(password),
        "token_generation": (moment - _EPOCH) // _MICROSECOND,
    }


def own_agent_id(principal: Principal) -> str:
    """The agent ``/v1.0/me`` shows: the caller's. An access key is no agent, so it gets a
    404 that says where its own details are."""
    if not principal.is_agent:
        raise NotFound(
            "AGENT_NOT_FOUND",
            "An access key is not an agent: it acts as its customer's admin (permission 32); "
            "GET /v1.0/customer shows that customer.",
        )
    return principal.agent_id


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
    check_delete=_check_delete,
    unique={"uq_agent_agents_username": ("username", "AGENT_ALREADY_EXISTS")},
    identity=True,
    events="agent",
    action_events={"status": "agent_status_updated"},
)
