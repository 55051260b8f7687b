"""The control-plane resources upstream publishes events of (numbers, flows, agents,
outdials) write ``<resource>_created``, ``_updated`` and ``_deleted`` (an agent's status:
``agent_status_updated``) in the transaction of the write, with the resource as its GET shows
it; a write that is refused writes none."""

from __future__ import annotations

from typing import Any

from tests.server.conftest import Api, add_agent, assert_error
from voipbin.common.permissions import Permission

Json = dict[str, Any]


async def _timeline(api: Api, kind: str, id: str, headers: dict[str, str]) -> list[Json]:
    response = await api.client.get(f"/v1.0/timelines/{kind}/{id}/events", headers=headers)
    assert response.status_code == 200, response.text
    events: list[Json] = response.json()["result"]
    return events[::-1]


async def test_a_numbers_life_is_its_events_each_with_the_number_as_shown(api: Api) -> None:
    admin = await add_agent(api, permission=Permission.CUSTOMER_ADMIN)
    h = admin.headers
    flow = (await api.client.post("/v1.0/flows", json={"name": "f"}, headers=h)).json()
    number = await api.client.post("/v1.0/numbers", json={"number": "+899123456780"}, headers=h)
    assert number.status_code == 201, number.text
    id = number.json()["id"]
    body = {"call_flow_id": flow["id"], "message_flow_id": flow["id"]}
    changed = await api.client.put(f"/v1.0/numbers/{id}/flow_ids", json=body, headers=h)
    assert changed.status_code == 200, changed.text
    refused = await api.client.put(f"/v1.0/numbers/{id}", json={"name": 5}, headers=h)
    assert refused.status_code == 400
    assert (await api.client.delete(f"/v1.0/numbers/{id}", headers=h)).status_code == 204
    gone = (await api.client.get(f"/v1.0/numbers/{id}", headers=h)).json()

    events = await _timeline(api, "numbers", id, h)

    assert [e["event_type"] for e in events] == [
        "number_created",
        "number_updated",
        "number_deleted",
    ]
    assert events[0]["data"] == number.json()
    assert events[1]["data"] == changed.json()
    assert events[2]["data"] == gone
    assert gone["status"] == "deleted"
    flows = await _timeline(api, "flows", flow["id"], h)
    assert [e["event_type"] for e in flows] == ["flow_created"]
    assert flows[0]["data"] == flow


async def test_an_agents_status_is_its_own_event_and_a_duplicate_writes_none(api: Api) -> None:
    admin = await add_agent(api, permission=Permission.CUSTOMER_ADMIN)
    h = admin.headers
    body = {"username": "ann@example.com", "password": "a-long-password"}
    agent = (await api.client.post("/v1.0/agents", json=body, headers=h)).json()
    again = await api.client.post("/v1.0/agents", json=body, headers=h)
    assert_error(again, 409, "ALREADY_EXISTS", "AGENT_ALREADY_EXISTS")
    path = f"/v1.0/agents/{agent['id']}"
    status = {"status": "available"}
    assert (await api.client.put(f"{path}/status", json=status, headers=h)).status_code == 200
    tags = await api.client.put(f"{path}/tag_ids", json={"tag_ids": []}, headers=h)
    assert tags.status_code == 200, tags.text

    events = await _timeline(api, "agents", agent["id"], h)

    assert [(e["event_type"], e["data"]["status"]) for e in events] == [
        ("agent_created", "offline"),
        ("agent_status_updated", "available"),
        ("agent_updated", "available"),
    ]
    assert "password" not in events[0]["data"]
