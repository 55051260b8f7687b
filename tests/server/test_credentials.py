"""Every credential transport authenticates, and when a request carries several the first found
wins: ``Authorization: Bearer``, cookie ``token``, query ``token``, cookie ``accesskey``, query
``accesskey``."""

from __future__ import annotations

import base64
import itertools
from dataclasses import dataclass, field

import httpx

from tests.server.conftest import Api, add_accesskey, add_agent, add_customer, assert_error
from voipbin.common.permissions import Permission

ADMIN = int(Permission.CUSTOMER_ADMIN)
SLOTS = ("header", "cookie token", "query token", "cookie accesskey", "query accesskey")
BAD_JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
BAD_KEY = "vb_" + "x" * 32


@dataclass
class Credentials:
    """Where a request carries its credentials."""

    headers: dict[str, str] = field(default_factory=dict)
    cookies: list[str] = field(default_factory=list)
    params: dict[str, str] = field(default_factory=dict)

    def put(self, slot: str, value: str) -> Credentials:
        if slot == "header":
            self.headers["Authorization"] = f"Bearer {value}"
        elif slot.startswith("cookie "):
            self.cookies.append(f"{slot.removeprefix('cookie ')}={value}")
        else:
            self.params[slot.removeprefix("query ")] = value
        return self

    async def send(
        self, api: Api, method: str, path: str, json: dict[str, str] | None = None
    ) -> httpx.Response:
        headers = dict(self.headers)
        if self.cookies:
            # A raw header: httpx deprecates per-request cookies.
            headers["Cookie"] = "; ".join(self.cookies)
        return await api.client.request(
            method, path, headers=headers, params=self.params, json=json
        )

    async def get(self, api: Api, path: str = "/v1.0/customer") -> httpx.Response:
        return await self.send(api, "GET", path)


async def customer_of(api: Api, credentials: Credentials) -> str:
    response = await credentials.get(api)
    assert response.status_code == 200, (credentials, response.text)
    customer_id: str = response.json()["id"]
    return customer_id


async def test_every_transport_authenticates(api: Api) -> None:
    agent = await add_agent(api, permission=ADMIN)
    jwt = agent.headers["Authorization"].removeprefix("Bearer ")
    key_customer = await add_customer(api, "Keyed")
    key = (await add_accesskey(api, customer_id=key_customer))["token"]

    for slot, token, customer_id in (
        ("header", jwt, agent.customer_id),
        ("header", key, key_customer),
        ("cookie token", jwt, agent.customer_id),
        ("query token", jwt, agent.customer_id),
        ("cookie accesskey", key, key_customer),
        ("query accesskey", key, key_customer),
    ):
        credentials = Credentials().put(slot, token)
        assert await customer_of(api, credentials) == customer_id, slot
        if token == jwt:
            me = await credentials.get(api, "/v1.0/me")
            assert me.status_code == 200, (slot, me.text)
            assert me.json()["id"] == agent.id
        created = await credentials.send(api, "POST", "/v1.0/tags", {"name": slot})
        assert created.status_code == 201, (slot, created.text)
        assert created.json()["customer_id"] == customer_id


async def test_the_first_credential_found_wins(api: Api) -> None:
    # Each slot holds a good credential of its own customer, so the answer names the winner.
    good: list[str] = []
    customers: list[str] = []
    for slot in SLOTS:
        if slot.endswith("accesskey"):
            customer_id = await add_customer(api, slot)
            good.append((await add_accesskey(api, customer_id=customer_id))["token"])
        else:
            agent = await add_agent(api, permission=ADMIN)
            customer_id = agent.customer_id
            good.append(agent.headers["Authorization"].removeprefix("Bearer "))
        customers.append(customer_id)
    bad = [BAD_KEY if slot.endswith("accesskey") else BAD_JWT for slot in SLOTS]
    assert len(set(customers)) == len(SLOTS)

    for first in range(len(SLOTS)):
        everything = Credentials()
        for i in range(first, len(SLOTS)):
            everything.put(SLOTS[i], good[i])
        assert await customer_of(api, everything) == customers[first], SLOTS[first]

    for i, j in itertools.combinations(range(len(SLOTS)), 2):
        # A good credential first: a bad one later is never read.
        winner = Credentials().put(SLOTS[i], good[i]).put(SLOTS[j], bad[j])
        assert await customer_of(api, winner) == customers[i], (SLOTS[i], SLOTS[j])
        # A bad credential first: a good one later does not rescue the request.
        response = await Credentials().put(SLOTS[i], bad[i]).put(SLOTS[j], good[j]).get(api)
        assert response.status_code == 401, (SLOTS[i], SLOTS[j], response.text)
        assert_error(response, 401, "UNAUTHENTICATED", "INVALID_CREDENTIALS")


async def test_an_authorization_header_that_is_not_bearer_is_401(api: Api) -> None:
    key = (await add_accesskey(api))["token"]
    basic = base64.b64encode(b"admin@localhost:admin-password").decode()
    for header in (
        f"Basic {basic}",
        f"Token {key}",
        f"JWT {api.token}",
        f"Bearer{api.token}",
        api.token,
        key,
        "Bearer",
    ):
        for cookie in ({}, {"Cookie": f"token={api.token}; accesskey={key}"}):
            response = await api.client.get(
                "/v1.0/customer",
                headers={"Authorization": header, **cookie},
                params={"token": api.token, "accesskey": key},
            )
            assert response.status_code == 401, (header, response.text)
            assert_error(response, 401, "UNAUTHENTICATED", "INVALID_CREDENTIALS")


async def test_no_credential_anywhere_is_401_authentication_required(api: Api) -> None:
    for headers, params in (
        ({}, {}),
        ({"Cookie": "session=abc; other=1"}, {"page_size": "5", "tokens": api.token}),
    ):
        response = await api.client.get("/v1.0/customer", headers=headers, params=params)
        assert_error(response, 401, "UNAUTHENTICATED", "AUTHENTICATION_REQUIRED")
