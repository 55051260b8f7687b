"""Recordings: a call's audio, recorded while it lasts (upstream's call-manager recordings),
or a conference's (``reference_type: conference``, started by ``POST
/v1.0/conferences/{id}/recording_start``; it ends on a stop, its ``duration`` or the
conference's end).

A recording is started by ``POST /v1.0/calls/{id}/recording_start`` or a flow's
``recording_start`` action, and moves ``initiating -> recording -> stopping -> ended`` under
the table of :mod:`voipbin.server.runtime.recordings.machine`. An ended recording has two WAV
files (``<recording_name>_in.wav`` and ``_out.wav``), downloaded as one zip through
``GET /v1.0/recordingfiles/{id}`` (a ``307`` to a signed, expiring link).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

import msgspec

from voipbin.models.base import Filter, RequestBody, ResourceSpec
from voipbin.models.flows.options import EMPTY, FlowRef, Seconds, Short

RECORDING_STATUSES: tuple[str, ...] = ("initiating", "recording", "stopping", "ended")
RecordingStatus = Literal["initiating", "recording", "stopping", "ended"]
REFERENCE_TYPES: tuple[str, ...] = ("call", "confbridge", "conference")
#: Where ``GET /v1.0/recordingfiles/{id}`` lives (the id is a recording's).
RECORDINGFILES_PATH = "/v1.0/recordingfiles/{id}"


class Recording(msgspec.Struct, kw_only=True):
    """A recording, with upstream's exposed fields (oas ``CallManagerRecording``)."""

    id: UUID
    customer_id: UUID
    owner_type: str
    owner_id: UUID | None
    activeflow_id: UUID | None
    """The activeflow whose ``recording_start`` action started it, if one did."""
    reference_type: str
    reference_id: UUID | None
    """The call (or conference) recorded."""
    status: str
    format: str
    on_end_flow_id: UUID | None
    """The flow run when the recording ends (with the ``voipbin.recording.*`` variables)."""
    tm_start: datetime | None
    """When the network started recording."""
    tm_end: datetime | None
    tm_create: datetime
    tm_update: datetime | None
    tm_delete: datetime | None


class RecordingStart(RequestBody, kw_only=True):
    """Body of ``POST /v1.0/calls/{id}/recording_start`` (every field optional, as upstream
    does not enforce its ``required``). ``duration`` and ``end_of_silence`` are seconds, 0
    for no limit; ``end_of_silence`` is accepted but does not act on the simulated network,
    which carries no audio to hear silence in."""

    format: Literal["", "wav"] = "wav"
    end_of_silence: Seconds = 0
    end_of_key: Short = ""
    """``""`` or ``none``: no key ends it; ``any``: any key; else the keys that end it
    (``#``, ``*#``)."""
    duration: Seconds = 0
    on_end_flow_id: FlowRef = EMPTY


RECORDINGS = ResourceSpec(
    name="recording",
    plural="recordings",
    model=Recording,
    verbs=frozenset({"list", "get", "delete"}),
    statuses=RECORDING_STATUSES,
    filters=(
        Filter(
            "reference_type", "enum", REFERENCE_TYPES, description="call, confbridge or conference."
        ),
        Filter("reference_id", "uuid", description="Recordings of this call or conference."),
    ),
    summary="Recordings: calls' audio, recorded on request; deleting one deletes its files.",
)
