"""Outplans and outdials through the SDK: the generic calls and actions, and an outdial's
targets (one, a list answered per item, pages, get and delete), on the async and the sync
client."""

from __future__ import annotations

import pytest

from voipbin.client import AsyncClient, Client, NotFound
from voipbin.models.outdial import OutdialTarget

VIRTUAL = "+899123456789"


def tel(number: str) -> dict[str, str]:
    return {"type": "tel", "target": number}


async def test_outplans_outdials_and_targets_async(aclient: AsyncClient) -> None:
    await aclient.numbers.create(number=VIRTUAL)
    plan = await aclient.outplans.create(source=tel(VIRTUAL), max_try_count_0=2)
    changed = await aclient.outplans.dial_info(plan.id, try_interval=1000)
    assert (changed.try_interval, changed.max_try_count_0) == (1000, 2)

    outdial = await aclient.outdials.create(name="q1")
    assert outdial.campaign_id is None
    assert (await aclient.outdials.data(outdial.id, data="d")).data == "d"
    one = await aclient.outdials.add_target(outdial.id, name="a", destination_0=tel("+15551230000"))
    assert isinstance(one, OutdialTarget)
    assert (one.status, one.outdial_id, one.destination_1.type) == ("idle", outdial.id, "")
    results = await aclient.outdials.add_targets(
        outdial.id,
        [{"name": "b", "destination_0": tel("+15551230001")}, {"destination_0": tel("x")}],
    )
    assert [r.status for r in results] == [201, 400]
    assert results[0].target is not None
    assert results[0].target.name == "b"
    assert results[1].error is not None
    assert results[1].error["reason"] == "INVALID_ARGUMENT"
    page = await aclient.outdials.targets(outdial.id, page_size=1)
    assert [t.name for t in page.result] == ["b"]
    names = [t.name async for t in aclient.outdials.iter_targets(outdial.id, status="idle")]
    assert names == ["b", "a"]
    assert (await aclient.outdials.get_target(outdial.id, one.id)).name == "a"
    await aclient.outdials.delete_target(outdial.id, one.id)
    other = await aclient.outdials.create()
    with pytest.raises(NotFound) as caught:
        await aclient.outdials.get_target(other.id, one.id)
    assert caught.value.reason == "OUTDIAL_TARGET_NOT_FOUND"


def test_outdial_targets_sync(client: Client) -> None:
    outdial = client.outdials.create()
    target = client.outdials.add_target(outdial.id, {"destination_0": tel("+15551230000")})
    assert [t.id for t in client.outdials.iter_targets(outdial.id)] == [target.id]
    assert client.outdials.targets(outdial.id, status="done").result == []
