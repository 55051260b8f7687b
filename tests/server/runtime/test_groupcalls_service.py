"""Groupcalls on the virtual clock (behaviour-calls-billing-numbers.md §1.7): ring_all over
an agent's addresses with hangup_others, linear with its counters right, an extension's
devices as a nested groupcall, the API's list, get, hangup and delete, and the refusals."""

from __future__ import annotations

from typing import Any

import pytest

from tests.server.conftest import StartApp, assert_error, fields_of
from tests.server.runtime.calls.kit import SOURCE, Caller, ready_customer, virtual_api

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
EMPTY = "00000000-0000-0000-0000-000000000000"
SENTINEL = "9999-01-01 00:00:00.000000"


def sip(target: str) -> dict[str, str]:
    return {"type": "sip", "target": target}


async def script(caller: Caller, pattern: str, **rule: Any) -> None:
    """Every call to ``sip:<pattern>`` does what ``rule`` says (a super-admin's rule)."""
    api = caller.api
    body = {"type": "sip", "pattern": pattern, **rule}
    response = await api.client.post("/_sim/rules", json=body, headers=api.headers)
    assert response.status_code == 201, response.text


async def get(caller: Caller, path: str) -> dict[str, Any]:
    response = await caller.api.client.get(path, headers=caller.headers)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def groupcall(caller: Caller, groupcall_id: str) -> dict[str, Any]:
    return await get(caller, f"/v1.0/groupcalls/{groupcall_id}")


async def create(caller: Caller, *destinations: dict[str, str], **body: Any) -> dict[str, Any]:
    response = await post_groupcall(caller, *destinations, **body)
    assert response.status_code == 201, response.text
    assert response.headers["location"].endswith(response.json()["id"])
    created: dict[str, Any] = response.json()
    return created


async def post_groupcall(caller: Caller, *destinations: dict[str, str], **body: Any) -> Any:
    payload = {"source": {"type": "tel", "target": caller.source}, "destinations": destinations}
    return await caller.api.client.post(
        "/v1.0/groupcalls", json={**payload, **body}, headers=caller.headers
    )


async def ended(caller: Caller, call_id: str) -> tuple[str, str, str]:
    call = await caller.get(call_id)
    return call["status"], call["hangup_by"], call["hangup_reason"]


async def timeline(caller: Caller, groupcall_id: str) -> list[str]:
    found = await get(caller, f"/v1.0/timelines/groupcalls/{groupcall_id}/events")
    return [e["event_type"] for e in reversed(found["result"])]


async def test_ring_all_over_an_agent_with_three_addresses_one_answering(
    start_app: StartApp,
) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    await script(caller, r"forever@agent\.example", outcome="noanswer")
    await script(caller, r"busy@agent\.example", outcome="busy", outcome_after=1)
    await script(caller, r"desk@agent\.example", answer_after=3)
    addresses = [sip("forever@agent.example"), sip("busy@agent.example")]
    addresses.append(sip("desk@agent.example"))
    agent = await api.client.post(
        "/v1.0/agents",
        json={"username": "ann@example.com", "password": "a-long-password", "addresses": addresses},
        headers=caller.headers,
    )
    assert agent.status_code == 201, agent.text

    response = await caller.call(destinations=[{"type": "agent", "target": agent.json()["id"]}])
    assert response.status_code == 200, response.text
    assert response.json()["calls"] == []
    (created,) = response.json()["groupcalls"]
    assert (created["status"], created["ring_method"], created["answer_method"]) == (
        "progressing",
        "ring_all",
        "hangup_others",
    )
    assert [d["target"] for d in created["destinations"]] == [a["target"] for a in addresses]
    forever, busy, desk = created["call_ids"]
    assert (created["call_count"], created["groupcall_count"]) == (3, 0)
    for call_id in (forever, busy, desk):
        assert (await caller.get(call_id))["groupcall_id"] == created["id"]

    await caller.advance(1)  # busy
    assert (await groupcall(caller, created["id"]))["call_count"] == 2
    assert await ended(caller, busy) == ("hangup", "remote", "busy")

    await caller.advance(2)  # the desk answers; the phone still ringing is hung up
    await caller.advance(0)
    answered = await groupcall(caller, created["id"])
    assert (answered["status"], answered["answer_call_id"], answered["call_count"]) == (
        "progressing",
        desk,
        1,
    )
    assert answered["answer_groupcall_id"] == EMPTY
    assert await ended(caller, forever) == ("hangup", "local", "cancel")
    assert (await caller.get(desk))["status"] == "progressing"

    hangup = await caller.api.client.post(f"/v1.0/calls/{desk}/hangup", headers=caller.headers)
    assert hangup.status_code == 200, hangup.text
    await caller.advance(0)
    done = await groupcall(caller, created["id"])
    assert (done["status"], done["call_count"], done["answer_call_id"]) == ("hangup", 0, desk)
    assert await ended(caller, desk) == ("hangup", "local", "normal")
    assert await timeline(caller, created["id"]) == [
        "groupcall_created",
        "groupcall_progressing",
        "groupcall_hangup",
    ]


