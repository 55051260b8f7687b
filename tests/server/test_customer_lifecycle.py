"""The customer lifecycle: freeze and recover, what a frozen customer may still do, the
super-admin's actions on a customer (billing account, metadata, identity verification), and
the webhook secret."""

from __future__ import annotations

import uuid
from typing import Any

from tests.server.conftest import (
    Agent,
    Api,
    add_accesskey,
    add_agent,
    assert_error,
    bearer,
    fields_of,
)
from voipbin.common.permissions import Permission
from voipbin.common.timestamps import SENTINEL_TEXT

ADMIN = int(Permission.CUSTOMER_ADMIN)
AGENT = int(Permission.CUSTOMER_AGENT)


async def new_customer(api: Api) -> str:
    response = await api.client.post("/v1.0/customers", json={"name": "Acme"}, headers=api.headers)
    assert response.status_code == 201, response.text
    customer_id: str = response.json()["id"]
    return customer_id


async def act(api: Api, customer_id: str, action: str) -> Any:
    return await api.client.post(f"/v1.0/customers/{customer_id}/{action}", headers=api.headers)


async def frozen_customer(api: Api) -> tuple[str, Agent, Agent, dict[str, str]]:
    """A frozen customer, with an admin, an agent and an access key made before the freeze."""
    customer_id = await new_customer(api)
    admin = await add_agent(api, permission=ADMIN, customer_id=customer_id)
    agent = await add_agent(api, permission=AGENT, customer_id=customer_id)
    key = await add_accesskey(api, customer_id=customer_id)
    response = await act(api, customer_id, "freeze")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "frozen"
    return customer_id, admin, agent, bearer(key["token"])


# -- freeze and recover ---------------------------------------------------------------------


async def test_freeze_and_recover_move_between_active_and_frozen(api: Api) -> None:
    customer_id = await new_customer(api)
    frozen = await act(api, customer_id, "freeze")
    assert frozen.status_code == 200, frozen.text
    assert frozen.json()["status"] == "frozen"
    again = await act(api, customer_id, "freeze")
    assert_error(again, 409, "FAILED_PRECONDITION", "CUSTOMER_STATE_INVALID")
    recovered = await act(api, customer_id, "recover")
    assert recovered.status_code == 200, recovered.text
    assert recovered.json()["status"] == "active"
    stored = await api.client.get(f"/v1.0/customers/{customer_id}", headers=api.headers)
    assert stored.json()["status"] == "active"
    twice = await act(api, customer_id, "recover")
    assert_error(twice, 409, "FAILED_PRECONDITION", "CUSTOMER_STATE_INVALID")


async def test_a_deleted_customer_can_be_neither_frozen_nor_recovered(api: Api) -> None:
    customer_id = await new_customer(api)
    deleted = await api.client.delete(f"/v1.0/customers/{customer_id}", headers=api.headers)
    assert deleted.status_code == 204
    for action in ("freeze", "recover"):
        response = await act(api, customer_id, action)
        assert_error(response, 409, "FAILED_PRECONDITION", "CUSTOMER_STATE_INVALID")
    stored = await api.client.get(f"/v1.0/customers/{customer_id}", headers=api.headers)
    assert stored.json()["status"] == "deleted"


async def test_an_action_of_no_body_refuses_fields(api: Api) -> None:
    customer_id = await new_customer(api)
    response = await api.client.post(
        f"/v1.0/customers/{customer_id}/freeze", json={"status": "x"}, headers=api.headers
    )
    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    assert fields_of(error) == ["status"]
    empty = await api.client.post(
        f"/v1.0/customers/{customer_id}/freeze", json={}, headers=api.headers
    )
    assert empty.status_code == 200, empty.text


async def test_a_super_admin_cannot_freeze_their_own_customer(api: Api) -> None:
    own = await api.client.get("/v1.0/customer", headers=api.headers)
    response = await act(api, own.json()["id"], "freeze")
    assert_error(response, 409, "FAILED_PRECONDITION", "CUSTOMER_STATE_INVALID")


# -- a frozen customer reads, and writes nothing ----------------------------------------------


async def test_a_frozen_customers_credentials_still_read(api: Api) -> None:
    _, admin, agent, key = await frozen_customer(api)
    for headers in (admin.headers, agent.headers, key):
        for path in ("/v1.0/customer", "/v1.0/tags", f"/v1.0/agents/{agent.id}"):
            response = await api.client.get(path, headers=headers)
            assert response.status_code == 200, (path, response.text)
    assert (await api.client.get("/v1.0/customer", headers=key)).json()["status"] == "frozen"


