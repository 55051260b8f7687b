"""numbers, and customers' identity verification status

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.Uuid(as_uuid=False).with_variant(sa.String(length=36), "sqlite")
_TIMESTAMP = sa.DateTime(timezone=True).with_variant(sa.String(length=26), "sqlite")
_EMPTY_UUID = "00000000-0000-0000-0000-000000000000"


def upgrade() -> None:
    with op.batch_alter_table("customer_customers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "identity_verification_status", sa.Text(), server_default="none", nullable=False
            )
        )
    op.create_table(
        "number_numbers",
        sa.Column("id", _ID, nullable=False),
        sa.Column("customer_id", _ID, nullable=False),
        sa.Column("number", sa.Text(), server_default="", nullable=False),
        sa.Column("type", sa.Text(), server_default="normal", nullable=False),
        sa.Column("call_flow_id", _ID, server_default=_EMPTY_UUID, nullable=False),
        sa.Column("message_flow_id", _ID, server_default=_EMPTY_UUID, nullable=False),
        sa.Column("name", sa.Text(), server_default="", nullable=False),
        sa.Column("detail", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.Text(), server_default="active", nullable=False),
        sa.Column("t38_enabled", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("emergency_enabled", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column(
            "metadata",
            sa.JSON().with_variant(sa.Text(), "sqlite"),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("tm_purchase", _TIMESTAMP, nullable=True),
        sa.Column("tm_renew", _TIMESTAMP, nullable=True),
        sa.Column("tm_create", _TIMESTAMP, nullable=False),
        sa.Column("tm_update", _TIMESTAMP, nullable=False),
        sa.Column("tm_delete", _TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_number_numbers")),
    )
    with op.batch_alter_table("number_numbers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_number_numbers_customer_id_tm_create"),
            ["customer_id", "tm_create"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_number_numbers_customer_id_call_flow_id"),
            ["customer_id", "call_flow_id"],
            unique=False,
        )
        batch_op.create_index("uq_number_numbers_tm_create", ["tm_create"], unique=True)
        batch_op.create_index(
            "uq_number_numbers_number",
            ["number"],
            unique=True,
            postgresql_where=sa.text("tm_delete IS NULL"),
            sqlite_where=sa.text("tm_delete IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("number_numbers", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_number_numbers_number",
            postgresql_where=sa.text("tm_delete IS NULL"),
            sqlite_where=sa.text("tm_delete IS NULL"),
        )
        batch_op.drop_index("uq_number_numbers_tm_create")
        batch_op.drop_index(batch_op.f("ix_number_numbers_customer_id_call_flow_id"))
        batch_op.drop_index(batch_op.f("ix_number_numbers_customer_id_tm_create"))
    op.drop_table("number_numbers")
    with op.batch_alter_table("customer_customers", schema=None) as batch_op:
        batch_op.drop_column("identity_verification_status")
