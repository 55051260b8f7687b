"""recordings: the call_recordings table

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-10 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
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
        "call_recordings",
        sa.Column("id", _ID, nullable=False),
        sa.Column("customer_id", _ID, nullable=False),
        _text("owner_type"),
        _id("owner_id"),
        _id("activeflow_id"),
        _text("reference_type", "call"),
        _id("reference_id"),
        _text("status", "initiating"),
        _text("format", "wav"),
        _id("on_end_flow_id"),
        sa.Column("tm_start", _TIMESTAMP, nullable=True),
        sa.Column("tm_end", _TIMESTAMP, nullable=True),
        _text("recording_name"),
        _json("filenames", "[]"),
        _text("end_of_key"),
        sa.Column("duration", sa.Integer(), server_default="0", nullable=False),
        sa.Column("tm_create", _TIMESTAMP, nullable=False),
        sa.Column("tm_update", _TIMESTAMP, nullable=False),
        sa.Column("tm_delete", _TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_recordings")),
    )
    with op.batch_alter_table("call_recordings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_call_recordings_customer_id_tm_create"),
            ["customer_id", "tm_create"],
            unique=False,
        )
        batch_op.create_index("uq_call_recordings_tm_create", ["tm_create"], unique=True)
        batch_op.create_index(
            batch_op.f("ix_call_recordings_reference_id"), ["reference_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("call_recordings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_recordings_reference_id"))
        batch_op.drop_index("uq_call_recordings_tm_create")
        batch_op.drop_index(batch_op.f("ix_call_recordings_customer_id_tm_create"))
    op.drop_table("call_recordings")
