"""A recording's state machine, as a table: what each happening moves it to.

Upstream's lifecycle (``cm/pkg/recordinghandler``): created ``initiating``; the network's
start makes it ``recording`` (``tm_start``, ``recording_started``); a stop asked for (API or
flow) makes it ``stopping``; the network's end (a stop, its ``duration``, its
``end_of_key``) or the call's hangup makes it ``ended`` (``tm_end``, ``recording_finished``),
from any state before. A happening the table has no row for changes nothing (a stale or
repeated network event).
"""

from __future__ import annotations

from typing import Literal

from voipbin.models.recording import RecordingStatus

Happening = Literal["started", "stop", "finished", "call_hangup"]

TRANSITIONS: dict[tuple[RecordingStatus, Happening], RecordingStatus] = {
    ("initiating", "started"): "recording",
    ("initiating", "stop"): "stopping",
    ("recording", "stop"): "stopping",
    ("initiating", "finished"): "ended",
    ("recording", "finished"): "ended",
    ("stopping", "finished"): "ended",
    ("initiating", "call_hangup"): "ended",
    ("recording", "call_hangup"): "ended",
    ("stopping", "call_hangup"): "ended",
}

#: The event each status is announced with when entered (``None``: no event, as upstream).
EVENTS: dict[RecordingStatus, str | None] = {
    "initiating": None,
    "recording": "recording_started",
    "stopping": None,
    "ended": "recording_finished",
}

#: Statuses in which the recording still runs on the network.
ACTIVE: frozenset[RecordingStatus] = frozenset({"initiating", "recording", "stopping"})


def next_status(status: RecordingStatus, happening: Happening) -> RecordingStatus | None:
    """Where ``happening`` moves a recording that is ``status``; ``None``: it stays."""
    return TRANSITIONS.get((status, happening))


def ends_on_key(end_of_key: str, digits: str) -> bool:
    """Whether pressing ``digits`` ends a recording whose ``end_of_key`` is this: ``""`` and
    ``none`` never, ``any`` on any key, else on any of its keys."""
    if end_of_key in ("", "none") or not digits:
        return False
    if end_of_key == "any":
        return True
    return any(key in end_of_key for key in digits)
