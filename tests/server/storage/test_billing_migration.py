"""Migration 0012: customers already in the database get a billing account of the free plan
with its tokens and the ledger row that grants them, and name it; deleted customers get none.
The downgrade unlinks them again."""

from __future__ import annotations

from alembic import command

from tests.server.storage.test_migrate import empty_url, run_sql
from tests.server.storage.test_outbound_config_migration import DELETED, LIVE, OTHER, _customer
from voipbin.server.storage.migrate import alembic_config, upgrade

__all__ = ["empty_url"]  # the fixture, of each backend

EMPTY = "00000000-0000-0000-0000-000000000000"


def test_customers_from_before_get_an_account_with_its_tokens(empty_url: str) -> None:
    upgrade(empty_url, "0011")
    _customer(empty_url, LIVE, "2026-01-01 00:00:00.000001", None)
    _customer(empty_url, OTHER, "2026-01-01 00:00:00.000002", None)
    _customer(empty_url, DELETED, "2026-01-01 00:00:00.000003", "2026-01-02 00:00:00.000000")

    upgrade(empty_url)

    accounts = run_sql(
        empty_url,
        "SELECT a.customer_id, a.plan_type, a.balance_credit, a.balance_token, "
        "c.billing_account_id = a.id FROM billing_accounts a "
        "JOIN customer_customers c ON c.id = a.customer_id ORDER BY a.tm_create",
    )
    assert [tuple(str(v) for v in row) for row in accounts] == [
        (LIVE, "free", "0", "100", "True" if "postgres" in empty_url else "1"),
        (OTHER, "free", "0", "100", "True" if "postgres" in empty_url else "1"),
    ]
    ledger = run_sql(
        empty_url,
        "SELECT b.customer_id, b.transaction_type, b.reference_type, b.amount_token, "
        "b.balance_token_snapshot FROM billing_billings b ORDER BY b.tm_create",
    )
    assert [tuple(str(v) for v in row) for row in ledger] == [
        (LIVE, "top_up", "monthly_allowance", "100", "100"),
        (OTHER, "top_up", "monthly_allowance", "100", "100"),
    ]
    deleted = run_sql(
        empty_url, f"SELECT billing_account_id FROM customer_customers WHERE id = '{DELETED}'"
    )
    assert str(deleted[0][0]) == EMPTY

    command.downgrade(alembic_config(empty_url), "0011")
    links = run_sql(empty_url, "SELECT DISTINCT billing_account_id FROM customer_customers")
    assert [str(row[0]) for row in links] == [EMPTY]
