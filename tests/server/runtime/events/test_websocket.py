"""``GET /v1.0/ws`` in-process: subscriptions, their refusals, delivery at most once per
connection, the keepalive and a slow client (the two-process run is in
``tests/server/test_websocket_processes.py``)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from tests.server.conftest import Api, ManualClock, StartApp, add_accesskey, add_agent
from tests.server.runtime.calls.kit import ready_customer
from tests.server.runtime.events.asgi_ws import Closed, Refused, WsClient
from voipbin.common.permissions import Permission
from voipbin.server.runtime.events.feed import CLOSE_TOO_SLOW
from voipbin.server.runtime.events.websocket import CLOSE_BINARY, CLOSE_QUIET, StreamLimits


async def opened(api: Api, headers: dict[str, str], **query: str) -> WsClient:
    client = WsClient(api.app, headers, query)
    await client.opened()
    return client


async def test_a_subscriber_gets_every_event_of_its_calls_once_and_no_other(
    start_app: StartApp,
) -> None:
    # Frequent polls: each sweeps the lag window, reading every event again and again.
    api = await start_app(
        now=ManualClock(), clock="virtual", jobs_poll_seconds=3600.0, events_poll_seconds=0.05
    )
    caller = await ready_customer(api)
    other = await ready_customer(api, source="+14155550101")
    cid = caller.customer_id
    mine = await opened(api, caller.headers)
    # Overlapping topics: each event still comes once.
    mine.send({"type": "subscribe", "topics": [f"customer_id:{cid}:call", f"customer_id:{cid}"]})
    mine.send({"type": "subscribe", "topics": [f"customer_id:{cid.upper()}:call:*"]})
    hangups = await opened(api, caller.headers)
    hangups.send({"type": "subscribe", "topics": [f"customer_id:{cid}:call:call_hangup"]})
    theirs = await opened(api, other.headers)
    theirs.send({"type": "subscribe", "topics": [f"customer_id:{other.customer_id}:call"]})
    await asyncio.sleep(0.05)

    call = await caller.one("+15005550000")
    await caller.advance(10)
    hangup = await api.client.post(f"/v1.0/calls/{call['id']}/hangup", headers=caller.headers)
    assert hangup.status_code == 200, hangup.text
    await caller.advance(10)
    expected = await caller.events(call["id"])
    assert expected[0] == "call_created"
    assert expected[-1] == "call_hangup"

    frames = [await mine.receive() for _ in expected]
    assert [f["type"] for f in frames] == expected
    assert {f["data"]["id"] for f in frames} == {call["id"]}
    assert frames[-1]["data"]["status"] == "hangup"
    (hangup_frame,) = [await hangups.receive()]
    assert hangup_frame["type"] == "call_hangup"
    # Several sweeps later: nothing more, and nothing for another customer's subscriber.
    assert await mine.quiet(0.3) == []
    assert await hangups.quiet(0.01) == []
    assert await theirs.quiet(0.01) == []

    # Unsubscribed from every topic: the next call's events do not come.
    every = [f"customer_id:{cid}:call", f"customer_id:{cid}", f"customer_id:{cid}:call:*"]
    mine.send({"type": "unsubscribe", "topics": every})
    await asyncio.sleep(0.05)
    await caller.one("+15005550000")
    assert (await hangups.quiet(0.2)) == []
    assert await mine.quiet(0.01) == []
    for client in (mine, hangups, theirs):
        await client.disconnect()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_topics_that_are_not_valid_or_not_allowed_get_an_error_frame(
    api: Api,
) -> None:
    caller = await ready_customer(api)
    cid = caller.customer_id
    plain = await add_agent(api, permission=int(Permission.CUSTOMER_AGENT), customer_id=cid)
    client = await opened(api, caller.headers)

    async def refused(frame: dict[str, object] | str, status: str, reason: str) -> Any:
        client.send(frame)
        error = await client.receive()
        assert error["type"] == "error", error
        assert (error["error"]["status"], error["error"]["reason"]) == (status, reason)
        assert error["error"]["request_id"].startswith("req_")
        return error["error"]["details"]

    good = f"customer_id:{cid}:call"
    details = await refused(
        {"type": "subscribe", "topics": [good, f"customer_id:{cid}:calls"]},
        "INVALID_ARGUMENT",
        "INVALID_ARGUMENT",
    )
    assert details == [{"field": "topics[1]", "description": details[0]["description"]}]
    assert "calls" in details[0]["description"]
    for bad in (
        "customer_id",
        f"queue_id:{cid}",
        "customer_id:00000000-0000-0000-0000-000000000000",
        f"customer_id:{cid}:call:not-an-id",
        f"customer_id:{cid}:call:call_hangup:x",
        f"customer_id:{cid}:call:{uuid.uuid4()}:extra",
    ):
        invalid = "INVALID_ARGUMENT"
        await refused({"type": "subscribe", "topics": [bad]}, invalid, invalid)
    await refused({"type": "subscribe", "topics": []}, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    await refused({"type": "listen", "topics": [good]}, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    await refused("{not json", "INVALID_ARGUMENT", "INVALID_JSON_BODY")
    # Another customer's topics, and another agent's: refused, naming the topic.
    details = await refused(
        {"type": "subscribe", "topics": [f"customer_id:{uuid.uuid4()}:call"]},
        "PERMISSION_DENIED",
        "PERMISSION_DENIED",
    )
    assert details[0]["field"] == "topics[0]"
    await refused(
        {"type": "subscribe", "topics": [f"agent_id:{plain.id}"]},
        "PERMISSION_DENIED",
        "PERMISSION_DENIED",
    )
    # None of that closed the connection or subscribed to anything; a good frame works.
    client.send({"type": "subscribe", "topics": [good]})
    client.send({"type": "pong"})
    assert await client.quiet(0.05) == []
    # A binary frame closes it.
    client.send_bytes(b"\x00")
    with pytest.raises(Closed) as closed:
        await client.receive()
    assert closed.value.code == CLOSE_BINARY
    await client.disconnect()

    # A plain agent follows its own agent_id topics, not its customer's.
    agent = await opened(api, plain.headers)
    agent.send({"type": "subscribe", "topics": [f"agent_id:{plain.id}:call"]})
    agent.send({"type": "subscribe", "topics": [good]})
    error = await agent.receive()
    assert error["error"]["reason"] == "PERMISSION_DENIED"
    await agent.disconnect()
    # An access key (in the query, as VoIPBIN's clients send it) acts as the admin.
    key = await add_accesskey(api, customer_id=cid)
    keyed = await opened(api, {}, accesskey=key["token"])
    keyed.send({"type": "subscribe", "topics": [good]})
    assert await keyed.quiet(0.05) == []
    await keyed.disconnect()
    # Without credentials, or with bad ones: the opening request is refused with the envelope.
    for headers, reason in (
        ({}, "AUTHENTICATION_REQUIRED"),
        ({"Authorization": "Bearer nope"}, "INVALID_CREDENTIALS"),
    ):
        with pytest.raises(Refused) as refusal:
            await opened(api, headers)
        assert refusal.value.status == 401
        assert refusal.value.body["error"]["reason"] == reason


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_slow_client_is_closed_without_slowing_another(start_app: StartApp) -> None:
    api = await start_app(stream=StreamLimits(queue_size=3))
    caller = await ready_customer(api)
    topic = f"customer_id:{caller.customer_id}:call"
    slow, fast = await opened(api, caller.headers), await opened(api, caller.headers)
    for client in (slow, fast):
        client.send({"type": "subscribe", "topics": [topic]})
    await asyncio.sleep(0.05)
    slow.hold()  # its first frame waits to be sent; the rest queue up behind it
    ids = [str(uuid.uuid4()) for _ in range(8)]
    for call_id in ids:
        async with api.state.db.transaction() as tx:
            await api.state.outbox.emit(
                tx, caller.customer_id, "call_updated", "call", call_id, {"id": call_id}
            )
        await asyncio.sleep(0.02)  # the fast one keeps up, one event at a time
    assert [(await fast.receive())["data"]["id"] for _ in ids] == ids
    slow.release()
    assert (await slow.receive())["data"]["id"] == ids[0]
    with pytest.raises(Closed) as closed:
        await slow.receive()
    assert closed.value.code == CLOSE_TOO_SLOW
    assert "too slow" in closed.value.reason
    await asyncio.wait_for(slow.task, 5)
    await fast.disconnect()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_server_pings_and_closes_a_client_that_goes_quiet(start_app: StartApp) -> None:
    api = await start_app(stream=StreamLimits(ping_seconds=0.05, read_deadline=0.3))
    client = await opened(api, api.headers)
    # Answering each ping keeps the connection past the read deadline.
    for _ in range(10):
        assert await client.receive() == {"type": "ping"}
        client.send({"type": "pong"})
    # Silent from now on: closed once the deadline passes (pings still come until then).

    async def pings() -> None:
        while True:
            assert (await client.receive())["type"] == "ping"

    with pytest.raises(Closed) as closed:
        await pings()
    assert closed.value.code == CLOSE_QUIET
    await asyncio.wait_for(client.task, 5)
