"""the simulated network's scripts: rules by destination and extensions' devices

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.Uuid(as_uuid=False).with_variant(sa.String(length=36), "sqlite")
_TIMESTAMP = sa.DateTime(timezone=True).with_variant(sa.String(length=26), "sqlite")


def upgrade() -> None:
    op.create_table(
        "sim_rules",
        sa.Column("id", _ID, nullable=False),
        sa.Column("type", sa.Text(), server_default="", nullable=False),
        sa.Column("pattern", sa.Text(), server_default="", nullable=False),
        sa.Column("script", sa.Text(), nullable=False),
        sa.Column("tm_create", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sim_rules")),
    )
    with op.batch_alter_table("sim_rules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sim_rules_tm_create"), ["tm_create"], unique=False)
    op.create_table(
        "sim_devices",
        sa.Column("extension_id", _ID, nullable=False),
        sa.Column("devices", sa.Text(), nullable=False),
        sa.Column("tm_update", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("extension_id", name=op.f("pk_sim_devices")),
    )


def downgrade() -> None:
    op.drop_table("sim_devices")
    with op.batch_alter_table("sim_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sim_rules_tm_create"))
    op.drop_table("sim_rules")
