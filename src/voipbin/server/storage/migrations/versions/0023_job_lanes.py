"""runtime jobs carry a lane: jobs of one lane run one at a time, in order

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-11 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.Uuid(as_uuid=False).with_variant(sa.String(length=36), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("runtime_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lane", _ID, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("runtime_jobs", schema=None) as batch_op:
        batch_op.drop_column("lane")
