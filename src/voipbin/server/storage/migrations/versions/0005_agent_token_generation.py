"""agent token generation

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 18:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agent_agents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("token_generation", sa.BigInteger(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("agent_agents", schema=None) as batch_op:
        batch_op.drop_column("token_generation")
