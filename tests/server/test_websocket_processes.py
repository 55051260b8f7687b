"""The event stream across server processes: two real ``voipbin serve`` processes on one
PostgreSQL database (told of each other's events by ``NOTIFY``, or by Redis pub/sub), calls
made through both, whose timers either may run, and a websocket client on each (one the
SDK's ``client.events.subscribe``): each client sees every event of every call, exactly
once, in the order of the call's timeline."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from tests.backends import REDIS_URL, missing, postgres_database, reachable
from tests.processes import prepare_database, serving, wait_until_up
from tests.server.conftest import ADMIN_PASSWORD, ADMIN_USERNAME
from tests.server.test_runtime_processes import SETTINGS, checked, ready_customer
from voipbin.client import AsyncClient
from voipbin.models.events import EventMessage

OUR_NUMBER = "+14155550100"
CALLS_PER_SERVER = 3


@pytest.fixture
def database() -> Iterator[str]:
    with postgres_database() as url:
        prepare_database(url)
        yield url


@pytest.mark.parametrize("bus", ["notify", "redis"])
async def test_every_client_sees_every_event_of_its_calls_once_whichever_process_made_it(
    database: str, bus: str
) -> None:
    # The feeds' own polls wait longer than the test: only the bus can bring the events.
    env = {**SETTINGS, "VOIPBIN_EVENTS_POLL_SECONDS": "60"}
    if bus == "redis":
        if not reachable(REDIS_URL):
            missing(f"Redis at {REDIS_URL}")
        env["VOIPBIN_REDIS_URL"] = REDIS_URL
    actions = [
        {"type": "answer"},
        {"type": "talk", "option": {"text": "Hello."}},
        {"type": "hangup"},
    ]
    with ExitStack() as stack:
        a, b = (stack.enter_context(serving(database, **env)) for _ in range(2))
        with httpx.Client(timeout=10) as sync_client:
            wait_until_up([a, b], sync_client)
        async with httpx.AsyncClient(timeout=10) as client:
            login = checked(
                await client.post(
                    f"{a.url}/auth/login",
                    json={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD},
                )
            )
            admin = {"Authorization": f"Bearer {login['token']}"}
            key = await ready_customer(client, a.url, admin)
            own = {"Authorization": f"Bearer {key}"}
            customer_id = checked(await client.get(f"{a.url}/v1.0/customer", headers=own))["id"]
            flow = checked(
                await client.post(
                    f"{a.url}/v1.0/flows", json={"name": "hi", "actions": actions}, headers=own
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
            seen: dict[str, list[tuple[str, str]]] = {"a": [], "b": []}

            async def raw_client() -> None:
                url = a.url.replace("http", "ws") + "/v1.0/ws"
                async with connect(url, additional_headers=own) as ws:
                    # Overlapping topics: each event still comes once.
                    await ws.send(json.dumps({"type": "subscribe", "topics": [topic]}))
                    await ws.send(json.dumps({"type": "subscribe", "topics": [f"{topic}:*"]}))
                    async for message in ws:
                        frame = json.loads(message)
                        seen["a"].append((frame["type"], frame["data"]["id"]))

            async def sdk_client() -> None:
                async with AsyncClient(b.url, accesskey=key) as sdk:
                    event: EventMessage
                    async for event in sdk.events.subscribe([topic]):
                        seen["b"].append((event.type, str(event.data["id"])))

            readers = [asyncio.create_task(raw_client()), asyncio.create_task(sdk_client())]
            await asyncio.sleep(1.0)  # connected and subscribed (there is no acknowledgement)
            call_ids = []
            for server in [a, b] * CALLS_PER_SERVER:
                call = checked(
                    await client.post(
                        f"{server.url}/_sim/calls",
                        json={
                            "source": {"type": "tel", "target": "+15005550000"},
                            "destination": {"type": "tel", "target": OUR_NUMBER},
                        },
                        headers=admin,
                    ),
                    201,
                )
                call_ids.append(call["id"])

            async def timeline(call_id: str) -> list[str]:
                page = checked(
                    await client.get(f"{a.url}/v1.0/timelines/calls/{call_id}/events", headers=own)
                )
                return [e["event_type"] for e in reversed(page["result"])]

            deadline = time.monotonic() + 20
            expected: dict[str, list[str]] = {}
            while len(expected) < len(call_ids):
                assert time.monotonic() < deadline, "the calls did not end in time"
                await asyncio.sleep(0.2)
                for call_id in call_ids:
                    events = await timeline(call_id)
                    if events and events[-1] == "call_hangup":
                        expected[call_id] = events
            await asyncio.sleep(1.5)  # any duplicate or straggler would be here by now
            for reader in readers:
                reader.cancel()
            await asyncio.gather(*readers, return_exceptions=True)

    detail: Any = [a.output, b.output]
    for name, frames in seen.items():
        for call_id, events in expected.items():
            got = [type for type, id in frames if id == call_id]
            assert got == events, (name, call_id, got, events)
        assert {id for _, id in frames} == set(expected), (name, detail)
