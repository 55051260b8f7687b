"""An incoming call from one of the customer's contacts: its flow's ``voipbin.contact.*``
variables name the contact (an improvement over upstream); a caller who is no contact, or
a contact of another customer, leaves them empty."""

from __future__ import annotations

from typing import Any

import pytest

from tests.server.conftest import Api
from tests.server.runtime.calls.kit import Caller, ready_customer, virtual_api

OUR_NUMBER = "+14155550100"
GREETING = (
    "Hello ${voipbin.contact.display_name} (${voipbin.contact.id}) ${voipbin.contact.company}"
)


async def _greeting_flow(caller: Caller) -> None:
    api = caller.api
    response = await api.client.post(
        "/v1.0/flows",
        json={
            "name": "greet",
            "actions": [
                {"type": "answer"},
                {"type": "talk", "option": {"text": GREETING}},
                {"type": "hangup"},
            ],
        },
        headers=caller.headers,
    )
    assert response.status_code == 201, response.text
    numbers = api.state.services["number"].repository
    row = await numbers.find(("id",), {"number": OUR_NUMBER})
    assert row is not None
    await numbers.update(str(row[0]), {"call_flow_id": response.json()["id"]})


async def _greeted(caller: Caller, source: str) -> str:
    """What the flow's talk says to an incoming call from ``source``."""
    api = caller.api
    body = {
        "source": {"type": "tel", "target": source},
        "destination": {"type": "tel", "target": OUR_NUMBER},
    }
    response = await api.client.post("/_sim/calls", json=body, headers=api.headers)
    assert response.status_code == 201, response.text
    await caller.advance(0)
    activeflow = await api.client.get(
        f"/v1.0/activeflows/{response.json()['activeflow_id']}", headers=caller.headers
    )
    assert activeflow.status_code == 200, activeflow.text
    action: dict[str, Any] = activeflow.json()["current_action"]
    assert action["type"] == "talk"
    return str(action["option"]["text"])


async def _contact(api: Api, headers: dict[str, str], target: str) -> str:
    response = await api.client.post(
        "/v1.0/contacts",
        json={
            "display_name": "Ada",
            "company": "Acme",
            "addresses": [{"type": "tel", "target": target}],
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_an_incoming_call_from_a_contact_names_it_in_the_flow_variables(
    start_app: Any,
) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    await _greeting_flow(caller)
    contact_id = await _contact(api, caller.headers, "+15005550000")
    # Another customer's contact with the caller's number is not ours.
    await _contact(api, api.headers, "+15005550001")

    assert await _greeted(caller, "+15005550000") == f"Hello Ada ({contact_id}) Acme"
    assert await _greeted(caller, "+15005550001") == "Hello  () "
    assert await _greeted(caller, "+15005550002") == "Hello  () "
