"""Groupcalls through the SDK: created as the groupcall, read, and hung up by the declared
action."""

from __future__ import annotations

from voipbin.client import AsyncClient
from voipbin.models.groupcall import Groupcall


async def test_a_groupcall_is_made_listed_and_hung_up(aclient: AsyncClient) -> None:
    created = await aclient.groupcalls.create(
        source={"type": "sip", "target": "me@example.com"},
        destinations=[
            {"type": "sip", "target": "noanswer@sim.invalid"},
            {"type": "sip", "target": "busy@sim.invalid"},
        ],
        ring_method="linear",
    )
    assert isinstance(created, Groupcall)
    assert (created.status, created.ring_method, created.call_count) == ("progressing", "linear", 1)
    (leg,) = created.call_ids
    assert (await aclient.calls.get(leg)).groupcall_id == created.id
    assert [g.id async for g in aclient.groupcalls.iter()] == [created.id]

    ended = await aclient.groupcalls.hangup(created.id)
    assert isinstance(ended, Groupcall)
    assert ended.status in ("hangingup", "hangup")
    await aclient.groupcalls.delete(created.id)
    assert (await aclient.groupcalls.get(created.id)).tm_delete is not None