@SQLITE_ONLY
async def test_linear_rings_the_next_destination_when_one_is_busy(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    await script(caller, r"first@test\.example", outcome="busy", outcome_after=2)
    await script(caller, r"second@test\.example", answer_after=3)
    created = await create(
        caller, sip("first@test.example"), sip("second@test.example"), ring_method="linear"
    )
    (first,) = created["call_ids"]
    assert (created["call_count"], created["dial_index"]) == (1, 0)

    await caller.advance(2)  # busy: the second rings, counted as one call
    moved = await groupcall(caller, created["id"])
    assert (
        moved["status"],
        moved["call_count"],
        moved["groupcall_count"],
        moved["dial_index"],
    ) == (
        "progressing",
        1,
        0,
        1,
    )
    assert moved["call_ids"][0] == first
    second = moved["call_ids"][1]
    assert (await caller.get(second))["groupcall_id"] == created["id"]

    await caller.advance(3)
    answered = await groupcall(caller, created["id"])
    assert (answered["answer_call_id"], answered["call_count"]) == (second, 1)
    # The far end hangs up: the groupcall ends, answered; nothing more is dialled.
    await caller.api.client.post(f"/v1.0/calls/{second}/hangup", headers=caller.headers)
    await caller.advance(0)
    done = await groupcall(caller, created["id"])
    assert (done["status"], done["call_count"], done["dial_index"]) == ("hangup", 0, 1)


@SQLITE_ONLY
async def test_an_extension_rings_its_devices_in_a_nested_groupcall(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    extension = await api.client.post(
        "/v1.0/extensions",
        json={"extension": "201", "password": "a-long-password"},
        headers=caller.headers,
    )
    assert extension.status_code == 201, extension.text
    extension_id = extension.json()["id"]
    devices = await api.client.post(
        f"/_sim/extensions/{extension_id}/devices",
        json={"devices": [{"outcome": "noanswer"}, {"answer_after": 2}]},
        headers=api.headers,
    )
    assert devices.status_code == 201, devices.text

    created = await create(caller, {"type": "extension", "target": "201"})
    assert (created["call_ids"], created["groupcall_count"]) == ([], 1)
    (nested_id,) = created["groupcall_ids"]
    nested = await groupcall(caller, nested_id)
    assert nested["master_groupcall_id"] == created["id"]
    assert [d["target"] for d in nested["destinations"]] == [
        f"{extension_id}.{n}@devices.sim.invalid" for n in (0, 1)
    ]
    ringing, phone = nested["call_ids"]

    await caller.advance(2)
    await caller.advance(0)
    nested = await groupcall(caller, nested_id)
    assert (nested["answer_call_id"], nested["call_count"]) == (phone, 1)
    master = await groupcall(caller, created["id"])
    assert (master["answer_groupcall_id"], master["groupcall_count"]) == (nested_id, 1)
    assert await ended(caller, ringing) == ("hangup", "local", "cancel")

    # Hanging the master up ends the nested groupcall and its answered call.
    hangup = await api.client.post(
        f"/v1.0/groupcalls/{created['id']}/hangup", headers=caller.headers
    )
    assert hangup.status_code == 200, hangup.text
    assert hangup.json()["status"] == "hangingup"
    await caller.advance(0)
    assert (await groupcall(caller, nested_id))["status"] == "hangup"
    assert (await groupcall(caller, created["id"]))["status"] == "hangup"
    assert await ended(caller, phone) == ("hangup", "local", "normal")


@SQLITE_ONLY
async def test_groupcalls_are_listed_hung_up_and_deleted(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    await script(caller, r".*@ring\.example", outcome="noanswer")
    first = await create(caller, sip("a@ring.example"), sip("b@ring.example"))
    second = await create(caller, sip("c@ring.example"))
    await caller.advance(1)

    listed = await get(caller, "/v1.0/groupcalls")
    assert [g["id"] for g in listed["result"]] == [second["id"], first["id"]]
    assert (await get(caller, "/v1.0/groupcalls?status=hangup"))["result"] == []

    path = f"/v1.0/groupcalls/{first['id']}/hangup"
    answer = await api.client.post(path, headers=caller.headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "hangingup"
    again = await api.client.post(path, headers=caller.headers)  # idempotent
    assert again.json()["status"] == "hangingup"
    await caller.advance(0)
    assert (await groupcall(caller, first["id"]))["status"] == "hangup"
    for call_id in first["call_ids"]:
        assert await ended(caller, call_id) == ("hangup", "local", "cancel")
    assert await timeline(caller, first["id"]) == ["groupcall_created", "groupcall_hangup"]

    deleted = await api.client.delete(f"/v1.0/groupcalls/{second['id']}", headers=caller.headers)
    assert deleted.status_code == 204, deleted.text
    gone = await groupcall(caller, second["id"])
    assert (gone["status"], gone["tm_delete"] != SENTINEL) == ("hangup", True)
    assert [g["id"] for g in (await get(caller, "/v1.0/groupcalls"))["result"]] == [first["id"]]
    await caller.advance(0)
    assert await ended(caller, second["call_ids"][0]) == ("hangup", "local", "cancel")
    assert await timeline(caller, second["id"]) == [
        "groupcall_created",
        "groupcall_hangup",
        "groupcall_deleted",
    ]
    response = await api.client.post(
        f"/v1.0/groupcalls/{second['id']}/hangup", headers=caller.headers
    )
    assert_error(response, 409, "FAILED_PRECONDITION", "GROUPCALL_STATE_INVALID")

    other = await ready_customer(api, source="+14155550101")
    response = await api.client.get(f"/v1.0/groupcalls/{first['id']}", headers=other.headers)
    assert_error(response, 404, "NOT_FOUND", "GROUPCALL_NOT_FOUND")


@SQLITE_ONLY
async def test_what_cannot_be_rung_is_refused_naming_the_field(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    cases: list[tuple[dict[str, Any], int, str, str]] = [
        ({"destinations": []}, 400, "INVALID_ARGUMENT", "destinations"),
        (
            {"destinations": [{"type": "conference", "target": EMPTY}]},
            400,
            "INVALID_ARGUMENT",
            "destinations[0].type",
        ),
        (
            {"destinations": [sip("a@b.example")], "ring_method": "sideways"},
            400,
            "INVALID_ARGUMENT",
            "ring_method",
        ),
        (
            {"destinations": [{"type": "agent", "target": "5f0c3c53-8d0e-4d0b-9d7e-0c8e6f3a2b11"}]},
            422,
            "UNPROCESSABLE_ENTITY",
            "destinations[0].target",
        ),
        (
            {"destinations": [{"type": "extension", "target": "404"}]},
            422,
            "UNPROCESSABLE_ENTITY",
            "destinations[0].target",
        ),
    ]
    for body, status, reason, field in cases:
        response = await caller.api.client.post(
            "/v1.0/groupcalls",
            json={"source": {"type": "tel", "target": SOURCE}, **body},
            headers=caller.headers,
        )
        error = assert_error(response, status, "INVALID_ARGUMENT", reason)
        assert fields_of(error) == [field], body
    assert (await get(caller, "/v1.0/groupcalls"))["result"] == []
