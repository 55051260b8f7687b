"""Two real ``voipbin serve`` processes on one database charge one billing account: 50
concurrent purchases of a $1 number against $10 give exactly 10 numbers and 40
``402 INSUFFICIENT_BALANCE``, on SQLite (one file) and on PostgreSQL, and the ledger sums to
the balance."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.backends import postgres_database
from tests.processes import Server, prepare_database, serving, wait_until_up
from tests.server.conftest import ADMIN_PASSWORD, ADMIN_USERNAME

Json = dict[str, Any]

PURCHASES = 50
DOLLAR = 1_000_000

#: A number's first month costs $1, and no rate limit gets in the way.
SETTINGS = {
    "VOIPBIN_BILLING_PRICES": '{"number": {"credit": 1000000}}',
    "VOIPBIN_RATELIMIT_AUTH_RATE": "0",
    "VOIPBIN_RATELIMIT_IP_RATE": "0",
    "VOIPBIN_RATELIMIT_CUSTOMER_RATE": "0",
}


@pytest.fixture(params=["sqlite", "postgres"])
def shared_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each backend that both servers open: one SQLite file, or a
    PostgreSQL database of this test's own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'voipbin.db'}"
        return
    with postgres_database() as url:
        yield url


def checked(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def new_customer(client: httpx.Client, url: str, admin: dict[str, str]) -> tuple[str, str, str]:
    """A verified customer with $10 and an access key, made through the API; its id, its
    billing account's id and the key's token."""
    customer = checked(
        client.post(f"{url}/v1.0/customers", json={"name": "Busy"}, headers=admin), 201
    )
    checked(
        client.put(
            f"{url}/v1.0/customers/{customer['id']}/identity_verification_status",
            json={"identity_verification_status": "verified"},
            headers=admin,
        )
    )
    account_id = customer["billing_account_id"]
    funded = checked(
        client.post(
            f"{url}/v1.0/billing_accounts/{account_id}/balance_add_force",
            json={"balance": 10},
            headers=admin,
        )
    )
    assert funded["balance_credit"] == 10 * DOLLAR
    key = checked(
        client.post(f"{url}/v1.0/accesskeys", json={"customer_id": customer["id"]}, headers=admin),
        201,
    )
    assert key["customer_id"] == customer["id"]
    return customer["id"], account_id, key["token"]


async def buy_all(servers: list[Server], numbers: list[str], token: str) -> list[httpx.Response]:
    """Every purchase at once, alternating between the servers."""
    limits = httpx.Limits(max_connections=len(numbers))
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        return await asyncio.gather(
            *(
                client.post(
                    f"{servers[n % len(servers)].url}/v1.0/numbers",
                    json={"number": number},
                    headers={"Authorization": f"Bearer {token}"},
                )
                for n, number in enumerate(numbers)
            )
        )


def every(client: httpx.Client, url: str, headers: dict[str, str], **params: str) -> list[Json]:
    """Every item of a list endpoint, page by page, as it lists them (newest first)."""
    items: list[Json] = []
    page_token = ""
    while True:
        query = {**params, "page_size": "5", **({"page_token": page_token} if page_token else {})}
        body = checked(client.get(url, params=query, headers=headers))
        items += body["result"]
        page_token = body["next_page_token"]
        if not page_token:
            return items


def test_fifty_concurrent_dollar_charges_across_two_servers_take_exactly_ten(
    shared_database: str,
) -> None:
    prepare_database(shared_database)
    with ExitStack() as stack, httpx.Client(timeout=10) as client:
        a = stack.enter_context(serving(shared_database, **SETTINGS))
        b = stack.enter_context(serving(shared_database, **SETTINGS))
        servers = [a, b]
        try:
            wait_until_up(servers, client)
            login = checked(
                client.post(
                    f"{a.url}/auth/login",
                    json={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD},
                )
            )
            admin = {"Authorization": f"Bearer {login['token']}"}
            customer_id, account_id, token = new_customer(client, a.url, admin)
            own = {"Authorization": f"Bearer {token}"}
            offered = checked(
                client.get(
                    f"{b.url}/v1.0/available_numbers",
                    params={"country_code": "US", "page_size": str(PURCHASES)},
                    headers=own,
                )
            )["result"]
            numbers = [o["number"] for o in offered]
            assert len(set(numbers)) == PURCHASES

            responses = asyncio.run(buy_all(servers, numbers, token))

            account = checked(client.get(f"{b.url}/v1.0/billing_account", headers=own))
            held = every(client, f"{a.url}/v1.0/numbers", own)
            rows = every(client, f"{b.url}/v1.0/billings", own)[::-1]
        finally:
            stack.close()

    outputs = [a.output, b.output]
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] * 10 + [402] * 40, {r.text for r in responses if r.status_code != 201}
    for response in responses:
        if response.status_code == 402:
            assert response.json()["error"]["reason"] == "INSUFFICIENT_BALANCE", response.text
    bought = {r.json()["number"] for r in responses if r.status_code == 201}
    assert all(r.json()["customer_id"] == customer_id for r in responses if r.status_code == 201)

    assert account["balance_credit"] == 0
    live = [n for n in held if n["status"] == "active"]
    assert len(live) == len(held) == 10
    assert {n["number"] for n in live} == bought

    usage = [r for r in rows if r["transaction_type"] == "usage"]
    assert len(usage) == 10
    assert all((r["cost_type"], r["amount_credit"]) == ("number", -DOLLAR) for r in usage)
    assert {r["reference_id"] for r in usage} == {n["id"] for n in live}
    credit = tokens = 0
    for row in rows:
        assert row["account_id"] == account_id
        credit += row["amount_credit"]
        tokens += row["amount_token"]
        assert (row["balance_credit_snapshot"], row["balance_token_snapshot"]) == (credit, tokens)
    assert (credit, tokens) == (account["balance_credit"], account["balance_token"])

    for output in outputs:
        assert "Traceback" not in output, output
