"""Agents: the people (and their logins) of a customer."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

import msgspec

from voipbin.common.address import Address
from voipbin.models.base import Action, Filter, RequestBody, ResourceSpec
from voipbin.models.fields import (
    Addresses,
    Detail,
    OptionalName,
    Password,
    PermissionBits,
    TagIds,
    Username,
)

RingMethod = Literal["ringall", "linear"]
AgentStatus = Literal["", "available", "away", "busy", "offline", "ringing"]
AGENT_STATUSES: tuple[str, ...] = ("", "available", "away", "busy", "offline", "ringing")

Unset = msgspec.UnsetType
UNSET = msgspec.UNSET


class Agent(msgspec.Struct, kw_only=True):
    """An agent. The password is never shown."""

    id: UUID
    customer_id: UUID
    username: str
    name: str
    detail: str
    ring_method: str
    status: str
    permission: int
    tag_ids: list[UUID]
    addresses: list[Address]
    tm_create: datetime
    tm_update: datetime | None
    tm_delete: datetime | None


class AgentCreate(RequestBody, kw_only=True):
    """Body of ``POST /v1.0/agents``. ``customer_id`` is read from super-admins only."""

    username: Username
    password: Password
    name: OptionalName = ""
    detail: Detail = ""
    ring_method: RingMethod = "ringall"
    permission: PermissionBits = 16
    tag_ids: TagIds = msgspec.field(default_factory=list)
    addresses: Addresses = msgspec.field(default_factory=list)
    customer_id: UUID | None = None


class AgentUpdate(RequestBody, kw_only=True):
    """Body of ``PUT /v1.0/agents/{id}``; a field left out keeps its value."""

    name: OptionalName | Unset = UNSET
    detail: Detail | Unset = UNSET
    ring_method: RingMethod | Unset = UNSET


class AgentAddresses(RequestBody, kw_only=True):
    addresses: Addresses


class AgentTagIds(RequestBody, kw_only=True):
    tag_ids: TagIds


class AgentPermission(RequestBody, kw_only=True):
    permission: PermissionBits


class AgentStatusBody(RequestBody, kw_only=True):
    status: AgentStatus


class AgentPassword(RequestBody, kw_only=True):
    password: Password


AGENTS = ResourceSpec(
    name="agent",
    plural="agents",
    model=Agent,
    create=AgentCreate,
    update=AgentUpdate,
    statuses=AGENT_STATUSES,
    filters=(
        Filter("username", "text", description="Exact username."),
        Filter(
            "tag_ids", "uuids", description="Agents holding any of these comma-separated tag ids."
        ),
    ),
    actions=(
        Action("addresses", "PUT", AgentAddresses, summary="Replace the agent's addresses"),
        Action("tag_ids", "PUT", AgentTagIds, summary="Replace the agent's tags"),
        Action("permission", "PUT", AgentPermission, summary="Change the agent's permission"),
        Action("status", "PUT", AgentStatusBody, summary="Change the agent's status"),
        Action(
            "password",
            "PUT",
            AgentPassword,
            summary="Change the agent's password (ends the agent's earlier logins)",
        ),
    ),
    summary="Agents: the people of a customer, and their logins.",
)
