"""Emails on the virtual clock: sent by the API (checked, paid per destination, 402 before
anything is made), delivered to the simulator's local outbox or through an SMTP server (a
tiny one in this test, answering as scripted), their events, and a flow's ``email_send``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.server.conftest import Api, StartApp, add_agent, add_customer
from tests.server.runtime.calls.kit import Caller, ready_customer, virtual_api
from tests.server.runtime.emails.conftest import SmtpServer
from voipbin.common.permissions import Permission

sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
#: Not an email address.
tel = [{"type": "tel", "target": "+15551234567"}]
BODY = {
    "destinations": [
        {"type": "email", "target": "alice@example.com"},
        {"type": "email", "target": "bob@example.org", "target_name": "Bob"},
    ],
    "subject": "Your recording",
    "content": "Hello,\nit is ready.",
}


async def _send(caller: Caller, body: dict[str, Any]) -> Any:
    return await caller.api.client.post("/v1.0/emails", json=body, headers=caller.headers)


async def _email(caller: Caller, email_id: str) -> dict[str, Any]:
    response = await caller.api.client.get(f"/v1.0/emails/{email_id}", headers=caller.headers)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def _events(caller: Caller, email_id: str) -> list[str]:
    response = await caller.api.client.get(
        f"/v1.0/timelines/emails/{email_id}/events", headers=caller.headers
    )
    assert response.status_code == 200, response.text
    return [e["event_type"] for e in reversed(response.json()["result"])]


async def _credit(caller: Caller) -> int:
    response = await caller.api.client.get(
        f"/v1.0/customers/{caller.customer_id}", headers=caller.api.headers
    )
    account_id = response.json()["billing_account_id"]
    account = await caller.api.client.get(
        f"/v1.0/billing_accounts/{account_id}", headers=caller.api.headers
    )
    return int(account.json()["balance_credit"])


async def test_an_email_is_paid_per_destination_delivered_to_the_local_outbox_and_told(
    start_app: StartApp,
) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    before = await _credit(caller)
    response = await _send(caller, BODY)
    assert response.status_code == 201, response.text
    email = response.json()
    assert response.headers["Location"] == f"/v1.0/emails/{email['id']}"
    assert email["status"] == "initiated"
    assert email["source"]["type"] == "email"
    assert [d["target"] for d in email["destinations"]] == ["alice@example.com", "bob@example.org"]
    assert email["attachments"] == []
    assert before - await _credit(caller) == 2 * 10_000  # one email unit per destination

    await caller.advance(0)
    assert (await _email(caller, email["id"]))["status"] == "delivered"
    outbox = await api.client.get("/_sim/emails", headers=api.headers)
    assert outbox.status_code == 200, outbox.text
    [delivered] = outbox.json()["result"]
    assert delivered["email_id"] == email["id"]
    assert delivered["customer_id"] == caller.customer_id
    assert delivered["recipients"] == ["alice@example.com", "bob@example.org"]
    assert (delivered["subject"], delivered["content"]) == (BODY["subject"], BODY["content"])
    listed = await api.client.get("/v1.0/emails?status=delivered", headers=caller.headers)
    assert [e["id"] for e in listed.json()["result"]] == [email["id"]]

    deleted = await caller.api.client.delete(f"/v1.0/emails/{email['id']}", headers=caller.headers)
    assert deleted.status_code == 204
    assert await _events(caller, email["id"]) == ["email_created", "email_updated", "email_deleted"]
    listed = await api.client.get("/v1.0/emails", headers=caller.headers)
    assert listed.json()["result"] == []


@sqlite_only
async def test_a_bad_email_is_a_400_naming_the_field_and_an_unpaid_one_a_402(
    start_app: StartApp,
) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    cases: list[tuple[dict[str, Any], str]] = [
        ({**BODY, "destinations": []}, "destinations"),
        (
            {**BODY, "destinations": tel},
            "destinations[0].type",
        ),
        (
            {**BODY, "destinations": [*BODY["destinations"], {"type": "email", "target": "no-at"}]},
            "destinations[2].target",
        ),
        ({**BODY, "subject": "Hi\r\nBcc: everyone@example.com"}, "subject"),
        ({k: v for k, v in BODY.items() if k != "content"}, "content"),
        ({**BODY, "attachments": [{"reference_type": "file", "reference_id": "x"}]}, "attachments"),
        ({**BODY, "cc": []}, "cc"),
    ]
    for body, named in cases:
        response = await _send(caller, body)
        assert response.status_code == 400, (named, response.text)
        error = response.json()["error"]
        assert error["reason"] in ("INVALID_ARGUMENT",), error
        assert error["details"][0]["field"].startswith(named), (named, error)

    poor = await add_customer(api, "Poor")
    agent = await add_agent(api, permission=int(Permission.CUSTOMER_MANAGER), customer_id=poor)
    unpaid = Caller(api, poor, agent)
    response = await _send(unpaid, BODY)
    assert response.status_code == 402, response.text
    assert response.json()["error"]["reason"] == "INSUFFICIENT_BALANCE"
    assert (await api.client.get("/v1.0/emails", headers=agent.headers)).json()["result"] == []
    await caller.advance(0)
    assert (await api.client.get("/_sim/emails", headers=api.headers)).json()["result"] == []
    # The local outbox is the simulator's: super-admins only.
    assert (await api.client.get("/_sim/emails", headers=caller.headers)).status_code == 403


@sqlite_only
async def test_email_send_in_a_flow_sends_with_its_variables_and_never_stops_the_flow(
    start_app: StartApp,
) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    to = [{"type": "email", "target": "carol@example.com"}]
    actions = [
        {
            "type": "email_send",
            "option": {"destinations": to, "subject": "Hi ${name}", "content": "c"},
        },
        # Not an email address: nothing is sent, the flow goes on (upstream: non-fatal).
        {
            "type": "email_send",
            "option": {"destinations": tel},
        },
        {"type": "transcribe_recording", "option": {}},
        {"type": "variable_set", "option": {"key": "after", "value": "yes"}},
    ]
    response = await api.client.post(
        "/v1.0/activeflows",
        json={"actions": actions, "variables": {"name": "Carol"}},
        headers=caller.headers,
    )
    assert response.status_code == 201, response.text
    activeflow_id = response.json()["id"]
    await caller.advance(0)
    flow = await api.client.get(f"/v1.0/activeflows/{activeflow_id}", headers=caller.headers)
    assert flow.json()["status"] == "ended"
    executed = [a["type"] for a in flow.json()["executed_actions"] if a["type"] != "empty"]
    assert executed == [a["type"] for a in actions]
    [email] = (await api.client.get("/v1.0/emails", headers=caller.headers)).json()["result"]
    assert email["subject"] == "Hi Carol"
    assert email["status"] == "delivered"
    assert await _events(caller, email["id"]) == ["email_created", "email_updated"]


# -- SMTP ------------------------------------------------------------------------------------


@sqlite_only
async def test_emails_go_through_smtp_retried_when_deferred_and_bounced_when_refused(
    start_app: StartApp, smtp_server: SmtpServer
) -> None:
    url = f"smtp://127.0.0.1:{smtp_server.port}?from=service@example.com&timeout=5"
    api = await virtual_api_with(start_app, smtp_url=url)
    caller = await ready_customer(api)
    one = {**BODY, "destinations": BODY["destinations"][:1]}

    async def step(seconds: float) -> None:
        await caller.advance(seconds)
        await api.state.emails.settle()

    smtp_server.rcpt_codes = [451]  # "try again later", then accepted
    email = (await _send(caller, one)).json()
    await step(0)
    assert (await _email(caller, email["id"]))["status"] == "deferred"
    await step(60)
    assert (await _email(caller, email["id"]))["status"] == "delivered"
    [sent] = smtp_server.messages
    assert b"Subject: Your recording" in sent
    assert b"From: service@example.com" in sent
    assert b"To: alice@example.com" in sent
    assert await _events(caller, email["id"]) == ["email_created", "email_updated", "email_updated"]

    smtp_server.rcpt_codes = [550]
    refused = (await _send(caller, one)).json()
    await step(0)
    assert (await _email(caller, refused["id"]))["status"] == "bounce"
    assert (await api.client.get("/_sim/emails", headers=api.headers)).json()["result"] == []


async def virtual_api_with(start_app: StartApp, **settings: Any) -> Api:
    from tests.server.conftest import ManualClock

    return await start_app(now=ManualClock(), clock="virtual", jobs_poll_seconds=3600.0, **settings)


@sqlite_only
async def test_the_sdk_reads_the_local_outbox(start_app: StartApp) -> None:
    import httpx

    from voipbin.client import AsyncClient

    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    email = (await _send(caller, BODY)).json()
    await caller.advance(0)
    transport = httpx.ASGITransport(app=api.app)
    async with AsyncClient("http://test", token=api.token, transport=transport) as sdk:
        page = await sdk.simulator.emails.list(email_id=email["id"])
    assert [str(d.email_id) for d in page.result] == [email["id"]]
    assert page.result[0].recipients == ["alice@example.com", "bob@example.org"]
