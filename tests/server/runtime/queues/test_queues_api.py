"""The queues and queuecalls resources through the API: a queue's defaults, updates and
actions, and the refusals (a routing method we do not serve, tags and flows that are not the
customer's, a queue_join naming no queue, a queuecall that does not exist)."""

from __future__ import annotations

import uuid

import pytest

from tests.server.conftest import StartApp, assert_error, fields_of
from tests.server.runtime.queues.kit import center

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
EMPTY = "00000000-0000-0000-0000-000000000000"


@SQLITE_ONLY
async def test_a_queue_is_made_changed_and_refuses_what_it_cannot_use(
    start_app: StartApp,
) -> None:
    c = await center(start_app)
    client, headers = c.api.client, c.headers
    queue = await c.queue()
    assert (queue["routing_method"], queue["tag_ids"], queue["wait_flow_id"]) == (
        "random",
        [],
        EMPTY,
    )
    assert (queue["wait_timeout"], queue["service_timeout"]) == (0, 0)
    assert (queue["wait_queuecall_ids"], queue["service_queuecall_ids"]) == ([], [])
    counts = [queue[f"total_{k}_count"] for k in ("incoming", "serviced", "abandoned")]
    assert counts == [0, 0, 0]
    path = f"/v1.0/queues/{queue['id']}"

    bad = await client.post(
        "/v1.0/queues", json={"name": "q", "routing_method": "roundrobin"}, headers=headers
    )
    assert fields_of(assert_error(bad, 400, "INVALID_ARGUMENT", "INVALID_ROUTING_METHOD")) == [
        "routing_method"
    ]
    bad = await client.put(f"{path}/routing_method", json={"routing_method": ""}, headers=headers)
    assert_error(bad, 400, "INVALID_ARGUMENT", "INVALID_ROUTING_METHOD")
    changed = await client.put(
        f"{path}/routing_method", json={"routing_method": "longest_idle"}, headers=headers
    )
    assert changed.json()["routing_method"] == "longest_idle"

    nowhere = str(uuid.uuid4())
    bad = await client.put(f"{path}/tag_ids", json={"tag_ids": [nowhere]}, headers=headers)
    assert fields_of(assert_error(bad, 422, "INVALID_ARGUMENT", "UNPROCESSABLE_ENTITY")) == [
        "tag_ids"
    ]
    tag = (await c.post("/v1.0/tags", {"name": "vip"}))["id"]
    tagged = await client.put(f"{path}/tag_ids", json={"tag_ids": [tag, tag]}, headers=headers)
    assert tagged.json()["tag_ids"] == [tag]
    bad = await client.put(path, json={"wait_flow_id": nowhere}, headers=headers)
    assert fields_of(assert_error(bad, 422, "INVALID_ARGUMENT", "UNPROCESSABLE_ENTITY")) == [
        "wait_flow_id"
    ]
    bad = await client.put(path, json={"wait_timeout": -1}, headers=headers)
    assert_error(bad, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    flow_id = await c.flow([{"type": "talk", "option": {"text": "Hold on."}}])
    updated = await client.put(
        path, json={"wait_flow_id": flow_id, "wait_timeout": 60_000}, headers=headers
    )
    assert (updated.json()["wait_flow_id"], updated.json()["wait_timeout"]) == (flow_id, 60_000)
    cleared = await client.put(path, json={"wait_flow_id": None}, headers=headers)
    assert cleared.json()["wait_flow_id"] == EMPTY

    joins_nothing = await client.post(
        "/v1.0/flows",
        json={"name": "f", "actions": [{"type": "queue_join", "option": {"queue_id": nowhere}}]},
        headers=headers,
    )
    assert joins_nothing.status_code == 422, joins_nothing.text

    missing = await client.get(f"/v1.0/queuecalls/{nowhere}", headers=headers)
    assert_error(missing, 404, "NOT_FOUND", "QUEUECALL_NOT_FOUND")
    kick = await client.post(f"/v1.0/queuecalls/{nowhere}/kick", headers=headers)
    assert_error(kick, 404, "NOT_FOUND", "QUEUECALL_NOT_FOUND")
    bad = await client.get("/v1.0/queuecalls?status=queued", headers=headers)
    assert_error(bad, 400, "INVALID_ARGUMENT", "INVALID_REQUEST_PARAMETER")
    listed = await client.get(f"/v1.0/queuecalls?queue_id={queue['id']}", headers=headers)
    assert listed.json() == {"result": [], "next_page_token": ""}

    gone = await client.delete(path, headers=headers)
    assert gone.status_code == 204
    late = await client.put(path, json={"name": "x"}, headers=headers)
    assert_error(late, 409, "FAILED_PRECONDITION", "QUEUE_STATE_INVALID")
