"""emails: the email_emails table and the simulator's local outbox, sim_emails

Revision ID: 0021
Revises: 0018
Create Date: 2026-12-09 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.Uuid(as_uuid=False).with_variant(sa.String(length=36), "sqlite")
_TIMESTAMP = sa.DateTime(timezone=True).with_variant(sa.String(length=26), "sqlite")
_JSON = sa.JSON().with_variant(sa.Text(), "sqlite")


def _text(name: str, default: str = "") -> sa.Column[str]:
    return sa.Column(name, sa.Text(), server_default=default, nullable=False)


def _json(name: str, default: str) -> sa.Column[Any]:
    return sa.Column(name, _JSON, server_default=sa.text(f"'{default}'"), nullable=False)


def _table(name: str, *columns: sa.Column[Any]) -> None:
    op.create_table(
        name,
        sa.Column("id", _ID, nullable=False),
        sa.Column("customer_id", _ID, nullable=False),
        *columns,
        sa.Column("tm_create", _TIMESTAMP, nullable=False),
        sa.Column("tm_update", _TIMESTAMP, nullable=False),
        sa.Column("tm_delete", _TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f(f"ix_{name}_customer_id_tm_create"), ["customer_id", "tm_create"]
        )
        batch_op.create_index(f"uq_{name}_tm_create", ["tm_create"], unique=True)


def upgrade() -> None:
    _table(
        "email_emails",
        _json("source", "{}"),
        _json("destinations", "[]"),
        _text("status", "initiated"),
        _text("subject"),
        _text("content"),
        _json("attachments", "[]"),
    )
    _table(
        "sim_emails",
        sa.Column("email_id", _ID, nullable=False),
        _text("sender"),
        _json("recipients", "[]"),
        _text("subject"),
        _text("content"),
        _json("attachments", "[]"),
    )


def downgrade() -> None:
    for name in ("sim_emails", "email_emails"):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_index(f"uq_{name}_tm_create")
            batch_op.drop_index(batch_op.f(f"ix_{name}_customer_id_tm_create"))
        op.drop_table(name)
