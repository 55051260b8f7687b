"""Calls through the SDK: a creation answers the calls it made, and an action with an undo
runs it with ``undo=True``."""

from __future__ import annotations

import pytest

from voipbin.client import AsyncClient
from voipbin.models.call import Call, CallsCreated


async def test_a_call_is_made_held_and_taken_off_hold(aclient: AsyncClient) -> None:
    created = await aclient.calls.create(
        source={"type": "sip", "target": "me@example.com"},
        destinations=[{"type": "sip", "target": "answer@sim.invalid"}],
    )
    assert isinstance(created, CallsCreated)
    (call,) = created.calls
    assert isinstance(call, Call)
    assert call.status == "dialing"
    assert created.groupcalls == []

    assert await aclient.calls.hold(call.id) is None
    assert await aclient.calls.hold(call.id, undo=True) is None
    assert await aclient.calls.mute(call.id, direction="in") is None
    assert (await aclient.calls.get(call.id)).mute_direction == "in"
    assert await aclient.calls.mute(call.id, undo=True, direction="in") is None
    assert (await aclient.calls.get(call.id)).mute_direction == ""
    with pytest.raises(ValueError, match="hangup has no undo"):
        await aclient.calls.hangup(call.id, undo=True)

    ended = await aclient.calls.hangup(call.id)
    assert isinstance(ended, Call)
    assert ended.status in ("canceling", "terminating", "hangup")
