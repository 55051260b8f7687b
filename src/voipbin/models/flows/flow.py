"""Flows: what a call, a message or an API request runs, as a list of actions."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

import msgspec

from voipbin.models.base import Filter, RequestBody, ResourceSpec
from voipbin.models.fields import Detail, OptionalName
from voipbin.models.flows.actions import Actions

FLOW_TYPES: tuple[str, ...] = ("flow", "conference", "queue", "campaign", "transfer")
FlowType = Literal["flow", "conference", "queue", "campaign", "transfer"]

Unset = msgspec.UnsetType
UNSET = msgspec.UNSET


class Flow(msgspec.Struct, kw_only=True):
    """A flow. ``type`` is ``flow`` for flows made through the API; the other types are
    made by the resources that own them (a queue's, a conference's flow)."""

    id: UUID
    customer_id: UUID
    type: str
    name: str
    detail: str
    actions: Actions
    on_complete_flow_id: UUID | None
    """A flow run when this one ends (with the same reference)."""
    tm_create: datetime
    tm_update: datetime | None
    tm_delete: datetime | None


class FlowCreate(RequestBody, kw_only=True):
    """Body of ``POST /v1.0/flows``."""

    name: OptionalName = ""
    detail: Detail = ""
    actions: Actions = msgspec.field(default_factory=list)
    on_complete_flow_id: UUID | None = None


class FlowUpdate(RequestBody, kw_only=True):
    """Body of ``PUT /v1.0/flows/{id}``; a field left out keeps its value."""

    name: OptionalName | Unset = UNSET
    detail: Detail | Unset = UNSET
    actions: Actions | Unset = UNSET
    on_complete_flow_id: UUID | Unset | None = UNSET


FLOWS = ResourceSpec(
    name="flow",
    plural="flows",
    model=Flow,
    create=FlowCreate,
    update=FlowUpdate,
    filters=(Filter("type", "enum", FLOW_TYPES, description="Flows of this type."),),
    summary="Flows: the actions a call, a message or an API request runs.",
)
