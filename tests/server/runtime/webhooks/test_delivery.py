"""Webhook delivery end to end, on the virtual clock, to a real HTTP receiver on 127.0.0.1:
a scripted call's events arrive in order and signed, across an endpoint that answers 503
three times and then one that is down for a while; the delivery log shows every attempt;
a dead delivery is sent again through the API, signed with both secrets after a rotation."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from typing import Any

from tests.server.conftest import StartApp, add_agent, assert_error
from tests.server.runtime.calls.kit import ready_customer, virtual_api
from tests.server.runtime.webhooks.kit import deliveries, run_for, set_webhook, settle
from tests.server.runtime.webhooks.receiver import Answer, Received, Receiver
from voipbin.common.permissions import Permission
from voipbin.webhooks import SIGNATURE_V2, verify


def _checked(received: list[Received], secret: str) -> list[dict[str, Any]]:
    """Each body received, its signatures verified (V2 at its own timestamp, and V1)."""
    bodies = []
    for r in received:
        stamp = float(r.headers["X-VoIPBIN-Timestamp"])
        verify(r.body, r.headers, secret, now=stamp)
        v1 = {k: v for k, v in r.headers.items() if k != SIGNATURE_V2}
        verify(r.body, v1, secret)
        body = json.loads(r.body)
        assert set(body) == {"type", "data"}
        body["event_id"] = r.headers["X-VoIPBIN-Event-Id"]
        bodies.append(body)
    return bodies


async def test_a_scripted_call_reaches_a_failing_then_down_receiver_in_order_signed(
    start_app: StartApp,
) -> None:
    api = await virtual_api(start_app, webhook_allow_private=True)
    caller = await ready_customer(api)
    admin = await add_agent(
        api, permission=int(Permission.CUSTOMER_ADMIN), customer_id=caller.customer_id
    )
    refused: list[str] = []

    def three_503s_for_the_first_event(got: Received) -> Answer | None:
        if json.loads(got.body)["type"] == "call_created" and len(refused) < 3:
            refused.append(got.headers["X-VoIPBIN-Event-Id"])
            return Answer(503)
        return None

    receiver = Receiver(script=three_503s_for_the_first_event)
    secret = await set_webhook(api, caller.customer_id, receiver.url)

    response = await caller.call(
        "+15005550000",
        actions=[
            {"type": "talk", "option": {"text": "hello there"}},
            {"type": "sleep", "option": {"duration": 3_000_000}},
        ],
    )
    assert response.status_code == 200, response.text
    call_id = response.json()["calls"][0]["id"]
    await run_for(api, 100, step=2)  # answered, talked; 1 + 10 + 60 s of retries (+25%)
    first = (await deliveries(api, admin, reference_id=call_id))[0]
    assert first["event_type"] == "call_created"
    assert first["status"] == "delivered"
    assert [a["status_code"] for a in first["attempts"]] == [503, 503, 503, 200]
    assert first["attempts"][0]["error"] == "the endpoint answered 503"
    assert all(a["latency_ms"] >= 0 for a in first["attempts"])

    receiver.stop()  # down for a while: the hangup's events wait, in order
    hangup = await api.client.post(f"/v1.0/calls/{call_id}/hangup", headers=caller.headers)
    assert hangup.status_code == 200, hangup.text
    await run_for(api, 300)  # refused at 0 s and after 1, 10 and 60 s (+25%); next after 300
    waiting = await deliveries(api, admin, reference_id=call_id, status="pending")
    assert waiting[0]["attempt_count"] == 4
    assert {a["status_code"] for a in waiting[0]["attempts"]} == {0}
    assert all(a["error"] for a in waiting[0]["attempts"])
    assert len(waiting) > 1
    assert all(d["attempt_count"] == 0 for d in waiting[1:])

    receiver.start()
    await run_for(api, 3000)  # refused after 300 s (+25%); delivered after 1800 (+25%)
    log = await deliveries(api, admin)
    assert {d["status"] for d in log} == {"delivered"}

    # Every event of the call arrived, in the order of its timeline; every event of each
    # other resource in its own order; duplicates (none here) would carry one event id.
    got = _checked([r for r in receiver.received if r.headers.get("X-VoIPBIN-Signature")], secret)
    assert len(got) == len(receiver.received)
    firsts: dict[str, dict[str, Any]] = {}
    for body in got:
        firsts.setdefault(body["event_id"], body)
    per_resource: dict[str, list[str]] = defaultdict(list)
    for body in firsts.values():
        per_resource[body["data"]["id"]].append(body["type"])
    assert per_resource[call_id] == await caller.events(call_id)
    assert per_resource[call_id][-1] == "call_hangup"
    activeflow_id = (await caller.get(call_id))["activeflow_id"]
    timeline = await api.client.get(
        f"/v1.0/timelines/activeflows/{activeflow_id}/events", headers=caller.headers
    )
    expected = [e["event_type"] for e in reversed(timeline.json()["result"])]
    assert per_resource[activeflow_id] == expected
    assert len(firsts) == len(log)


async def test_a_dead_delivery_is_sent_again_signed_with_both_secrets_after_a_rotation(
    start_app: StartApp,
) -> None:
    api = await virtual_api(start_app, webhook_allow_private=True, webhook_retry_schedule="5")
    caller = await ready_customer(api)
    admin = await add_agent(
        api, permission=int(Permission.CUSTOMER_ADMIN), customer_id=caller.customer_id
    )
    receiver = Receiver(Answer(429, {"Retry-After": "120"}), Answer(500))
    old = await set_webhook(api, caller.customer_id, receiver.url, "PUT")
    flow = await api.client.post(
        "/v1.0/activeflows",
        json={"actions": [{"type": "variable_set", "option": {"key": "a", "value": "b"}}]},
        headers=caller.headers,
    )
    assert flow.status_code == 201, flow.text
    await settle(api)
    log = await deliveries(api, admin, event_type="activeflow_created")
    assert (log[0]["status"], log[0]["last_status_code"]) == ("pending", 429)
    await run_for(api, 100, step=10)
    # The 429 asked for 120 s; activeflow_updated waits behind it, in the same lane.
    assert len(receiver.received) == 1
    await run_for(api, 30, step=5)
    dead = (await deliveries(api, admin, event_type="activeflow_created"))[0]
    assert dead["status"] == "failed"
    assert [a["status_code"] for a in dead["attempts"]] == [429, 500]
    assert dead["tm_next_attempt"] == "9999-01-01 00:00:00.000000"
    assert [json.loads(r.body)["type"] for r in receiver.received] == [
        "activeflow_created",
        "activeflow_created",
        "activeflow_updated",  # the lane moved on past the dead one
    ]

    # A manager reads no deliveries; a delivery not dead is not retried.
    forbidden = await api.client.get("/v1.0/webhook_deliveries", headers=caller.headers)
    assert_error(forbidden, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")
    rotated = await api.client.post("/v1.0/customer/webhook_secret_rotate", headers=admin.headers)
    assert rotated.status_code == 200, rotated.text
    new = await set_webhook(api, caller.customer_id, receiver.url, "PUT")
    assert new != old
    retried = await api.client.post(
        f"/v1.0/webhook_deliveries/{dead['id']}/retry", headers=admin.headers
    )
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "pending"
    again = await api.client.post(
        f"/v1.0/webhook_deliveries/{dead['id']}/retry", headers=admin.headers
    )
    assert_error(again, 409, "FAILED_PRECONDITION", "WEBHOOK_DELIVERY_STATE_INVALID")
    await settle(api)
    done = await api.client.get(f"/v1.0/webhook_deliveries/{dead['id']}", headers=admin.headers)
    assert done.json()["status"] == "delivered"
    last = receiver.received[-1]
    assert last.method == "PUT"
    assert last.headers["X-VoIPBIN-Event-Id"] == receiver.received[0].headers["X-VoIPBIN-Event-Id"]
    assert len(last.headers[SIGNATURE_V2].split(",")) == 2
    stamp = float(last.headers["X-VoIPBIN-Timestamp"])
    verify(last.body, last.headers, new, now=stamp)
    verify(last.body, last.headers, old, now=stamp)


async def test_a_clock_jumping_past_an_attempt_in_flight_does_not_count_it_lost(
    start_app: StartApp,
) -> None:
    api = await virtual_api(start_app, webhook_allow_private=True)
    caller = await ready_customer(api)
    admin = await add_agent(
        api, permission=int(Permission.CUSTOMER_ADMIN), customer_id=caller.customer_id
    )

    def slow(got: Received) -> Answer | None:
        time.sleep(0.3)
        return None

    receiver = Receiver(script=slow)
    await set_webhook(api, caller.customer_id, receiver.url)
    created = await api.client.post(
        "/v1.0/activeflows", json={"actions": [{"type": "empty"}]}, headers=caller.headers
    )
    assert created.status_code == 201, created.text
    await api.state.jobs.advance(120)  # the guards fall due while the attempts are out
    await settle(api)
    log = await deliveries(api, admin)
    assert [(d["status"], d["attempt_count"]) for d in log] == [("delivered", 1)] * len(log)
    assert len(receiver.received) == len(log)
