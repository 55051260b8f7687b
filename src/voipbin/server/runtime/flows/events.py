"""What happened to an activeflow, as the runtime tells the engine.

An event that carries a ``token`` answers the command that gave it; one whose token is not
the one the activeflow waits for (a timer of an action the flow has left) changes nothing.
Events for an ended activeflow change nothing either.
"""

from __future__ import annotations

from typing import Literal, TypeAlias, Union
from uuid import UUID

import msgspec

from voipbin.models.flows.actions import FlowAction
from voipbin.models.flows.options import EMPTY


class Event(msgspec.Struct, kw_only=True, tag_field="type"):
    """The base of every event."""


class Started(Event, kw_only=True, tag="started"):
    """Run the flow from its first action (a second ``Started`` changes nothing)."""


class TimerFired(Event, kw_only=True, tag="timer_fired"):
    """The ``seconds`` of a waiting command have passed."""

    token: int


class ActionFinished(Event, kw_only=True, tag="action_finished"):
    """The carrier finished what a command started (a playback, a bridge)."""

    token: int


class DigitsReceived(Event, kw_only=True, tag="digits_received"):
    """DTMF digits pressed on the call, in order."""

    digits: str


class AmdDetected(Event, kw_only=True, tag="amd_detected"):
    token: int
    result: Literal["human", "machine", "notsure"]


class FetchAnswered(Event, kw_only=True, tag="fetch_answered"):
    """The answer to a ``fetch``: its HTTP status (0: no answer, a timeout, a refused
    address) and body."""

    token: int
    status: int
    body: bytes = b""


class FlowLoaded(Event, kw_only=True, tag="flow_loaded"):
    """The answer to ``load_flow``: the flow's actions, or ``None`` when the customer has no
    such flow."""

    token: int
    actions: list[FlowAction] | None


class Continued(Event, kw_only=True, tag="continued"):
    """A ``block`` action is released."""

    token: int


class MessageSent(Event, kw_only=True, tag="message_sent"):
    """The answer to ``send_message``: the message made, or why none was (``error``)."""

    token: int
    message_id: str = ""
    error: str = ""


class ConferenceJoining(Event, kw_only=True, tag="conference_joining"):
    """The answer to ``conference_join``: the participant made (its id, and the flows its
    conference runs before and after), none (the empty id: the conference is ending, the
    flow moves on) or why none can be (``error``: the flow ends, as upstream)."""

    token: int
    conferencecall_id: UUID = EMPTY
    pre_flow_id: UUID = EMPTY
    post_flow_id: UUID = EMPTY
    error: str = ""


class QueueWaiting(Event, kw_only=True, tag="queue_waiting"):
    """The answer to ``queue_join``: the caller waits in the queue, hearing ``actions``
    (the queue's wait flow) in a loop, none: in silence; ``error``: it could not join (no
    such queue), which ends the flow as upstream's fatal ``queue_join`` does."""

    token: int
    queuecall_id: UUID
    actions: list[FlowAction] = msgspec.field(default_factory=list)
    variables: dict[str, str] = msgspec.field(default_factory=dict)
    """The ``voipbin.queue.*`` and ``voipbin.queuecall.*`` variables."""
    error: str = ""


class QueueServing(Event, kw_only=True, tag="queue_serving"):
    """An agent answered: the wait flow stops and the caller is bridged with the agent
    (the flow waits on its ``queue_join`` for ``QueueLeft``)."""

    queuecall_id: UUID


class QueueLeft(Event, kw_only=True, tag="queue_left"):
    """The caller is out of the queue (served, kicked, timed out): the flow goes on after
    its ``queue_join``."""

    queuecall_id: UUID


class CallHungUp(Event, kw_only=True, tag="call_hungup"):
    """The activeflow's call hung up."""


class StopRequested(Event, kw_only=True, tag="stop_requested"):
    """Stop the activeflow (``POST /v1.0/activeflows/{id}/stop``, or its deletion)."""


AnyEvent: TypeAlias = Union[  # noqa: UP007 (msgspec reads the union at runtime)
    Started,
    TimerFired,
    ActionFinished,
    DigitsReceived,
    AmdDetected,
    FetchAnswered,
    FlowLoaded,
    Continued,
    MessageSent,
    ConferenceJoining,
    QueueWaiting,
    QueueServing,
    QueueLeft,
    CallHungUp,
    StopRequested,
]
