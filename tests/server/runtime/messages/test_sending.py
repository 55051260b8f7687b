"""``POST /v1.0/messages``: parts per target, every delivery outcome over time with its
events, one ``sms`` charge per target, the list's filters; and every refusal, each before
anything is sent or charged."""

from __future__ import annotations

import pytest

from tests.server.conftest import StartApp, assert_error, fields_of
from tests.server.runtime.calls.kit import ready_customer, virtual_api
from tests.server.runtime.messages.kit import (
    TEXT_161,
    events,
    get,
    listed,
    send,
    sms_charges,
)
from voipbin.server.runtime.messages.service import target_reference

sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

DEFAULT, FAILED, DLR, GW = "+15005550100", "+15005550101", "+15005550102", "+15005550103"


async def test_each_target_moves_to_its_outcome_with_an_event_per_change(
    start_app: StartApp,
) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    response = await send(caller, DEFAULT, FAILED, DLR, GW, text=TEXT_161)
    assert response.status_code == 201, response.text
    message = response.json()
    assert response.headers["location"].endswith(f"/v1.0/messages/{message['id']}")
    assert (message["type"], message["direction"], message["text"]) == ("sms", "outbound", TEXT_161)
    assert message["source"]["target"] == caller.source
    assert [t["destination"]["target"] for t in message["targets"]] == [DEFAULT, FAILED, DLR, GW]
    assert {(t["status"], t["parts"]) for t in message["targets"]} == {("queued", 2)}
    assert all(t["tm_update"] <= message["tm_create"] for t in message["targets"])
    emoji = (await send(caller, DEFAULT, text="Hi 👋")).json()
    assert [t["parts"] for t in emoji["targets"]] == [1]

    await caller.advance(3)  # sent at 1 s, receipts 2 s later; the gateway still silent
    after = await get(caller, message["id"])
    assert [t["status"] for t in after["targets"]] == ["delivered", "failed", "sent", "queued"]
    assert after["targets"][0]["tm_update"] > message["tm_create"]
    assert await listed(caller, status="delivered") == [emoji["id"], message["id"]]
    assert await listed(caller, status="failed") == [message["id"]]
    await caller.advance(60)  # no gateway after 30 s, no receipt 60 s after sent
    statuses = [t["status"] for t in (await get(caller, message["id"]))["targets"]]
    assert statuses == ["delivered", "failed", "dlr_timeout", "gw_timeout"]
    assert await events(caller, message["id"]) == [
        ["message_created", "queued", "queued", "queued", "queued"],
        ["message_updated", "sent", "queued", "queued", "queued"],
        ["message_updated", "sent", "sent", "queued", "queued"],
        ["message_updated", "sent", "sent", "sent", "queued"],
        ["message_updated", "delivered", "sent", "sent", "queued"],
        ["message_updated", "delivered", "failed", "sent", "queued"],
        ["message_updated", "delivered", "failed", "sent", "gw_timeout"],
        ["message_updated", "delivered", "failed", "dlr_timeout", "gw_timeout"],
    ]
    # one sms charge per target, referring to it; nothing more as the targets moved
    expected = [target_reference(message["id"], i) for i in range(4)]
    expected.append(target_reference(emoji["id"], 0))
    assert await sms_charges(caller) == sorted(expected)
    assert await listed(caller, direction="outbound", status="gw_timeout") == [message["id"]]
    assert await listed(caller, direction="inbound") == []
    assert await listed(caller, status="queued") == []

    deleted = await api.client.delete(f"/v1.0/messages/{emoji['id']}", headers=caller.headers)
    assert deleted.status_code == 204, deleted.text
    assert await listed(caller) == [message["id"]]
    assert (await events(caller, emoji["id"]))[-1][0] == "message_deleted"


@sqlite_only
async def test_refusals_send_nothing_and_charge_nothing(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api, dollars="0.02")
    response = await send(caller, DEFAULT, DEFAULT, DEFAULT)
    error = assert_error(response, 402, "PAYMENT_REQUIRED", "INSUFFICIENT_BALANCE")
    assert error["details"][0]["units"] == "3"
    response = await send(caller, DEFAULT, "+1 415 555")
    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    assert fields_of(error) == ["destinations[1].target"]
    response = await send(caller, DEFAULT, source="+14155559999")
    assert fields_of(assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")) == [
        "source.target"
    ]
    for text in ("", "x" * 1601):
        response = await send(caller, DEFAULT, text=text)
        assert fields_of(assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")) == [
            "text"
        ]
    body = {"source": {"type": "tel", "target": caller.source}, "destinations": [], "text": "x"}
    response = await api.client.post("/v1.0/messages", json=body, headers=caller.headers)
    assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    assert await listed(caller) == []
    assert await sms_charges(caller) == []
    # two targets are paid for exactly
    assert (await send(caller, DEFAULT, DEFAULT)).status_code == 201

    unverified = await ready_customer(api, verified=False, source="+14155550199")
    response = await send(unverified, DEFAULT)
    assert_error(response, 403, "PERMISSION_DENIED", "IDENTITY_VERIFICATION_REQUIRED")
    assert await listed(unverified) == []
