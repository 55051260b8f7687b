"""Billing through the SDK: the caller's own account, a super-admin's forced changes (exact
dollar amounts, however given) and the ledger, against the real app in-process."""

from __future__ import annotations

from decimal import Decimal

import pytest

from voipbin.client import Client, InvalidArgument, PaymentRequired
from voipbin.models.billing import Billing, BillingAccount


def test_the_own_account_is_read_named_and_paid(client: Client) -> None:
    account = client.billing_account.get()
    named = client.billing_account.update(name="Main")
    paid = client.billing_account.payment_info(payment_type="prepaid")

    assert isinstance(account, BillingAccount)
    assert (account.plan_type, account.balance_credit, account.balance_token) == ("free", 0, 100)
    assert named.name == "Main"
    assert paid.payment_type == "prepaid"


@pytest.mark.parametrize("amount", [Decimal("2.25"), 2.25, "2.25"])
def test_a_forced_change_takes_dollars_in_any_exact_form(client: Client, amount: object) -> None:
    account = client.billing_account.get()

    added = client.billing_accounts.balance_add_force(account.id, balance=amount)
    taken = client.billing_accounts.balance_subtract_force(account.id, balance=1)

    assert added.balance_credit == 2_250_000
    assert taken.balance_credit == 1_250_000
    rows = list(client.billings.iter(transaction_type="adjustment"))
    assert all(isinstance(row, Billing) for row in rows)
    assert [row.amount_credit for row in rows] == [-1_000_000, 2_250_000]
    assert rows[0].balance_credit_snapshot == 1_250_000


def test_a_negative_amount_is_refused(client: Client) -> None:
    account = client.billing_account.get()
    with pytest.raises(InvalidArgument) as raised:
        client.billing_accounts.balance_add_force(account.id, balance=-1)
    assert raised.value.details_as_dicts()[0]["field"] == "balance"


def test_a_purchase_that_cannot_be_paid_is_payment_required(client: Client) -> None:
    customer = client.customer.get()
    client.customers.identity_verification_status(
        customer.id, identity_verification_status="verified"
    )
    with pytest.raises(PaymentRequired) as raised:
        client.numbers.create(number="+14155550100")
    assert raised.value.reason == "INSUFFICIENT_BALANCE"
    assert raised.value.details_as_dicts()[0]["price_credit"] == "5000000"
