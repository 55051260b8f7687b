"""Every reserved destination of the simulated network ends as the issue's table says, on
the virtual clock: status, hangup_by, hangup_reason, and the events in the timeline."""

from __future__ import annotations

import pytest

from tests.server.conftest import StartApp
from tests.server.runtime.calls.kit import ready_customer, virtual_api

#: destination -> (seconds to run, hangup_by, hangup_reason, whether it rang, answered)
OUTCOMES = {
    "+15005550001": (5, "remote", "busy", True, False),
    "+15005550002": (61, "remote", "noanswer", True, False),
    "+15005550003": (5, "remote", "failed", False, False),
    "+15005550004": (20, "remote", "normal", True, True),
    "+15005550005": (5, "remote", "noanswer", True, False),
    "+15005550006": (5, "remote", "failed", False, False),
    "busy@sim.invalid": (5, "remote", "busy", True, False),
}


@pytest.mark.parametrize("target", list(OUTCOMES))
async def test_a_reserved_destination_ends_as_scripted(start_app: StartApp, target: str) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    created = await caller.one(target)
    assert created["status"] == "dialing"
    seconds, by, reason, rang, answered = OUTCOMES[target]

    await caller.advance(seconds)

    call = await caller.get(created["id"])
    assert (call["status"], call["hangup_by"], call["hangup_reason"]) == ("hangup", by, reason)
    assert (call["tm_ringing"] != "9999-01-01 00:00:00.000000") == rang
    assert (call["tm_progressing"] != "9999-01-01 00:00:00.000000") == answered
    expected = ["call_created"]
    expected += ["call_ringing"] if rang else []
    expected += ["call_progressing"] if answered else []
    events = await caller.events(created["id"])
    assert events[0] == "call_created"
    assert events[-1] == "call_hangup"
    assert [e for e in events if e != "call_updated"] == [*expected, "call_hangup"]


async def test_an_answered_call_stays_up_until_hung_up(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    created = await caller.one("+15005550000")
    await caller.advance(30)
    call = await caller.get(created["id"])
    assert call["status"] == "progressing"
    assert call["hangup_reason"] == ""
