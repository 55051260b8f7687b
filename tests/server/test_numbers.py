"""Numbers: purchase, release and re-purchase, uniqueness across customers, the rules of
virtual numbers, identity verification, actions, filters and lists, on both databases."""

from __future__ import annotations

from typing import Any

from tests.server.conftest import Agent, Api, add_agent, assert_error, fields_of, fund
from tests.server.test_permissions import stored
from voipbin.common.timestamps import SENTINEL_TEXT

Json = dict[str, Any]
EMPTY_UUID = "00000000-0000-0000-0000-000000000000"
FLOW_ID = "a1b2c3d4-e5f6-4890-a234-567890abcdef"
FIELDS = {
    "id",
    "customer_id",
    "number",
    "type",
    "call_flow_id",
    "message_flow_id",
    "name",
    "detail",
    "status",
    "t38_enabled",
    "emergency_enabled",
    "metadata",
    "tm_purchase",
    "tm_renew",
    "tm_create",
    "tm_update",
    "tm_delete",
}
VIRTUAL = "+899123456789"


async def buy(api: Api, headers: dict[str, str], **body: Any) -> Json:
    response = await api.client.post("/v1.0/numbers", json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: Json = response.json()
    return created


async def verify(
    api: Api, customer_id: str, status: str = "verified", *, credit: str = "100"
) -> None:
    """Set the customer's identity verification status; a verified customer is also given
    ``credit`` dollars, so it can pay for normal numbers."""
    if status == "verified" and credit != "0":
        await fund(api, customer_id, credit)
    response = await api.client.put(
        f"/v1.0/customers/{customer_id}/identity_verification_status",
        json={"identity_verification_status": status},
        headers=api.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["identity_verification_status"] == status


async def a_flow(api: Api, headers: dict[str, str]) -> str:
    """A live flow of the caller's customer to point numbers at."""
    response = await api.client.post("/v1.0/flows", json={"name": "f"}, headers=headers)
    assert response.status_code == 201, response.text
    flow_id: str = response.json()["id"]
    return flow_id


async def admin_of_new_customer(api: Api) -> Agent:
    return await add_agent(api, permission=32)


# -- purchase -----------------------------------------------------------------------------------


async def test_a_virtual_purchase_infers_its_type_and_needs_no_verification(api: Api) -> None:
    admin = await admin_of_new_customer(api)
    response = await api.client.post(
        "/v1.0/numbers", json={"number": VIRTUAL, "name": "support"}, headers=admin.headers
    )

    assert response.status_code == 201, response.text
    number = response.json()
    assert set(number) == FIELDS
    assert response.headers["location"] == f"/v1.0/numbers/{number['id']}"
    assert (number["number"], number["type"], number["status"]) == (VIRTUAL, "virtual", "active")
    assert number["customer_id"] == admin.customer_id
    assert number["call_flow_id"] == number["message_flow_id"] == EMPTY_UUID
    assert number["metadata"] == {"rtp_debug": False}
    assert number["t38_enabled"] is number["emergency_enabled"] is False
    # Purchase and renew times belong to normal numbers only.
    assert number["tm_purchase"] == number["tm_renew"] == SENTINEL_TEXT
    got = await api.client.get(f"/v1.0/numbers/{number['id']}", headers=admin.headers)
    assert got.json() == number


async def test_a_normal_purchase_needs_a_verified_identity(api: Api) -> None:
    admin = await admin_of_new_customer(api)
    body = {"number": "+14155550100", "name": "main"}

    refused = await api.client.post("/v1.0/numbers", json=body, headers=admin.headers)
    assert_error(refused, 403, "PERMISSION_DENIED", "IDENTITY_VERIFICATION_REQUIRED")
    assert "verified" in refused.json()["error"]["message"]
    assert (
        await api.state.services["number"].repository.find(["id"], {"number": body["number"]})
        is None
    )

    await verify(api, admin.customer_id, "pending")
    still = await api.client.post("/v1.0/numbers", json=body, headers=admin.headers)
    assert_error(still, 403, "PERMISSION_DENIED", "IDENTITY_VERIFICATION_REQUIRED")

    await verify(api, admin.customer_id)
    number = await buy(api, admin.headers, **body)
    assert (number["type"], number["status"]) == ("normal", "active")
    assert number["tm_purchase"] != SENTINEL_TEXT
    assert number["tm_purchase"] == number["tm_renew"]


async def test_a_super_admin_buys_for_the_customer_it_names(api: Api) -> None:
    admin = await admin_of_new_customer(api)
    await verify(api, admin.customer_id)
    number = await buy(api, api.headers, number="+14155550101", customer_id=admin.customer_id)
    assert number["customer_id"] == admin.customer_id


async def test_an_admin_cannot_verify_their_own_customer(api: Api) -> None:
    admin = await admin_of_new_customer(api)
    # Not a field of the customer's own PUT (nor of upstream's): unknown, so a 400.
    unknown = await api.client.put(
        "/v1.0/customer", json={"identity_verification_status": "verified"}, headers=admin.headers
    )
    error = assert_error(unknown, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    assert fields_of(error) == ["identity_verification_status"]
    forbidden = await api.client.put(
        f"/v1.0/customers/{admin.customer_id}/identity_verification_status",
        json={"identity_verification_status": "verified"},
        headers=admin.headers,
    )
    assert_error(forbidden, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")
    own = await api.client.get("/v1.0/customer", headers=admin.headers)
    assert own.json()["identity_verification_status"] == "none"


async def test_a_bad_verification_status_is_400_listing_the_values(api: Api) -> None:
    admin = await admin_of_new_customer(api)
    response = await api.client.put(
        f"/v1.0/customers/{admin.customer_id}/identity_verification_status",
        json={"identity_verification_status": "yes"},
        headers=api.headers,
    )
    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    assert fields_of(error) == ["identity_verification_status"]
    assert "verified" in error["details"][0]["description"]


async def test_the_rules_of_virtual_and_normal_numbers_are_400_naming_number(api: Api) -> None:
    admin = await admin_of_new_customer(api)
    await verify(api, admin.customer_id)
    bad = [
        ({"number": "+899000123456"}, "reserved"),
        ({"number": "+89912345678"}, "+899 then 9 digits"),
        ({"number": "+8991234567890"}, "+899 then 9 digits"),
        ({"number": "+14155550100", "type": "virtual"}, "+899 then 9 digits"),
        ({"number": VIRTUAL, "type": "normal"}, "virtual"),
        ({"number": "+0123456"}, "E.164"),
        ({"number": "14155550100"}, "E.164"),
    ]
    for body, words in bad:
        response = await api.client.post("/v1.0/numbers", json=body, headers=admin.headers)
        error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
        assert fields_of(error) == ["number"], body
        assert words in error["details"][0]["description"], (body, error)
    listed = await api.client.get("/v1.0/numbers", params={"deleted": "all"}, headers=admin.headers)
    assert listed.json()["result"] == []


async def test_an_unknown_field_is_400_naming_it(api: Api) -> None:
    response = await api.client.post(
        "/v1.0/numbers", json={"number": VIRTUAL, "nmae": "x"}, headers=api.headers
    )
    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    assert fields_of(error) == ["nmae"]


# -- uniqueness and release -----------------------------------------------------------------------


async def test_a_live_number_is_unique_across_customers_and_release_frees_it(api: Api) -> None:
    first, second = await admin_of_new_customer(api), await admin_of_new_customer(api)
    held = await buy(api, first.headers, number=VIRTUAL)

    clash = await api.client.post("/v1.0/numbers", json={"number": VIRTUAL}, headers=second.headers)
    error = assert_error(clash, 409, "ALREADY_EXISTS", "NUMBER_ALREADY_EXISTS")
    assert fields_of(error) == ["number"]
    same = await api.client.post("/v1.0/numbers", json={"number": VIRTUAL}, headers=first.headers)
    assert_error(same, 409, "ALREADY_EXISTS", "NUMBER_ALREADY_EXISTS")

    released = await api.client.delete(f"/v1.0/numbers/{held['id']}", headers=first.headers)
    assert released.status_code == 204
    assert released.content == b""
    row = await stored(api, "number", held["id"])
    assert row is not None
    assert row["status"] == "deleted"
    assert row["tm_delete"] != SENTINEL_TEXT
    got = (await api.client.get(f"/v1.0/numbers/{held['id']}", headers=first.headers)).json()
    assert (got["status"], got["tm_delete"]) == ("deleted", row["tm_delete"])
    again = await api.client.delete(f"/v1.0/numbers/{held['id']}", headers=first.headers)
    assert again.status_code == 204

    bought = await buy(api, second.headers, number=VIRTUAL)
    assert bought["customer_id"] == second.customer_id
    assert bought["id"] != held["id"]


async def test_writes_to_a_released_number_are_409_number_state_invalid(api: Api) -> None:
    number = await buy(api, api.headers, number=VIRTUAL)
    await api.client.delete(f"/v1.0/numbers/{number['id']}", headers=api.headers)
    path = f"/v1.0/numbers/{number['id']}"
    for method, suffix, body in (
        ("PUT", "", {"name": "x"}),
        ("PUT", "/flow_ids", {"call_flow_id": FLOW_ID, "message_flow_id": FLOW_ID}),
        ("PUT", "/metadata", {"rtp_debug": True}),
    ):
        response = await api.client.request(method, path + suffix, json=body, headers=api.headers)
        assert_error(response, 409, "FAILED_PRECONDITION", "NUMBER_STATE_INVALID")


# -- update and actions ---------------------------------------------------------------------------


async def test_update_changes_the_given_fields_and_keeps_the_others(api: Api) -> None:
    flow_id = await a_flow(api, api.headers)
    number = await buy(api, api.headers, number=VIRTUAL, name="old", detail="kept")
    response = await api.client.put(
        f"/v1.0/numbers/{number['id']}",
        json={"name": "new", "call_flow_id": flow_id},
        headers=api.headers,
    )
    assert response.status_code == 200, response.text
    changed = response.json()
    assert (changed["name"], changed["detail"]) == ("new", "kept")
    assert (changed["call_flow_id"], changed["message_flow_id"]) == (flow_id, EMPTY_UUID)
    row = await stored(api, "number", number["id"])
    assert row is not None
    assert (row["name"], row["call_flow_id"]) == ("new", flow_id)


async def test_flow_ids_sets_both_flows_and_the_empty_uuid_clears_them(api: Api) -> None:
    flow_id = await a_flow(api, api.headers)
    number = await buy(api, api.headers, number=VIRTUAL)
    path = f"/v1.0/numbers/{number['id']}/flow_ids"
    set_ = await api.client.put(
        path, json={"call_flow_id": flow_id, "message_flow_id": flow_id}, headers=api.headers
    )
    assert set_.status_code == 200, set_.text
    assert set_.json()["call_flow_id"] == set_.json()["message_flow_id"] == flow_id
    cleared = await api.client.put(
        path, json={"call_flow_id": EMPTY_UUID, "message_flow_id": None}, headers=api.headers
    )
    assert cleared.json()["call_flow_id"] == cleared.json()["message_flow_id"] == EMPTY_UUID
    missing = await api.client.put(path, json={"call_flow_id": flow_id}, headers=api.headers)
    error = assert_error(missing, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    assert fields_of(error) == ["message_flow_id"]
    bad = await api.client.put(
        path, json={"call_flow_id": "nope", "message_flow_id": flow_id}, headers=api.headers
    )
    assert fields_of(assert_error(bad, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")) == [
        "call_flow_id"
    ]


async def test_metadata_replaces_the_flags(api: Api) -> None:
    number = await buy(api, api.headers, number=VIRTUAL)
    path = f"/v1.0/numbers/{number['id']}/metadata"
    on = await api.client.put(path, json={"rtp_debug": True}, headers=api.headers)
    assert on.status_code == 200, on.text
    assert on.json()["metadata"] == {"rtp_debug": True}
    row = await stored(api, "number", number["id"])
    assert row is not None
    assert row["metadata"] == b'{"rtp_debug":true}'
    typo = await api.client.put(path, json={"rtp_debgu": True}, headers=api.headers)
    assert fields_of(assert_error(typo, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")) == [
        "rtp_debgu"
    ]


async def test_a_flow_id_that_names_no_flow_of_the_customer_is_422(api: Api) -> None:
    other = await admin_of_new_customer(api)
    foreign = await a_flow(api, other.headers)
    number = await buy(api, api.headers, number=VIRTUAL)
    for flow_id in (FLOW_ID, foreign):
        response = await api.client.put(
            f"/v1.0/numbers/{number['id']}/flow_ids",
            json={"call_flow_id": flow_id, "message_flow_id": EMPTY_UUID},
            headers=api.headers,
        )
        error = assert_error(response, 422, "INVALID_ARGUMENT", "UNPROCESSABLE_ENTITY")
        assert fields_of(error) == ["call_flow_id"]
    bought = await api.client.post(
        "/v1.0/numbers",
        json={"number": "+899123456780", "message_flow_id": FLOW_ID},
        headers=api.headers,
    )
    assert fields_of(assert_error(bought, 422, "INVALID_ARGUMENT", "UNPROCESSABLE_ENTITY")) == [
        "message_flow_id"
    ]


async def test_a_plain_agent_is_denied_numbers(api: Api) -> None:
    agent = await add_agent(api, permission=16)
    listed = await api.client.get("/v1.0/numbers", headers=agent.headers)
    assert_error(listed, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")
    bought = await api.client.post("/v1.0/numbers", json={"number": VIRTUAL}, headers=agent.headers)
    assert_error(bought, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")


async def test_a_manager_reads_and_points_numbers_but_does_not_buy_them(api: Api) -> None:
    admin = await admin_of_new_customer(api)
    manager = await add_agent(api, permission=64, customer_id=admin.customer_id)
    number = await buy(api, admin.headers, number=VIRTUAL)
    flow_id = await a_flow(api, admin.headers)
    bought = await api.client.post(
        "/v1.0/numbers", json={"number": "+899123456780"}, headers=manager.headers
    )
    assert_error(bought, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")
    pointed = await api.client.put(
        f"/v1.0/numbers/{number['id']}/flow_ids",
        json={"call_flow_id": flow_id, "message_flow_id": EMPTY_UUID},
        headers=manager.headers,
    )
    assert pointed.status_code == 200, pointed.text
    released = await api.client.delete(f"/v1.0/numbers/{number['id']}", headers=manager.headers)
    assert_error(released, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")


# -- lists and filters --------------------------------------------------------------------------


async def test_pages_walk_every_number_once(api: Api) -> None:
    made = [(await buy(api, api.headers, number=f"+89912345670{i}"))["id"] for i in range(7)]
    seen: list[str] = []
    token = ""
    for _ in range(10):
        params = {"page_size": "3", **({"page_token": token} if token else {})}
        page = (await api.client.get("/v1.0/numbers", params=params, headers=api.headers)).json()
        seen += [n["id"] for n in page["result"]]
        token = page["next_page_token"]
        if not token:
            break
    assert seen == made[::-1]


async def test_filters_by_number_type_call_flow_and_status(api: Api) -> None:
    flow_id = await a_flow(api, api.headers)
    await verify(api, (await api.client.get("/v1.0/customer", headers=api.headers)).json()["id"])
    virtual = await buy(api, api.headers, number=VIRTUAL, call_flow_id=flow_id)
    normal = await buy(api, api.headers, number="+14155550102")
    gone = await buy(api, api.headers, number="+899123456700")
    await api.client.delete(f"/v1.0/numbers/{gone['id']}", headers=api.headers)

    async def ids(**params: str) -> list[str]:
        response = await api.client.get("/v1.0/numbers", params=params, headers=api.headers)
        assert response.status_code == 200, response.text
        return [n["id"] for n in response.json()["result"]]

    assert await ids(number=VIRTUAL) == [virtual["id"]]
    assert await ids(type="normal") == [normal["id"]]
    assert await ids(type="virtual") == [virtual["id"]]
    assert await ids(call_flow_id=flow_id) == [virtual["id"]]
    assert await ids(status="deleted", deleted="all") == [gone["id"]]
    assert await ids(type="") == [normal["id"], virtual["id"]]
    for params, field in (({"type": "mobile"}, "type"), ({"call_flow_id": "x"}, "call_flow_id")):
        response = await api.client.get("/v1.0/numbers", params=params, headers=api.headers)
        error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_REQUEST_PARAMETER")
        assert fields_of(error) == [field]


async def test_a_normal_number_is_bought_from_the_carrier_which_sells_only_what_it_offers(
    api: Api,
) -> None:
    admin = await admin_of_new_customer(api)
    await verify(api, admin.customer_id)
    offered = await api.client.get(
        "/v1.0/available_numbers?country_code=DE&page_size=1", headers=admin.headers
    )
    candidate = offered.json()["result"][0]["number"]

    bought = await buy(api, admin.headers, number=candidate)

    assert (bought["number"], bought["type"]) == (candidate, "normal")
    for unsold in ("+18005550100", "+35312345678", "+1415555010"):
        refused = await api.client.post(
            "/v1.0/numbers", json={"number": unsold}, headers=admin.headers
        )
        error = assert_error(refused, 422, "INVALID_ARGUMENT", "UNPROCESSABLE_ENTITY")
        assert fields_of(error) == ["number"], unsold
        assert "available_numbers" in error["details"][0]["description"]
