"""Queues and queuecalls: a contact center's waiting line (upstream's queue-manager).

A call's flow joins a queue with the ``queue_join`` action: that makes a queuecall, which
moves ``initiating -> waiting -> connecting -> service -> done`` (or ``abandoned``) under the
table of :mod:`voipbin.server.runtime.queues.machine`. While it waits, the caller hears the
queue's wait flow in a loop; an available agent sharing a tag with the queue is rung (a
groupcall of the agent's addresses) and bridged with the caller when it answers. Timeouts
(``wait_timeout``, ``service_timeout``, in milliseconds; 0 for none) and ``POST
/v1.0/queuecalls/{id}/kick`` let the caller's flow go on after its ``queue_join``.

Our fixes over upstream: waiting callers are served first come, first served (upstream
serves the newest first); the wait flow does not use up the flow's step cap; routing methods
``random`` and ``longest_idle`` (upstream has ``random`` only).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from voipbin.common.address import Address
from voipbin.models.base import Action, Filter, RequestBody, ResourceSpec
from voipbin.models.fields import Detail, Name, TagIds

#: The routing methods a queue may have (anything else is ``400 INVALID_ROUTING_METHOD``).
ROUTING_METHODS: tuple[str, ...] = ("random", "longest_idle")
RoutingMethod = Annotated[
    str, msgspec.Meta(max_length=32, extra_json_schema={"enum": list(ROUTING_METHODS)})
]
#: Milliseconds, 0 for none: at most 24 hours.
Timeout = Annotated[int, msgspec.Meta(ge=0, le=86_400_000)]

QUEUECALL_STATUSES: tuple[str, ...] = (
    "initiating",
    "waiting",
    "connecting",
    "kicking",
    "service",
    "done",
    "abandoned",
)
QueuecallStatus = Literal[
    "initiating", "waiting", "connecting", "kicking", "service", "done", "abandoned"
]

Unset = msgspec.UnsetType
UNSET = msgspec.UNSET


class Queue(msgspec.Struct, kw_only=True):
    """A queue, with upstream's fields (oas ``QueueManagerQueue``) but ``direct_hash``."""

    id: UUID
    customer_id: UUID
    name: str
    detail: str
    routing_method: str
    tag_ids: list[UUID]
    """An agent must hold one of these to be rung; none: any agent of the customer."""
    wait_flow_id: UUID | None
    """The flow the callers hear in a loop while they wait; none: they wait in silence."""
    wait_timeout: int
    """Milliseconds a caller waits at most (0: no limit)."""
    service_timeout: int
    """Milliseconds a caller is served at most (0: no limit)."""
    wait_queuecall_ids: list[UUID]
    """The queuecalls waiting (or ringing an agent) now, first come first."""
    service_queuecall_ids: list[UUID]
    """The queuecalls being served now."""
    total_incoming_count: int
    total_serviced_count: int
    total_abandoned_count: int
    tm_create: datetime
    tm_update: datetime | None
    tm_delete: datetime | None


class QueueCreate(RequestBody, kw_only=True):
    """Body of ``POST /v1.0/queues`` (upstream requires every field; we default them)."""

    name: Name
    detail: Detail = ""
    routing_method: RoutingMethod = "random"
    tag_ids: TagIds = msgspec.field(default_factory=list)
    wait_flow_id: UUID | None = None
    wait_timeout: Timeout = 0
    service_timeout: Timeout = 0


class QueueUpdate(RequestBody, kw_only=True):
    """Body of ``PUT /v1.0/queues/{id}``; a field left out keeps its value."""

    name: Name | Unset = UNSET
    detail: Detail | Unset = UNSET
    routing_method: RoutingMethod | Unset = UNSET
    tag_ids: TagIds | Unset = UNSET
    wait_flow_id: UUID | Unset | None = UNSET
    wait_timeout: Timeout | Unset = UNSET
    service_timeout: Timeout | Unset = UNSET


class QueueTagIds(RequestBody, kw_only=True):
    tag_ids: TagIds


class QueueRoutingMethod(RequestBody, kw_only=True):
    routing_method: RoutingMethod


QUEUES = ResourceSpec(
    name="queue",
    plural="queues",
    model=Queue,
    create=QueueCreate,
    update=QueueUpdate,
    actions=(
        Action("tag_ids", "PUT", QueueTagIds, summary="Replace the queue's tags"),
        Action(
            "routing_method",
            "PUT",
            QueueRoutingMethod,
            summary="Change how the queue chooses among available agents",
        ),
    ),
    summary="Queues: callers wait in line for an available agent.",
)


class Queuecall(msgspec.Struct, kw_only=True):
    """A caller in a queue (oas ``QueueManagerQueuecall``, with the fields upstream keeps
    internal that a customer needs: the queue, the caller's flow, the agent's groupcall)."""

    id: UUID
    customer_id: UUID
    queue_id: UUID
    reference_type: str
    reference_id: UUID
    """The caller's call."""
    reference_activeflow_id: UUID | None
    """The caller's activeflow (its ``queue_join`` made the queuecall)."""
    status: str
    source: Address | None
    """The caller's address."""
    routing_method: str
    tag_ids: list[UUID]
    timeout_wait: int
    timeout_service: int
    service_agent_id: UUID | None
    """The agent rung now (``connecting``) or serving (``service``, ``done``)."""
    service_groupcall_id: UUID | None
    """The groupcall ringing the agent's addresses."""
    service_call_id: UUID | None
    """The agent's call that answered, bridged with the caller."""
    position: int
    """While ``waiting``: 1 for the caller served next (``GET`` of one queuecall shows it;
    0 otherwise)."""
    duration_waiting: int
    """Milliseconds from joining to being served (or to leaving, unserved)."""
    duration_service: int
    """Milliseconds served."""
    tm_service: datetime | None
    tm_end: datetime | None
    tm_create: datetime
    tm_update: datetime | None
    tm_delete: datetime | None


QUEUECALLS = ResourceSpec(
    name="queuecall",
    plural="queuecalls",
    model=Queuecall,
    verbs=frozenset({"list", "get", "delete"}),
    statuses=QUEUECALL_STATUSES,
    filters=(
        Filter("queue_id", "uuid", description="The queue's queuecalls."),
        Filter("reference_id", "uuid", description="The queuecalls of this call."),
    ),
    actions=(
        Action(
            "kick",
            "POST",
            None,
            summary="Take the caller out of the queue: its flow goes on after queue_join",
        ),
    ),
    summary="Queuecalls: callers in queues, from joining to being served or giving up.",
)
