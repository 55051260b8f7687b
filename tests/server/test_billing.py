"""Billing accounts, the ledger and the charges a user sees through the API: a customer's
account is made with it, super-admins force balances up and down, buying a normal number
charges its first month or answers 402, and the ledger always sums to the balance."""

from __future__ import annotations

from typing import Any

import pytest

from tests.server.conftest import (
    Api,
    StartApp,
    add_agent,
    add_customer,
    assert_error,
    fields_of,
    fund,
)
from voipbin.common.timestamps import SENTINEL_TEXT
from voipbin.server.billing.ledger import Usage

Json = dict[str, Any]

ACCOUNT_FIELDS = {
    "id",
    "customer_id",
    "name",
    "detail",
    "plan_type",
    "plan_status",
    "balance_credit",
    "balance_token",
    "payment_type",
    "payment_method",
    "status",
    "tm_last_topup",
    "tm_next_topup",
    "tm_create",
    "tm_update",
    "tm_delete",
}
BILLING_FIELDS = {
    "id",
    "customer_id",
    "account_id",
    "transaction_type",
    "status",
    "reference_type",
    "reference_id",
    "cost_type",
    "usage_duration",
    "billable_units",
    "rate_token_per_unit",
    "rate_credit_per_unit",
    "amount_token",
    "amount_credit",
    "balance_token_snapshot",
    "balance_credit_snapshot",
    "idempotency_key",
    "tm_billing_start",
    "tm_billing_end",
    "tm_create",
    "tm_update",
    "tm_delete",
}


async def new_customer(api: Api) -> str:
    response = await api.client.post("/v1.0/customers", json={"name": "Acme"}, headers=api.headers)
    assert response.status_code == 201, response.text
    customer_id: str = response.json()["id"]
    return customer_id


async def account_of(api: Api, customer_id: str) -> Json:
    customer = await api.client.get(f"/v1.0/customers/{customer_id}", headers=api.headers)
    response = await api.client.get(
        f"/v1.0/billing_accounts/{customer.json()['billing_account_id']}", headers=api.headers
    )
    assert response.status_code == 200, response.text
    account: Json = response.json()
    return account


async def ledger(api: Api, headers: dict[str, str], **filters: str) -> list[Json]:
    """Every ledger row the caller sees, oldest first."""
    rows: list[Json] = []
    token = ""
    while True:
        params = {**filters, "page_size": "100", **({"page_token": token} if token else {})}
        response = await api.client.get("/v1.0/billings", params=params, headers=headers)
        assert response.status_code == 200, response.text
        rows += response.json()["result"]
        token = response.json()["next_page_token"]
        if not token:
            return rows[::-1]


async def force(api: Api, account_id: str, action: str, body: str) -> Any:
    return await api.client.post(
        f"/v1.0/billing_accounts/{account_id}/{action}", content=body, headers=api.headers
    )


async def ready_to_buy(api: Api, customer_id: str) -> None:
    response = await api.client.put(
        f"/v1.0/customers/{customer_id}/identity_verification_status",
        json={"identity_verification_status": "verified"},
        headers=api.headers,
    )
    assert response.status_code == 200, response.text


def assert_ledger_sums_to(rows: list[Json], account: Json) -> None:
    """The invariant: an account's ledger rows sum to its balance, and each row's snapshot
    is the running sum after it."""
    rows = [r for r in rows if r["account_id"] == account["id"]]
    credit = token = 0
    for row in rows:
        credit += row["amount_credit"]
        token += row["amount_token"]
        assert (row["balance_credit_snapshot"], row["balance_token_snapshot"]) == (credit, token)
    assert (credit, token) == (account["balance_credit"], account["balance_token"])


# -- the account a customer gets ----------------------------------------------------------------


