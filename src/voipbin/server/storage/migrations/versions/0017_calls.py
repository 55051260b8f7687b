"""calls: the call_calls table

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
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


def upgrade() -> None:
    op.create_table(
        "call_calls",
        sa.Column("id", _ID, nullable=False),
        sa.Column("customer_id", _ID, nullable=False),
        _text("owner_type"),
        _id("owner_id"),
        _id("flow_id"),
        _id("activeflow_id"),
        _text("type", "flow"),
        _id("master_call_id"),
        _json("chained_call_ids", "[]"),
        _id("recording_id"),
        _json("recording_ids", "[]"),
        _id("groupcall_id"),
        _json("source", "{}"),
        _json("destination", "{}"),
        _text("status", "dialing"),
        _json("action", "null"),
        _text("direction", "outgoing"),
        _text("mute_direction"),
        _text("hangup_by"),
        _text("hangup_reason"),
        _json("metadata", '{"rtp_debug": false}'),
        sa.Column("tm_progressing", _TIMESTAMP, nullable=True),
        sa.Column("tm_ringing", _TIMESTAMP, nullable=True),
        sa.Column("tm_hangup", _TIMESTAMP, nullable=True),
        _id("leg_id"),
        _json("routes", "[]"),
        sa.Column("route_index", sa.Integer(), server_default="0", nullable=False),
        sa.Column("tm_create", _TIMESTAMP, nullable=False),
        sa.Column("tm_update", _TIMESTAMP, nullable=False),
        sa.Column("tm_delete", _TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_calls")),
    )
    with op.batch_alter_table("call_calls", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_call_calls_customer_id_tm_create"),
            ["customer_id", "tm_create"],
            unique=False,
        )
        batch_op.create_index("uq_call_calls_tm_create", ["tm_create"], unique=True)
        batch_op.create_index(batch_op.f("ix_call_calls_flow_id"), ["flow_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("call_calls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_calls_flow_id"))
        batch_op.drop_index("uq_call_calls_tm_create")
        batch_op.drop_index(batch_op.f("ix_call_calls_customer_id_tm_create"))
    op.drop_table("call_calls")
