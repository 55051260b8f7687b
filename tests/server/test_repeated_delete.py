"""A repeated ``DELETE`` of a deleted runtime resource (a call, groupcall, recording,
message or email) is ``204`` and changes nothing, as a generic resource's (a flow's) is
(CONVENTIONS.md §7): the same ``tm_delete`` and ``tm_update``, no second
``<resource>_deleted`` event. Other writes to a deleted resource are the ``409``s."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.server.conftest import StartApp
from tests.server.runtime.calls.kit import Caller, ready_customer, virtual_api

sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
UNSET = "9999-01-01 00:00:00.000000"
Make = Callable[[Caller], Awaitable[str]]


async def _posted(caller: Caller, path: str, body: dict[str, Any]) -> str:
    response = await caller.api.client.post(path, json=body, headers=caller.headers)
    assert response.status_code in (200, 201), response.text
    found = response.json()
    return str(found["calls"][0]["id"] if "calls" in found else found["id"])


async def _call(caller: Caller) -> str:
    return str((await caller.one("+15005550000"))["id"])


async def _groupcall(caller: Caller) -> str:
    destinations = [{"type": "tel", "target": "+15005550000"}]
    body = {"source": {"type": "tel", "target": caller.source}, "destinations": destinations}
    return await _posted(caller, "/v1.0/groupcalls", {**body, "actions": [{"type": "answer"}]})


async def _recording(caller: Caller) -> str:
    call_id = await _call(caller)
    await caller.advance(3)
    path = f"/v1.0/calls/{call_id}/recording_start"
    response = await caller.api.client.post(path, json={"format": "wav"}, headers=caller.headers)
    assert response.status_code == 200, response.text
    return str(response.json()["recording_id"])


async def _flow(caller: Caller) -> str:
    return await _posted(caller, "/v1.0/flows", {"name": "f", "actions": [{"type": "answer"}]})


async def _message(caller: Caller) -> str:
    destinations = [{"type": "tel", "target": "+15005550100"}]
    body = {"source": {"type": "tel", "target": caller.source}, "destinations": destinations}
    return await _posted(caller, "/v1.0/messages", {**body, "text": "hello"})


async def _email(caller: Caller) -> str:
    body = {
        "destinations": [{"type": "email", "target": "alice@example.com"}],
        "subject": "s",
        "content": "c",
    }
    return await _posted(caller, "/v1.0/emails", body)


@sqlite_only
@pytest.mark.parametrize(
    ("plural", "make"),
    [
        ("calls", _call),
        ("groupcalls", _groupcall),
        ("recordings", _recording),
        ("messages", _message),
        ("emails", _email),
        ("flows", _flow),
    ],
)
async def test_a_second_delete_is_204_and_changes_nothing(
    start_app: StartApp, plural: str, make: Make
) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    id = await make(caller)
    await caller.advance(1)
    path = f"/v1.0/{plural}/{id}"
    first = await api.client.delete(path, headers=caller.headers)
    assert first.status_code == 204, first.text
    await caller.advance(5)
    gone = (await api.client.get(path, headers=caller.headers)).json()
    assert gone["tm_delete"] != UNSET
    events = await api.client.get(f"/v1.0/timelines/{plural}/{id}/events", headers=caller.headers)
    again = await api.client.delete(path, headers=caller.headers)
    assert again.status_code == 204, again.text
    assert again.content == b""
    await caller.advance(5)
    assert (await api.client.get(path, headers=caller.headers)).json() == gone
    after = await api.client.get(f"/v1.0/timelines/{plural}/{id}/events", headers=caller.headers)
    assert (events.status_code, after.json()) == (200, events.json())
