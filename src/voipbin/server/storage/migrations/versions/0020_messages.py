"""messages: the message_messages table and the simulated network's SMS rules

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-10 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.Uuid(as_uuid=False).with_variant(sa.String(length=36), "sqlite")
_TIMESTAMP = sa.DateTime(timezone=True).with_variant(sa.String(length=26), "sqlite")
_JSON = sa.JSON().with_variant(sa.Text(), "sqlite")


def _text(name: str, default: str = "") -> sa.Column[str]:
    return sa.Column(name, sa.Text(), server_default=default, nullable=False)


def _json(name: str, default: str) -> sa.Column[Any]:
    return sa.Column(name, _JSON, server_default=sa.text(f"'{default}'"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "message_messages",
        sa.Column("id", _ID, nullable=False),
        sa.Column("customer_id", _ID, nullable=False),
        _text("type", "sms"),
        _json("source", "{}"),
        _json("targets", "[]"),
        _text("text"),
        _text("direction", "outbound"),
        _json("statuses", "[]"),
        sa.Column("version", sa.Integer(), server_default="0", nullable=False),
        sa.Column("tm_create", _TIMESTAMP, nullable=False),
        sa.Column("tm_update", _TIMESTAMP, nullable=False),
        sa.Column("tm_delete", _TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_messages")),
    )
    with op.batch_alter_table("message_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_message_messages_customer_id_tm_create"),
            ["customer_id", "tm_create"],
            unique=False,
        )
        batch_op.create_index("uq_message_messages_tm_create", ["tm_create"], unique=True)
    op.create_table(
        "sim_message_rules",
        sa.Column("id", _ID, nullable=False),
        _text("pattern"),
        sa.Column("script", sa.Text(), nullable=False),
        sa.Column("tm_create", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sim_message_rules")),
    )
    with op.batch_alter_table("sim_message_rules", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sim_message_rules_tm_create"), ["tm_create"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("sim_message_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sim_message_rules_tm_create"))
    op.drop_table("sim_message_rules")
    with op.batch_alter_table("message_messages", schema=None) as batch_op:
        batch_op.drop_index("uq_message_messages_tm_create")
        batch_op.drop_index(batch_op.f("ix_message_messages_customer_id_tm_create"))
    op.drop_table("message_messages")
