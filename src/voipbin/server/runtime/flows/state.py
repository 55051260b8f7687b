"""An activeflow's execution state: a value the runtime stores between steps.

The state holds the flow's actions as stacks (the main stack is a snapshot of the flow taken
when the activeflow was created; ``fetch`` and ``fetch_flow`` push more), the cursor, the
variables and the counters. :func:`encode` and :func:`decode` give and read its stored form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from uuid import UUID

import msgspec

from voipbin.models.activeflow import ReferenceType
from voipbin.models.flows.actions import ACTIONS, FINISH, START, FlowAction
from voipbin.models.flows.options import EMPTY
from voipbin.server.runtime.flows import variables as v

#: The id of the main stack (upstream's).
MAIN_STACK = UUID(int=1)
#: A chain of ``on_complete_flow_id`` runs at most this many activeflows after the first.
MAX_COMPLETE_HOPS = 4


@dataclass(frozen=True)
class Limits:
    """The engine's guards. The defaults are upstream's."""

    max_moves: int = 100
    """A cursor move is refused once this many have happened in the activeflow's life, so at
    most ``max_moves + 1`` happen (the final move to the end counts); the flow then ends
    with an error. It stops a ``goto`` loop that never falls through."""
    max_stacks: int = 100
    """Most stacks one activeflow may hold (nested ``fetch``, ``fetch_flow``)."""


Media = Literal["rtc", "non_rtc", ""]
#: What each reference type gives its actions: a live call (``rtc``) or not.
PROVIDED_MEDIA: dict[str, Media] = {
    "call": "rtc",
    "ai": "non_rtc",
    "api": "non_rtc",
    "campaign": "non_rtc",
    "conversation": "non_rtc",
    "message": "non_rtc",
    "recording": "non_rtc",
    "transcribe": "non_rtc",
    "": "",
}


class Stack(msgspec.Struct, kw_only=True):
    id: UUID
    actions: list[FlowAction]
    return_stack_id: UUID = EMPTY
    """Where the flow continues (after ``return_action_id``) once this stack has run out."""
    return_action_id: UUID = EMPTY
    free: bool = False
    """Moves in this stack, and in the stacks it pushes, do not count against
    :attr:`Limits.max_moves` (a queue's wait flow, looping while the caller waits)."""


WaitKind = Literal[
    "media",
    "digits",
    "amd",
    "fetch",
    "flow",
    "connect",
    "block",
    "message",
    "webhook",
    "conference",
    "queue",
]


class Waiting(msgspec.Struct, kw_only=True):
    kind: WaitKind
    token: int
    """The ``execute_count`` of the move that started the wait; events answer with it."""


class FlowState(msgspec.Struct, kw_only=True):
    id: UUID
    customer_id: UUID
    flow_id: UUID
    reference_type: ReferenceType
    reference_id: UUID
    reference_activeflow_id: UUID = EMPTY
    on_complete_flow_id: UUID = EMPTY
    complete_count: int = 0
    status: Literal["running", "ended"] = "running"
    stacks: dict[UUID, Stack]
    current_stack_id: UUID = MAIN_STACK
    current_action: FlowAction
    """The action the cursor is on, with its templates filled in."""
    forward_stack_id: UUID = EMPTY
    forward_action_id: UUID = EMPTY
    """Where the next move goes instead of the next action (a jump); ``FINISH`` to end."""
    execute_count: int = 0
    variables: dict[str, str]
    waiting: Waiting | None = None
    executed_actions: list[FlowAction] = msgspec.field(default_factory=list)
    end_reason: str = ""
    end_detail: str = ""
    queuecall_id: UUID = EMPTY
    """The queuecall its ``queue_join`` made, while the caller is in the queue."""
    free_moves: int = 0
    """Cursor moves made in free stacks (a queue's wait flow): not counted in the cap."""


def marker(id: UUID) -> FlowAction:
    """The placeholder action the cursor is on at the start (``START``) and end
    (``FINISH``)."""
    return ACTIONS["empty"](id=id)


def new_state(
    *,
    id: UUID,
    customer_id: UUID,
    flow_id: UUID,
    actions: list[FlowAction],
    reference_type: ReferenceType,
    reference_id: UUID = EMPTY,
    on_complete_flow_id: UUID = EMPTY,
    variables: Mapping[str, str] | None = None,
    system_variables: Mapping[str, str] | None = None,
) -> FlowState:
    """The state of a new activeflow running ``actions`` (already checked, with ids).

    ``variables`` are the customer's (``voipbin.`` keys dropped); ``system_variables`` are
    the runtime's own (``voipbin.call.*``), kept as given.
    """
    values = v.external(variables or {})
    values.update(system_variables or {})
    state = FlowState(
        id=id,
        customer_id=customer_id,
        flow_id=flow_id,
        reference_type=reference_type,
        reference_id=reference_id,
        on_complete_flow_id=on_complete_flow_id,
        stacks={MAIN_STACK: Stack(id=MAIN_STACK, actions=list(actions))},
        current_action=marker(START),
        variables=values,
    )
    _set_own_variables(state)
    return state


def chain(
    parent: FlowState,
    *,
    id: UUID,
    flow_id: UUID,
    actions: list[FlowAction],
    on_complete_flow_id: UUID = EMPTY,
) -> FlowState | None:
    """The activeflow an ended ``parent`` starts for its ``on_complete_flow_id``: the same
    reference, a copy of the parent's variables, one more hop; ``None`` past the hop limit."""
    count = parent.complete_count + 1
    if count > MAX_COMPLETE_HOPS:
        return None
    state = FlowState(
        id=id,
        customer_id=parent.customer_id,
        flow_id=flow_id,
        reference_type=parent.reference_type,
        reference_id=parent.reference_id,
        reference_activeflow_id=parent.id,
        on_complete_flow_id=on_complete_flow_id,
        complete_count=count,
        stacks={MAIN_STACK: Stack(id=MAIN_STACK, actions=list(actions))},
        current_action=marker(START),
        variables=dict(parent.variables),
    )
    _set_own_variables(state)
    return state


def _set_own_variables(state: FlowState) -> None:
    prefix = "voipbin.activeflow."
    state.variables.update(
        {
            prefix + "id": str(state.id),
            prefix + "reference_type": state.reference_type,
            prefix + "reference_id": str(state.reference_id),
            prefix + "reference_activeflow_id": str(state.reference_activeflow_id),
            prefix + "flow_id": str(state.flow_id),
            prefix + "complete_count": str(state.complete_count),
        }
    )


def next_on_complete(state: FlowState) -> UUID:
    """The flow an ended ``state`` chains to, or ``EMPTY`` (none, or the hop limit)."""
    if state.complete_count + 1 > MAX_COMPLETE_HOPS:
        return EMPTY
    return state.on_complete_flow_id


def is_finished(state: FlowState) -> bool:
    return state.current_action.id == FINISH


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(FlowState)


def encode(state: FlowState) -> bytes:
    """The stored form of ``state`` (JSON)."""
    return _encoder.encode(state)


def decode(data: bytes) -> FlowState:
    """A state read back from :func:`encode`'s form."""
    return _decoder.decode(data)
