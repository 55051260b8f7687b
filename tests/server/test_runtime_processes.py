"""A server process killed mid-flow: two real ``voipbin serve`` processes on one PostgreSQL
database, real clock. An inbound call runs
``answer -> talk -> sleep -> digits_receive -> branch -> talk -> hangup``; when the sleep's
timer falls due one process claims it and, while its step waits on the activeflow's row (the
test holds it), that process is killed with SIGKILL: its transaction never commits, its
claim stays behind. The other process takes the timer once the lease runs out, hears the
key press and finishes the flow and the call: each action run once, the call hung up and
billed once, its timeline in order, no job left behind."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import Any

import anyio
import asyncpg
import httpx
import pytest

from tests.backends import postgres_database
from tests.processes import Server, prepare_database, serving, wait_until_up
from tests.server.conftest import ADMIN_PASSWORD, ADMIN_USERNAME
from voipbin.models.flows.actions import START

Json = dict[str, Any]

OUR_NUMBER = "+14155550100"
CALLER = {"type": "tel", "target": "+15005550000"}
#: Quick jobs: a killed process's claim is taken over 2 s after it was made.
LEASE_SECONDS = 2.0
SETTINGS = {
    "VOIPBIN_JOBS_POLL_SECONDS": "0.1",
    "VOIPBIN_JOBS_LEASE_SECONDS": str(LEASE_SECONDS),
    "VOIPBIN_RATELIMIT_AUTH_RATE": "0",
    "VOIPBIN_RATELIMIT_IP_RATE": "0",
    "VOIPBIN_RATELIMIT_CUSTOMER_RATE": "0",
}
#: The most any wait of the test takes.
PATIENCE = 10.0


@pytest.fixture
def database() -> Iterator[str]:
    """A PostgreSQL database of this test's own, its schema and super-admin made."""
    with postgres_database() as url:
        prepare_database(url)
        yield url


@pytest.fixture
async def connection(database: str) -> AsyncIterator[asyncpg.Connection]:
    """The test's own connection to that database, to hold a row and to watch the servers."""
    opened = await asyncpg.connect(database)
    try:
        yield opened
    finally:
        await opened.close()


