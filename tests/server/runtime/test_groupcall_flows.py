"""What a groupcall's legs run (behaviour-calls-billing-numbers.md §1.7): each leg is a call
with its own activeflow of the groupcall's flow (or inline actions), run once that call
answers; a leg hung up because another answered ends having run nothing. The same for the
groupcall of a ``POST /v1.0/calls`` agent destination, with the body's variables."""

from __future__ import annotations

from typing import Any

from tests.server.conftest import StartApp
from tests.server.runtime.calls.kit import Caller, ready_customer, virtual_api
from tests.server.runtime.test_groupcalls_service import (
    EMPTY,
    SQLITE_ONLY,
    create,
    ended,
    groupcall,
    script,
    sip,
)


async def activeflow_of(caller: Caller, call_id: str) -> dict[str, Any]:
    call = await caller.get(call_id)
    assert call["activeflow_id"] != EMPTY, call
    response = await caller.api.client.get(
        f"/v1.0/activeflows/{call['activeflow_id']}", headers=caller.headers
    )
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    assert (found["reference_type"], found["reference_id"]) == ("call", call_id)
    return found


def types(flow: dict[str, Any]) -> list[str]:
    return [a["type"] for a in flow["executed_actions"]]


async def flow(caller: Caller, actions: list[dict[str, Any]]) -> str:
    response = await caller.api.client.post(
        "/v1.0/flows", json={"name": "greet", "actions": actions}, headers=caller.headers
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


TALK_THEN_HANGUP: list[dict[str, Any]] = [
    {"type": "talk", "option": {"text": "Hello from ${voipbin.call.destination.target}."}},
    {"type": "hangup"},
]


@SQLITE_ONLY
async def test_ring_all_runs_its_flow_on_the_leg_that_answers_and_nothing_on_the_others(
    start_app: StartApp,
) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    await script(caller, r"desk@office\.example", answer_after=3)
    await script(caller, r"late@office\.example", answer_after=6)
    await script(caller, r"forever@office\.example", outcome="noanswer")
    flow_id = await flow(caller, TALK_THEN_HANGUP)
    created = await create(
        caller,
        sip("late@office.example"),
        sip("desk@office.example"),
        sip("forever@office.example"),
        flow_id=flow_id,
    )
    assert created["flow_id"] == flow_id
    late, desk, forever = created["call_ids"]
    for call_id in (late, desk, forever):  # each leg has its own flow, waiting for the answer
        call = await caller.get(call_id)
        assert call["flow_id"] == flow_id
        waiting = await activeflow_of(caller, call_id)
        assert (waiting["status"], waiting["flow_id"], types(waiting)) == ("running", flow_id, [])

    await caller.advance(3)  # the desk answers: its flow talks; the others are hung up
    await caller.advance(0)
    assert (await groupcall(caller, created["id"]))["answer_call_id"] == desk
    assert (await activeflow_of(caller, desk))["current_action"]["type"] == "talk"
    for call_id in (late, forever):
        assert await ended(caller, call_id) == ("hangup", "local", "cancel")
        cancelled = await activeflow_of(caller, call_id)
        assert (cancelled["status"], types(cancelled)) == ("ended", [])

    await caller.advance(10)  # the talk has played, then the flow's hangup
    assert await ended(caller, desk) == ("hangup", "local", "normal")
    ran = await activeflow_of(caller, desk)
    assert (ran["status"], ran["current_action"]["type"]) == ("ended", "hangup")
    assert types(ran) == ["empty", "talk"]
    assert ran["executed_actions"][1]["option"]["text"] == "Hello from desk@office.example."
    assert (await groupcall(caller, created["id"]))["status"] == "hangup"


async def test_linear_runs_its_inline_actions_on_the_leg_that_answers(
    start_app: StartApp,
) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    await script(caller, r"first@test\.example", outcome="busy", outcome_after=2)
    await script(caller, r"second@test\.example", answer_after=3)
    created = await create(
        caller,
        sip("first@test.example"),
        sip("second@test.example"),
        ring_method="linear",
        actions=TALK_THEN_HANGUP,
    )
    assert created["flow_id"] == EMPTY
    (first,) = created["call_ids"]

    await caller.advance(2)  # busy: its flow ran nothing; the second rings with the actions
    assert await ended(caller, first) == ("hangup", "remote", "busy")
    refused = await activeflow_of(caller, first)
    assert (refused["status"], types(refused)) == ("ended", [])
    second = (await groupcall(caller, created["id"]))["call_ids"][1]
    assert (await activeflow_of(caller, second))["status"] == "running"

    await caller.advance(15)  # answered at 5 s: talk, then the hangup
    assert await ended(caller, second) == ("hangup", "local", "normal")
    ran = await activeflow_of(caller, second)
    assert (ran["status"], ran["flow_id"], ran["current_action"]["type"]) == (
        "ended",
        EMPTY,
        "hangup",
    )
    assert types(ran) == ["empty", "talk"]
    assert ran["executed_actions"][1]["option"]["text"] == "Hello from second@test.example."


@SQLITE_ONLY
async def test_a_groupcall_with_no_flow_rings_legs_that_run_nothing(
    start_app: StartApp,
) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    await script(caller, r"desk@test\.example", answer_after=1)
    created = await create(caller, sip("desk@test.example"))
    (desk,) = created["call_ids"]
    assert (await caller.get(desk))["activeflow_id"] == EMPTY
    await caller.advance(1)
    assert (await caller.get(desk))["status"] == "progressing"  # answered, nothing hangs it up


@SQLITE_ONLY
async def test_a_call_to_an_agent_runs_its_actions_and_variables_on_the_address_that_answers(
    start_app: StartApp,
) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    await script(caller, r"desk@agent\.example", answer_after=2)
    await script(caller, r"mobile@agent\.example", outcome="noanswer")
    agent = await api.client.post(
        "/v1.0/agents",
        json={
            "username": "ann@example.com",
            "password": "a-long-password",
            "addresses": [sip("mobile@agent.example"), sip("desk@agent.example")],
        },
        headers=caller.headers,
    )
    assert agent.status_code == 201, agent.text
    actions = [{"type": "talk", "option": {"text": "Order ${order} is ready."}}]
    response = await caller.call(
        destinations=[{"type": "agent", "target": agent.json()["id"]}],
        actions=actions,
        variables={"order": "A-17"},
    )
    assert response.status_code == 200, response.text
    (created,) = response.json()["groupcalls"]
    mobile, desk = created["call_ids"]

    await caller.advance(2)  # the desk answers: its flow runs; the mobile is hung up
    await caller.advance(0)
    assert await ended(caller, mobile) == ("hangup", "local", "cancel")
    cancelled = await activeflow_of(caller, mobile)
    assert (cancelled["status"], types(cancelled)) == ("ended", [])

    await caller.advance(10)  # the talk has played: the flow ends, hanging the call up
    assert await ended(caller, desk) == ("hangup", "local", "normal")
    ran = await activeflow_of(caller, desk)
    assert (ran["status"], types(ran)) == ("ended", ["empty", "talk"])
    assert ran["executed_actions"][1]["option"]["text"] == "Order A-17 is ready."


@SQLITE_ONLY
async def test_an_extensions_nested_groupcall_runs_the_actions_on_the_device_that_answers(
    start_app: StartApp,
) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    await script(caller, r"forever@test\.example", outcome="noanswer")
    extension = await api.client.post(
        "/v1.0/extensions",
        json={"extension": "201", "password": "a-long-password"},
        headers=caller.headers,
    )
    assert extension.status_code == 201, extension.text
    devices = await api.client.post(
        f"/_sim/extensions/{extension.json()['id']}/devices",
        json={"devices": [{"outcome": "noanswer"}, {"answer_after": 2}]},
        headers=api.headers,
    )
    assert devices.status_code == 201, devices.text
    created = await create(
        caller,
        {"type": "extension", "target": "201"},
        sip("forever@test.example"),
        actions=TALK_THEN_HANGUP,
    )
    (forever,) = created["call_ids"]
    (nested_id,) = created["groupcall_ids"]
    ringing, phone = (await groupcall(caller, nested_id))["call_ids"]

    await caller.advance(2)  # the phone answers: every other leg, here and above, is hung up
    await caller.advance(0)
    assert (await groupcall(caller, created["id"]))["answer_groupcall_id"] == nested_id
    for call_id in (ringing, forever):
        assert await ended(caller, call_id) == ("hangup", "local", "cancel")
        cancelled = await activeflow_of(caller, call_id)
        assert (cancelled["status"], types(cancelled)) == ("ended", [])

    await caller.advance(30)  # the talk (a device's long address) has played
    assert await ended(caller, phone) == ("hangup", "local", "normal")
    ran = await activeflow_of(caller, phone)
    assert (ran["status"], types(ran)) == ("ended", ["empty", "talk"])
    assert (await groupcall(caller, created["id"]))["status"] == "hangup"


@SQLITE_ONLY
async def test_two_legs_answering_at_once_run_one_flow(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    await script(caller, r"(one|two)@test\.example", answer_after=3)
    created = await create(
        caller, sip("one@test.example"), sip("two@test.example"), actions=TALK_THEN_HANGUP
    )
    one, two = created["call_ids"]

    await caller.advance(3)  # both answer in the same instant: the first heard wins
    await caller.advance(0)
    winner = (await groupcall(caller, created["id"]))["answer_call_id"]
    loser = two if winner == one else one
    assert await ended(caller, loser) == ("hangup", "local", "cancel")
    cancelled = await activeflow_of(caller, loser)
    assert (cancelled["status"], types(cancelled)) == ("ended", [])
    assert (await activeflow_of(caller, winner))["current_action"]["type"] == "talk"
