"""Calls driven by their flows, on the virtual clock: an inbound call to a number runs the
number's flow at once (answer, talk, digits, branch, hangup), an outgoing call runs its flow
when answered and not before, the call hanging up stops its flow, a flow ending hangs its call
up, answering machine detection, and the simulator's inbound traffic endpoints."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.server.conftest import Api, StartApp
from tests.server.runtime.calls.kit import Caller, ready_customer, virtual_api

OUR_NUMBER = "+14155550100"
CALLER = {"type": "tel", "target": "+15005550000"}
#: Storage-neutral tests run on SQLite only; the first two run on both databases.
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _id() -> str:
    return str(uuid.uuid4())


async def _flow(caller: Caller, actions: list[dict[str, Any]]) -> str:
    response = await caller.api.client.post(
        "/v1.0/flows", json={"name": "ivr", "actions": actions}, headers=caller.headers
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _give_number_flow(caller: Caller, flow_id: str | None) -> None:
    numbers = caller.api.state.services["number"].repository
    row = await numbers.find(("id",), {"number": OUR_NUMBER})
    assert row is not None
    await numbers.update(str(row[0]), {"call_flow_id": flow_id} if flow_id else {})


async def _inbound(api: Api, target: str = OUR_NUMBER) -> Any:
    body = {"source": CALLER, "destination": {"type": "tel", "target": target}}
    return await api.client.post("/_sim/calls", json=body, headers=api.headers)


async def _activeflow(caller: Caller, activeflow_id: str) -> dict[str, Any]:
    response = await caller.api.client.get(
        f"/v1.0/activeflows/{activeflow_id}", headers=caller.headers
    )
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def _types(actions: list[dict[str, Any]]) -> list[str]:
    return [a["type"] for a in actions]


async def test_an_inbound_call_runs_its_numbers_flow_and_branches_on_a_pressed_key(
    start_app: StartApp,
) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    one, two, digits = _id(), _id(), _id()
    flow_id = await _flow(
        caller,
        [
            {"type": "answer"},
            {"type": "talk", "option": {"text": "Press 1 for sales, 2 for support."}},
            {"id": digits, "type": "digits_receive", "option": {"duration": 10000, "length": 1}},
            {
                "type": "branch",
                "option": {"default_target_id": one, "target_ids": {"2": two}},
            },
            {"id": one, "type": "talk", "option": {"text": "Sales."}},
            {"type": "hangup", "option": {"reason": "busy"}},
            {"id": two, "type": "talk", "option": {"text": "Support."}},
            {"type": "hangup"},
        ],
    )
    await _give_number_flow(caller, flow_id)

    response = await _inbound(api)
    assert response.status_code == 201, response.text
    call = response.json()
    assert (call["direction"], call["status"]) == ("incoming", "ringing")
    assert call["flow_id"] == flow_id
    assert call["source"]["target"] == CALLER["target"]
    activeflow_id = call["activeflow_id"]

    await caller.advance(0)  # the answer reaches the call
    answered = await caller.get(call["id"])
    assert answered["status"] == "progressing"
    assert answered["action"]["type"] == "talk"  # the call shows the flow's cursor

    await caller.advance(5)  # the talk has played (4.95 s), digits_receive waits
    flow = await _activeflow(caller, activeflow_id)
    assert flow["current_action"]["id"] == digits
    pressed = await api.client.post(
        f"/_sim/calls/{call['id']}/dtmf", json={"digits": "2"}, headers=api.headers
    )
    assert pressed.status_code == 204
    await caller.advance(61)

    ended = await caller.get(call["id"])
    assert (ended["status"], ended["hangup_by"], ended["hangup_reason"]) == (
        "hangup",
        "local",
        "normal",
    )
    flow = await _activeflow(caller, activeflow_id)
    assert flow["status"] == "ended"
    assert flow["reference_id"] == call["id"]
    executed = flow["executed_actions"]
    assert _types(executed)[-3:] == ["digits_receive", "branch", "talk"]
    assert executed[-1]["id"] == two  # "2" took the support branch
    assert flow["current_action"]["type"] == "hangup"
    events = await caller.events(call["id"])
    assert events[0] == "call_created"
    assert "call_progressing" in events
    assert events[-1] == "call_hangup"
    billing = await api.state.services["billing"].repository.find(
        ("billable_units", "reference_type", "cost_type"), {"reference_id": call["id"]}
    )
    assert billing is not None
    assert list(billing) == [1, "call", "call_pstn_incoming"]


async def test_an_outgoing_call_runs_its_flow_only_once_answered(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    actions = [
        {"type": "talk", "option": {"text": "Your order has shipped."}},
        {"type": "sleep", "option": {"duration": 4000}},
    ]
    response = await caller.call("+15005550000", "+15005550001", actions=actions)
    assert response.status_code == 200, response.text
    answered, busy = response.json()["calls"]
    assert answered["activeflow_id"]
    assert busy["activeflow_id"]
    assert answered["activeflow_id"] != busy["activeflow_id"]

    await caller.advance(2.5)  # ringing, not answered: nothing ran
    flow = await _activeflow(caller, answered["activeflow_id"])
    assert (flow["status"], flow["executed_actions"]) == ("running", [])

    await caller.advance(0.6)  # answered at 3 s: the talk plays
    flow = await _activeflow(caller, answered["activeflow_id"])
    assert flow["current_action"]["type"] == "talk"
    await caller.advance(10)  # talk then sleep, then the flow ends: the call is hung up
    call = await caller.get(answered["id"])
    assert (call["status"], call["hangup_by"], call["hangup_reason"]) == (
        "hangup",
        "local",
        "normal",
    )
    flow = await _activeflow(caller, answered["activeflow_id"])
    assert flow["status"] == "ended"
    assert _types(flow["executed_actions"]) == ["empty", "talk", "sleep"]  # from the start

    # The busy call never answered: its flow ran nothing and ended with the call.
    refused = await _activeflow(caller, busy["activeflow_id"])
    assert (refused["status"], refused["executed_actions"]) == ("ended", [])
    assert (await caller.get(busy["id"]))["hangup_reason"] == "busy"


@sqlite_only
async def test_the_far_end_hanging_up_stops_the_flow(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    actions = [{"type": "sleep", "option": {"duration": 600000}}]
    created = (await caller.call("+15005550004", actions=actions)).json()["calls"][0]
    await caller.advance(20)  # answered at 3 s, the far end hangs up 10 s later
    call = await caller.get(created["id"])
    assert (call["status"], call["hangup_by"], call["hangup_reason"]) == (
        "hangup",
        "remote",
        "normal",
    )
    flow = await _activeflow(caller, created["activeflow_id"])
    assert flow["status"] == "ended"
    assert flow["current_action"]["type"] == "sleep"  # stopped where it was


@sqlite_only
async def test_a_machine_answering_is_hung_up_by_amd(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    actions = [
        {"type": "amd", "option": {"machine_handle": "hangup"}},
        {"type": "talk", "option": {"text": "Hello, human."}},
    ]
    machine = (await caller.call("+15005550007", actions=actions)).json()["calls"][0]
    human = (await caller.call("+15005550000", actions=actions)).json()["calls"][0]
    await caller.advance(30)
    hung_up = await caller.get(machine["id"])
    assert (hung_up["status"], hung_up["hangup_by"]) == ("hangup", "local")
    detected = await _activeflow(caller, machine["activeflow_id"])
    assert (detected["status"], detected["current_action"]["type"]) == ("ended", "amd")
    talked = await _activeflow(caller, human["activeflow_id"])
    assert _types(talked["executed_actions"]) == ["empty", "amd", "talk"]


@sqlite_only
async def test_the_simulators_inbound_traffic_endpoints(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)

    # No live number: 404, nothing made.
    missing = await _inbound(api, "+14155550199")
    assert missing.status_code == 404
    assert missing.json()["error"]["reason"] == "NUMBER_NOT_FOUND"
    listed = await api.client.get("/v1.0/calls", headers=caller.headers)
    assert listed.json()["result"] == []
    # Super-admins only.
    refused = await api.client.post(
        "/_sim/calls",
        json={"source": CALLER, "destination": {"type": "tel", "target": OUR_NUMBER}},
        headers=caller.headers,
    )
    assert refused.status_code == 403

    # A number with no flow: the call is made and hung up, as nothing would answer it.
    call = (await _inbound(api)).json()
    assert call["activeflow_id"] == "00000000-0000-0000-0000-000000000000"
    await caller.advance(0)
    assert (await caller.get(call["id"]))["status"] == "hangup"
    late = await api.client.post(
        f"/_sim/calls/{call['id']}/dtmf", json={"digits": "1"}, headers=api.headers
    )
    assert (late.status_code, late.json()["error"]["reason"]) == (409, "CALL_ALREADY_HANGUP")

    # Keys before an answer are refused; bad digits are a 400; the far end hangs up.
    flow_id = await _flow(caller, [{"type": "sleep", "option": {"duration": 60000}}])
    await _give_number_flow(caller, flow_id)
    ringing = (await _inbound(api)).json()
    early = await api.client.post(
        f"/_sim/calls/{ringing['id']}/dtmf", json={"digits": "1"}, headers=api.headers
    )
    assert (early.status_code, early.json()["error"]["reason"]) == (409, "CALL_STATE_INVALID")
    bad = await api.client.post(
        f"/_sim/calls/{ringing['id']}/dtmf", json={"digits": "x"}, headers=api.headers
    )
    assert bad.status_code == 400
    gone = await api.client.post(
        f"/_sim/calls/{ringing['id']}/hangup", json={}, headers=api.headers
    )
    assert gone.status_code == 204
    await caller.advance(0)
    ended = await caller.get(ringing["id"])
    assert (ended["status"], ended["hangup_by"]) == ("hangup", "remote")
    flow = await _activeflow(caller, ringing["activeflow_id"])
    assert flow["status"] == "ended"
    nowhere = await api.client.post(f"/_sim/calls/{_id()}/hangup", headers=api.headers)
    assert nowhere.status_code == 404


@sqlite_only
async def test_connect_bridges_the_first_leg_to_answer_and_the_flow_goes_on_after_it(
    start_app: StartApp,
) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    flow_id = await _flow(
        caller,
        [
            {"type": "answer"},
            {
                "type": "connect",
                "option": {
                    "destinations": [
                        {"type": "tel", "target": "+15005550004"},
                        {"type": "tel", "target": "+15005550002"},
                    ]
                },
            },
            {"type": "talk", "option": {"text": "The agent has left."}},
        ],
    )
    await _give_number_flow(caller, flow_id)
    call = (await _inbound(api)).json()
    await caller.advance(1)
    master = await caller.get(call["id"])
    assert len(master["chained_call_ids"]) == 2
    first, second = [await caller.get(i) for i in master["chained_call_ids"]]
    assert {first["master_call_id"], second["master_call_id"]} == {call["id"]}
    assert first["destination"]["target"] == "+15005550004"
    assert first["source"]["target"] == OUR_NUMBER  # the number called is shown

    await caller.advance(3)  # the first answers: the second, still ringing, is hung up
    assert (await caller.get(first["id"]))["status"] == "progressing"
    cancelled = await caller.get(second["id"])
    assert (cancelled["status"], cancelled["hangup_reason"]) == ("hangup", "cancel")
    flow = await _activeflow(caller, call["activeflow_id"])
    assert flow["current_action"]["type"] == "connect"  # bridged: the flow waits

    await caller.advance(12)  # the far end of the bridge hangs up: the flow goes on
    flow = await _activeflow(caller, call["activeflow_id"])
    assert _types(flow["executed_actions"])[-2:] == ["connect", "talk"]
    ended = await caller.get(call["id"])
    assert (ended["status"], ended["hangup_by"]) == ("hangup", "local")


@sqlite_only
async def test_the_call_action_places_calls_running_their_own_flows(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    flow_id = await _flow(
        caller,
        [
            {"type": "answer"},
            {
                "type": "call",
                "option": {
                    "destinations": [
                        {"type": "tel", "target": "+15005550000"},
                        {"type": "tel", "target": "+442071838750"},  # not whitelisted
                    ],
                    "actions": [{"type": "sleep", "option": {"duration": 600000}}],
                    "chained": True,
                },
            },
            {"type": "sleep", "option": {"duration": 20000}},
        ],
    )
    await _give_number_flow(caller, flow_id)
    call = (await _inbound(api)).json()
    await caller.advance(5)
    master = await caller.get(call["id"])
    assert len(master["chained_call_ids"]) == 1  # the refused destination made nothing
    placed = await caller.get(master["chained_call_ids"][0])
    assert placed["master_call_id"] == call["id"]
    assert placed["status"] == "progressing"
    own = await _activeflow(caller, placed["activeflow_id"])
    assert own["current_action"]["type"] == "sleep"
    assert placed["activeflow_id"] != call["activeflow_id"]

    await caller.advance(20)  # the master's flow ends: it hangs up, and its chained call too
    assert (await caller.get(call["id"]))["status"] == "hangup"
    chained = await caller.get(placed["id"])
    assert (chained["status"], chained["hangup_by"]) == ("hangup", "local")
    assert (await _activeflow(caller, placed["activeflow_id"]))["status"] == "ended"
