"""Events at scale, across a killed instance: two real ``voipbin serve`` processes on one
PostgreSQL database, told of each other's events through Redis, real clock. :data:`CALLS`
inbound calls (answer, a short talk, hang up) are made through both; a webhook receiver
gets every event of the customer and a websocket client on each instance is subscribed to
the customer's calls. Halfway through, one instance is SIGKILLed, with calls, jobs and
webhook attempts in flight.

What must hold afterwards (README, "Receiving events" and "Webhooks"):

- every call ends hung up, no job is left, every delivery is delivered;
- the receiver got every event at least once, a duplicate with the same body, and each
  resource's events in the order they were created (a lane never sends a later event before
  an earlier one was delivered, so even duplicates keep the order);
- the client on the survivor saw every event of every call exactly once;
- the client on the killed instance lost its connection: each connection got each event at
  most once, and nothing is replayed. It connects again, to the survivor, and subscribes
  again: every call made after that it sees whole; what it missed is in the
  timeline, and was created around the kill (from the feed's window before it to the new
  subscription).

Order on the websockets is not checked for the calls made while both instances ran: a
call's events then come from both, and one told of late over the bus may come after a later
one of its call (README: "the timeline is the authority on order"). Nor, for now, for the
survivor's own: a feed read that fills its batch goes on from the batch's last event, and
an older event that committed between the two batches (with a later one of its resource,
found by the second) is handed out after it. Reads fill their batches here when an event
told of never commits (a job's transaction rolled back, as when both instances step one
activeflow and one retries): it stays told of for the feed's window, and every read starts
before it.

Two instances suffice: the survivor's client shows the takeover loses nothing and repeats
nothing; a third would only add a second copy of that client.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.backends import REDIS_URL, missing, postgres_database, reachable
from tests.processes import Server, prepare_database, serving, wait_until_up
from tests.server.conftest import ADMIN_PASSWORD, ADMIN_USERNAME
from tests.server.runtime.webhooks.receiver import Receiver
from tests.server.test_runtime_processes import checked, ready_customer

#: How many calls go through the two instances: the issue's 1,000. On 2 cores they take 60-80 s
#: (made in 15-20 s, most of the rest webhook delivery: after the kill one process sends all
#: of ~9,000 deliveries). ``VOIPBIN_TEST_SCALE_CALLS`` runs another figure.
CALLS = int(os.environ.get("VOIPBIN_TEST_SCALE_CALLS", "1000"))
#: How many call requests are on their way at once.
CONCURRENCY = 8
OUR_NUMBER = "+14155550100"
CALLER = {"type": "tel", "target": "+15005550000"}
SETTINGS = {
    "VOIPBIN_JOBS_POLL_SECONDS": "0.1",
    "VOIPBIN_JOBS_LEASE_SECONDS": "2",
    "VOIPBIN_WEBHOOK_ALLOW_PRIVATE": "true",
    "VOIPBIN_WEBHOOK_TIMEOUT_SECONDS": "2",
    "VOIPBIN_WEBHOOK_RETRY_SCHEDULE": "1,1,1,1,1",
    "VOIPBIN_EVENTS_POLL_SECONDS": "0.5",
    "VOIPBIN_RATELIMIT_AUTH_RATE": "0",
    "VOIPBIN_RATELIMIT_IP_RATE": "0",
    "VOIPBIN_RATELIMIT_CUSTOMER_RATE": "0",
}
ACTIONS = [
    {"type": "answer"},
    {"type": "talk", "option": {"text": "Hi."}},
    {"type": "hangup"},
]
#: The most the calls and their deliveries may take to settle after the last call is made.
PATIENCE = 30.0 + CALLS / 10
#: How long after its new subscription was sent a call is surely seen whole by it.
SUBSCRIBED = 1.0
#: How far behind the events it hands out an instance's event feed may be (its lag window).
FEED_WINDOW = 5.0

Frame = tuple[str, Any]
"""An event as a client sees it: its type and its data."""


@pytest.fixture
def database() -> Iterator[str]:
    if not reachable(REDIS_URL):
        missing(f"Redis at {REDIS_URL}")
    with postgres_database() as url:
        prepare_database(url)
        yield url


@pytest.fixture
async def connection(database: str) -> AsyncIterator[asyncpg.Connection]:
    opened = await asyncpg.connect(database)
    try:
        yield opened
    finally:
        await opened.close()


def _frame(row: asyncpg.Record) -> Frame:
    return (row["type"], json.loads(row["data"]))


def _key(frame: Frame) -> str:
    return json.dumps(frame, sort_keys=True)


def _counted(frames: list[Frame]) -> Counter[str]:
    return Counter(_key(frame) for frame in frames)


def _types(frames: list[Frame]) -> list[str]:
    return [type for type, _ in frames]


def _content_length(headers: dict[str, str]) -> int:
    return int({name.lower(): value for name, value in headers.items()}["content-length"])


class Client:
    """A websocket client subscribed to ``topic``: the frames of each connection it had, and
    when it last subscribed. When its instance goes, it connects again to ``fallback``."""

    def __init__(self, server: Server, fallback: Server, headers: dict[str, str]) -> None:
        self.urls = [server.url, fallback.url]
        self.headers = headers
        self.connections: list[list[Frame]] = []
        self.subscribed = 0.0
        self.subscribed_at = datetime.now(UTC)

    async def run(self, topic: str) -> None:
        for url in self.urls:
            frames: list[Frame] = []
            self.connections.append(frames)
            try:
                ws_url = url.replace("http", "ws") + "/v1.0/ws"
                async with connect(ws_url, additional_headers=self.headers) as ws:
                    await ws.send(json.dumps({"type": "subscribe", "topics": [topic]}))
                    self.subscribed = time.monotonic()
                    self.subscribed_at = datetime.now(UTC)
                    async for message in ws:
                        frame = json.loads(message)
                        if frame["type"] == "ping":
                            await ws.send('{"type":"pong"}')
                        else:
                            frames.append((frame["type"], frame["data"]))
            except ConnectionClosed:
                continue  # its instance went: the next one


async def test_many_calls_through_two_instances_one_killed_lose_no_event(
    database: str, connection: asyncpg.Connection
) -> None:
    receiver = Receiver()
    with ExitStack() as stack:
        a, b = (stack.enter_context(serving(database, **SETTINGS)) for _ in range(2))
        with httpx.Client(timeout=10) as sync_client:
            wait_until_up([a, b], sync_client)
        limits = httpx.Limits(max_connections=4 * CONCURRENCY)
        async with httpx.AsyncClient(timeout=10, limits=limits) as client:
            login = checked(
                await client.post(
                    f"{a.url}/auth/login",
                    json={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD},
                )
            )
            admin = {"Authorization": f"Bearer {login['token']}"}
            own = {"Authorization": f"Bearer {await ready_customer(client, a.url, admin)}"}
            customer_id = checked(await client.get(f"{a.url}/v1.0/customer", headers=own))["id"]
            checked(
                await client.put(
                    f"{a.url}/v1.0/customers/{customer_id}",
                    json={"webhook_uri": receiver.url},
                    headers=admin,
                )
            )
            flow = checked(
                await client.post(
                    f"{a.url}/v1.0/flows", json={"name": "hi", "actions": ACTIONS}, headers=own
                ),
                201,
            )
            checked(
                await client.post(
                    f"{b.url}/v1.0/numbers",
                    json={"number": OUR_NUMBER, "call_flow_id": flow["id"]},
                    headers=own,
                ),
                201,
            )
            topic = f"customer_id:{customer_id}:call"
            survivor_client, victim_client = Client(a, a, own), Client(b, a, own)
            readers = [
                asyncio.create_task(survivor_client.run(topic)),
                asyncio.create_task(victim_client.run(topic)),
            ]
            await asyncio.sleep(1.0)  # connected and subscribed (there is no acknowledgement)

            made: dict[str, float] = {}  # call id: when its request was sent (monotonic)
            next_call = iter(range(CALLS))
            killed = asyncio.Event()
            in_flight_at_kill: dict[str, int] = {}
            gap = [datetime.max.replace(tzinfo=UTC)]

            async def make_calls() -> None:
                for i in next_call:
                    server = b if i % 2 and not killed.is_set() else a
                    while True:
                        sent = time.monotonic()
                        try:
                            response = await client.post(
                                f"{server.url}/_sim/calls",
                                json={
                                    "source": CALLER,
                                    "destination": {"type": "tel", "target": OUR_NUMBER},
                                },
                                headers=admin,
                            )
                        except httpx.TransportError:
                            assert killed.is_set()
                            assert server is b
                            server = a  # its instance went: the call goes to the other
                            continue
                        made[checked(response, 201)["id"]] = sent
                        break
                    if len(made) == CALLS // 2 and not killed.is_set():
                        killed.set()
                        row = await connection.fetchrow(
                            "SELECT (SELECT count(*) FROM call_calls"
                            "   WHERE status <> 'hangup') AS calls,"
                            " (SELECT count(*) FROM webhook_deliveries"
                            "   WHERE status <> 'delivered') AS deliveries,"
                            " (SELECT count(*) FROM runtime_jobs"
                            "   WHERE claim_id IS NOT NULL) AS claimed"
                        )
                        in_flight_at_kill.update(dict(row or {}))
                        b.kill()
                        gap[0] = datetime.now(UTC) - timedelta(seconds=FEED_WINDOW)

            started = time.monotonic()
            await asyncio.gather(*(make_calls() for _ in range(CONCURRENCY)))
            making = time.monotonic() - started

            async def settled() -> tuple[int, int, int]:
                row = await connection.fetchrow(
                    "SELECT (SELECT count(*) FROM call_calls WHERE status <> 'hangup'),"
                    " (SELECT count(*) FROM webhook_deliveries WHERE status <> 'delivered'),"
                    " (SELECT count(*) FROM runtime_jobs)"
                )
                assert row is not None
                return (row[0], row[1], row[2])

            deadline = time.monotonic() + PATIENCE
            while (left := await settled()) != (0, 0, 0):
                assert time.monotonic() < deadline, f"(calls, deliveries, jobs) left: {left}"
                await asyncio.sleep(0.2)
            settling = time.monotonic() - started - making
            await asyncio.sleep(1.5)  # any duplicate or straggler would be here by now
            for reader in readers:
                reader.cancel()
            await asyncio.gather(*readers, return_exceptions=True)

    events = await connection.fetch(
        "SELECT id::text, type, resource, resource_id::text, data::text, tm_create"
        " FROM event_outbox"
        " WHERE customer_id = $1 ORDER BY tm_create",
        customer_id,
    )
    calls = {
        row["id"]
        for row in await connection.fetch(
            "SELECT id::text FROM call_calls WHERE customer_id = $1", customer_id
        )
    }
    # What the run took, for whoever reads it with -s.
    print(f"{len(calls)} calls made in {making:.1f} s, settled {settling:.1f} s later;")
    print(f"at the kill: {in_flight_at_kill}; {len(events)} events")
    # Every call made (and perhaps one whose answer the kill lost) ran and hung up.
    assert len(made) == CALLS
    assert set(made) <= calls
    assert len(calls) - CALLS <= CONCURRENCY
    # The kill came with calls, deliveries and jobs in flight.
    assert all(in_flight_at_kill.values()), in_flight_at_kill

    # The receiver: every event at least once, a duplicate the same bytes, each resource's
    # deliveries (duplicates too) in the order its events were created.
    order = {row["id"]: i for i, row in enumerate(events)}
    resource_of = {row["id"]: row["resource_id"] for row in events}
    bodies: dict[str, bytes] = {}
    per_resource: dict[str, list[int]] = {}
    # A request the kill cut short (its body not all there) was never a delivery.
    delivered = [r for r in receiver.received if len(r.body) == _content_length(r.headers)]
    for got in delivered:
        event_id = got.headers["X-VoIPBIN-Event-Id"]
        assert bodies.setdefault(event_id, got.body) == got.body
        per_resource.setdefault(resource_of[event_id], []).append(order[event_id])
    assert set(bodies) == set(order)
    assert all(seen == sorted(seen) for seen in per_resource.values())
    for row in events:
        body = json.loads(bodies[row["id"]])
        assert (body["type"], body["data"]) == (row["type"], json.loads(row["data"]))

    timelines: dict[str, list[Frame]] = {call_id: [] for call_id in calls}
    for row in events:
        if row["resource"] == "call":
            timelines[row["resource_id"]].append(_frame(row))

    def by_call(frames: list[Frame]) -> dict[str, list[Frame]]:
        found: dict[str, list[Frame]] = {call_id: [] for call_id in calls}
        for frame in frames:
            found[frame[1]["id"]].append(frame)
        return found

    # The survivor's client: every event of every call exactly once.
    [seen] = survivor_client.connections
    for call_id, frames in by_call(seen).items():
        assert _counted(frames) == _counted(timelines[call_id]), (call_id, _types(frames))

    # The killed instance's client: each connection got each event at most once. Connected
    # again to the survivor, it saw each call made once it had subscribed again whole; what
    # it missed is in the timeline, and was created around the kill: between the
    # feed's window before it and the new subscription.
    before, after = victim_client.connections
    assert before
    assert after
    for frames in before, after:
        assert all(n == 1 for n in _counted(frames).values())
    resubscribed = victim_client.subscribed
    for call_id, frames in by_call(after).items():
        if made.get(call_id, 0.0) > resubscribed + SUBSCRIBED:
            assert _counted(frames) == _counted(timelines[call_id]), (call_id, _types(frames))
    seen_by_it = _counted(before + after)
    gap_start, gap_end = gap[0], victim_client.subscribed_at + timedelta(seconds=SUBSCRIBED)
    missed = [
        row for row in events if row["resource"] == "call" and _key(_frame(row)) not in seen_by_it
    ]
    assert all(gap_start <= row["tm_create"] <= gap_end for row in missed), missed[:3]
    # The only errors: jobs given back to be run again (none is left, so each ran).
    errors = [line for line in a.output.splitlines() if " ERROR " in line]
    assert all("failed on attempt" in line for line in errors), errors
