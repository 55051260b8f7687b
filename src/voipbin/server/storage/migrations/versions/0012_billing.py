"""billing accounts and the ledger; every live customer gets its account, as a new one does

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 10:00:00.000000
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.Uuid(as_uuid=False).with_variant(sa.String(length=36), "sqlite")
_TIMESTAMP = sa.DateTime(timezone=True).with_variant(sa.String(length=26), "sqlite")
_EMPTY_UUID = "00000000-0000-0000-0000-000000000000"
#: The tokens a new account of the free plan is granted (voipbin.server.billing.prices,
#: repeated: a migration does not import the code it migrates).
_FREE_TOKENS = 100


def _text(name: str, default: str = "") -> sa.Column[str]:
    return sa.Column(name, sa.Text(), server_default=default, nullable=False)


def _money(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), server_default="0", nullable=False)


def _times() -> list[sa.Column[object]]:
    return [
        sa.Column("tm_create", _TIMESTAMP, nullable=False),
        sa.Column("tm_update", _TIMESTAMP, nullable=False),
        sa.Column("tm_delete", _TIMESTAMP, nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "billing_accounts",
        sa.Column("id", _ID, nullable=False),
        sa.Column("customer_id", _ID, nullable=False),
        _text("name"),
        _text("detail"),
        _text("plan_type", "free"),
        _text("plan_status", "active"),
        _money("balance_credit"),
        _money("balance_token"),
        _text("payment_type"),
        _text("payment_method"),
        _text("status", "active"),
        sa.Column("tm_last_topup", _TIMESTAMP, nullable=True),
        sa.Column("tm_next_topup", _TIMESTAMP, nullable=True),
        *_times(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_accounts")),
    )
    with op.batch_alter_table("billing_accounts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_billing_accounts_customer_id_tm_create"),
            ["customer_id", "tm_create"],
            unique=False,
        )
        batch_op.create_index("uq_billing_accounts_tm_create", ["tm_create"], unique=True)
    op.create_table(
        "billing_billings",
        sa.Column("id", _ID, nullable=False),
        sa.Column("customer_id", _ID, nullable=False),
        sa.Column("account_id", _ID, nullable=False),
        _text("transaction_type"),
        _text("status", "end"),
        _text("reference_type"),
        sa.Column("reference_id", _ID, server_default=_EMPTY_UUID, nullable=False),
        _text("cost_type"),
        sa.Column("usage_duration", sa.Integer(), server_default="0", nullable=False),
        sa.Column("billable_units", sa.Integer(), server_default="0", nullable=False),
        _money("rate_token_per_unit"),
        _money("rate_credit_per_unit"),
        _money("amount_token"),
        _money("amount_credit"),
        _money("balance_token_snapshot"),
        _money("balance_credit_snapshot"),
        sa.Column("idempotency_key", _ID, server_default=_EMPTY_UUID, nullable=False),
        sa.Column("tm_billing_start", _TIMESTAMP, nullable=True),
        sa.Column("tm_billing_end", _TIMESTAMP, nullable=True),
        *_times(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_billings")),
    )
    with op.batch_alter_table("billing_billings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_billing_billings_customer_id_tm_create"),
            ["customer_id", "tm_create"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_billing_billings_account_id_tm_create"),
            ["account_id", "tm_create"],
            unique=False,
        )
        batch_op.create_index("uq_billing_billings_tm_create", ["tm_create"], unique=True)
        batch_op.create_index(
            "uq_billing_billings_reference_type_reference_id",
            ["reference_type", "reference_id"],
            unique=True,
        )
    _accounts_for_existing_customers()


def _accounts_for_existing_customers() -> None:
    """Every live customer gets an account of the free plan with its first tokens (and the
    ledger row that grants them), as a new customer does; each row a creation time of its
    own, a microsecond apart, as the tables' unique ``tm_create`` wants."""
    bind = op.get_bind()
    customers = bind.execute(
        sa.text("SELECT id FROM customer_customers WHERE tm_delete IS NULL ORDER BY tm_create")
    ).fetchall()
    sqlite = bind.dialect.name == "sqlite"
    start = datetime.now(UTC)
    accounts = sa.table(
        "billing_accounts",
        *(sa.column(n, _ID) for n in ("id", "customer_id")),
        sa.column("balance_token", sa.BigInteger()),
        *(sa.column(n, _TIMESTAMP) for n in ("tm_last_topup", "tm_create", "tm_update")),
    )
    billings = sa.table(
        "billing_billings",
        *(sa.column(n, _ID) for n in ("id", "customer_id", "account_id", "reference_id")),
        *(sa.column(n, sa.Text()) for n in ("transaction_type", "reference_type")),
        *(sa.column(n, sa.BigInteger()) for n in ("amount_token", "balance_token_snapshot")),
        sa.column("idempotency_key", _ID),
        *(
            sa.column(n, _TIMESTAMP)
            for n in ("tm_billing_start", "tm_billing_end", "tm_create", "tm_update")
        ),
    )
    link = sa.text("UPDATE customer_customers SET billing_account_id = :account WHERE id = :id")
    for i, (customer_id,) in enumerate(customers):
        stamp = start + timedelta(microseconds=i)
        when: datetime | str = stamp.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else stamp
        account_id, row_id = str(uuid.uuid4()), str(uuid.uuid4())
        op.bulk_insert(
            accounts,
            [
                {
                    "id": account_id,
                    "customer_id": str(customer_id),
                    "balance_token": _FREE_TOKENS,
                    "tm_last_topup": when,
                    "tm_create": when,
                    "tm_update": when,
                }
            ],
        )
        op.bulk_insert(
            billings,
            [
                {
                    "id": row_id,
                    "customer_id": str(customer_id),
                    "account_id": account_id,
                    "reference_id": row_id,
                    "transaction_type": "top_up",
                    "reference_type": "monthly_allowance",
                    "amount_token": _FREE_TOKENS,
                    "balance_token_snapshot": _FREE_TOKENS,
                    "idempotency_key": row_id,
                    "tm_billing_start": when,
                    "tm_billing_end": when,
                    "tm_create": when,
                    "tm_update": when,
                }
            ],
        )
        bind.execute(link, {"account": account_id, "id": str(customer_id)})


def downgrade() -> None:
    op.execute(sa.text(f"UPDATE customer_customers SET billing_account_id = '{_EMPTY_UUID}'"))
    with op.batch_alter_table("billing_billings", schema=None) as batch_op:
        batch_op.drop_index("uq_billing_billings_reference_type_reference_id")
        batch_op.drop_index("uq_billing_billings_tm_create")
        batch_op.drop_index(batch_op.f("ix_billing_billings_account_id_tm_create"))
        batch_op.drop_index(batch_op.f("ix_billing_billings_customer_id_tm_create"))
    op.drop_table("billing_billings")
    with op.batch_alter_table("billing_accounts", schema=None) as batch_op:
        batch_op.drop_index("uq_billing_accounts_tm_create")
        batch_op.drop_index(batch_op.f("ix_billing_accounts_customer_id_tm_create"))
    op.drop_table("billing_accounts")
