"""Queues and queuecalls through the async SDK: made, changed by the declared actions,
refused with the typed error, and their callers listed by queue."""

from __future__ import annotations

import pytest

from voipbin.client import AsyncClient, InvalidArgument
from voipbin.models.queue import Queue


async def test_a_queue_is_made_changed_and_its_callers_listed(aclient: AsyncClient) -> None:
    queue = await aclient.queues.create(name="support", wait_timeout=60_000)
    assert isinstance(queue, Queue)
    assert (queue.routing_method, queue.wait_timeout, queue.wait_flow_id) == (
        "random",
        60_000,
        None,
    )
    changed = await aclient.queues.routing_method(queue.id, routing_method="longest_idle")
    assert changed is not None
    assert changed.routing_method == "longest_idle"
    with pytest.raises(InvalidArgument) as refused:
        await aclient.queues.routing_method(queue.id, routing_method="roundrobin")
    assert refused.value.reason == "INVALID_ROUTING_METHOD"
    listed = await aclient.queuecalls.list(queue_id=str(queue.id), status="waiting")
    assert listed.result == []