async def test_a_new_customer_gets_a_free_account_with_its_tokens_in_the_ledger(api: Api) -> None:
    customer_id = await new_customer(api)
    account = await account_of(api, customer_id)

    assert set(account) == ACCOUNT_FIELDS
    assert account["customer_id"] == customer_id
    assert (account["plan_type"], account["plan_status"], account["status"]) == (
        "free",
        "active",
        "active",
    )
    assert (account["balance_credit"], account["balance_token"]) == (0, 100)
    assert account["tm_last_topup"] != SENTINEL_TEXT
    assert account["tm_next_topup"] == SENTINEL_TEXT
    rows = await ledger(api, api.headers, customer_id=customer_id)
    assert len(rows) == 1
    assert set(rows[0]) == BILLING_FIELDS
    assert {k: rows[0][k] for k in ("transaction_type", "reference_type", "amount_token")} == {
        "transaction_type": "top_up",
        "reference_type": "monthly_allowance",
        "amount_token": 100,
    }
    assert rows[0]["reference_id"] == rows[0]["id"]
    assert_ledger_sums_to(rows, account)


async def test_signup_gives_the_new_customer_its_account(start_app: StartApp) -> None:
    api = await start_app(signup="open")
    response = await api.client.post(
        "/auth/signup", json={"email": "new@example.com", "accepted_tos": True}
    )
    assert response.status_code == 200, response.text
    key = response.json()["accesskey"]["token"]
    own = await api.client.get("/v1.0/billing_account", headers={"Authorization": f"Bearer {key}"})
    assert own.status_code == 200, own.text
    assert own.json()["id"] == response.json()["customer"]["billing_account_id"]
    assert own.json()["balance_token"] == 100


# -- the own route ------------------------------------------------------------------------------


