"""Migration 0010: customers already in the database get their (empty) outbound config, as a
new customer does; deleted customers get none."""

from __future__ import annotations

from tests.server.storage.test_migrate import empty_url, run_sql
from voipbin.server.storage.migrate import upgrade

__all__ = ["empty_url"]  # the fixture, of each backend

LIVE = "11111111-1111-4111-8111-111111111111"
OTHER = "22222222-2222-4222-8222-222222222222"
DELETED = "33333333-3333-4333-8333-333333333333"


def _customer(url: str, id: str, created: str, deleted: str | None) -> None:
    zone = "" if url.startswith("sqlite") else "+00"
    tm_delete = "NULL" if deleted is None else f"'{deleted}{zone}'"
    run_sql(
        url,
        "INSERT INTO customer_customers (id, tm_create, tm_update, tm_delete) "
        f"VALUES ('{id}', '{created}{zone}', '{created}{zone}', {tm_delete})",
    )


def test_customers_from_before_get_an_empty_config_each(empty_url: str) -> None:
    upgrade(empty_url, "0009")
    _customer(empty_url, LIVE, "2026-01-01 00:00:00.000001", None)
    _customer(empty_url, OTHER, "2026-01-01 00:00:00.000002", None)
    _customer(empty_url, DELETED, "2026-01-01 00:00:00.000003", "2026-01-02 00:00:00.000000")

    upgrade(empty_url)

    rows = run_sql(
        empty_url,
        "SELECT customer_id, destination_whitelist, default_outgoing_source_number_id, "
        "tm_delete FROM call_outbound_configs ORDER BY tm_create",
    )
    assert [tuple(str(v) for v in row) for row in rows] == [
        (LIVE, "[]", "00000000-0000-0000-0000-000000000000", "None"),
        (OTHER, "[]", "00000000-0000-0000-0000-000000000000", "None"),
    ]
