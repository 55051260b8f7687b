"""Who gets a delivery: an activeflow's own webhook_uri for the events of resources that name
it (not the activeflow's own events), and the ``webhook_send`` action's uri, with its raw
data and, with ``sync``, the flow waiting for the first attempt's outcome."""

from __future__ import annotations

import json

from tests.server.conftest import StartApp, add_agent
from tests.server.runtime.calls.kit import ready_customer, virtual_api
from tests.server.runtime.webhooks.kit import deliveries, run_for, set_webhook, settle
from tests.server.runtime.webhooks.receiver import Answer, Receiver
from voipbin.common.permissions import Permission
from voipbin.webhooks import verify


async def test_activeflow_webhooks_and_webhook_send(start_app: StartApp) -> None:
    api = await virtual_api(start_app, webhook_allow_private=True)
    caller = await ready_customer(api)
    admin = await add_agent(
        api, permission=int(Permission.CUSTOMER_ADMIN), customer_id=caller.customer_id
    )
    customer, own, sent = Receiver(), Receiver(), Receiver(Answer(500))
    secret = await set_webhook(api, caller.customer_id, customer.url)
    actions = [
        {
            "type": "webhook_send",
            "option": {
                "sync": True,
                "uri": sent.url,
                "method": "POST",
                "data_type": "application/json",
                "data": '{"flow": "${voipbin.activeflow.id}",  "n": 1}',
            },
        },
        {"type": "variable_set", "option": {"key": "after", "value": "sent"}},
    ]
    created = await api.client.post(
        "/v1.0/activeflows",
        json={"actions": actions, "webhook_uri": own.url},
        headers=caller.headers,
    )
    assert created.status_code == 201, created.text
    flow_id = created.json()["id"]
    await settle(api)
    # The first attempt answered 500: the flow moved on; the delivery is retried.
    flow = (await api.client.get(f"/v1.0/activeflows/{flow_id}", headers=caller.headers)).json()
    assert flow["status"] == "ended"
    assert [a["type"] for a in flow["executed_actions"]][-2:] == ["webhook_send", "variable_set"]
    await run_for(api, 5)
    assert [r.body for r in sent.received] == [f'{{"flow":"{flow_id}","n":1}}'.encode()] * 2
    verify(sent.received[0].body, sent.received[0].headers, secret)
    (send,) = await deliveries(api, admin, target="webhook_send")
    assert (send["status"], send["event_type"], send["reference_id"]) == (
        "delivered",
        "webhook_send",
        flow_id,
    )

    # A resource naming the activeflow: its events go there too; the activeflow's own don't.
    call_id = "5b0f3c4e-1d2a-4c3b-9a8d-7e6f5a4b3c2d"
    async with api.state.db.transaction() as tx:
        await api.state.outbox.emit(
            tx,
            caller.customer_id,
            "call_updated",
            "call",
            call_id,
            {"id": call_id, "activeflow_id": flow_id},
        )
    await settle(api)
    assert [json.loads(r.body)["type"] for r in own.received] == ["call_updated"]
    types = [json.loads(r.body)["type"] for r in customer.received]
    assert types[0] == "activeflow_created"
    assert types[-1] == "call_updated"
