"""Outplans, outdials and their targets through the HTTP API: the outplan's source must be a
number the customer owns, the outdial's actions, and the targets under their outdial (one or
a list, answered per item; paged and filtered as every list; another outdial's target is a
404)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.server.conftest import Api, add_agent, assert_error, fields_of
from voipbin.common.ids import EMPTY_UUID_TEXT
from voipbin.common.permissions import Permission
from voipbin.common.timestamps import SENTINEL_TEXT

VIRTUAL = "+899123456789"
UNUSED_ID = "d9d32881-12fd-4b19-a6b2-6d5b6b6acf76"
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def tel(number: str) -> dict[str, str]:
    return {"type": "tel", "target": number}


async def _post(api: Api, path: str, body: Any, status: int = 201) -> Any:
    response = await api.client.post(path, json=body, headers=api.headers)
    assert response.status_code == status, response.text
    return response.json()


async def _outdial(api: Api) -> str:
    outdial = await _post(api, "/v1.0/outdials", {"name": "q1", "data": "x"})
    return str(outdial["id"])


@sqlite_only
async def test_an_outplan_dials_from_a_number_the_customer_owns(api: Api) -> None:
    await _post(api, "/v1.0/numbers", {"number": VIRTUAL})
    plan = await _post(
        api,
        "/v1.0/outplans",
        {"name": "standard", "source": tel(VIRTUAL), "max_try_count_0": 3, "try_interval": 5000},
    )
    assert plan["source"] == {
        "type": "tel",
        "target": VIRTUAL,
        "target_name": "",
        "name": "",
        "detail": "",
    }
    assert (plan["dial_timeout"], plan["try_interval"]) == (30000, 5000)
    counts = [plan[f"max_try_count_{i}"] for i in range(5)]
    assert counts == [3, 0, 0, 0, 0]
    changed = await api.client.put(
        f"/v1.0/outplans/{plan['id']}/dial_info",
        json={"dial_timeout": 20000, "max_try_count_1": 2},
        headers=api.headers,
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["dial_timeout"], changed.json()["max_try_count_1"]) == (20000, 2)
    assert changed.json()["source"]["target"] == VIRTUAL


@sqlite_only
async def test_an_outplan_source_that_is_no_owned_number_is_refused_naming_it(api: Api) -> None:
    missing = await api.client.post(
        "/v1.0/outplans", json={"source": tel("+15551234567")}, headers=api.headers
    )
    error = assert_error(missing, 422, "INVALID_ARGUMENT", "UNPROCESSABLE_ENTITY")
    assert fields_of(error) == ["source.target"]
    not_tel = await api.client.post(
        "/v1.0/outplans", json={"source": {"type": "sip", "target": "a@b.com"}}, headers=api.headers
    )
    assert fields_of(assert_error(not_tel, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")) == [
        "source.type"
    ]
    bounds = await api.client.post(
        "/v1.0/outplans",
        json={"source": tel(VIRTUAL), "max_try_count_2": 101},
        headers=api.headers,
    )
    assert fields_of(assert_error(bounds, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")) == [
        "max_try_count_2"
    ]
    await _post(api, "/v1.0/numbers", {"number": VIRTUAL})
    plan = await _post(api, "/v1.0/outplans", {"source": tel(VIRTUAL)})
    moved = await api.client.put(
        f"/v1.0/outplans/{plan['id']}/dial_info",
        json={"source": tel("+15557654321")},
        headers=api.headers,
    )
    assert fields_of(assert_error(moved, 422, "INVALID_ARGUMENT", "UNPROCESSABLE_ENTITY")) == [
        "source.target"
    ]


@sqlite_only
async def test_an_outdial_changes_its_campaign_and_data_and_deleted_takes_no_targets(
    api: Api,
) -> None:
    outdial = await _post(api, "/v1.0/outdials", {"name": "q1"})
    assert (outdial["campaign_id"], outdial["data"]) == (EMPTY_UUID_TEXT, "")
    path = f"/v1.0/outdials/{outdial['id']}"
    data = await api.client.put(f"{path}/data", json={"data": "batch-7"}, headers=api.headers)
    assert data.json()["data"] == "batch-7"
    # The campaign must be a live one of the customer (a 422 naming the field otherwise).
    unknown = await api.client.put(
        f"{path}/campaign_id", json={"campaign_id": UNUSED_ID}, headers=api.headers
    )
    assert (
        assert_error(unknown, 422, "INVALID_ARGUMENT", "UNPROCESSABLE_ENTITY")["details"][0][
            "field"
        ]
        == "campaign_id"
    )
    campaign_id = (await _post(api, "/v1.0/campaigns", {"name": "q1"}))["id"]
    campaign = await api.client.put(
        f"{path}/campaign_id", json={"campaign_id": campaign_id}, headers=api.headers
    )
    assert campaign.json()["campaign_id"] == campaign_id
    assert (await api.client.delete(path, headers=api.headers)).status_code == 204
    late = await api.client.post(
        f"{path}/targets", json={"destination_0": tel("+15551230000")}, headers=api.headers
    )
    assert_error(late, 409, "FAILED_PRECONDITION", "OUTDIAL_STATE_INVALID")


@sqlite_only
async def test_a_target_is_added_read_and_deleted_under_its_outdial(api: Api) -> None:
    outdial_id = await _outdial(api)
    path = f"/v1.0/outdials/{outdial_id}/targets"
    response = await api.client.post(
        path,
        json={
            "name": "Ada",
            "data": "vip",
            "destination_0": tel("+15551230000"),
            "destination_1": {"type": "", "target": ""},
            "destination_2": tel("+15551230002"),
        },
        headers=api.headers,
    )
    assert response.status_code == 201, response.text
    target = response.json()
    assert response.headers["location"] == f"{path}/{target['id']}"
    assert (target["outdial_id"], target["status"], target["result"]) == (outdial_id, "idle", "")
    assert target["destination_0"]["target"] == "+15551230000"
    assert target["destination_1"] == {
        "type": "",
        "target": "",
        "target_name": "",
        "name": "",
        "detail": "",
    }
    assert target["destination_4"]["type"] == ""
    assert [target[f"try_count_{i}"] for i in range(5)] == [0] * 5
    assert target["tm_next_try"] <= target["tm_create"]  # due from its creation
    got = await api.client.get(f"{path}/{target['id']}", headers=api.headers)
    assert got.json() == target
    other = await _outdial(api)
    elsewhere = await api.client.get(
        f"/v1.0/outdials/{other}/targets/{target['id']}", headers=api.headers
    )
    assert_error(elsewhere, 404, "NOT_FOUND", "OUTDIAL_TARGET_NOT_FOUND")
    assert (
        await api.client.delete(f"{path}/{target['id']}", headers=api.headers)
    ).status_code == 204
    listed = await api.client.get(path, headers=api.headers)
    assert listed.json() == {"result": [], "next_page_token": ""}


@sqlite_only
async def test_targets_of_an_outdial_another_customer_owns_are_404(api: Api) -> None:
    outdial_id = await _outdial(api)
    admin = await add_agent(api, permission=Permission.CUSTOMER_ADMIN)
    for response in (
        await api.client.get(f"/v1.0/outdials/{outdial_id}/targets", headers=admin.headers),
        await api.client.post(
            f"/v1.0/outdials/{outdial_id}/targets",
            json={"destination_0": tel("+15551230000")},
            headers=admin.headers,
        ),
    ):
        assert_error(response, 404, "NOT_FOUND", "OUTDIAL_NOT_FOUND")


@sqlite_only
async def test_a_bad_target_is_400_naming_its_field(api: Api) -> None:
    path = f"/v1.0/outdials/{await _outdial(api)}/targets"
    cases: list[tuple[dict[str, Any], str]] = [
        ({}, "destination_0"),
        ({"destination_0": {"type": "", "target": ""}}, "destination_0.target"),
        ({"destination_0": tel("555")}, "destination_0.target"),
        ({"destination_0": tel("+15551230000"), "destination_3": tel("x")}, "destination_3.target"),
        ({"destination_0": tel("+15551230000"), "nmae": "x"}, "nmae"),
    ]
    for body, field in cases:
        response = await api.client.post(path, json=body, headers=api.headers)
        assert fields_of(assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")) == [
            field
        ], body
    too_many = [{"destination_0": tel("+15551230000")}] * 1001
    response = await api.client.post(path, json=too_many, headers=api.headers)
    assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    assert (
        await api.client.get(path, params={"status": "busy"}, headers=api.headers)
    ).status_code == 400
    for name in ("outdial_id", "customer_id"):  # the path decides them
        bad = await api.client.get(path, params={name: UNUSED_ID}, headers=api.headers)
        assert_error(bad, 400, "INVALID_ARGUMENT", "INVALID_REQUEST_PARAMETER")


async def test_a_list_of_targets_is_answered_per_item_and_listed_in_pages(api: Api) -> None:
    outdial_id = await _outdial(api)
    other = await _outdial(api)
    path = f"/v1.0/outdials/{outdial_id}/targets"
    items: list[Any] = [
        {"name": f"t{i}", "destination_0": tel(f"+1555123{i:04d}")} for i in range(250)
    ]
    items[3] = {"name": "bad", "destination_0": tel("12")}
    items[7] = "not an object"
    answer = await _post(api, path, items, status=200)
    results = answer["result"]
    assert len(results) == 250
    assert [r["status"] for r in results[:8]] == [201, 201, 201, 400, 201, 201, 201, 400]
    assert set(results[3]) == {"status", "error"}
    assert results[3]["error"]["reason"] == "INVALID_ARGUMENT"
    assert fields_of(results[3]["error"]) == ["destination_0.target"]
    made = [r["target"]["name"] for r in results if r["status"] == 201]
    assert len(made) == 248
    assert [r["target"]["name"] for r in results[:3]] == ["t0", "t1", "t2"]
    await _post(api, f"/v1.0/outdials/{other}/targets", {"destination_0": tel("+15550000000")})
    seen: list[str] = []
    token = ""
    while True:
        params = {"page_size": "100", **({"page_token": token} if token else {})}
        page = (await api.client.get(path, params=params, headers=api.headers)).json()
        seen += [t["name"] for t in page["result"]]
        token = page["next_page_token"]
        if not token:
            break
    assert seen == list(reversed(made))
    idle = await api.client.get(path, params={"status": "idle"}, headers=api.headers)
    assert len(idle.json()["result"]) == 100
    done = await api.client.get(path, params={"status": "done"}, headers=api.headers)
    assert done.json()["result"] == []
    first = results[0]["target"]
    assert first["tm_delete"] == SENTINEL_TEXT


@sqlite_only
async def test_agents_read_targets_admins_add_them_and_a_super_admin_reads_any(api: Api) -> None:
    admin = await add_agent(api, permission=Permission.CUSTOMER_ADMIN)
    agent = await add_agent(
        api, permission=Permission.CUSTOMER_AGENT, customer_id=admin.customer_id
    )
    made = await api.client.post("/v1.0/outdials", json={}, headers=admin.headers)
    path = f"/v1.0/outdials/{made.json()['id']}/targets"
    body = {"destination_0": tel("+15551230000")}
    added = await api.client.post(path, json=body, headers=admin.headers)
    assert added.status_code == 201, added.text
    refused = await api.client.post(path, json=body, headers=agent.headers)
    assert_error(refused, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")
    for headers in (agent.headers, api.headers):  # the super-admin: another customer's
        listed = await api.client.get(path, headers=headers)
        assert [t["id"] for t in listed.json()["result"]] == [added.json()["id"]]


@sqlite_only
async def test_a_list_of_targets_replayed_by_its_idempotency_key_adds_nothing_more(
    api: Api,
) -> None:
    path = f"/v1.0/outdials/{await _outdial(api)}/targets"
    items = [{"destination_0": tel("+15551230000")}, {"destination_0": tel("1")}]
    headers = {**api.headers, "Idempotency-Key": "list-1"}
    first = await api.client.post(path, json=items, headers=headers)
    again = await api.client.post(path, json=items, headers=headers)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    listed = await api.client.get(path, headers=api.headers)
    assert len(listed.json()["result"]) == 1
