"""Activeflows: one run of a flow (for a call, a conversation, an API request...).

The flow engine keeps each run's execution state (stacks, cursor, variables) to itself; what a
customer reads is this resource: where the run is (``current_action``), what it ran
(``executed_actions``, with ``${variable}`` templates already filled in) and whether it has
``ended``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from voipbin.common.errors import InvalidArgument
from voipbin.models.base import ALL_VERBS, Action, RequestBody, ResourceSpec
from voipbin.models.fields import WebhookMethod
from voipbin.models.flows.actions import Actions, FlowAction

ACTIVEFLOW_STATUSES: tuple[str, ...] = ("running", "ended")
ActiveflowStatus = Literal["running", "ended"]
REFERENCE_TYPES: tuple[str, ...] = (
    "",
    "ai",
    "api",
    "call",
    "campaign",
    "conversation",
    "transcribe",
    "recording",
    "message",
)
#: ``message``: a received SMS runs its number's ``message_flow_id`` (upstream runs it for a
#: ``conversation``, which this server does not have).
ReferenceType = Literal[
    "", "ai", "api", "call", "campaign", "conversation", "transcribe", "recording", "message"
]

#: Most variables a body may seed, and the longest value (upstream's limits; the total of
#: 64 KiB is checked by the server, which answers ``400 INVALID_VARIABLES``).
MAX_VARIABLES = 100
MAX_VARIABLE_VALUE = 32 * 1024
MAX_VARIABLES_TOTAL = 64 * 1024
_INVALID_VARIABLES = {"reason": "INVALID_VARIABLES"}
Variables = Annotated[
    dict[
        Annotated[str, msgspec.Meta(max_length=255, extra=_INVALID_VARIABLES)],
        Annotated[str, msgspec.Meta(max_length=MAX_VARIABLE_VALUE, extra=_INVALID_VARIABLES)],
    ],
    msgspec.Meta(
        max_length=MAX_VARIABLES,
        description="Variables the flow reads as ${name}; keys starting with voipbin. are ignored.",
        extra=_INVALID_VARIABLES,
    ),
]
WebhookUri = Annotated[str, msgspec.Meta(max_length=2048, extra={"reason": "INVALID_WEBHOOK_URI"})]


def check_variables(variables: Mapping[str, str]) -> None:
    """``400 INVALID_VARIABLES`` naming ``variables`` when they hold more than
    :data:`MAX_VARIABLES_TOTAL` bytes in all (keys and values, UTF-8)."""
    total = sum(len(k.encode()) + len(v.encode()) for k, v in variables.items())
    if total > MAX_VARIABLES_TOTAL:
        raise InvalidArgument.field(
            "variables",
            f"hold {total} bytes; at most {MAX_VARIABLES_TOTAL} in all",
            "INVALID_VARIABLES",
        )


class Activeflow(msgspec.Struct, kw_only=True):
    """An activeflow."""

    id: UUID
    customer_id: UUID
    flow_id: UUID | None
    """The flow it runs; unset for inline ``actions``."""
    status: str
    """``running`` or ``ended``."""
    reference_type: str
    """What it runs for: ``call``, ``api`` (created through the API), ``conversation``..."""
    reference_id: UUID | None
    reference_activeflow_id: UUID | None
    """The activeflow whose end started this one (``on_complete_flow_id``)."""
    on_complete_flow_id: UUID | None
    webhook_uri: str
    webhook_method: str
    current_action: FlowAction
    """The action the cursor is on: the id ``...0001`` before the first step, ``...0002``
    once the flow has run to its end."""
    forward_action_id: UUID | None
    executed_actions: list[FlowAction]
    tm_create: datetime
    tm_update: datetime | None
    tm_delete: datetime | None


class ActiveflowCreate(RequestBody, kw_only=True):
    """Body of ``POST /v1.0/activeflows``: a flow to run now, ``flow_id`` or inline
    ``actions``."""

    id: UUID | None = None
    """A client-chosen id; one is given when left out."""
    flow_id: UUID | None = None
    actions: Actions = msgspec.field(default_factory=list)
    variables: Variables = msgspec.field(default_factory=dict)
    webhook_uri: WebhookUri = ""
    """Where this run's events are sent as well as to the customer's webhook (http or
    https)."""
    webhook_method: Annotated[
        WebhookMethod, msgspec.Meta(extra={"reason": "INVALID_WEBHOOK_METHOD"})
    ] = ""


ACTIVEFLOWS = ResourceSpec(
    name="activeflow",
    plural="activeflows",
    model=Activeflow,
    create=ActiveflowCreate,
    verbs=ALL_VERBS - {"update"},
    actions=(
        Action(
            "stop",
            "POST",
            None,
            summary="Stop the activeflow (its on_complete_flow_id flow runs next, if any)",
        ),
    ),
    summary="Activeflows: flows running now, and those that ran (newest first).",
)
