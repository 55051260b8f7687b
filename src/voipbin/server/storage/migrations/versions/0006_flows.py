"""flows

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.Uuid(as_uuid=False).with_variant(sa.String(length=36), "sqlite")
_TIMESTAMP = sa.DateTime(timezone=True).with_variant(sa.String(length=26), "sqlite")


def upgrade() -> None:
    op.create_table(
        "flow_flows",
        sa.Column("id", _ID, nullable=False),
        sa.Column("customer_id", _ID, nullable=False),
        sa.Column("type", sa.Text(), server_default="flow", nullable=False),
        sa.Column("name", sa.Text(), server_default="", nullable=False),
        sa.Column("detail", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "actions",
            sa.JSON().with_variant(sa.Text(), "sqlite"),
            server_default=sa.text("'[]'"),
            nullable=False,
        ),
        sa.Column(
            "on_complete_flow_id",
            _ID,
            server_default="00000000-0000-0000-0000-000000000000",
            nullable=False,
        ),
        sa.Column("tm_create", _TIMESTAMP, nullable=False),
        sa.Column("tm_update", _TIMESTAMP, nullable=False),
        sa.Column("tm_delete", _TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flow_flows")),
    )
    with op.batch_alter_table("flow_flows", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_flow_flows_customer_id_tm_create"),
            ["customer_id", "tm_create"],
            unique=False,
        )
        batch_op.create_index("uq_flow_flows_tm_create", ["tm_create"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("flow_flows", schema=None) as batch_op:
        batch_op.drop_index("uq_flow_flows_tm_create")
        batch_op.drop_index(batch_op.f("ix_flow_flows_customer_id_tm_create"))
    op.drop_table("flow_flows")
