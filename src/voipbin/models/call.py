"""Calls: one leg of telephony, outgoing (made by ``POST /v1.0/calls`` or a flow) or incoming
(from the network to one of the customer's numbers).

A call's ``status`` moves ``dialing -> ringing -> progressing -> terminating|canceling ->
hangup`` under the rules of :mod:`voipbin.server.runtime.calls.machine`, which also says who
hung up and why (``hangup_by``, ``hangup_reason``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

import msgspec

from voipbin.common.address import Address, validate_address
from voipbin.models.activeflow import Variables, check_variables
from voipbin.models.base import Action, Filter, RequestBody, ResourceSpec
from voipbin.models.flows.actions import Actions, FlowAction
from voipbin.models.flows.check import References, check_actions
from voipbin.models.flows.options import Anonymous, Provider, Short, Text
from voipbin.models.groupcall import Groupcall, RequiredDestinations
from voipbin.models.recording import RecordingStart

CALL_STATUSES: tuple[str, ...] = (
    "dialing",
    "ringing",
    "progressing",
    "terminating",
    "canceling",
    "hangup",
)
CallStatus = Literal["dialing", "ringing", "progressing", "terminating", "canceling", "hangup"]
CALL_DIRECTIONS: tuple[str, ...] = ("incoming", "outgoing")
CallDirection = Literal["incoming", "outgoing"]
#: ``flow``: made by the API or a number's flow; the others are made by their resources.
CALL_TYPES: tuple[str, ...] = ("", "flow", "conference", "sip-service")
HANGUP_BYS: tuple[str, ...] = ("", "remote", "local")
HangupBy = Literal["", "remote", "local"]
HANGUP_REASONS: tuple[str, ...] = (
    "",
    "normal",
    "failed",
    "busy",
    "cancel",
    "timeout",
    "noanswer",
    "dialout",
    "amd",
)
HangupReason = Literal[
    "", "normal", "failed", "busy", "cancel", "timeout", "noanswer", "dialout", "amd"
]
MUTE_DIRECTIONS: tuple[str, ...] = ("", "both", "in", "out")
#: What a mute request names: ``""`` is ``both``, as upstream.
MuteDirection = Literal["", "both", "in", "out"]


class CallMetadata(msgspec.Struct, kw_only=True):
    """Flags of a call, set by the server (never by a request)."""

    rtp_debug: bool = False
    """The call's RTP is captured for debugging (its number asked for it)."""


class Call(msgspec.Struct, kw_only=True):
    """A call, with upstream's exposed fields (oas ``CallManagerCall``) in its order."""

    id: UUID
    customer_id: UUID
    owner_type: str
    owner_id: UUID | None
    flow_id: UUID | None
    activeflow_id: UUID | None
    type: str
    master_call_id: UUID | None
    """The call whose flow made this one (a ``connect`` or ``call`` action), if any."""
    chained_call_ids: list[UUID]
    """Calls that hang up when this one does."""
    recording_id: UUID | None
    """The recording running now, if any."""
    recording_ids: list[UUID]
    groupcall_id: UUID | None
    """The groupcall this call is a leg of (upstream always shows the empty UUID here)."""
    source: Address
    destination: Address
    status: str
    action: FlowAction | None
    """The flow action running now; ``null`` before the flow has run one."""
    direction: str
    mute_direction: str
    hangup_by: str
    hangup_reason: str
    metadata: CallMetadata
    tm_progressing: datetime | None
    """When the call was answered."""
    tm_ringing: datetime | None
    """When an outgoing call started ringing (an incoming one is born ringing: never set)."""
    tm_hangup: datetime | None
    tm_create: datetime
    tm_update: datetime | None
    tm_delete: datetime | None


