"""activeflows: the public fields and the flow engine's state, stepped by version

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.Uuid(as_uuid=False).with_variant(sa.String(length=36), "sqlite")
_TIMESTAMP = sa.DateTime(timezone=True).with_variant(sa.String(length=26), "sqlite")
_JSON = sa.JSON().with_variant(sa.Text(), "sqlite")
_EMPTY = "00000000-0000-0000-0000-000000000000"


def _id(name: str) -> sa.Column[str]:
    return sa.Column(name, _ID, server_default=_EMPTY, nullable=False)


def _text(name: str, default: str = "") -> sa.Column[str]:
    return sa.Column(name, sa.Text(), server_default=default, nullable=False)


def _json(name: str, default: str) -> sa.Column[object]:
    return sa.Column(name, _JSON, server_default=sa.text(f"'{default}'"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "activeflow_activeflows",
        sa.Column("id", _ID, nullable=False),
        sa.Column("customer_id", _ID, nullable=False),
        _id("flow_id"),
        _text("status", "running"),
        _text("reference_type"),
        _id("reference_id"),
        _id("reference_activeflow_id"),
        _id("on_complete_flow_id"),
        _text("webhook_uri"),
        _text("webhook_method"),
        _json("current_action", "{}"),
        _id("forward_action_id"),
        _json("executed_actions", "[]"),
        _json("state", "{}"),
        sa.Column("version", sa.Integer(), server_default="0", nullable=False),
        sa.Column("tm_create", _TIMESTAMP, nullable=False),
        sa.Column("tm_update", _TIMESTAMP, nullable=False),
        sa.Column("tm_delete", _TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activeflow_activeflows")),
    )
    with op.batch_alter_table("activeflow_activeflows", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_activeflow_activeflows_customer_id_tm_create"),
            ["customer_id", "tm_create"],
            unique=False,
        )
        batch_op.create_index("uq_activeflow_activeflows_tm_create", ["tm_create"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("activeflow_activeflows", schema=None) as batch_op:
        batch_op.drop_index("uq_activeflow_activeflows_tm_create")
        batch_op.drop_index(batch_op.f("ix_activeflow_activeflows_customer_id_tm_create"))
    op.drop_table("activeflow_activeflows")