async def test_every_write_of_a_frozen_customer_is_403_account_frozen(api: Api) -> None:
    customer_id = await new_customer(api)
    admin = await add_agent(api, permission=ADMIN, customer_id=customer_id)
    agent = await add_agent(api, permission=AGENT, customer_id=customer_id)
    key = bearer((await add_accesskey(api, customer_id=customer_id))["token"])
    tag = await api.client.post("/v1.0/tags", json={"name": "t"}, headers=key)
    assert tag.status_code == 201, tag.text
    tag_id = tag.json()["id"]
    assert (await act(api, customer_id, "freeze")).status_code == 200

    writes: list[tuple[str, str, dict[str, Any] | None]] = [
        ("POST", "/v1.0/tags", {"name": "new"}),
        ("PUT", f"/v1.0/tags/{tag_id}", {"name": "renamed"}),
        ("DELETE", f"/v1.0/tags/{tag_id}", None),
        ("PUT", f"/v1.0/agents/{agent.id}/status", {"status": "available"}),
        ("PUT", "/v1.0/customer", {"name": "renamed"}),
        ("PUT", "/v1.0/customer/metadata", {"rtp_debug": True}),
        ("POST", "/v1.0/customer/webhook_secret_rotate", None),
    ]
    for headers in (admin.headers, agent.headers, key):
        for method, path, body in writes:
            response = await api.client.request(method, path, json=body, headers=headers)
            error = assert_error(response, 403, "PERMISSION_DENIED", "ACCOUNT_FROZEN")
            assert error["message"] == "This account is frozen. Contact support."
    # Nothing changed.
    stored = await api.client.get(f"/v1.0/tags/{tag_id}", headers=key)
    assert stored.json()["name"] == "t"
    assert stored.json()["tm_delete"] == SENTINEL_TEXT


async def test_recover_restores_writes(api: Api) -> None:
    customer_id, admin, _, key = await frozen_customer(api)
    assert (await act(api, customer_id, "recover")).status_code == 200
    for headers in (admin.headers, key):
        response = await api.client.post("/v1.0/tags", json={"name": "t"}, headers=headers)
        assert response.status_code == 201, response.text


