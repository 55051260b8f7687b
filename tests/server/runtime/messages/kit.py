"""A customer ready to send SMS on the virtual clock (the calls' kit: verified, funded, the
number +14155550100 of its own, a manager agent), and a few requests."""

from __future__ import annotations

from typing import Any

import httpx

from tests.server.runtime.calls.kit import Caller

TEXT_161 = "x" * 161


def tel(target: str) -> dict[str, str]:
    return {"type": "tel", "target": target}


async def send(
    caller: Caller, *targets: str, text: str = "hello", source: str | None = None
) -> httpx.Response:
    body = {
        "source": tel(source or caller.source),
        "destinations": [tel(t) for t in targets],
        "text": text,
    }
    return await caller.api.client.post("/v1.0/messages", json=body, headers=caller.headers)


async def get(caller: Caller, message_id: str) -> dict[str, Any]:
    response = await caller.api.client.get(f"/v1.0/messages/{message_id}", headers=caller.headers)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def listed(caller: Caller, **params: str) -> list[str]:
    response = await caller.api.client.get("/v1.0/messages", params=params, headers=caller.headers)
    assert response.status_code == 200, response.text
    return [m["id"] for m in response.json()["result"]]


async def events(caller: Caller, message_id: str) -> list[list[str]]:
    """Each event of the message, as the statuses of its targets then."""
    response = await caller.api.client.get(
        f"/v1.0/timelines/messages/{message_id}/events", headers=caller.headers
    )
    assert response.status_code == 200, response.text
    return [
        [e["event_type"], *(t["status"] for t in e["data"]["targets"])]
        for e in reversed(response.json()["result"])
    ]


async def sms_charges(caller: Caller) -> list[str]:
    """The reference ids of the customer's ``sms`` ledger rows."""
    api = caller.api
    response = await api.client.get(
        "/v1.0/billings", params={"customer_id": caller.customer_id}, headers=api.headers
    )
    assert response.status_code == 200, response.text
    rows = [b for b in response.json()["result"] if b["cost_type"] == "sms"]
    assert all(b["reference_type"] == "sms" and b["billable_units"] == 1 for b in rows)
    return sorted(b["reference_id"] for b in rows)
