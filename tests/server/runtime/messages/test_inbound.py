"""Messages from the network (``POST /_sim/messages``): a received message on one of our
numbers runs the number's ``message_flow_id`` with the ``voipbin.message.*`` variables, and a
flow answers by ``message_send``; a refused ``message_send`` ends the flow with an error; the
simulator's SMS rules script other numbers."""

from __future__ import annotations

from typing import Any

import pytest

from tests.server.conftest import StartApp, add_agent, assert_error
from tests.server.runtime.calls.kit import Caller, ready_customer, virtual_api
from tests.server.runtime.messages.kit import events, get, listed, send, sms_charges
from voipbin.common.permissions import Permission

sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

PEER = "+15005550100"


def _reply(source: str, text: str) -> dict[str, Any]:
    return {
        "type": "message_send",
        "option": {
            "source": {"type": "tel", "target": source},
            "destinations": [{"type": "tel", "target": "${voipbin.message.source}"}],
            "text": text,
        },
    }


async def _number_runs(caller: Caller, actions: list[dict[str, Any]]) -> None:
    api = caller.api
    response = await api.client.post(
        "/v1.0/flows", json={"name": "sms", "actions": actions}, headers=caller.headers
    )
    assert response.status_code == 201, response.text
    numbers = api.state.services["number"].repository
    row = await numbers.find(("id",), {"number": caller.source})
    assert row is not None
    await numbers.update(str(row[0]), {"message_flow_id": response.json()["id"]})


async def _receive(caller: Caller, text: str, to: str | None = None) -> Any:
    body = {"from": PEER, "to": to or caller.source, "text": text}
    return await caller.api.client.post("/_sim/messages", json=body, headers=caller.api.headers)


async def _activeflows(caller: Caller) -> list[dict[str, Any]]:
    response = await caller.api.client.get("/v1.0/activeflows", headers=caller.headers)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["result"]
    return found


async def test_a_flow_answers_an_inbound_sms_by_message_send(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    echo = _reply("${voipbin.message.destination}", "You said: ${voipbin.message.text}")
    await _number_runs(caller, [echo])
    response = await _receive(caller, "hello 👋")
    assert response.status_code == 201, response.text
    received = response.json()
    assert (received["direction"], received["customer_id"]) == ("inbound", caller.customer_id)
    assert (received["source"]["target"], received["text"]) == (PEER, "hello 👋")
    (target,) = received["targets"]
    assert (target["destination"]["target"], target["status"], target["parts"]) == (
        caller.source,
        "received",
        1,
    )
    (activeflow,) = await _activeflows(caller)
    assert (activeflow["reference_type"], activeflow["reference_id"]) == ("message", received["id"])
    await caller.advance(0)
    assert (await _activeflows(caller))[0]["status"] == "ended"
    (reply_id,) = await listed(caller, direction="outbound")
    reply = await get(caller, reply_id)
    assert reply["text"] == "You said: hello 👋"
    assert [t["destination"]["target"] for t in reply["targets"]] == [PEER]
    await caller.advance(3)
    assert await events(caller, reply_id) == [
        ["message_created", "queued"],
        ["message_updated", "sent"],
        ["message_updated", "delivered"],
    ]
    assert await events(caller, received["id"]) == [["message_created", "received"]]
    assert len(await sms_charges(caller)) == 1  # the reply; received messages are free

    # a number nobody has: rejected, nothing made
    response = await _receive(caller, "hi", to="+14155550111")
    assert_error(response, 404, "NOT_FOUND", "NUMBER_NOT_FOUND")
    assert len(await listed(caller)) == 2


@sqlite_only
async def test_a_refused_message_send_ends_the_flow_with_an_error(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    not_ours = "+14155550999"
    await _number_runs(caller, [_reply(not_ours, "x"), _reply(caller.source, "never sent")])
    assert (await _receive(caller, "hi")).status_code == 201
    await caller.advance(0)
    (activeflow,) = await _activeflows(caller)
    assert activeflow["status"] == "ended"
    assert await listed(caller, direction="outbound") == []
    assert await sms_charges(caller) == []


@sqlite_only
async def test_sms_rules_script_numbers_for_super_admins_only(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    rules = "/_sim/message_rules"
    rule = {"pattern": r"\+1555.*", "outcome": "failed", "sent_after": 5, "outcome_after": 1}
    response = await api.client.post(rules, json=rule, headers=api.headers)
    assert response.status_code == 201, response.text
    rule_id = response.json()["id"]
    assert response.json()["outcome_after"] == 1
    bad = {"pattern": "x", "outcome": "gw_timeout", "outcome_after": 1}
    response = await api.client.post(rules, json=bad, headers=api.headers)
    assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    admin = await add_agent(
        api, permission=int(Permission.CUSTOMER_ADMIN), customer_id=caller.customer_id
    )
    response = await api.client.post(rules, json=rule, headers=admin.headers)
    assert_error(response, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")
    response = await api.client.post("/_sim/messages", json={}, headers=admin.headers)
    assert_error(response, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")

    message = (await send(caller, "+15550001234")).json()
    await caller.advance(5)
    assert (await get(caller, message["id"]))["targets"][0]["status"] == "sent"
    await caller.advance(1)
    assert (await get(caller, message["id"]))["targets"][0]["status"] == "failed"
    listed_rules = (await api.client.get(rules, headers=api.headers)).json()["result"]
    assert [r["id"] for r in listed_rules] == [rule_id]
    response = await api.client.delete(f"{rules}/{rule_id}", headers=api.headers)
    assert response.status_code == 204
    response = await api.client.delete(f"{rules}/{rule_id}", headers=api.headers)
    assert response.status_code == 404
    await api.client.post(rules, json=rule, headers=api.headers)
    assert (await api.client.post("/_sim/reset", headers=api.headers)).status_code == 204
    assert (await api.client.get(rules, headers=api.headers)).json()["result"] == []
