"""A call's life on the virtual clock: hung up through the API while ringing and while
answered, the dial timeout, the one-hour limit, failover over two routes, billing at hangup,
and a second server carrying on calls the first one dialled."""

from __future__ import annotations

from typing import Any

from tests.server.conftest import ManualClock, StartApp
from tests.server.runtime.calls.kit import Caller, ready_customer, virtual_api

SENTINEL = "9999-01-01 00:00:00.000000"


async def _hangup(caller: Caller, call_id: str) -> dict[str, Any]:
    response = await caller.api.client.post(f"/v1.0/calls/{call_id}/hangup", headers=caller.headers)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def test_hanging_up_a_ringing_call_cancels_it(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    created = await caller.one("+15005550002")
    await caller.advance(5)
    assert (await caller.get(created["id"]))["status"] == "ringing"

    answer = await _hangup(caller, created["id"])
    assert answer["status"] == "canceling"
    again = await _hangup(caller, created["id"])  # idempotent
    assert again["status"] == "canceling"
    await caller.advance(0)

    call = await caller.get(created["id"])
    assert (call["status"], call["hangup_by"], call["hangup_reason"]) == (
        "hangup",
        "local",
        "cancel",
    )
    assert await caller.events(created["id"]) == [
        "call_created",
        "call_ringing",
        "call_canceling",
        "call_hangup",
    ]
    # The dial timeout was for a call that no longer rings: nothing changes at 60 s.
    await caller.advance(120)
    assert await caller.get(created["id"]) == call


async def test_hanging_up_an_answered_call_terminates_it_and_bills_started_minutes(
    start_app: StartApp,
) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    created = await caller.one("+15005550000")
    await caller.advance(3)  # answered at 3 s
    assert (await caller.get(created["id"]))["status"] == "progressing"
    await caller.advance(61)

    answer = await _hangup(caller, created["id"])
    assert answer["status"] == "terminating"
    await caller.advance(0)

    call = await caller.get(created["id"])
    assert (call["status"], call["hangup_by"], call["hangup_reason"]) == (
        "hangup",
        "local",
        "normal",
    )
    assert call["tm_hangup"] != SENTINEL
    billing = await api.state.services["billing"].repository.find(
        ("cost_type", "billable_units", "usage_duration", "reference_type"),
        {"reference_id": created["id"]},
    )
    assert billing is not None
    assert list(billing) == ["call_pstn_outgoing", 2, 61, "call"]
    assert await caller.events(created["id"]) == [
        "call_created",
        "call_ringing",
        "call_progressing",
        "call_terminating",
        "call_hangup",
    ]


async def test_an_unanswered_call_is_not_billed(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    created = await caller.one("+15005550001")
    await caller.advance(5)
    billing = await api.state.services["billing"].repository.find(
        ("id",), {"reference_id": created["id"]}
    )
    assert billing is None


async def test_the_dial_timeout_ends_a_call_at_60_seconds(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    created = await caller.one("+15005550002")
    await caller.advance(59.9)
    assert (await caller.get(created["id"]))["status"] == "ringing"
    await caller.advance(0.1)
    call = await caller.get(created["id"])
    assert (call["status"], call["hangup_reason"]) == ("hangup", "noanswer")
    assert call["tm_hangup"] == created["tm_create"][:11] + call["tm_hangup"][11:]


async def test_an_answered_call_ends_after_one_hour(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api, dollars="100")
    created = await caller.one("+15005550000")
    await caller.advance(3 + 3599)
    assert (await caller.get(created["id"]))["status"] == "progressing"
    await caller.advance(1)
    call = await caller.get(created["id"])
    assert (call["status"], call["hangup_by"], call["hangup_reason"]) == (
        "hangup",
        "remote",
        "timeout",
    )
    billing = await api.state.services["billing"].repository.find(
        ("billable_units",), {"reference_id": created["id"]}
    )
    assert billing is not None
    assert billing[0] == 60


async def test_a_failing_network_is_tried_on_every_route(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    provider = await api.client.post(
        "/v1.0/providers", json={"hostname": "backup.invalid"}, headers=api.headers
    )
    assert provider.status_code == 201, provider.text
    route = await api.client.post(
        "/v1.0/routes",
        json={
            "customer_id": caller.customer_id,
            "provider_id": provider.json()["id"],
            "target": "+1",
        },
        headers=api.headers,
    )
    assert route.status_code == 201, route.text

    created = await caller.one("+15005550003")
    await caller.advance(0.5)
    call = await caller.get(created["id"])
    assert call["status"] == "dialing"  # the second route is being tried
    await caller.advance(0.5)

    call = await caller.get(created["id"])
    assert (call["status"], call["hangup_by"], call["hangup_reason"]) == (
        "hangup",
        "remote",
        "failed",
    )
    assert await caller.events(created["id"]) == ["call_created", "call_updated", "call_hangup"]


async def test_a_second_server_carries_on_calls_the_first_dialled(start_app: StartApp) -> None:
    wall = ManualClock()
    first = await start_app(now=wall, clock="virtual", jobs_poll_seconds=3600.0)
    caller = await ready_customer(first)
    created = await caller.one("+15005550004")

    second = await start_app(now=wall, clock="virtual", jobs_poll_seconds=3600.0)
    await second.state.jobs.advance(14)

    call = await caller.get(created["id"])
    assert (call["status"], call["hangup_by"], call["hangup_reason"]) == (
        "hangup",
        "remote",
        "normal",
    )
