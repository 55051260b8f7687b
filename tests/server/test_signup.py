"""``POST /auth/signup``: off unless ``VOIPBIN_SIGNUP=open``; a customer, its admin and an
access key in one step; no way to learn which emails exist."""

from __future__ import annotations

import re

from tests.server.conftest import StartApp, assert_error, fields_of

BODY = {"email": "owner@acme.example.com", "accepted_tos": True, "name": "Acme"}


async def test_signup_is_not_served_unless_opened(start_app: StartApp) -> None:
    api = await start_app()

    response = await api.client.post("/auth/signup", json=BODY)

    assert_error(response, 404, "NOT_FOUND", "ROUTE_NOT_FOUND")
    document = (await api.client.get("/openapi.json")).json()
    assert "/auth/signup" not in document["paths"]


async def test_signup_creates_a_customer_whose_access_key_acts_as_its_admin(
    start_app: StartApp,
) -> None:
    api = await start_app(signup="open")

    response = await api.client.post("/auth/signup", json=BODY)

    assert response.status_code == 200, response.text
    document = (await api.client.get("/openapi.json")).json()
    assert "post" in document["paths"]["/auth/signup"]
    body = response.json()
    assert set(body) == {"customer", "accesskey"}
    customer, key = body["customer"], body["accesskey"]
    assert (customer["email"], customer["name"], customer["status"]) == (
        BODY["email"],
        "Acme",
        "active",
    )
    assert key["customer_id"] == customer["id"]
    assert re.fullmatch(r"vb_[A-Za-z0-9_-]{32}", key["token"])
    key_headers = {"Authorization": f"Bearer {key['token']}"}
    me = await api.client.get("/v1.0/customer", headers=key_headers)
    assert me.json()["id"] == customer["id"]
    agents = await api.client.get("/v1.0/agents", headers=key_headers)
    assert [(a["username"], a["permission"]) for a in agents.json()["result"]] == [
        (BODY["email"], 32)
    ]
    # The admin has no password until one is set: logging in with any fails, even with the
    # text the server checks against when there is no hash (so both take the same time).
    for password in ("", "voipbin: no such agent"):
        login = await api.client.post(
            "/auth/login", json={"username": BODY["email"], "password": password}
        )
        assert_error(login, 401, "UNAUTHENTICATED", "INVALID_CREDENTIALS")


async def test_a_second_signup_with_the_same_email_learns_nothing(start_app: StartApp) -> None:
    api = await start_app(signup="open")
    first = await api.client.post("/auth/signup", json=BODY)
    assert first.status_code == 200

    again = await api.client.post("/auth/signup", json={**BODY, "name": "Other"})

    assert (again.status_code, again.json()) == (200, {})
    customers = await api.client.get("/v1.0/customers", headers=api.headers)
    assert [c["name"] for c in customers.json()["result"]].count("Other") == 0


async def test_signup_checks_its_body(start_app: StartApp) -> None:
    api = await start_app(signup="open")
    cases = [
        ({**BODY, "accepted_tos": False}, "accepted_tos"),
        ({"email": BODY["email"]}, "accepted_tos"),
        ({**BODY, "email": "not-an-email"}, "email"),
        ({**BODY, "phone_number": "555"}, "phone_number"),
        ({**BODY, "webhook_method": "PATCH"}, "webhook_method"),
    ]
    for body, field in cases:
        response = await api.client.post("/auth/signup", json=body)
        error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
        assert fields_of(error) == [field], body


async def test_signup_refuses_an_unknown_query_parameter(start_app: StartApp) -> None:
    api = await start_app(signup="open")
    response = await api.client.post("/auth/signup?promo=1", json=BODY)
    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_REQUEST_PARAMETER")
    assert error["details"][0]["field"] == "promo"
    again = await api.client.post("/auth/signup", json=BODY)
    assert again.status_code == 200, again.text
    assert again.json()["customer"]["email"] == BODY["email"]
