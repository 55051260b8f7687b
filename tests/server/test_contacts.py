"""Contacts through the HTTP API: creation with addresses and tags, the rules on addresses
(valid targets, one primary per type, one owner per normalised target), lookup, the address
and tag routes, soft deletion and tenancy."""

from __future__ import annotations

from typing import Any

import pytest

from tests.server.conftest import Api, add_agent, add_customer, assert_error, fields_of
from voipbin.common.permissions import Permission
from voipbin.common.timestamps import SENTINEL_TEXT

UNUSED_ID = "d9d32881-12fd-4b19-a6b2-6d5b6b6acf76"
#: Storage-neutral tests run on SQLite only; lookup and the address rules run on both.
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


async def _create(api: Api, **body: Any) -> dict[str, Any]:
    response = await api.client.post("/v1.0/contacts", json=body, headers=api.headers)
    assert response.status_code == 201, response.text
    contact: dict[str, Any] = response.json()
    assert response.headers["location"] == f"/v1.0/contacts/{contact['id']}"
    return contact


async def _tag(api: Api, name: str = "vip") -> str:
    response = await api.client.post("/v1.0/tags", json={"name": name}, headers=api.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _lookup(api: Api, **params: str) -> Any:
    return await api.client.get("/v1.0/contacts/lookup", params=params, headers=api.headers)


def _targets(contact: dict[str, Any]) -> list[tuple[str, str, bool]]:
    return [(a["type"], a["target"], a["is_primary"]) for a in contact["addresses"]]


async def test_a_contact_is_created_with_its_addresses_and_tags_and_found_by_lookup(
    api: Api,
) -> None:
    tag_id = await _tag(api)
    contact = await _create(
        api,
        first_name="Ada",
        last_name="Lovelace",
        display_name="Ada L.",
        source="import",
        addresses=[
            {"type": "tel", "target": "+15551234567", "is_primary": True, "name": "mobile"},
            {"type": "email", "target": "Ada@Example.com"},
        ],
        tag_ids=[tag_id, tag_id],
    )
    assert contact["display_name"] == "Ada L."
    assert contact["source"] == "import"
    assert contact["tag_ids"] == [tag_id]
    assert contact["tm_update"] == contact["tm_create"]
    assert contact["tm_delete"] == SENTINEL_TEXT
    assert _targets(contact) == [
        ("tel", "+15551234567", True),
        ("email", "Ada@Example.com", False),
    ]
    first = contact["addresses"][0]
    assert set(first) == {
        "id",
        "customer_id",
        "contact_id",
        "type",
        "target",
        "target_name",
        "name",
        "detail",
        "is_primary",
        "tm_create",
    }
    assert (first["contact_id"], first["name"]) == (contact["id"], "mobile")

    # Normalised: the number however it is written, the email in any case.
    for params in (
        {"target": "+1 (555) 123-4567"},
        {"phone": "15551234567"},
        {"email": "ada@example.COM"},
        {"target": "ADA@example.com"},
    ):
        found = await _lookup(api, **params)
        assert found.status_code == 200, (params, found.text)
        assert found.json() == contact

    assert_error(
        await _lookup(api, phone="+15550000000"), 404, "NOT_FOUND", "CONTACT_PHONE_NUMBER_NOT_FOUND"
    )
    assert_error(
        await _lookup(api, email="bob@example.com"), 404, "NOT_FOUND", "CONTACT_EMAIL_NOT_FOUND"
    )
    assert_error(await _lookup(api), 400, "INVALID_ARGUMENT", "MISSING_REQUEST_PARAMETER")
    error = assert_error(
        await _lookup(api, phone="nope"), 400, "INVALID_ARGUMENT", "INVALID_REQUEST_PARAMETER"
    )
    assert fields_of(error) == ["phone"]
    assert_error(
        await _lookup(api, phone="+15551234567", email="ada@example.com"),
        400,
        "INVALID_ARGUMENT",
        "INVALID_REQUEST_PARAMETER",
    )


async def test_a_target_belongs_to_one_live_contact_and_deletion_frees_it(api: Api) -> None:
    first = await _create(api, addresses=[{"type": "tel", "target": "+15551234567"}])
    response = await api.client.post(
        "/v1.0/contacts",
        json={"addresses": [{"type": "tel", "target": "+15551234567"}]},
        headers=api.headers,
    )
    error = assert_error(response, 409, "ALREADY_EXISTS", "ADDRESS_ALREADY_EXISTS")
    assert fields_of(error) == ["addresses[0].target"]
    second = await _create(api, display_name="second")
    response = await api.client.post(
        f"/v1.0/contacts/{second['id']}/addresses",
        json={"type": "tel", "target": "+15551234567"},
        headers=api.headers,
    )
    assert fields_of(assert_error(response, 409, "ALREADY_EXISTS", "ADDRESS_ALREADY_EXISTS")) == [
        "target"
    ]
    # The same email in another case is the same target.
    await api.client.post(
        f"/v1.0/contacts/{first['id']}/addresses",
        json={"type": "email", "target": "a@example.com"},
        headers=api.headers,
    )
    response = await api.client.post(
        f"/v1.0/contacts/{second['id']}/addresses",
        json={"type": "email", "target": "A@EXAMPLE.com"},
        headers=api.headers,
    )
    assert_error(response, 409, "ALREADY_EXISTS", "ADDRESS_ALREADY_EXISTS")

    # Another customer may hold the same target.
    other = await add_agent(api, permission=int(Permission.CUSTOMER_ADMIN))
    response = await api.client.post(
        "/v1.0/contacts",
        json={"addresses": [{"type": "tel", "target": "+15551234567"}]},
        headers=other.headers,
    )
    assert response.status_code == 201, response.text

    deleted = await api.client.delete(f"/v1.0/contacts/{first['id']}", headers=api.headers)
    assert deleted.status_code == 204
    assert_error(
        await _lookup(api, phone="+15551234567"),
        404,
        "NOT_FOUND",
        "CONTACT_PHONE_NUMBER_NOT_FOUND",
    )
    gone = await api.client.get(f"/v1.0/contacts/{first['id']}", headers=api.headers)
    assert gone.json()["tm_delete"] != SENTINEL_TEXT
    assert len(gone.json()["addresses"]) == 2  # as it was when it went
    response = await api.client.post(
        f"/v1.0/contacts/{second['id']}/addresses",
        json={"type": "tel", "target": "+15551234567"},
        headers=api.headers,
    )
    assert response.status_code == 201, response.text
    found = await _lookup(api, target="+15551234567")
    assert found.json()["id"] == second["id"]


async def test_one_address_per_type_is_primary_and_a_new_primary_takes_the_mark(
    api: Api,
) -> None:
    response = await api.client.post(
        "/v1.0/contacts",
        json={
            "addresses": [
                {"type": "tel", "target": "+15551230001", "is_primary": True},
                {"type": "tel", "target": "+15551230002", "is_primary": True},
            ]
        },
        headers=api.headers,
    )
    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    assert fields_of(error) == ["addresses[1].is_primary"]

    contact = await _create(
        api,
        addresses=[
            {"type": "tel", "target": "+15551230001", "is_primary": True},
            {"type": "email", "target": "a@example.com", "is_primary": True},
        ],
    )
    path = f"/v1.0/contacts/{contact['id']}/addresses"
    response = await api.client.post(
        path,
        json={"type": "tel", "target": "+15551230002", "is_primary": True},
        headers=api.headers,
    )
    assert response.status_code == 201, response.text
    changed = response.json()
    assert _targets(changed) == [
        ("tel", "+15551230001", False),
        ("email", "a@example.com", True),
        ("tel", "+15551230002", True),
    ]
    first_id = changed["addresses"][0]["id"]
    response = await api.client.put(
        f"{path}/{first_id}", json={"is_primary": True, "name": "home"}, headers=api.headers
    )
    assert response.status_code == 200, response.text
    assert _targets(response.json()) == [
        ("tel", "+15551230001", True),
        ("email", "a@example.com", True),
        ("tel", "+15551230002", False),
    ]
    assert response.json()["addresses"][0]["name"] == "home"


@sqlite_only
async def test_address_routes_change_and_remove_one_address(api: Api) -> None:
    contact = await _create(api, addresses=[{"type": "tel", "target": "+15551230001"}])
    address_id = contact["addresses"][0]["id"]
    path = f"/v1.0/contacts/{contact['id']}/addresses"

    response = await api.client.put(
        f"{path}/{address_id}", json={"target": "+15551239999"}, headers=api.headers
    )
    assert response.status_code == 200, response.text
    assert _targets(response.json()) == [("tel", "+15551239999", False)]
    assert response.json()["tm_update"] > contact["tm_update"]
    assert (await _lookup(api, phone="+15551239999")).status_code == 200
    assert (await _lookup(api, phone="+15551230001")).status_code == 404

    bad = await api.client.put(
        f"{path}/{address_id}", json={"target": "555-1234"}, headers=api.headers
    )
    assert fields_of(assert_error(bad, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")) == ["target"]
    bad = await api.client.post(
        path, json={"type": "email", "target": "not-an-email"}, headers=api.headers
    )
    assert fields_of(assert_error(bad, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")) == ["target"]
    bad = await api.client.post(path, json={"type": "sip", "target": "a@b.c"}, headers=api.headers)
    assert_error(bad, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    bad = await api.client.put(f"{path}/not-a-uuid", json={}, headers=api.headers)
    assert fields_of(assert_error(bad, 400, "INVALID_ARGUMENT", "INVALID_ID")) == ["address_id"]
    missing = await api.client.put(f"{path}/{UNUSED_ID}", json={}, headers=api.headers)
    assert_error(missing, 404, "NOT_FOUND", "ADDRESS_NOT_FOUND")
    wrong = await api.client.patch(f"{path}/{address_id}", json={}, headers=api.headers)
    assert wrong.status_code == 405
    assert set(wrong.headers["allow"].replace(" ", "").split(",")) == {"PUT", "DELETE"}

    removed = await api.client.delete(f"{path}/{address_id}", headers=api.headers)
    assert removed.status_code == 200, removed.text
    assert removed.json()["addresses"] == []
    again = await api.client.delete(f"{path}/{address_id}", headers=api.headers)
    assert_error(again, 404, "NOT_FOUND", "ADDRESS_NOT_FOUND")
    assert (await _lookup(api, phone="+15551239999")).status_code == 404


@sqlite_only
async def test_tags_are_the_customers_and_filter_the_list(api: Api) -> None:
    vip, other = await _tag(api, "vip"), await _tag(api, "other")
    tagged = await _create(api, display_name="tagged", source="api")
    plain = await _create(api, display_name="plain")
    path = f"/v1.0/contacts/{tagged['id']}/tags"

    response = await api.client.post(path, json={"tag_id": vip}, headers=api.headers)
    assert response.status_code == 201, response.text
    assert response.json()["tag_ids"] == [vip]
    again = await api.client.post(path, json={"tag_id": vip}, headers=api.headers)
    assert again.json()["tag_ids"] == [vip]
    unknown = await api.client.post(path, json={"tag_id": UNUSED_ID}, headers=api.headers)
    assert fields_of(assert_error(unknown, 422, "INVALID_ARGUMENT", "UNPROCESSABLE_ENTITY")) == [
        "tag_id"
    ]
    bad = await api.client.post(
        "/v1.0/contacts", json={"tag_ids": [UNUSED_ID]}, headers=api.headers
    )
    assert fields_of(assert_error(bad, 422, "INVALID_ARGUMENT", "UNPROCESSABLE_ENTITY")) == [
        "tag_ids"
    ]

    listed = await api.client.get("/v1.0/contacts", params={"tag_id": vip}, headers=api.headers)
    assert [c["id"] for c in listed.json()["result"]] == [tagged["id"]]
    listed = await api.client.get("/v1.0/contacts", params={"source": "api"}, headers=api.headers)
    assert [c["id"] for c in listed.json()["result"]] == [tagged["id"]]
    listed = await api.client.get("/v1.0/contacts", headers=api.headers)
    assert [c["id"] for c in listed.json()["result"]] == [plain["id"], tagged["id"]]
    bad_source = await api.client.get(
        "/v1.0/contacts", params={"source": "fax"}, headers=api.headers
    )
    assert_error(bad_source, 400, "INVALID_ARGUMENT", "INVALID_REQUEST_PARAMETER")

    not_held = await api.client.delete(f"{path}/{other}", headers=api.headers)
    assert_error(not_held, 404, "NOT_FOUND", "CONTACT_TAG_NOT_FOUND")
    removed = await api.client.delete(f"{path}/{vip}", headers=api.headers)
    assert removed.status_code == 200, removed.text
    assert removed.json()["tag_ids"] == []


@sqlite_only
async def test_update_delete_and_tenancy(api: Api) -> None:
    contact = await _create(api, first_name="Ada", notes="likes mornings")
    item = f"/v1.0/contacts/{contact['id']}"
    response = await api.client.put(item, json={"company": "Acme"}, headers=api.headers)
    assert response.status_code == 200, response.text
    assert (response.json()["company"], response.json()["first_name"]) == ("Acme", "Ada")
    unknown = await api.client.put(item, json={"addresses": []}, headers=api.headers)
    assert fields_of(assert_error(unknown, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")) == [
        "addresses"
    ]

    other = await add_agent(api, permission=int(Permission.CUSTOMER_ADMIN))
    for method, path, body in (
        ("GET", item, None),
        ("PUT", item, {"notes": "x"}),
        ("POST", f"{item}/tags", {"tag_id": UNUSED_ID}),
        ("POST", f"{item}/addresses", {"type": "tel", "target": "+15551230001"}),
        ("DELETE", f"{item}/tags/{UNUSED_ID}", None),
    ):
        response = await api.client.request(method, path, json=body, headers=other.headers)
        assert_error(response, 404, "NOT_FOUND", "CONTACT_NOT_FOUND")
    listed = await api.client.get("/v1.0/contacts", headers=other.headers)
    assert listed.json()["result"] == []
    agent = await add_agent(
        api, permission=int(Permission.CUSTOMER_AGENT), customer_id=await add_customer(api)
    )
    response = await api.client.post("/v1.0/contacts", json={}, headers=agent.headers)
    assert_error(response, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")

    assert (await api.client.delete(item, headers=api.headers)).status_code == 204
    assert (await api.client.delete(item, headers=api.headers)).status_code == 204
    for method, path, body in (
        ("PUT", item, {"notes": "x"}),
        ("POST", f"{item}/addresses", {"type": "tel", "target": "+15551230001"}),
    ):
        response = await api.client.request(method, path, json=body, headers=api.headers)
        assert_error(response, 409, "FAILED_PRECONDITION", "CONTACT_STATE_INVALID")
    listed = await api.client.get("/v1.0/contacts", params={"deleted": "true"}, headers=api.headers)
    assert [c["id"] for c in listed.json()["result"]] == [contact["id"]]


@sqlite_only
async def test_a_lookup_with_no_match_is_a_404_the_document_lists(api: Api) -> None:
    response = await _lookup(api, target="+19999999999")

    assert_error(response, 404, "NOT_FOUND", "CONTACT_PHONE_NUMBER_NOT_FOUND")
    document = (await api.client.get("/openapi.json")).json()
    assert "404" in document["paths"]["/v1.0/contacts/lookup"]["get"]["responses"]
