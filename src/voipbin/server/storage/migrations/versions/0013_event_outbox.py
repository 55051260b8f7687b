"""the event outbox, read by the timeline

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.Uuid(as_uuid=False).with_variant(sa.String(length=36), "sqlite")
_TIMESTAMP = sa.DateTime(timezone=True).with_variant(sa.String(length=26), "sqlite")


def upgrade() -> None:
    op.create_table(
        "event_outbox",
        sa.Column("id", _ID, nullable=False),
        sa.Column("customer_id", _ID, nullable=False),
        sa.Column("type", sa.Text(), server_default="", nullable=False),
        sa.Column("resource", sa.Text(), server_default="", nullable=False),
        sa.Column("resource_id", _ID, nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(sa.Text(), "sqlite"),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("tm_create", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_outbox")),
    )
    with op.batch_alter_table("event_outbox", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_outbox_resource_resource_id_tm_create"),
            ["resource", "resource_id", "tm_create"],
            unique=False,
        )
        batch_op.create_index("uq_event_outbox_tm_create", ["tm_create"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("event_outbox", schema=None) as batch_op:
        batch_op.drop_index("uq_event_outbox_tm_create")
        batch_op.drop_index(batch_op.f("ix_event_outbox_resource_resource_id_tm_create"))
    op.drop_table("event_outbox")
