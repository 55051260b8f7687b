"""Activeflows through the API and the flow runner, on the virtual clock: what a customer
reads while a flow runs (``/v1.0/activeflows``), its timers as durable jobs, stop and delete,
on_complete chaining, fetch, roles and tenancy, and the events on its timeline."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import msgspec
import pytest

from tests.server.conftest import (
    Api,
    ManualClock,
    StartApp,
    add_agent,
    add_customer,
    assert_error,
    fields_of,
)
from voipbin.common.permissions import Permission
from voipbin.models.flows.actions import Actions
from voipbin.models.flows.check import check_actions
from voipbin.server.runtime.flows import commands as c
from voipbin.server.runtime.flows import events as e
from voipbin.server.runtime.flows.control import CallCommand
from voipbin.server.runtime.flows.runner import Conflict
from voipbin.server.runtime.flows.state import FlowState
from voipbin.server.storage.database import Executor, Row

Json = dict[str, Any]
START = "00000000-0000-0000-0000-000000000001"
FINISH = "00000000-0000-0000-0000-000000000002"


def _id() -> str:
    return str(uuid.uuid4())


def _set(key: str, value: str, id: str | None = None) -> Json:
    return {"id": id or _id(), "type": "variable_set", "option": {"key": key, "value": value}}


async def _create(api: Api, body: Json, headers: dict[str, str] | None = None) -> Json:
    response = await api.client.post("/v1.0/activeflows", json=body, headers=headers or api.headers)
    assert response.status_code == 201, response.text
    created: Json = response.json()
    return created


async def _get(api: Api, id: str) -> Json:
    response = await api.client.get(f"/v1.0/activeflows/{id}", headers=api.headers)
    assert response.status_code == 200, response.text
    found: Json = response.json()
    return found


async def _advance(api: Api, seconds: float) -> None:
    response = await api.client.post(
        "/_sim/clock/advance", json={"seconds": seconds}, headers=api.headers
    )
    assert response.status_code == 200, response.text


async def _timeline(api: Api, id: str) -> list[str]:
    response = await api.client.get(f"/v1.0/timelines/activeflows/{id}/events", headers=api.headers)
    assert response.status_code == 200, response.text
    return [event["event_type"] for event in response.json()["result"]]


def _types(actions: list[Json]) -> list[str]:
    return [a["type"] for a in actions]


class Recorded:
    """A call control that records what it is asked."""

    def __init__(self) -> None:
        self.commands: list[tuple[str, CallCommand]] = []

    async def execute(self, executor: Executor, flow: FlowState, command: CallCommand) -> None:
        self.commands.append((str(flow.reference_id), command))

    async def call_status(self, executor: Executor, call_id: str) -> str:
        return "progressing"

    async def moved(self, executor: Executor, flow: FlowState) -> None:
        return None


async def _call_flow(api: Api, actions: list[Json], customer_id: str | None = None) -> str:
    """An activeflow for a call (as the calls service starts one); its id."""
    checked, _ = check_actions(msgspec.convert(actions, Actions))
    customer_id = customer_id or await add_customer(api)
    async with api.state.db.transaction() as tx:
        row = await api.state.flows.create(
            tx,
            customer_id=customer_id,
            actions=checked,
            reference_type="call",
            reference_id=uuid.uuid4(),
        )
    return str(row[0])


# -- running ---------------------------------------------------------------------------------


async def test_an_api_activeflow_answers_as_created_then_runs_to_its_end(api: Api) -> None:
    target = _id()
    actions = [
        _set("color", "blue"),
        {
            "type": "branch",
            "option": {"variable": "color", "target_ids": {"blue": target}},
        },
        _set("picked", "red"),
        _set("picked", "${who}", target),
    ]
    created = await _create(api, {"actions": actions, "variables": {"who": "me"}})

    assert created["status"] == "running"
    assert created["reference_type"] == "api"
    assert created["current_action"]["id"] == START
    assert created["flow_id"] == "00000000-0000-0000-0000-000000000000"

    found = await _get(api, created["id"])
    assert found["status"] == "ended"
    assert found["current_action"]["id"] == FINISH
    executed = found["executed_actions"]
    assert _types(executed) == ["empty", "variable_set", "branch", "variable_set"]
    assert executed[-1]["id"] == target
    assert executed[-1]["option"]["value"] == "me"  # a seeded variable, filled in when it ran
    assert await _timeline(api, created["id"]) == ["activeflow_updated", "activeflow_created"]

    listed = await api.client.get("/v1.0/activeflows", headers=api.headers)
    assert [a["id"] for a in listed.json()["result"]] == [created["id"]]


async def test_a_call_activeflow_sleeps_on_a_durable_timer(start_app: StartApp) -> None:
    api = await start_app(clock="virtual")
    calls = Recorded()
    api.state.flows.calls = calls
    target = _id()
    sleep_id = _id()
    id = await _call_flow(
        api,
        [
            _set("n", "1"),
            {"id": sleep_id, "type": "sleep", "option": {"duration": 5000}},
            {"type": "branch", "option": {"variable": "n", "target_ids": {"1": target}}},
            _set("skipped", "yes"),
            {"id": target, "type": "stop"},
        ],
    )

    found = await _get(api, id)
    assert (found["status"], found["current_action"]["id"]) == ("running", sleep_id)
    assert [type(command) for _, command in calls.commands] == [c.Sleep]

    await _advance(api, 4.9)
    assert (await _get(api, id))["current_action"]["id"] == sleep_id

    await _advance(api, 0.1)
    found = await _get(api, id)
    assert found["status"] == "ended"
    assert found["current_action"]["id"] == FINISH
    assert _types(found["executed_actions"]) == [
        "empty",
        "variable_set",
        "sleep",
        "branch",
        "stop",
    ]
    assert await _timeline(api, id) == [
        "activeflow_updated",
        "activeflow_updated",
        "activeflow_created",
    ]


async def test_a_goto_loop_stops_at_the_cap(api: Api) -> None:
    loop = _id()
    created = await _create(
        api,
        {
            "actions": [
                {"id": loop, "type": "goto", "option": {"target_id": loop, "loop_count": 1000}}
            ]
        },
    )

    found = await _get(api, created["id"])
    assert found["status"] == "ended"
    assert found["current_action"]["id"] == loop  # ended where the cap was reached
    assert len(found["executed_actions"]) == 101


async def test_stop_and_delete_through_the_api(api: Api) -> None:
    created = await _create(api, {"actions": [{"type": "block"}, _set("after", "yes")]})
    id = created["id"]
    assert (await _get(api, id))["status"] == "running"

    stopped = await api.client.post(f"/v1.0/activeflows/{id}/stop", headers=api.headers)
    assert stopped.status_code == 200, stopped.text
    assert stopped.json()["status"] == "ended"
    assert _types(stopped.json()["executed_actions"]) == ["empty"]  # block never released

    again = await api.client.post(f"/v1.0/activeflows/{id}/stop", headers=api.headers)
    assert again.status_code == 200, again.text
    assert again.json()["tm_update"] == stopped.json()["tm_update"]  # an ended flow stays

    deleted = await api.client.delete(f"/v1.0/activeflows/{id}", headers=api.headers)
    assert deleted.status_code == 204, deleted.text
    gone = await _get(api, id)  # a deleted resource stays readable by id, as every other
    assert gone["tm_delete"] != "9999-01-01 00:00:00.000000"
    listed = await api.client.get("/v1.0/activeflows", headers=api.headers)
    assert listed.json()["result"] == []
    assert await _timeline(api, id) == [
        "activeflow_deleted",
        "activeflow_updated",
        "activeflow_updated",
        "activeflow_created",
    ]


async def test_deleting_a_running_activeflow_stops_it_first(api: Api) -> None:
    created = await _create(api, {"actions": [{"type": "block"}]})
    response = await api.client.delete(f"/v1.0/activeflows/{created['id']}", headers=api.headers)
    assert response.status_code == 204, response.text
    listed = await api.client.get("/v1.0/activeflows?deleted=true", headers=api.headers)
    [row] = listed.json()["result"]
    assert row["status"] == "ended"


async def test_on_complete_chaining_runs_the_next_flow(api: Api) -> None:
    last = await api.client.post(
        "/v1.0/flows",
        json={"name": "last", "actions": [_set("step", "${step}-last")]},
        headers=api.headers,
    )
    assert last.status_code == 201, last.text
    first = await api.client.post(
        "/v1.0/flows",
        json={
            "name": "first",
            "actions": [_set("step", "first")],
            "on_complete_flow_id": last.json()["id"],
        },
        headers=api.headers,
    )
    assert first.status_code == 201, first.text

    parent = await _create(api, {"flow_id": first.json()["id"]})
    assert parent["on_complete_flow_id"] == last.json()["id"]

    listed = await api.client.get("/v1.0/activeflows", headers=api.headers)
    child, again = listed.json()["result"]  # newest first
    assert again["id"] == parent["id"]
    assert child["reference_activeflow_id"] == parent["id"]
    assert child["flow_id"] == last.json()["id"]
    assert child["reference_type"] == "api"
    assert child["status"] == "ended"
    # The child started with a copy of the parent's variables.
    assert child["executed_actions"][-1]["option"]["value"] == "first-last"


# -- fetch -----------------------------------------------------------------------------------


async def _fetching(api: Api, handler: Any) -> tuple[str, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def recorded(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer: httpx.Response = handler(request)
        return answer

    api.state.flows.transport = httpx.MockTransport(recorded)
    created = await _create(
        api,
        {
            "actions": [
                {
                    "type": "fetch",
                    "option": {
                        "event_url": "https://hooks.example.com/next",
                        "event_method": "POST",
                    },
                },
                _set("after", "fetched"),
            ]
        },
    )
    await _advance(api, 0)  # the fetch job starts the request
    await api.state.flows.settle()
    await _advance(api, 0)  # the answer's job feeds it back
    return created["id"], seen


async def test_fetch_runs_the_actions_it_answers(start_app: StartApp) -> None:
    api = await start_app(clock="virtual")
    fetched = [_set("from", "fetch")]
    id, seen = await _fetching(api, lambda request: httpx.Response(200, json=fetched))

    [request] = seen
    assert request.method == "POST"
    assert json.loads(request.content) == {
        "activeflow_id": id,
        "reference_id": "00000000-0000-0000-0000-000000000000",
    }
    found = await _get(api, id)
    assert found["status"] == "ended"
    assert _types(found["executed_actions"]) == ["empty", "fetch", "variable_set", "variable_set"]
    assert found["executed_actions"][2]["option"] == {"key": "from", "value": "fetch"}


async def test_a_fetch_that_times_out_ends_the_flow_with_an_error(start_app: StartApp) -> None:
    api = await start_app(clock="virtual")

    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("no answer", request=request)

    id, seen = await _fetching(api, timeout)

    assert len(seen) == 1
    found = await _get(api, id)
    assert found["status"] == "ended"
    assert found["current_action"]["type"] == "fetch"  # nothing after it ran
    assert _types(found["executed_actions"]) == ["empty"]


async def test_a_fetch_lost_with_its_process_times_out_on_the_clock(start_app: StartApp) -> None:
    api = await start_app(clock="virtual")
    api.state.flows.transport = httpx.MockTransport(lambda request: httpx.Response(200, json=[]))
    created = await _create(
        api, {"actions": [{"type": "fetch", "option": {"event_url": "https://hooks.example.com"}}]}
    )
    # The fetch job never runs here (as if the process died); the fallback answers.
    async with api.state.db.transaction() as tx:
        await api.state.jobs.cancel(tx, "activeflow.fetch", created["id"])
    await _advance(api, 14.9)
    assert (await _get(api, created["id"]))["status"] == "running"
    await _advance(api, 0.1)
    assert (await _get(api, created["id"]))["status"] == "ended"


# -- input, roles, tenancy -------------------------------------------------------------------


@pytest.mark.parametrize(
    "variables",
    [
        {f"k{i}": "v" for i in range(101)},
        {"big": "x" * (32 * 1024 + 1)},
        {f"k{i}": "x" * (30 * 1024) for i in range(3)},
    ],
    ids=["too-many", "value-too-long", "too-large-in-all"],
)
async def test_variables_over_the_limits_are_invalid_variables(
    api: Api, variables: dict[str, str]
) -> None:
    response = await api.client.post(
        "/v1.0/activeflows",
        json={"actions": [_set("a", "b")], "variables": variables},
        headers=api.headers,
    )
    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_VARIABLES")
    assert fields_of(error)[0].startswith("variables")
    listed = await api.client.get("/v1.0/activeflows", headers=api.headers)
    assert listed.json()["result"] == []


@pytest.mark.parametrize(
    ("body", "status", "reason", "field"),
    [
        ({}, 400, "INVALID_ARGUMENT", "actions"),
        (
            {"actions": [_set("a", "b")], "webhook_uri": "ftp://x"},
            400,
            "INVALID_WEBHOOK_URI",
            "webhook_uri",
        ),
        (
            {"actions": [_set("a", "b")], "webhook_method": "PATCH"},
            400,
            "INVALID_WEBHOOK_METHOD",
            "webhook_method",
        ),
        ({"flow_id": str(uuid.uuid4())}, 422, "UNPROCESSABLE_ENTITY", "flow_id"),
    ],
)
async def test_a_bad_creation_is_a_clear_4xx(
    api: Api, body: Json, status: int, reason: str, field: str
) -> None:
    response = await api.client.post("/v1.0/activeflows", json=body, headers=api.headers)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["reason"] == reason
    assert fields_of(error) == [field]


async def test_only_admins_and_managers_use_activeflows_of_their_customer(api: Api) -> None:
    manager = await add_agent(api, permission=Permission.CUSTOMER_MANAGER)
    agent = await add_agent(
        api, permission=Permission.CUSTOMER_AGENT, customer_id=manager.customer_id
    )
    other = await add_agent(api, permission=Permission.CUSTOMER_ADMIN)
    created = await _create(api, {"actions": [{"type": "block"}]}, manager.headers)
    assert created["customer_id"] == manager.customer_id
    path = f"/v1.0/activeflows/{created['id']}"

    for method, url in (("GET", "/v1.0/activeflows"), ("GET", path), ("POST", f"{path}/stop")):
        response = await api.client.request(method, url, headers=agent.headers)
        assert_error(response, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")
    response = await api.client.post(
        "/v1.0/activeflows", json={"actions": [_set("a", "b")]}, headers=agent.headers
    )
    assert_error(response, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")

    # Another customer's activeflow does not exist for them; nor does its flow.
    for method, url in (("GET", path), ("POST", f"{path}/stop"), ("DELETE", path)):
        response = await api.client.request(method, url, headers=other.headers)
        assert_error(response, 404, "NOT_FOUND", "ACTIVEFLOW_NOT_FOUND")
    listed = await api.client.get("/v1.0/activeflows", headers=other.headers)
    assert listed.json()["result"] == []
    flow = await api.client.post(
        "/v1.0/flows", json={"actions": [_set("a", "b")]}, headers=manager.headers
    )
    response = await api.client.post(
        "/v1.0/activeflows", json={"flow_id": flow.json()["id"]}, headers=other.headers
    )
    assert response.status_code == 422, response.text

    assert (await _get(api, created["id"]))["status"] == "running"
    listed = await api.client.get("/v1.0/activeflows", headers=manager.headers)
    assert [a["id"] for a in listed.json()["result"]] == [created["id"]]
    timeline = await api.client.get(
        f"/v1.0/timelines/activeflows/{created['id']}/events", headers=other.headers
    )
    assert_error(timeline, 404, "NOT_FOUND", "ACTIVEFLOW_NOT_FOUND")


async def test_a_bad_id_is_invalid_id(api: Api) -> None:
    response = await api.client.get("/v1.0/activeflows/nope", headers=api.headers)
    assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ID")


# -- restart safety --------------------------------------------------------------------------


async def test_a_second_app_carries_on_a_sleep_the_first_scheduled(start_app: StartApp) -> None:
    wall = ManualClock()
    first = await start_app(now=wall, clock="virtual")
    second = await start_app(now=wall, clock="virtual")
    customer_id = await add_customer(first)
    id = await _call_flow(
        first,
        [{"type": "sleep", "option": {"duration": 3000}}, _set("woke", "yes")],
        customer_id,
    )
    assert (await _get(first, id))["status"] == "running"

    await _advance(second, 3)

    found = await _get(first, id)
    assert found["status"] == "ended"
    assert _types(found["executed_actions"]) == ["empty", "sleep", "variable_set"]


async def test_a_step_on_a_state_another_process_moved_is_refused(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = await _create(api, {"actions": [{"type": "block"}]})
    runner = api.state.flows
    stale = await runner.repository.get(created["id"])
    assert stale is not None
    # Another process steps it meanwhile (its version moves on)...
    async with api.state.db.transaction() as tx:
        await runner.repository.update(created["id"], {"version": 99}, executor=tx)

    async def read_stale(id: str, executor: Executor | None = None) -> Row | None:
        return stale

    # ... so this one, which read the state before, applies nothing.
    monkeypatch.setattr(runner.repository, "get", read_stale)
    with pytest.raises(Conflict):
        async with api.state.db.transaction() as tx:
            await runner.feed(tx, created["id"], e.StopRequested())
    monkeypatch.undo()

    assert (await _get(api, created["id"]))["status"] == "running"
    assert await _timeline(api, created["id"]) == ["activeflow_updated", "activeflow_created"]


async def test_a_deleted_customers_activeflows_end_with_it(api: Api) -> None:
    admin = await add_agent(api, permission=Permission.CUSTOMER_ADMIN)
    created = await _create(api, {"actions": [{"type": "block"}]}, admin.headers)

    response = await api.client.delete(f"/v1.0/customers/{admin.customer_id}", headers=api.headers)
    assert response.status_code in (200, 204), response.text

    found = await _get(api, created["id"])
    assert found["status"] == "ended"
    assert found["tm_delete"] != "9999-01-01 00:00:00.000000"