async def test_a_super_admin_still_acts_on_a_frozen_customer(api: Api) -> None:
    customer_id = await new_customer(api)
    key = bearer((await add_accesskey(api, customer_id=customer_id))["token"])
    tag = (await api.client.post("/v1.0/tags", json={"name": "t"}, headers=key)).json()
    assert (await act(api, customer_id, "freeze")).status_code == 200
    response = await api.client.put(
        f"/v1.0/tags/{tag['id']}", json={"name": "fixed by support"}, headers=api.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "fixed by support"


# -- the super-admin's actions ----------------------------------------------------------------


async def test_a_super_admin_sets_the_billing_account_id(api: Api) -> None:
    customer_id = await new_customer(api)
    # Another customer's live account: one account may pay for several customers.
    other = await api.client.get(f"/v1.0/customers/{await new_customer(api)}", headers=api.headers)
    account = other.json()["billing_account_id"]
    path = f"/v1.0/customers/{customer_id}/billing_account_id"
    unknown = await api.client.put(
        path, json={"billing_account_id": str(uuid.uuid4())}, headers=api.headers
    )
    assert fields_of(assert_error(unknown, 422, "INVALID_ARGUMENT", "UNPROCESSABLE_ENTITY")) == [
        "billing_account_id"
    ]
    response = await api.client.put(path, json={"billing_account_id": account}, headers=api.headers)
    assert response.status_code == 200, response.text
    assert response.json()["billing_account_id"] == account
    stored = await api.client.get(f"/v1.0/customers/{customer_id}", headers=api.headers)
    assert stored.json()["billing_account_id"] == account
    bad = await api.client.put(path, json={"billing_account_id": "x"}, headers=api.headers)
    assert fields_of(assert_error(bad, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")) == [
        "billing_account_id"
    ]


async def test_identity_verification_takes_the_four_values(api: Api) -> None:
    customer_id = await new_customer(api)
    path = f"/v1.0/customers/{customer_id}/identity_verification_status"
    for value in ("pending", "verified", "rejected", "none"):
        response = await api.client.put(
            path, json={"identity_verification_status": value}, headers=api.headers
        )
        assert response.status_code == 200, response.text
        assert response.json()["identity_verification_status"] == value
    bad = await api.client.put(
        path, json={"identity_verification_status": "approved"}, headers=api.headers
    )
    error = assert_error(bad, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    assert fields_of(error) == ["identity_verification_status"]


async def test_metadata_both_ways_keeps_flags_not_sent(api: Api) -> None:
    customer_id = await new_customer(api)
    admin = await add_agent(api, permission=ADMIN, customer_id=customer_id)
    by_super = await api.client.put(
        f"/v1.0/customers/{customer_id}/metadata", json={"rtp_debug": True}, headers=api.headers
    )
    assert by_super.status_code == 200, by_super.text
    assert by_super.json()["metadata"] == {"rtp_debug": True}
    kept = await api.client.put("/v1.0/customer/metadata", json={}, headers=admin.headers)
    assert kept.status_code == 200, kept.text
    assert kept.json()["metadata"] == {"rtp_debug": True}
    by_admin = await api.client.put(
        "/v1.0/customer/metadata", json={"rtp_debug": False}, headers=admin.headers
    )
    assert by_admin.status_code == 200, by_admin.text
    assert by_admin.json()["metadata"] == {"rtp_debug": False}
    stored = await api.client.get(f"/v1.0/customers/{customer_id}", headers=api.headers)
    assert stored.json()["metadata"] == {"rtp_debug": False}


async def test_metadata_is_bounded_by_its_shape(api: Api) -> None:
    customer_id = await new_customer(api)
    admin = await add_agent(api, permission=ADMIN, customer_id=customer_id)
    for body, field in (
        ({"anything": "x" * 1000}, "anything"),
        ({"rtp_debug": "yes"}, "rtp_debug"),
    ):
        response = await api.client.put("/v1.0/customer/metadata", json=body, headers=admin.headers)
        error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
        assert fields_of(error) == [field]


async def test_only_a_customers_admin_changes_its_metadata(api: Api) -> None:
    agent = await add_agent(api, permission=AGENT)
    response = await api.client.put(
        "/v1.0/customer/metadata", json={"rtp_debug": True}, headers=agent.headers
    )
    assert_error(response, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")


# -- the webhook secret ---------------------------------------------------------------------


async def test_every_customer_gets_a_webhook_secret_its_admin_sees(api: Api) -> None:
    customer_id = await new_customer(api)
    admin = await add_agent(api, permission=ADMIN, customer_id=customer_id)
    agent = await add_agent(api, permission=AGENT, customer_id=customer_id)
    own = (await api.client.get("/v1.0/customer", headers=admin.headers)).json()
    assert own["webhook_secret"].startswith("whsec_")
    assert len(own["webhook_secret"]) > 40
    assert own["tm_webhook_secret_rotate"] == SENTINEL_TEXT
    # The super-admin's views and the customer's agents do not show it.
    listed = (await api.client.get("/v1.0/customers", headers=api.headers)).json()["result"]
    got = (await api.client.get(f"/v1.0/customers/{customer_id}", headers=api.headers)).json()
    seen_by_agent = (await api.client.get("/v1.0/customer", headers=agent.headers)).json()
    for customer in (*listed, got, seen_by_agent):
        assert "webhook_secret" not in customer
    # The bootstrap customer has one too, each its own.
    project = (await api.client.get("/v1.0/customer", headers=api.headers)).json()
    assert project["webhook_secret"].startswith("whsec_")
    assert project["webhook_secret"] != own["webhook_secret"]


async def test_signup_makes_a_webhook_secret(start_app: Any) -> None:
    api = await start_app(signup="open")
    response = await api.client.post(
        "/auth/signup", json={"email": "new@acme.example.com", "accepted_tos": True}
    )
    assert response.status_code == 200, response.text
    key = response.json()["accesskey"]["token"]
    own = (await api.client.get("/v1.0/customer", headers=bearer(key))).json()
    assert own["webhook_secret"].startswith("whsec_")


async def test_rotating_the_secret_keeps_the_previous_one(api: Api) -> None:
    customer_id = await new_customer(api)
    admin = await add_agent(api, permission=ADMIN, customer_id=customer_id)
    before = (await api.client.get("/v1.0/customer", headers=admin.headers)).json()
    response = await api.client.post("/v1.0/customer/webhook_secret_rotate", headers=admin.headers)
    assert response.status_code == 200, response.text
    rotated = response.json()
    assert rotated["webhook_secret"].startswith("whsec_")
    assert rotated["webhook_secret"] != before["webhook_secret"]
    assert rotated["tm_webhook_secret_rotate"] != SENTINEL_TEXT
    after = (await api.client.get("/v1.0/customer", headers=admin.headers)).json()
    assert after["webhook_secret"] == rotated["webhook_secret"]
    row = await api.state.services["customer"].repository.find(
        ("webhook_secret_previous",), {"id": customer_id}
    )
    assert row is not None
    assert row[0] == before["webhook_secret"]


async def test_only_a_customers_admin_rotates_its_secret(api: Api) -> None:
    agent = await add_agent(api, permission=AGENT)
    response = await api.client.post("/v1.0/customer/webhook_secret_rotate", headers=agent.headers)
    assert_error(response, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")
