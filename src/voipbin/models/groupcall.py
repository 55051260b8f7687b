"""Groupcalls: one caller ringing several destinations, as upstream's call-manager has them.

A groupcall rings its destinations all at once (``ring_all``) or one after another
(``linear``); with ``answer_method: hangup_others`` the first leg to answer wins and every
other leg is hung up. ``call_count`` and ``groupcall_count`` count the legs still alive,
``dial_index`` is the destination a linear groupcall rings now. The rules are in
:mod:`voipbin.server.runtime.groupcalls.machine`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from voipbin.common.address import Address
from voipbin.models.base import Action, RequestBody, ResourceSpec
from voipbin.models.flows.actions import Actions
from voipbin.models.flows.options import MAX_DESTINATIONS

GROUPCALL_STATUSES: tuple[str, ...] = ("progressing", "hangingup", "hangup")
GroupcallStatus = Literal["progressing", "hangingup", "hangup"]
RING_METHODS: tuple[str, ...] = ("ring_all", "linear")
#: ``""`` is upstream's way of saying ``ring_all``.
RingMethod = Literal["", "ring_all", "linear"]
#: ``""``: an answer leaves the other legs ringing (as upstream).
AnswerMethod = Literal["", "hangup_others"]

#: A non-empty list of destinations, at most :data:`MAX_DESTINATIONS`.
RequiredDestinations = Annotated[
    list[Address], msgspec.Meta(min_length=1, max_length=MAX_DESTINATIONS)
]


class Groupcall(msgspec.Struct, kw_only=True):
    """A groupcall, with upstream's fields (oas ``CallManagerGroupcall``) in its order."""

    id: UUID
    customer_id: UUID
    owner_type: str
    owner_id: UUID | None
    status: str
    flow_id: UUID | None
    source: Address | None
    destinations: list[Address]
    master_call_id: UUID | None
    """The call that made this groupcall (a ``connect`` action's), if any."""
    master_groupcall_id: UUID | None
    """The groupcall this one is a leg of (an agent or extension among its destinations)."""
    ring_method: str
    answer_method: str
    answer_call_id: UUID | None
    """The leg that answered, once one has."""
    call_ids: list[UUID]
    answer_groupcall_id: UUID | None
    groupcall_ids: list[UUID]
    call_count: int
    """Call legs still alive."""
    groupcall_count: int
    """Groupcall legs still alive."""
    dial_index: int
    """The destination a linear groupcall rings now (0 for ``ring_all``)."""
    tm_create: datetime
    tm_update: datetime | None
    tm_delete: datetime | None


class GroupcallCreate(RequestBody, kw_only=True):
    """Body of ``POST /v1.0/groupcalls``: ``flow_id`` wins over ``actions`` when both are
    given. Every leg's call gets its own activeflow of it, run once that call answers; a leg
    hung up unanswered (another answered first) runs nothing."""

    source: Address
    destinations: RequiredDestinations
    flow_id: UUID | None = None
    actions: Actions = msgspec.field(default_factory=list)
    ring_method: RingMethod = "ring_all"
    answer_method: AnswerMethod = "hangup_others"


GROUPCALLS = ResourceSpec(
    name="groupcall",
    plural="groupcalls",
    model=Groupcall,
    create=GroupcallCreate,
    verbs=frozenset({"list", "get", "create", "delete"}),
    statuses=GROUPCALL_STATUSES,
    actions=(
        Action(
            "hangup",
            "POST",
            None,
            summary="Hang up every leg of the groupcall (idempotent; answers the groupcall)",
        ),
    ),
    summary="Groupcalls: ring several destinations at once or one after another.",
    paid="The customer's billing account cannot pay a minute of a call (INSUFFICIENT_BALANCE).",
)
