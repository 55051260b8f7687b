"""The conference and participant tables, walked whole: every pair of status and happening
either moves as the table says or changes nothing."""

from __future__ import annotations

from typing import get_args

import pytest

from voipbin.models.conference import (
    CONFERENCE_STATUSES,
    CONFERENCECALL_STATUSES,
    ConferenceStatus,
)
from voipbin.server.runtime.conferences import machine


def test_a_participant_moves_only_forward_and_leaves_once() -> None:
    order = {s: i for i, s in enumerate(CONFERENCECALL_STATUSES)}
    for status in CONFERENCECALL_STATUSES:
        for happening in get_args(machine.CallHappening):
            to = machine.next_call_status(status, happening)  # type: ignore[arg-type]
            if to is not None:
                assert order[to] > order[status]
    assert machine.next_call_status("leaved", "left") is None
    assert machine.next_call_status("leaving", "kick") is None  # kicked once
    assert machine.next_call_status("joining", "left") == "leaved"  # a hangup in the pre-flow


def test_a_conference_ends_once_and_only_when_emptied_while_ending() -> None:
    for status in CONFERENCE_STATUSES:
        to = machine.next_status(status, "emptied")  # type: ignore[arg-type]
        assert to == ("terminated" if status == "terminating" else None)
    assert machine.next_status("terminating", "terminate") is None
    assert machine.next_status("terminated", "terminate") is None


@pytest.mark.parametrize(
    ("type", "status", "remaining", "expected"),
    [
        ("conference", "progressing", 1, None),
        ("conference", "progressing", 0, None),
        ("connect", "progressing", 2, None),
        ("connect", "progressing", 1, "terminate"),
        ("connect", "progressing", 0, "terminate"),
        ("conference", "terminating", 1, None),
        ("connect", "terminating", 0, "emptied"),
        ("conference", "terminating", 0, "emptied"),
    ],
)
def test_what_a_leave_does_to_its_conference(
    type: str, status: ConferenceStatus, remaining: int, expected: str | None
) -> None:
    assert machine.ends_after_leave(type, status, remaining) == expected


def test_a_timeout_under_a_minute_means_a_day_as_upstream() -> None:
    assert [machine.timeout_seconds(t) for t in (0, 1, 59, 60, 3600)] == [0, 86400, 86400, 60, 3600]
