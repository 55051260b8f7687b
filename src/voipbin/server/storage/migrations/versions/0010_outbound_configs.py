"""outbound configs, one per customer, made for the customers already there

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 11:00:00.000000
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.Uuid(as_uuid=False).with_variant(sa.String(length=36), "sqlite")
_TIMESTAMP = sa.DateTime(timezone=True).with_variant(sa.String(length=26), "sqlite")
_JSON = sa.JSON().with_variant(sa.Text(), "sqlite")
_EMPTY_UUID = "00000000-0000-0000-0000-000000000000"


def upgrade() -> None:
    op.create_table(
        "call_outbound_configs",
        sa.Column("id", _ID, nullable=False),
        sa.Column("customer_id", _ID, nullable=False),
        sa.Column("name", sa.Text(), server_default="", nullable=False),
        sa.Column("detail", sa.Text(), server_default="", nullable=False),
        sa.Column("destination_whitelist", _JSON, server_default=sa.text("'[]'"), nullable=False),
        sa.Column("codecs", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "default_outgoing_source_number_id", _ID, server_default=_EMPTY_UUID, nullable=False
        ),
        sa.Column("tm_create", _TIMESTAMP, nullable=False),
        sa.Column("tm_update", _TIMESTAMP, nullable=False),
        sa.Column("tm_delete", _TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_outbound_configs")),
    )
    with op.batch_alter_table("call_outbound_configs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_call_outbound_configs_customer_id_tm_create"),
            ["customer_id", "tm_create"],
            unique=False,
        )
        batch_op.create_index("uq_call_outbound_configs_tm_create", ["tm_create"], unique=True)
        batch_op.create_index(
            "uq_call_outbound_configs_customer_id",
            ["customer_id"],
            unique=True,
            postgresql_where=sa.text("tm_delete IS NULL"),
            sqlite_where=sa.text("tm_delete IS NULL"),
        )
    _configs_for_existing_customers()


def _configs_for_existing_customers() -> None:
    """Every live customer gets its (empty) config, as a new customer does; each a creation
    time of its own, a microsecond apart, as the table's unique ``tm_create`` wants."""
    bind = op.get_bind()
    customers = bind.execute(
        sa.text("SELECT id FROM customer_customers WHERE tm_delete IS NULL ORDER BY tm_create")
    ).fetchall()
    if not customers:
        return
    configs = sa.table(
        "call_outbound_configs",
        sa.column("id", _ID),
        sa.column("customer_id", _ID),
        sa.column("tm_create", _TIMESTAMP),
        sa.column("tm_update", _TIMESTAMP),
    )
    start = datetime.now(UTC)
    rows = []
    for i, (customer_id,) in enumerate(customers):
        stamp = start + timedelta(microseconds=i)
        # SQLite keeps times as canonical text; PostgreSQL as timestamptz.
        sqlite = bind.dialect.name == "sqlite"
        created: datetime | str = stamp.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else stamp
        rows.append(
            {
                "id": str(uuid.uuid4()),
                "customer_id": str(customer_id),
                "tm_create": created,
                "tm_update": created,
            }
        )
    op.bulk_insert(configs, rows)


def downgrade() -> None:
    with op.batch_alter_table("call_outbound_configs", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_call_outbound_configs_customer_id",
            postgresql_where=sa.text("tm_delete IS NULL"),
            sqlite_where=sa.text("tm_delete IS NULL"),
        )
        batch_op.drop_index("uq_call_outbound_configs_tm_create")
        batch_op.drop_index(batch_op.f("ix_call_outbound_configs_customer_id_tm_create"))
    op.drop_table("call_outbound_configs")