def checked(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def eventually(what: str, probe: Callable[[], Awaitable[Any]]) -> Any:
    """``probe``'s first truthy answer, asked every 50 ms for up to :data:`PATIENCE` s."""
    deadline = time.monotonic() + PATIENCE
    while True:
        found = await probe()
        if found:
            return found
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await anyio.sleep(0.05)


async def ready_customer(client: httpx.AsyncClient, url: str, admin: dict[str, str]) -> str:
    """A verified customer with $10, made through the API; its access key's token."""
    customer = checked(
        await client.post(f"{url}/v1.0/customers", json={"name": "IVR"}, headers=admin), 201
    )
    checked(
        await client.put(
            f"{url}/v1.0/customers/{customer['id']}/identity_verification_status",
            json={"identity_verification_status": "verified"},
            headers=admin,
        )
    )
    checked(
        await client.post(
            f"{url}/v1.0/billing_accounts/{customer['billing_account_id']}/balance_add_force",
            json={"balance": 10},
            headers=admin,
        )
    )
    key = checked(
        await client.post(
            f"{url}/v1.0/accesskeys", json={"customer_id": customer["id"]}, headers=admin
        ),
        201,
    )
    return str(key["token"])


async def test_a_process_killed_mid_flow_leaves_the_flow_and_call_to_the_other(
    database: str, connection: asyncpg.Connection
) -> None:
    ids = {name: str(uuid.uuid4()) for name in ("answer", "hello", "sleep", "digits", "branch")}
    ids |= {name: str(uuid.uuid4()) for name in ("sales", "busy", "support", "bye")}
    actions = [
        {"id": ids["answer"], "type": "answer"},
        {"id": ids["hello"], "type": "talk", "option": {"text": "Hi."}},
        {"id": ids["sleep"], "type": "sleep", "option": {"duration": 3000}},
        {
            "id": ids["digits"],
            "type": "digits_receive",
            "option": {"duration": 5000, "length": 1},
        },
        {
            "id": ids["branch"],
            "type": "branch",
            "option": {"default_target_id": ids["sales"], "target_ids": {"2": ids["support"]}},
        },
        {"id": ids["sales"], "type": "talk", "option": {"text": "Sales."}},
        {"id": ids["busy"], "type": "hangup", "option": {"reason": "busy"}},
        {"id": ids["support"], "type": "talk", "option": {"text": "Support."}},
        {"id": ids["bye"], "type": "hangup"},
    ]
    with ExitStack() as stack:
        # Each process names its connections, so the test sees which one is waiting.
        servers = {
            name: stack.enter_context(serving(f"{database}?application_name={name}", **SETTINGS))
            for name in ("a", "b")
        }
        async with httpx.AsyncClient(timeout=10) as client:
            with httpx.Client(timeout=10) as sync_client:
                wait_until_up(list(servers.values()), sync_client)
            a = servers["a"]
            login = checked(
                await client.post(
                    f"{a.url}/auth/login",
                    json={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD},
                )
            )
            admin = {"Authorization": f"Bearer {login['token']}"}
            own = {"Authorization": f"Bearer {await ready_customer(client, a.url, admin)}"}
            flow = checked(
                await client.post(
                    f"{a.url}/v1.0/flows", json={"name": "ivr", "actions": actions}, headers=own
                ),
                201,
            )
            checked(
                await client.post(
                    f"{a.url}/v1.0/numbers",
                    json={"number": OUR_NUMBER, "call_flow_id": flow["id"]},
                    headers=own,
                ),
                201,
            )
            call = checked(
                await client.post(
                    f"{a.url}/_sim/calls",
                    json={
                        "source": CALLER,
                        "destination": {"type": "tel", "target": OUR_NUMBER},
                    },
                    headers=admin,
                ),
                201,
            )
            activeflow_id = call["activeflow_id"]

            async def activeflow(server: Server) -> Json:
                url = f"{server.url}/v1.0/activeflows/{activeflow_id}"
                found: Json = checked(await client.get(url, headers=own))
                return found

            async def at(server: Server, action: str) -> bool:
                return bool((await activeflow(server))["current_action"]["id"] == ids[action])

            # The flow sleeps: hold its row, so that the step of the sleep's timer waits.
            await eventually("the sleep", lambda: at(a, "sleep"))
            holding = connection.transaction()
            await holding.start()
            await connection.execute(
                "SELECT 1 FROM activeflow_activeflows WHERE id = $1 FOR UPDATE", activeflow_id
            )
            waiting = await eventually(
                "a process stepping the sleep's timer",
                lambda: connection.fetchval(
                    "SELECT application_name FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                ),
            )
            claimed = await connection.fetch(
                "SELECT claim_id, lease_until FROM runtime_jobs"
                " WHERE kind = 'activeflow.event' AND resource_id = $1",
                activeflow_id,
            )
            assert len(claimed) == 1, claimed  # the sleep's timer, claimed by the waiting one
            assert claimed[0]["claim_id"] is not None
            lease_until: datetime = claimed[0]["lease_until"]
            victim = servers[waiting]
            survivor = servers["b" if waiting == "a" else "a"]
            victim.kill()
            await holding.rollback()

            # The survivor takes the timer once the lease runs out, and hears the key.
            await eventually("the digits", lambda: at(survivor, "digits"))
            pressed = await client.post(
                f"{survivor.url}/_sim/calls/{call['id']}/dtmf",
                json={"digits": "2"},
                headers=admin,
            )
            assert pressed.status_code == 204, pressed.text

            async def hung_up() -> Json | None:
                url = f"{survivor.url}/v1.0/calls/{call['id']}"
                found: Json = checked(await client.get(url, headers=own))
                return found if found["status"] == "hangup" else None

            ended = await eventually("the hangup", hung_up)

            async def no_jobs() -> bool:
                left = await connection.fetch(
                    "SELECT kind FROM runtime_jobs WHERE resource_id = ANY($1)",
                    [call["id"], activeflow_id],
                )
                return not left

            await eventually("no job left for the call or its flow", no_jobs)
            ran = await activeflow(survivor)

            async def timeline(resource: str, id: str) -> list[Json]:
                url = f"{survivor.url}/v1.0/timelines/{resource}/{id}/events"
                page = checked(await client.get(url, params={"page_size": "100"}, headers=own))
                assert page["next_page_token"] == ""
                events: list[Json] = page["result"][::-1]
                return events

            call_events = await timeline("calls", call["id"])
            flow_events = await timeline("activeflows", activeflow_id)
            ledger = checked(
                await client.get(
                    f"{survivor.url}/v1.0/billings", params={"page_size": "100"}, headers=own
                )
            )["result"]

    assert (ended["status"], ended["hangup_by"], ended["hangup_reason"]) == (
        "hangup",
        "local",
        "normal",
    )
    # Each action ran once, in order: the sleep's timer was neither lost with the killed
    # process nor stepped twice; "2" took the support branch.
    names = {value: name for name, value in ids.items()} | {str(START): "start"}
    assert ran["status"] == "ended"
    assert names[ran["current_action"]["id"]] == "bye"
    assert [names[action["id"]] for action in ran["executed_actions"]] == [
        "start",
        "answer",
        "hello",
        "sleep",
        "digits",
        "branch",
        "support",
    ]

    # The call's timeline: each event once, in order, showing each step of its flow.
    def cursor(event: Json) -> tuple[str, str]:
        action = event["data"]["action"]
        return event["event_type"], names[action["id"]] if action else ""

    assert [cursor(event) for event in call_events] == [
        ("call_created", ""),
        ("call_updated", "hello"),  # answered and talking in the step that made it
        ("call_progressing", "hello"),
        ("call_updated", "sleep"),
        ("call_updated", "digits"),
        ("call_updated", "support"),  # the branch does not wait
        ("call_updated", "bye"),
        ("call_terminating", "bye"),
        ("call_hangup", "bye"),
    ]
    # The survivor stepped the sleep's timer only once the killed process's lease ran out.
    digits_at = datetime.fromisoformat(call_events[4]["timestamp"]).replace(tzinfo=UTC)
    assert digits_at >= lease_until, (digits_at, lease_until)
    # The flow's timeline: one update per step, none repeated.
    assert [
        (event["event_type"], event["data"]["status"], names[event["data"]["current_action"]["id"]])
        for event in flow_events
    ] == [
        ("activeflow_created", "running", "start"),
        ("activeflow_updated", "running", "hello"),
        ("activeflow_updated", "running", "sleep"),
        ("activeflow_updated", "running", "digits"),
        ("activeflow_updated", "running", "support"),
        ("activeflow_updated", "ended", "bye"),
    ]

    # Billed once: one ledger row for the call, its one started minute.
    charges = [row for row in ledger if row["reference_id"] == call["id"]]
    assert len(charges) == 1, charges
    assert (charges[0]["reference_type"], charges[0]["billable_units"]) == ("call", 1)
    assert charges[0]["amount_credit"] == -10_000

    assert "Traceback" not in survivor.output, survivor.output
