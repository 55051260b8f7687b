"""Customers: super-admins manage them at ``/v1.0/customers``; everyone reads (admins change)
their own at ``/v1.0/customer``; deleting one shuts out its agents and access keys at once."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from tests.server.conftest import (
    Api,
    StartApp,
    add_accesskey,
    add_agent,
    add_customer,
    assert_error,
    bearer,
    fields_of,
    login,
)
from voipbin.common.errors import Unavailable
from voipbin.common.permissions import Permission
from voipbin.common.timestamps import SENTINEL_TEXT
from voipbin.server.resources.call_routes import SIM_PROVIDER_ID

FIELDS = {
    "id",
    "name",
    "detail",
    "email",
    "phone_number",
    "address",
    "webhook_method",
    "webhook_uri",
    "billing_account_id",
    "metadata",
    "email_verified",
    "identity_verification_status",
    "status",
    "tm_create",
    "tm_update",
    "tm_delete",
}
#: What only a customer's admins see of it, on /v1.0/customer.
SECRET_FIELDS = {"webhook_secret", "tm_webhook_secret_rotate"}
EMPTY_UUID = "00000000-0000-0000-0000-000000000000"
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$")
ADMIN = int(Permission.CUSTOMER_ADMIN)
MANAGER = int(Permission.CUSTOMER_MANAGER)
AGENT = int(Permission.CUSTOMER_AGENT)
FULL = {
    "name": "Acme",
    "detail": "Enterprise customer",
    "email": "admin@acme.example.com",
    "phone_number": "+14155551234",
    "address": "123 Main St",
    "webhook_method": "POST",
    "webhook_uri": "https://hooks.acme.example.com/voipbin",
}


async def create(api: Api, **body: Any) -> dict[str, Any]:
    response = await api.client.post("/v1.0/customers", json=body, headers=api.headers)
    assert response.status_code == 201, response.text
    customer: dict[str, Any] = response.json()
    return customer


async def get(api: Api, customer_id: str) -> dict[str, Any]:
    response = await api.client.get(f"/v1.0/customers/{customer_id}", headers=api.headers)
    assert response.status_code == 200, response.text
    customer: dict[str, Any] = response.json()
    return customer


async def listed_ids(api: Api, **params: str) -> list[str]:
    response = await api.client.get("/v1.0/customers", params=params, headers=api.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"result", "next_page_token"}
    return [c["id"] for c in body["result"]]


# -- super-admin CRUD -------------------------------------------------------------------------


async def test_create_answers_201_with_every_upstream_field(api: Api) -> None:
    response = await api.client.post("/v1.0/customers", json=FULL, headers=api.headers)

    assert response.status_code == 201, response.text
    customer = response.json()
    assert set(customer) == FIELDS
    assert response.headers["location"] == f"/v1.0/customers/{customer['id']}"
    assert uuid.UUID(customer["id"]).version == 4
    assert {k: customer[k] for k in FULL} == FULL
    # Its billing account was made with it, and it names it.
    account = await api.client.get(
        f"/v1.0/billing_accounts/{customer['billing_account_id']}", headers=api.headers
    )
    assert account.status_code == 200, account.text
    assert account.json()["customer_id"] == customer["id"]
    assert customer["email_verified"] is False
    assert customer["identity_verification_status"] == "none"
    assert customer["metadata"] == {"rtp_debug": False}
    assert customer["status"] == "active"
    for name in ("tm_create", "tm_update", "tm_delete"):
        assert TIMESTAMP.match(customer[name]), customer[name]
    assert customer["tm_update"] == customer["tm_create"]
    assert customer["tm_delete"] == SENTINEL_TEXT


async def test_optional_fields_default_to_empty(api: Api) -> None:
    customer = await create(api, name="Bare")
    assert {k: customer[k] for k in FULL if k != "name"} == {k: "" for k in FULL if k != "name"}


async def test_get_and_list_show_what_create_stored(api: Api) -> None:
    first = await create(api, **FULL)
    second = await create(api, name="Second")

    assert await get(api, first["id"]) == first
    assert await get(api, first["id"].upper()) == first
    response = await api.client.get(f"/v1.0/customers/{uuid.uuid4()}", headers=api.headers)
    assert_error(response, 404, "NOT_FOUND", "CUSTOMER_NOT_FOUND")
    response = await api.client.get("/v1.0/customers", headers=api.headers)
    result = response.json()["result"]
    assert [c["id"] for c in result[:2]] == [second["id"], first["id"]]
    assert result[1] == first
    # The super-admin's own customer, made on first start, is listed too.
    assert len(result) == 3
    assert all(set(c) == FIELDS for c in result)
    assert all(c["email_verified"] is False for c in result)

    # Stored as 0/1 on SQLite; always a JSON boolean on the wire.
    await api.state.identity.customers.update(first["id"], {"email_verified": True})
    assert (await get(api, first["id"]))["email_verified"] is True
    response = await api.client.get("/v1.0/customers", headers=api.headers)
    assert [c["email_verified"] for c in response.json()["result"]] == [False, True, False]
    response = await api.client.put(
        f"/v1.0/customers/{first['id']}", json={"detail": "x"}, headers=api.headers
    )
    assert response.json()["email_verified"] is True


async def test_put_changes_the_fields_sent_and_keeps_the_rest(api: Api) -> None:
    customer = await create(api, **FULL)
    response = await api.client.put(
        f"/v1.0/customers/{customer['id']}",
        json={"name": "Acme Two", "webhook_method": "GET"},
        headers=api.headers,
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["name"] == "Acme Two"
    assert updated["webhook_method"] == "GET"
    refused = await api.client.put(
        f"/v1.0/customers/{customer['id']}", json={"status": "frozen"}, headers=api.headers
    )
    assert fields_of(assert_error(refused, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")) == [
        "status"
    ]
    updated = await get(api, customer["id"])
    assert updated["status"] == "active"  # not writable through PUT
    unchanged = {"id", "detail", "email", "phone_number", "address", "webhook_uri", "tm_create"}
    assert {k: updated[k] for k in unchanged} == {k: customer[k] for k in unchanged}
    assert updated["tm_update"] > customer["tm_update"]
    assert updated["email_verified"] is False
    assert await get(api, customer["id"]) == updated


async def test_bad_fields_are_400_naming_them(api: Api) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": 5}, "name"),
        ({"name": "x", "email": "not-an-email"}, "email"),
        ({"name": "x", "phone_number": "4155551234"}, "phone_number"),
        ({"name": "x", "webhook_method": "PATCH"}, "webhook_method"),
        ({"name": "x", "webhook_uri": "ftp://example.com/x"}, "webhook_uri"),
        ({"name": "x", "detail": ["a"]}, "detail"),
    ]
    customer = await create(api, name="Target")
    for body, field in cases:
        response = await api.client.post("/v1.0/customers", json=body, headers=api.headers)
        error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
        assert fields_of(error) == [field], body
        if body:
            update = {k: v for k, v in body.items() if k != "name" or field == "name"}
            response = await api.client.put(
                f"/v1.0/customers/{customer['id']}", json=update, headers=api.headers
            )
            error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
            assert fields_of(error) == [field], update
    assert await listed_ids(api) == [customer["id"], (await own_customer(api))["id"]]


async def test_the_status_filter(api: Api) -> None:
    active = await create(api, name="Active")
    frozen = await add_customer(api, "Frozen")
    await api.state.identity.customers.update(frozen, {"status": "frozen"})
    own = (await own_customer(api))["id"]

    assert await listed_ids(api, status="active") == [active["id"], own]
    assert await listed_ids(api, status="frozen") == [frozen]
    assert await listed_ids(api, status="expired") == []
    assert await listed_ids(api) == [frozen, active["id"], own]
    for bad in ("bogus", "ACTIVE"):
        response = await api.client.get(
            "/v1.0/customers", params={"status": bad}, headers=api.headers
        )
        error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_REQUEST_PARAMETER")
        assert fields_of(error) == ["status"]


async def test_only_super_admins_use_the_customers_collection(api: Api) -> None:
    admin = await add_agent(api, permission=ADMIN)
    key = await add_accesskey(api, admin.headers)
    for headers in (admin.headers, bearer(key["token"])):
        for method, path, body in (
            ("GET", "/v1.0/customers", None),
            ("POST", "/v1.0/customers", {"name": "x"}),
            ("GET", f"/v1.0/customers/{admin.customer_id}", None),
            ("PUT", f"/v1.0/customers/{admin.customer_id}", {"name": "x"}),
            ("DELETE", f"/v1.0/customers/{admin.customer_id}", None),
        ):
            response = await api.client.request(method, path, json=body, headers=headers)
            assert response.status_code == 403, (method, path, response.text)
            assert_error(response, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")
    assert (await get(api, admin.customer_id))["name"] == "Other"


# -- deletion ---------------------------------------------------------------------------------


async def test_delete_soft_deletes_and_is_idempotent(api: Api) -> None:
    customer = await create(api, **FULL)
    response = await api.client.delete(f"/v1.0/customers/{customer['id']}", headers=api.headers)
    assert response.status_code == 204
    assert response.content == b""

    deleted = await get(api, customer["id"])
    assert customer["status"] == "active"
    assert deleted["status"] == "deleted"
    assert deleted["tm_delete"] != SENTINEL_TEXT
    assert TIMESTAMP.match(deleted["tm_delete"])
    assert deleted["tm_update"] == deleted["tm_delete"]
    assert customer["id"] not in await listed_ids(api)
    assert await listed_ids(api, deleted="true") == [customer["id"]]
    assert await listed_ids(api, deleted="all", status="deleted") == [customer["id"]]

    again = await api.client.delete(f"/v1.0/customers/{customer['id']}", headers=api.headers)
    assert again.status_code == 204
    assert await get(api, customer["id"]) == deleted

    response = await api.client.put(
        f"/v1.0/customers/{customer['id']}", json={"name": "back"}, headers=api.headers
    )
    assert_error(response, 409, "FAILED_PRECONDITION", "CUSTOMER_STATE_INVALID")


async def test_deleting_a_customer_shuts_out_its_agents_and_keys_at_once(
    start_app: StartApp,
) -> None:
    # The default cache: deletion must not wait for cached principals to expire.
    api = await start_app(auth_cache_seconds=2.0)
    customer = await create(api, name="Doomed")
    admin = await add_agent(api, permission=ADMIN, customer_id=customer["id"])
    agent = await add_agent(api, permission=AGENT, customer_id=customer["id"])
    key = await add_accesskey(api, customer_id=customer["id"])
    bystander = await add_agent(api, permission=ADMIN)
    callers = (admin.headers, agent.headers, bearer(key["token"]))
    for headers in (*callers, bystander.headers):
        response = await api.client.get("/v1.0/customer", headers=headers)
        assert response.status_code == 200, response.text

    response = await api.client.delete(f"/v1.0/customers/{customer['id']}", headers=api.headers)
    assert response.status_code == 204

    for headers in callers:
        response = await api.client.get("/v1.0/customer", headers=headers)
        assert_error(response, 401, "UNAUTHENTICATED", "INVALID_CREDENTIALS")
        response = await api.client.get("/v1.0/tags", headers=headers)
        assert_error(response, 401, "UNAUTHENTICATED", "INVALID_CREDENTIALS")
    response = await login(api, admin.username, admin.password)
    assert_error(response, 401, "UNAUTHENTICATED", "INVALID_CREDENTIALS")
    # Another customer is untouched.
    response = await api.client.get("/v1.0/customer", headers=bystander.headers)
    assert response.status_code == 200, response.text


async def test_a_super_admin_cannot_delete_their_own_customer(api: Api) -> None:
    own = await own_customer(api)
    response = await api.client.delete(f"/v1.0/customers/{own['id']}", headers=api.headers)
    assert_error(response, 409, "FAILED_PRECONDITION", "CUSTOMER_STATE_INVALID")
    assert (await get(api, own["id"]))["tm_delete"] == SENTINEL_TEXT
    response = await api.client.get("/v1.0/customer", headers=api.headers)
    assert response.status_code == 200, response.text


# -- /v1.0/customer: the caller's own -----------------------------------------------------------


async def own_customer(api: Api, headers: dict[str, str] | None = None) -> dict[str, Any]:
    response = await api.client.get("/v1.0/customer", headers=headers or api.headers)
    assert response.status_code == 200, response.text
    customer: dict[str, Any] = response.json()
    return customer


async def test_everyone_reads_their_own_customer(api: Api) -> None:
    customer = await create(api, **FULL)
    own = await own_customer(api)
    assert set(own) == FIELDS | SECRET_FIELDS  # a super-admin is its own customer's admin
    assert own["name"] == "Project"
    assert own["id"] != customer["id"]
    key = await add_accesskey(api, customer_id=customer["id"])
    for permission in (MANAGER, AGENT):
        agent = await add_agent(api, permission=permission, customer_id=customer["id"])
        assert await own_customer(api, agent.headers) == customer
    admin = await add_agent(api, permission=ADMIN, customer_id=customer["id"])
    for headers in (admin.headers, bearer(key["token"])):
        seen = await own_customer(api, headers)
        assert {k: v for k, v in seen.items() if k not in SECRET_FIELDS} == customer
        assert set(seen) == FIELDS | SECRET_FIELDS


async def test_an_admin_updates_their_own_customer_and_others_may_not(api: Api) -> None:
    customer = await create(api, **FULL)
    admin = await add_agent(api, permission=ADMIN, customer_id=customer["id"])
    manager = await add_agent(api, permission=MANAGER, customer_id=customer["id"])
    agent = await add_agent(api, permission=AGENT, customer_id=customer["id"])
    key = await add_accesskey(api, customer_id=customer["id"])

    response = await api.client.put(
        "/v1.0/customer",
        json={"detail": "changed by its admin", "id": str(uuid.uuid4())},
        headers=admin.headers,
    )
    assert fields_of(assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")) == ["id"]
    response = await api.client.put(
        "/v1.0/customer", json={"detail": "changed by its admin"}, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["detail"] == "changed by its admin"
    assert response.json()["id"] == customer["id"]
    response = await api.client.put(
        "/v1.0/customer", json={"name": "by key"}, headers=bearer(key["token"])
    )
    assert response.status_code == 200, response.text

    for headers in (manager.headers, agent.headers):
        response = await api.client.put("/v1.0/customer", json={"name": "no"}, headers=headers)
        assert_error(response, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")

    stored = await get(api, customer["id"])
    assert (stored["name"], stored["detail"]) == ("by key", "changed by its admin")
    response = await api.client.put("/v1.0/customer", json={"email": "nope"}, headers=admin.headers)
    assert fields_of(assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")) == [
        "email"
    ]


async def test_the_super_admin_updates_their_own_customer(api: Api) -> None:
    response = await api.client.put(
        "/v1.0/customer", json={"name": "Renamed project"}, headers=api.headers
    )
    assert response.status_code == 200, response.text
    assert (await own_customer(api))["name"] == "Renamed project"


async def test_deleting_a_customer_deletes_its_agents_and_keys_and_frees_usernames(
    api: Api,
) -> None:
    customer = await add_customer(api)
    agent = await add_agent(api, permission=32, customer_id=customer)
    key = await add_accesskey(api, customer_id=customer)

    deleted = await api.client.delete(f"/v1.0/customers/{customer}", headers=api.headers)
    agents = await api.client.get(
        f"/v1.0/agents?customer_id={customer}&deleted=true", headers=api.headers
    )
    keys = await api.client.get(
        f"/v1.0/accesskeys?customer_id={customer}&deleted=true", headers=api.headers
    )
    again = await api.client.post(
        "/v1.0/agents",
        json={"username": agent.username, "password": "password-1"},
        headers=api.headers,
    )

    assert deleted.status_code == 204
    assert [a["id"] for a in agents.json()["result"]] == [agent.id]
    assert [k["id"] for k in keys.json()["result"]] == [key["id"]]
    assert again.status_code == 201


async def test_a_customer_and_its_agents_and_keys_are_deleted_together_or_not_at_all(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer = await create(api, name="Kept")
    agent = await add_agent(api, permission=ADMIN, customer_id=customer["id"])
    await add_accesskey(api, customer_id=customer["id"])

    async def down(*args: object, **kwargs: object) -> int:
        raise Unavailable()

    keys = api.state.services["accesskey"].repository
    monkeypatch.setattr(keys, "soft_delete_owned", down)
    failed = await api.client.delete(f"/v1.0/customers/{customer['id']}", headers=api.headers)
    monkeypatch.undo()
    kept = await get(api, customer["id"])
    still = await api.client.get("/v1.0/customer", headers=agent.headers)

    assert_error(failed, 503, "UNAVAILABLE", "SERVICE_UNAVAILABLE")
    assert (kept["status"], kept["tm_delete"]) == ("active", SENTINEL_TEXT)
    assert still.status_code == 200, still.text


async def test_deleting_a_customer_releases_its_numbers_and_deletes_what_it_configured(
    api: Api,
) -> None:
    customer = await add_customer(api)
    admin = await add_agent(api, permission=ADMIN, customer_id=customer)
    made = {}
    for path, body in (
        ("/v1.0/numbers", {"number": "+899123456789"}),
        ("/v1.0/flows", {"name": "menu"}),
        ("/v1.0/extensions", {"extension": "100", "password": "sip-password-1"}),
        (
            "/v1.0/trunks",
            {"domain_name": "acme", "auth_types": ["ip"], "allowed_ips": ["192.0.2.1"]},
        ),
    ):
        response = await api.client.post(path, json=body, headers=admin.headers)
        assert response.status_code == 201, response.text
        made[path] = response.json()["id"]
    route = await api.client.post(
        "/v1.0/routes",
        json={
            "customer_id": customer,
            "provider_id": SIM_PROVIDER_ID,
            "target": "all",
        },
        headers=api.headers,
    )

    deleted = await api.client.delete(f"/v1.0/customers/{customer}", headers=api.headers)

    assert deleted.status_code == 204
    for path, id in made.items():
        response = await api.client.get(f"{path}/{id}", headers=api.headers)
        assert response.json()["tm_delete"] != SENTINEL_TEXT, path
    number = await api.client.get(f"/v1.0/numbers/{made['/v1.0/numbers']}", headers=api.headers)
    assert number.json()["status"] == "deleted"
    assert route.status_code == 201, route.text
    gone = await api.client.get(f"/v1.0/routes/{route.json()['id']}", headers=api.headers)
    assert gone.json()["tm_delete"] != SENTINEL_TEXT
    # What it held is free for others: the number and the trunk's domain name.
    other = await add_agent(api, permission=ADMIN)
    for path, body in (
        ("/v1.0/numbers", {"number": "+899123456789"}),
        (
            "/v1.0/trunks",
            {"domain_name": "acme", "auth_types": ["ip"], "allowed_ips": ["192.0.2.1"]},
        ),
    ):
        response = await api.client.post(path, json=body, headers=other.headers)
        assert response.status_code == 201, response.text
