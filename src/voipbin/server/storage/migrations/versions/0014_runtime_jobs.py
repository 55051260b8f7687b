"""the runtime's durable jobs

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.Uuid(as_uuid=False).with_variant(sa.String(length=36), "sqlite")
_TIMESTAMP = sa.DateTime(timezone=True).with_variant(sa.String(length=26), "sqlite")


def upgrade() -> None:
    op.create_table(
        "runtime_jobs",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("resource_id", _ID, nullable=False),
        sa.Column("due", _TIMESTAMP, nullable=False),
        sa.Column("payload", sa.Text(), server_default="{}", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("claim_id", _ID, nullable=True),
        sa.Column("lease_until", _TIMESTAMP, nullable=True),
        sa.Column("last_error", sa.Text(), server_default="", nullable=False),
        sa.Column("tm_create", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runtime_jobs")),
    )
    with op.batch_alter_table("runtime_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_runtime_jobs_due_id"), ["due", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_runtime_jobs_kind_resource_id"), ["kind", "resource_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("runtime_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_runtime_jobs_kind_resource_id"))
        batch_op.drop_index(batch_op.f("ix_runtime_jobs_due_id"))
    op.drop_table("runtime_jobs")
