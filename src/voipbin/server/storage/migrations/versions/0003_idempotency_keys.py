"""idempotency keys

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 08:36:57.956276
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column(
            "customer_id",
            sa.Uuid(as_uuid=False).with_variant(sa.String(length=36), "sqlite"),
            nullable=False,
        ),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("response_status", sa.Integer(), server_default="0", nullable=False),
        sa.Column("response_headers", sa.Text(), server_default="", nullable=False),
        sa.Column("response_body", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "tm_create",
            sa.DateTime(timezone=True).with_variant(sa.String(length=26), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "tm_expire",
            sa.DateTime(timezone=True).with_variant(sa.String(length=26), "sqlite"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("customer_id", "key", name=op.f("pk_idempotency_keys")),
    )
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotency_keys_tm_expire"), ["tm_expire"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_keys_tm_expire"))

    op.drop_table("idempotency_keys")
