"""groupcalls: the call_groupcalls table

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
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
        "call_groupcalls",
        sa.Column("id", _ID, nullable=False),
        sa.Column("customer_id", _ID, nullable=False),
        _text("owner_type"),
        _id("owner_id"),
        _text("status", "progressing"),
        _id("flow_id"),
        _json("source", "{}"),
        _json("destinations", "[]"),
        _id("master_call_id"),
        _id("master_groupcall_id"),
        _text("ring_method", "ring_all"),
        _text("answer_method", "hangup_others"),
        _id("answer_call_id"),
        _json("call_ids", "[]"),
        _id("answer_groupcall_id"),
        _json("groupcall_ids", "[]"),
        _int("call_count"),
        _int("groupcall_count"),
        _int("dial_index"),
        _json("plans", "[]"),
        _json("live_ids", "[]"),
        sa.Column("tm_create", _TIMESTAMP, nullable=False),
        sa.Column("tm_update", _TIMESTAMP, nullable=False),
        sa.Column("tm_delete", _TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_groupcalls")),
    )
    with op.batch_alter_table("call_groupcalls", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_call_groupcalls_customer_id_tm_create"),
            ["customer_id", "tm_create"],
            unique=False,
        )
        batch_op.create_index("uq_call_groupcalls_tm_create", ["tm_create"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("call_groupcalls", schema=None) as batch_op:
        batch_op.drop_index("uq_call_groupcalls_tm_create")
        batch_op.drop_index(batch_op.f("ix_call_groupcalls_customer_id_tm_create"))
    op.drop_table("call_groupcalls")
