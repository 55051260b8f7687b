"""conferences: the conference_conferences and conference_conferencecalls tables

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-10 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
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


def _times() -> list[sa.Column[Any]]:
    return [
        sa.Column("tm_create", _TIMESTAMP, nullable=False),
        sa.Column("tm_update", _TIMESTAMP, nullable=False),
        sa.Column("tm_delete", _TIMESTAMP, nullable=True),
    ]


def _indexes(table: str, *by: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f(f"ix_{table}_customer_id_tm_create"), ["customer_id", "tm_create"]
        )
        batch_op.create_index(f"uq_{table}_tm_create", ["tm_create"], unique=True)
        for column in by:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column])


def upgrade() -> None:
    op.create_table(
        "conference_conferences",
        sa.Column("id", _ID, nullable=False),
        sa.Column("customer_id", _ID, nullable=False),
        _text("type", "conference"),
        _text("status", "progressing"),
        _text("name"),
        _text("detail"),
        _json("data", "{}"),
        sa.Column("timeout", sa.Integer(), server_default="0", nullable=False),
        _id("pre_flow_id"),
        _id("post_flow_id"),
        _json("conferencecall_ids", "[]"),
        _id("recording_id"),
        _json("recording_ids", "[]"),
        _id("transcribe_id"),
        _json("transcribe_ids", "[]"),
        sa.Column("tm_end", _TIMESTAMP, nullable=True),
        sa.Column("version", sa.Integer(), server_default="0", nullable=False),
        *_times(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conference_conferences")),
    )
    _indexes("conference_conferences")
    op.create_table(
        "conference_conferencecalls",
        sa.Column("id", _ID, nullable=False),
        sa.Column("customer_id", _ID, nullable=False),
        _id("activeflow_id"),
        _id("conference_id"),
        _text("reference_type", "call"),
        _id("reference_id"),
        _text("status", "joining"),
        *_times(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conference_conferencecalls")),
    )
    _indexes("conference_conferencecalls", "conference_id", "reference_id")


def downgrade() -> None:
    op.drop_table("conference_conferencecalls")
    op.drop_table("conference_conferences")