class CallCreate(RequestBody, kw_only=True):
    """Body of ``POST /v1.0/calls``: one call per ``tel`` or ``sip`` destination, one
    groupcall (``ring_all``, ``hangup_others``) per ``agent`` or ``extension`` destination.
    ``flow_id`` wins over ``actions`` when both are given; the flow runs when a call answers.
    """

    flow_id: UUID | None = None
    actions: Actions = msgspec.field(default_factory=list)
    """An inline flow, run instead of a stored one when ``flow_id`` is not given."""
    source: Address
    destinations: RequiredDestinations
    anonymous: Anonymous = "auto"
    """``yes`` hides the caller id; ``no``, ``auto`` (and ``""``) show it."""
    variables: Variables = msgspec.field(default_factory=dict)
    """Set in the flow of each call (read as ``${name}``); ``voipbin.*`` names are ignored."""


class CallsCreated(msgspec.Struct, kw_only=True):
    """What ``POST /v1.0/calls`` answers: the legs it made (both lists always present)."""

    calls: list[Call]
    groupcalls: list[Groupcall]


def check_call_create(body: CallCreate) -> tuple[CallCreate, References]:
    """``body`` with its addresses in canonical form and its actions given ids, and the
    other resources its actions name; ``400 INVALID_ARGUMENT`` naming the field
    (``destinations[1].type``) for the first address or action that breaks a rule;
    ``400 INVALID_VARIABLES`` for variables of more than 64 KiB in all."""
    check_variables(body.variables)
    source = validate_address(body.source, "source")
    destinations = [
        validate_address(a, f"destinations[{i}]") for i, a in enumerate(body.destinations)
    ]
    actions, refs = check_actions(body.actions)
    checked = msgspec.structs.replace(
        body, source=source, destinations=destinations, actions=actions
    )
    return checked, refs


class CallMute(RequestBody, kw_only=True):
    """Body of ``POST|DELETE /v1.0/calls/{id}/mute``."""

    direction: MuteDirection = "both"


class CallTalk(RequestBody, kw_only=True):
    """Body of ``POST /v1.0/calls/{id}/talk``: speak ``text`` on the call (answering it
    first if it has not answered); the call's flow does not move."""

    text: Text
    language: Short = ""
    provider: Provider = ""
    voice_id: Short = ""


CALLS = ResourceSpec(
    name="call",
    plural="calls",
    model=Call,
    create=CallCreate,
    created=CallsCreated,
    verbs=frozenset({"list", "get", "create", "delete"}),
    statuses=CALL_STATUSES,
    filters=(
        Filter("direction", "enum", CALL_DIRECTIONS, description="incoming or outgoing."),
        Filter("flow_id", "uuid", description="Calls running this flow."),
        Filter("activeflow_id", "uuid", description="The call of this activeflow."),
    ),
    actions=(
        Action(
            "hangup",
            "POST",
            None,
            summary="Hang up the call (idempotent; answers the call, usually terminating "
            "or canceling until the network confirms)",
        ),
        Action(
            "hold",
            "POST",
            None,
            returns_resource=False,
            summary="Put the call on hold",
            undo="Take the call off hold",
        ),
        Action(
            "mute",
            "POST",
            CallMute,
            returns_resource=False,
            summary="Mute the call in a direction",
            undo="Unmute the call in a direction",
        ),
        Action(
            "moh",
            "POST",
            None,
            returns_resource=False,
            summary="Play music on hold to the call",
            undo="Stop the music on hold",
        ),
        Action(
            "silence",
            "POST",
            None,
            returns_resource=False,
            summary="Silence the call",
            undo="Stop silencing the call",
        ),
        Action(
            "talk",
            "POST",
            CallTalk,
            returns_resource=False,
            summary="Speak a text on the call",
        ),
        Action(
            "recording_start",
            "POST",
            RecordingStart,
            summary="Start recording the answered call (409 RECORDING_ALREADY_ACTIVE while one "
            "runs; 402 when the balance cannot pay a minute of recording)",
        ),
        Action(
            "recording_stop",
            "POST",
            None,
            summary="Stop the call's recording (409 RECORDING_NOT_ACTIVE when none runs)",
        ),
    ),
    summary="Calls: make outgoing calls, follow them, and act on them while they last.",
    paid="The customer's billing account cannot pay a minute of the call (INSUFFICIENT_BALANCE).",
    create_status=200,
)