async def test_a_customer_admin_reads_and_names_their_account(api: Api) -> None:
    customer_id = await add_customer(api, "Acme")
    admin = await add_agent(api, customer_id=customer_id, permission=32)
    account = await account_of(api, customer_id)

    own = await api.client.get("/v1.0/billing_account", headers=admin.headers)
    assert own.status_code == 200, own.text
    assert own.json() == account

    renamed = await api.client.put(
        "/v1.0/billing_account", json={"name": "Main", "detail": "ops"}, headers=admin.headers
    )
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["name"], renamed.json()["detail"]) == ("Main", "ops")
    paid = await api.client.put(
        "/v1.0/billing_account/payment_info",
        json={"payment_type": "prepaid", "payment_method": "credit card"},
        headers=admin.headers,
    )
    assert paid.status_code == 200, paid.text
    assert (paid.json()["payment_type"], paid.json()["payment_method"]) == (
        "prepaid",
        "credit card",
    )
    # The balance is not the customer's to write.
    sneaky = await api.client.put(
        "/v1.0/billing_account", json={"balance_credit": 10**9}, headers=admin.headers
    )
    assert fields_of(assert_error(sneaky, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")) == [
        "balance_credit"
    ]
    bad = await api.client.put(
        "/v1.0/billing_account/payment_info", json={"payment_type": "cash"}, headers=admin.headers
    )
    assert fields_of(assert_error(bad, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")) == [
        "payment_type"
    ]
    assert (await account_of(api, customer_id))["balance_credit"] == 0


async def test_billing_is_for_customer_admins_only(api: Api) -> None:
    customer_id = await add_customer(api, "Acme")
    manager = await add_agent(api, customer_id=customer_id, permission=64)
    agent = await add_agent(api, customer_id=customer_id, permission=16)
    admin = await add_agent(api, customer_id=customer_id, permission=32)
    account_id = (await account_of(api, customer_id))["id"]
    for caller in (manager, agent):
        for method, path, body in (
            ("GET", "/v1.0/billing_account", None),
            ("PUT", "/v1.0/billing_account", {"name": "x"}),
            ("PUT", "/v1.0/billing_account/payment_info", {"payment_type": "prepaid"}),
            ("GET", "/v1.0/billings", None),
        ):
            response = await api.client.request(method, path, json=body, headers=caller.headers)
            assert_error(response, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")
    # The super-admin's routes are refused to a customer's admin before anything is looked
    # up: their own account is a 403 there too.
    for method, path in (
        ("GET", "/v1.0/billing_accounts"),
        ("GET", f"/v1.0/billing_accounts/{account_id}"),
        ("PUT", f"/v1.0/billing_accounts/{account_id}"),
        ("POST", f"/v1.0/billing_accounts/{account_id}/balance_add_force"),
        ("POST", f"/v1.0/billing_accounts/{account_id}/balance_subtract_force"),
    ):
        sent: Json = {"balance": 1} if method == "POST" else {"name": "x"}
        response = await api.client.request(method, path, json=sent, headers=admin.headers)
        assert_error(response, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")
    assert (await account_of(api, customer_id))["balance_credit"] == 0


async def test_a_customer_sees_only_its_own_ledger(api: Api) -> None:
    mine = await add_customer(api, "Mine")
    theirs = await add_customer(api, "Theirs")
    admin = await add_agent(api, customer_id=mine, permission=32)
    await fund(api, theirs, "3")
    rows = await ledger(api, admin.headers)
    assert {row["customer_id"] for row in rows} == {mine}
    their_rows = await ledger(api, api.headers, customer_id=theirs)
    hidden = await api.client.get(f"/v1.0/billings/{their_rows[-1]['id']}", headers=admin.headers)
    assert_error(hidden, 404, "NOT_FOUND", "BILLING_NOT_FOUND")
    own = await api.client.get(f"/v1.0/billings/{rows[0]['id']}", headers=admin.headers)
    assert own.status_code == 200, own.text
    assert own.json() == rows[0]
    for method in ("POST", "PUT", "DELETE"):
        path = "/v1.0/billings" if method == "POST" else f"/v1.0/billings/{rows[0]['id']}"
        response = await api.client.request(method, path, json={}, headers=api.headers)
        assert response.status_code == 405, response.text


# -- forced changes -----------------------------------------------------------------------------


async def test_a_super_admin_forces_the_balance_up_and_down_below_zero(api: Api) -> None:
    customer_id = await new_customer(api)
    account_id = (await account_of(api, customer_id))["id"]

    added = await force(api, account_id, "balance_add_force", '{"balance": 10.25}')
    assert added.status_code == 200, added.text
    assert set(added.json()) == ACCOUNT_FIELDS
    assert added.json()["balance_credit"] == 10_250_000
    # Exact to the micro-dollar, whatever binary floats would make of it.
    added = await force(api, account_id, "balance_add_force", '{"balance": 0.000001}')
    assert added.json()["balance_credit"] == 10_250_001
    taken = await force(api, account_id, "balance_subtract_force", '{"balance": 12}')
    assert taken.status_code == 200, taken.text
    assert taken.json()["balance_credit"] == -1_749_999

    rows = await ledger(api, api.headers, customer_id=customer_id)
    adjustments = [r for r in rows if r["transaction_type"] == "adjustment"]
    assert [r["amount_credit"] for r in adjustments] == [10_250_000, 1, -12_000_000]
    assert {r["reference_type"] for r in adjustments} == {"credit_adjustment"}
    assert all(r["reference_id"] == r["id"] for r in adjustments)
    assert_ledger_sums_to(rows, await account_of(api, customer_id))


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ('{"balance": -1}', "non-negative"),
        ('{"balance": 0.0000001}', "6 decimal places"),
        ('{"balance": 1e12}', "at most"),
        ('{"balance": "NaN"}', "US dollars"),
        ('{"balance": "ten"}', ""),
        ('{"balance": true}', ""),
        ("{}", ""),
    ],
)
async def test_a_forced_amount_must_be_exact_dollars(api: Api, body: str, why: str) -> None:
    customer_id = await new_customer(api)
    account = await account_of(api, customer_id)
    for action in ("balance_add_force", "balance_subtract_force"):
        response = await force(api, account["id"], action, body)
        error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
        assert fields_of(error) == ["balance"]
        assert why in error["details"][0]["description"]
    assert await account_of(api, customer_id) == account
    assert len(await ledger(api, api.headers, customer_id=customer_id)) == 1


async def test_a_deleted_customers_account_is_deleted_and_cannot_be_forced(api: Api) -> None:
    customer_id = await new_customer(api)
    account_id = (await account_of(api, customer_id))["id"]
    response = await api.client.delete(f"/v1.0/customers/{customer_id}", headers=api.headers)
    assert response.status_code == 204, response.text
    account = await api.client.get(f"/v1.0/billing_accounts/{account_id}", headers=api.headers)
    assert account.json()["status"] == "deleted"
    assert account.json()["tm_delete"] != SENTINEL_TEXT
    refused = await force(api, account_id, "balance_add_force", '{"balance": 1}')
    assert_error(refused, 409, "FAILED_PRECONDITION", "BILLING_ACCOUNT_STATE_INVALID")


async def test_super_admins_list_and_filter_accounts(api: Api) -> None:
    first = await new_customer(api)
    second = await new_customer(api)
    response = await api.client.get(
        "/v1.0/billing_accounts", params={"customer_id": second}, headers=api.headers
    )
    assert response.status_code == 200, response.text
    assert [a["customer_id"] for a in response.json()["result"]] == [second]
    # Unfiltered, as every list: the caller's own customer's.
    own = await api.client.get("/v1.0/billing_accounts", headers=api.headers)
    mine = (await api.client.get("/v1.0/customer", headers=api.headers)).json()["id"]
    assert [a["customer_id"] for a in own.json()["result"]] == [mine]
    renamed = await api.client.put(
        f"/v1.0/billing_accounts/{(await account_of(api, first))['id']}",
        json={"name": "renamed"},
        headers=api.headers,
    )
    assert renamed.json()["name"] == "renamed"


# -- 402 where money is needed ------------------------------------------------------------------


async def test_buying_a_normal_number_charges_its_first_month_or_answers_402(api: Api) -> None:
    customer_id = await add_customer(api, "Buyer")
    admin = await add_agent(api, customer_id=customer_id, permission=32)
    await ready_to_buy(api, customer_id)
    await fund(api, customer_id, "7.5")

    bought = await api.client.post(
        "/v1.0/numbers", json={"number": "+14155550100"}, headers=admin.headers
    )
    assert bought.status_code == 201, bought.text
    account = await account_of(api, customer_id)
    assert account["balance_credit"] == 2_500_000
    assert account["balance_token"] == 100  # numbers are paid in credit only
    rows = await ledger(api, admin.headers, reference_type="number")
    assert len(rows) == 1
    assert {
        k: rows[0][k]
        for k in (
            "transaction_type",
            "reference_id",
            "cost_type",
            "billable_units",
            "rate_credit_per_unit",
            "amount_credit",
            "balance_credit_snapshot",
        )
    } == {
        "transaction_type": "usage",
        "reference_id": bought.json()["id"],
        "cost_type": "number",
        "billable_units": 1,
        "rate_credit_per_unit": 5_000_000,
        "amount_credit": -5_000_000,
        "balance_credit_snapshot": 2_500_000,
    }

    refused = await api.client.post(
        "/v1.0/numbers", json={"number": "+14155550101"}, headers=admin.headers
    )
    error = assert_error(refused, 402, "PAYMENT_REQUIRED", "INSUFFICIENT_BALANCE")
    assert error["details"] == [
        {
            "cost_type": "number",
            "units": "1",
            "price_credit": "5000000",
            "price_token": "0",
            "balance_credit": "2500000",
            "balance_token": "100",
            "account_id": account["id"],
        }
    ]
    assert "$5.00" in error["message"]
    assert "$2.50" in error["message"]
    # Nothing of the refused purchase is stored: no number, no ledger row, the same balance.
    numbers = await api.client.get("/v1.0/numbers", headers=admin.headers)
    assert [n["number"] for n in numbers.json()["result"]] == ["+14155550100"]
    assert await account_of(api, customer_id) == account
    assert_ledger_sums_to(await ledger(api, admin.headers), account)

    # Virtual numbers are free.
    virtual = await api.client.post(
        "/v1.0/numbers", json={"number": "+899123456789"}, headers=admin.headers
    )
    assert virtual.status_code == 201, virtual.text
    assert await account_of(api, customer_id) == account


async def test_prices_come_from_the_setting(start_app: StartApp) -> None:
    api = await start_app(billing_prices='{"number": {"credit": 1250000}}')
    customer_id = await add_customer(api, "Buyer")
    admin = await add_agent(api, customer_id=customer_id, permission=32)
    await ready_to_buy(api, customer_id)
    await fund(api, customer_id, "2")
    bought = await api.client.post(
        "/v1.0/numbers", json={"number": "+14155550100"}, headers=admin.headers
    )
    assert bought.status_code == 201, bought.text
    assert (await account_of(api, customer_id))["balance_credit"] == 750_000


async def test_a_customer_charged_to_another_account_spends_that_one(api: Api) -> None:
    payer = await add_customer(api, "Payer")
    spender = await add_customer(api, "Spender")
    admin = await add_agent(api, customer_id=spender, permission=32)
    await ready_to_buy(api, spender)
    payer_account = await fund(api, payer, "5")
    response = await api.client.put(
        f"/v1.0/customers/{spender}/billing_account_id",
        json={"billing_account_id": payer_account["id"]},
        headers=api.headers,
    )
    assert response.status_code == 200, response.text
    bought = await api.client.post(
        "/v1.0/numbers", json={"number": "+14155550100"}, headers=admin.headers
    )
    assert bought.status_code == 201, bought.text
    assert (await account_of(api, payer))["balance_credit"] == 0
    rows = await ledger(api, admin.headers)
    assert [(r["account_id"], r["amount_credit"]) for r in rows if r["cost_type"]] == [
        (payer_account["id"], -5_000_000)
    ]


# -- the charging service -----------------------------------------------------------------------


async def test_tokens_pay_whole_units_first_then_credit(api: Api) -> None:
    customer_id = await add_customer(api, "Recorder")
    await fund(api, customer_id, "1")
    ledger_service = api.state.services["billing"].ledger
    # 40 minutes of recording at 3 tokens or $0.03 a minute: 33 minutes from the 100
    # tokens (99 of them), 7 from credit.
    usage = Usage("recording", "recording", "0b9d5c2e-4f43-4d57-9c8e-1a3b5c7d9e0f", 40)
    charged = await ledger_service.charge(customer_id, usage)
    row = dict(zip(api.state.services["billing"].fields, charged, strict=True))
    assert (row["amount_token"], row["amount_credit"]) == (-99, -210_000)
    account = await account_of(api, customer_id)
    assert (account["balance_token"], account["balance_credit"]) == (1, 790_000)
    assert_ledger_sums_to(await ledger(api, api.headers, customer_id=customer_id), account)


async def test_a_usage_is_charged_once(api: Api) -> None:
    customer_id = await add_customer(api, "Caller")
    await fund(api, customer_id, "1")
    ledger_service = api.state.services["billing"].ledger
    usage = Usage("call_pstn_outgoing", "call", "5f0c6c4e-9d1b-4c57-8a2e-2b4d6f8a0c1e", 3)
    first = await ledger_service.charge(customer_id, usage)
    again = await ledger_service.charge(customer_id, usage)
    assert first == again
    account = await account_of(api, customer_id)
    assert account["balance_credit"] == 970_000
    assert_ledger_sums_to(await ledger(api, api.headers, customer_id=customer_id), account)


async def test_an_unlimited_plan_is_never_refused(api: Api) -> None:
    customer_id = await add_customer(api, "Big")
    account = await account_of(api, customer_id)
    accounts = api.state.services["billing_account"].repository
    await accounts.update(account["id"], {"plan_type": "unlimited"})
    ledger_service = api.state.services["billing"].ledger
    usage = Usage("number", "number", "7a1e3c5b-2d4f-4a68-9b0c-3e5f7a9b1c2d")
    await ledger_service.charge(customer_id, usage)
    assert (await account_of(api, customer_id))["balance_credit"] == -5_000_000


async def test_fifty_concurrent_charges_of_a_dollar_against_ten(api: Api) -> None:
    """In one process (the two-process runs are in test_billing_processes.py)."""
    import asyncio
    import uuid

    from voipbin.common.errors import PaymentRequired

    customer_id = await add_customer(api, "Busy")
    await fund(api, customer_id, "10")
    ledger_service = api.state.services["billing"].ledger
    # 100 SMS targets at $0.01 each: a dollar.
    usages = [Usage("sms", "sms", str(uuid.uuid4()), 100) for _ in range(50)]
    outcomes = await asyncio.gather(
        *(ledger_service.charge(customer_id, u) for u in usages), return_exceptions=True
    )
    refused = [o for o in outcomes if isinstance(o, PaymentRequired)]
    assert len(refused) == 40, [o for o in outcomes if isinstance(o, BaseException)][:3]
    assert len(outcomes) - len(refused) == 10
    account = await account_of(api, customer_id)
    assert account["balance_credit"] == 0
    assert_ledger_sums_to(await ledger(api, api.headers, customer_id=customer_id), account)
