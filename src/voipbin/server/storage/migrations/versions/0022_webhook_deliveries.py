"""webhook deliveries: the webhook_deliveries table

Revision ID: 0022
Revises: 0018
Create Date: 2026-12-10 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.Uuid(as_uuid=False).with_variant(sa.String(length=36), "sqlite")
_TIMESTAMP = sa.DateTime(timezone=True).with_variant(sa.String(length=26), "sqlite")
_JSON = sa.JSON().with_variant(sa.Text(), "sqlite")
_EMPTY_UUID = "00000000-0000-0000-0000-000000000000"


def _id(name: str) -> sa.Column[str]:
    return sa.Column(name, _ID, server_default=_EMPTY_UUID, nullable=False)


def _text(name: str, default: str = "") -> sa.Column[str]:
    return sa.Column(name, sa.Text(), server_default=default, nullable=False)


def _json(name: str, default: str) -> sa.Column[Any]:
    return sa.Column(name, _JSON, server_default=sa.text(f"'{default}'"), nullable=False)


def _int(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), server_default="0", nullable=False)


def upgrade() -> None:
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", _ID, nullable=False),
        sa.Column("customer_id", _ID, nullable=False),
        _id("event_id"),
        _text("event_type"),
        _text("reference_type"),
        _id("reference_id"),
        _text("target"),
        _id("activeflow_id"),
        _text("uri"),
        _text("method"),
        _text("status", "pending"),
        _json("attempts", "[]"),
        _int("attempt_count"),
        _int("last_status_code"),
        _text("last_error"),
        sa.Column("tm_next_attempt", _TIMESTAMP, nullable=True),
        _id("lane"),
        _int("round_start"),
        _text("body"),
        _text("content_type"),
        _int("flow_token"),
        sa.Column("tm_create", _TIMESTAMP, nullable=False),
        sa.Column("tm_update", _TIMESTAMP, nullable=False),
        sa.Column("tm_delete", _TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webhook_deliveries_customer_id_tm_create"),
            ["customer_id", "tm_create"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_webhook_deliveries_lane_tm_create"), ["lane", "tm_create"], unique=False
        )
        batch_op.create_index("uq_webhook_deliveries_tm_create", ["tm_create"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_index("uq_webhook_deliveries_tm_create")
        batch_op.drop_index(batch_op.f("ix_webhook_deliveries_lane_tm_create"))
        batch_op.drop_index(batch_op.f("ix_webhook_deliveries_customer_id_tm_create"))
    op.drop_table("webhook_deliveries")
