"""Conferences and their participants (conferencecalls), as upstream's conference-manager has
them.

A conference is a room calls join through a flow's ``conference_join`` action: each joining
call is a conferencecall, ``joining -> joined -> leaving -> leaved``. A conference is
``progressing`` from its creation (``starting`` is upstream's and never lasts here: the
simulated network's bridge exists at once), ``terminating`` while its participants are sent
away, and ``terminated`` once none is left. A ``connect`` conference ends when one participant
is left; ``timeout`` (seconds, 0 for none) deletes it that long after its creation or last
change. The rules are in :mod:`voipbin.server.runtime.conferences.machine`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from voipbin.models.base import Action, Filter, RequestBody, ResourceSpec
from voipbin.models.fields import Detail, OptionalName
from voipbin.models.flows.options import EMPTY, FlowRef, Seconds

CONFERENCE_STATUSES: tuple[str, ...] = ("starting", "progressing", "terminating", "terminated")
ConferenceStatus = Literal["starting", "progressing", "terminating", "terminated"]
CONFERENCE_TYPES: tuple[str, ...] = ("conference", "connect", "queue")
#: ``""`` is upstream's ``conference``.
ConferenceType = Literal["", "conference", "connect", "queue"]
CONFERENCECALL_STATUSES: tuple[str, ...] = ("joining", "joined", "leaving", "leaved")
ConferencecallStatus = Literal["joining", "joined", "leaving", "leaved"]

#: A conference's free-form ``data``: a JSON object of at most this many keys.
MAX_DATA_KEYS = 100
Data = Annotated[dict[str, Any], msgspec.Meta(max_length=MAX_DATA_KEYS)]
#: A conference's timeout in seconds (0: none; 1-59 mean a day, as upstream).
Timeout = Annotated[int, msgspec.Meta(ge=0, le=2_592_000)]


class Conference(msgspec.Struct, kw_only=True):
    """A conference, with upstream's fields (oas ``ConferenceManagerConference``)."""

    id: UUID
    customer_id: UUID
    type: str
    status: str
    name: str
    detail: str
    data: dict[str, Any]
    timeout: int
    """Seconds after its creation (or last change) when the conference is deleted; 0: never."""
    pre_flow_id: UUID | None
    """The flow a joining call runs before it is in the conference."""
    post_flow_id: UUID | None
    """The flow a participant runs when it leaves while its call is still up."""
    conferencecall_ids: list[UUID]
    """The participants in the conference now (joined, not yet left)."""
    recording_id: UUID | None
    """The recording running now, if any."""
    recording_ids: list[UUID]
    """Every recording of the conference."""
    transcribe_id: UUID | None
    transcribe_ids: list[UUID]
    tm_end: datetime | None
    """When the conference was terminated."""
    tm_create: datetime
    tm_update: datetime | None
    tm_delete: datetime | None


class ConferenceCreate(RequestBody, kw_only=True):
    """Body of ``POST /v1.0/conferences`` (every field optional: upstream does not enforce
    its ``required``)."""

    type: ConferenceType = "conference"
    id: UUID | None = None
    """Accepted for upstream's clients; the server makes the id (a given one is ignored)."""
    name: OptionalName = ""
    detail: Detail = ""
    timeout: Timeout = 0
    data: Data = msgspec.field(default_factory=dict)
    pre_flow_id: FlowRef = EMPTY
    post_flow_id: FlowRef = EMPTY


class ConferenceUpdate(RequestBody, kw_only=True):
    """Body of ``PUT /v1.0/conferences/{id}``; a field left out keeps its value. A new
    ``timeout`` counts from now."""

    name: OptionalName | msgspec.UnsetType = msgspec.UNSET
    detail: Detail | msgspec.UnsetType = msgspec.UNSET
    data: Data | msgspec.UnsetType = msgspec.UNSET
    timeout: Timeout | msgspec.UnsetType = msgspec.UNSET
    pre_flow_id: FlowRef | msgspec.UnsetType = msgspec.UNSET
    post_flow_id: FlowRef | msgspec.UnsetType = msgspec.UNSET


class ConferenceRecordingStart(RequestBody, kw_only=True):
    """Body of ``POST /v1.0/conferences/{id}/recording_start``: ``duration`` in seconds, 0
    for no limit."""

    format: Literal["", "wav"] = "wav"
    duration: Seconds = 0
    on_end_flow_id: FlowRef = EMPTY


class Conferencecall(msgspec.Struct, kw_only=True):
    """A conference's participant (oas ``ConferenceManagerConferencecall``)."""

    id: UUID
    customer_id: UUID
    activeflow_id: UUID | None
    """The flow of the call that joined."""
    conference_id: UUID
    reference_type: str
    reference_id: UUID | None
    """The call that joined."""
    status: str
    tm_create: datetime
    tm_update: datetime | None
    tm_delete: datetime | None


CONFERENCES = ResourceSpec(
    name="conference",
    plural="conferences",
    model=Conference,
    create=ConferenceCreate,
    update=ConferenceUpdate,
    statuses=CONFERENCE_STATUSES,
    filters=(Filter("type", "enum", CONFERENCE_TYPES, description="The conference's type."),),
    actions=(
        Action(
            "recording_start",
            "POST",
            ConferenceRecordingStart,
            summary="Record the conference (it must be progressing; one recording at a time)",
        ),
        Action("recording_stop", "POST", None, summary="Stop the conference's recording"),
    ),
    summary="Conferences: rooms that calls join through a flow's conference_join action.",
)

CONFERENCECALLS = ResourceSpec(
    name="conferencecall",
    plural="conferencecalls",
    model=Conferencecall,
    verbs=frozenset({"list", "get", "delete"}),
    statuses=CONFERENCECALL_STATUSES,
    filters=(
        Filter("conference_id", "uuid", description="The participants of this conference."),
        Filter("reference_id", "uuid", description="The participations of this call."),
    ),
    summary="Conferencecalls: a conference's participants; deleting one kicks it out.",
)
