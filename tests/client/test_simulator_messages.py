"""``client.simulator.messages`` and ``client.simulator.message_rules`` (the simulator's SMS
side), with ``client.messages``, sync and async, against the real app in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from tests.client.harness import Sleeps, async_client, sync_client
from tests.inprocess import Served, serving, started
from voipbin.client import AsyncClient, Client, InvalidArgument, NotFound
from voipbin.models.message import Message
from voipbin.models.simulator_messages import MessageRule

OUR_NUMBER = "+14155550100"
PEER = "+15005550100"


@pytest.fixture
def virtual(sqlite_url: str) -> Iterator[Served]:
    with serving(sqlite_url, clock="virtual") as s:
        yield s


@pytest.fixture
def sim(virtual: Served, sleeps: Sleeps) -> Iterator[Client]:
    with sync_client(virtual.transport, sleeps) as c:
        yield c


@pytest.fixture
async def virtual_app(sqlite_url: str) -> AsyncIterator[Starlette]:
    async with started(sqlite_url, clock="virtual") as a:
        yield a


@pytest.fixture
async def asim(virtual_app: Starlette, sleeps: Sleeps) -> AsyncIterator[AsyncClient]:
    async with async_client(httpx.ASGITransport(app=virtual_app), sleeps) as c:
        yield c


def _number(app: Starlette, customer_id: Any) -> Callable[[], Any]:
    """Gives ``customer_id`` the live number ``OUR_NUMBER``."""

    async def insert() -> None:
        await app.state.voipbin.services["number"].repository.insert(
            {
                "customer_id": str(customer_id),
                "number": OUR_NUMBER,
                "type": "normal",
                "status": "active",
            }
        )

    return insert


def test_messages_arrive_and_rules_script_what_is_sent(virtual: Served, sim: Client) -> None:
    with pytest.raises(NotFound) as caught:
        sim.simulator.messages.create(from_=PEER, to=OUR_NUMBER, text="hi")
    assert caught.value.reason == "NUMBER_NOT_FOUND"
    customer_id = sim.flows.create(name="f").customer_id
    virtual.portal.call(_number(virtual.app, customer_id))

    received = sim.simulator.messages.create(from_=PEER, to=OUR_NUMBER, text="hi")

    assert isinstance(received, Message)
    assert (received.direction, received.targets[0].status) == ("inbound", "received")
    assert [m.id for m in sim.messages.list(direction="inbound").result] == [received.id]
    rule = sim.simulator.message_rules.create(pattern=r"\+1555.*", outcome="gw_timeout")
    assert isinstance(rule, MessageRule)
    assert (rule.sent_after, rule.outcome_after) == (None, None)
    assert [r.id for r in sim.simulator.message_rules.list()] == [rule.id]
    with pytest.raises(InvalidArgument):
        sim.simulator.message_rules.create({"pattern": "(", "outcome": "failed"})
    sim.simulator.message_rules.delete(rule.id)
    with pytest.raises(NotFound):
        sim.simulator.message_rules.delete(rule.id)


async def test_async_simulator_messages(virtual_app: Starlette, asim: AsyncClient) -> None:
    customer_id = (await asim.flows.create(name="f")).customer_id
    await _number(virtual_app, customer_id)()
    received = await asim.simulator.messages.create(
        {"from": PEER, "to": OUR_NUMBER, "text": "Hi 👋"}
    )
    assert received.targets[0].parts == 1
    assert received.targets[0].tm_update is not None
    rule = await asim.simulator.message_rules.create(pattern=".*", outcome="failed")
    assert [r.id for r in await asim.simulator.message_rules.list()] == [rule.id]
    await asim.simulator.message_rules.delete(rule.id)
    assert await asim.simulator.message_rules.list() == []
