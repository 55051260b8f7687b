"""access keys

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 08:27:37.367544
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customer_accesskeys",
        sa.Column(
            "id",
            sa.Uuid(as_uuid=False).with_variant(sa.String(length=36), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "customer_id",
            sa.Uuid(as_uuid=False).with_variant(sa.String(length=36), "sqlite"),
            nullable=False,
        ),
        sa.Column("name", sa.Text(), server_default="", nullable=False),
        sa.Column("detail", sa.Text(), server_default="", nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("token_prefix", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "tm_expire",
            sa.DateTime(timezone=True).with_variant(sa.String(length=26), "sqlite"),
            nullable=True,
        ),
        sa.Column(
            "tm_create",
            sa.DateTime(timezone=True).with_variant(sa.String(length=26), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "tm_update",
            sa.DateTime(timezone=True).with_variant(sa.String(length=26), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "tm_delete",
            sa.DateTime(timezone=True).with_variant(sa.String(length=26), "sqlite"),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_accesskeys")),
    )
    with op.batch_alter_table("customer_accesskeys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_accesskeys_customer_id_tm_create"),
            ["customer_id", "tm_create"],
            unique=False,
        )
        batch_op.create_index("uq_customer_accesskeys_tm_create", ["tm_create"], unique=True)
        batch_op.create_index("uq_customer_accesskeys_token_hash", ["token_hash"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("customer_accesskeys", schema=None) as batch_op:
        batch_op.drop_index("uq_customer_accesskeys_token_hash")
        batch_op.drop_index("uq_customer_accesskeys_tm_create")
        batch_op.drop_index(batch_op.f("ix_customer_accesskeys_customer_id_tm_create"))

    op.drop_table("customer_accesskeys")
