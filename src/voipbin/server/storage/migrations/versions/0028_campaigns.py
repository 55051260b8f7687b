"""campaigns: the campaign_campaigns and campaign_campaigncalls tables

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-14 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
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


def _int(name: str, default: str = "0") -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), server_default=default, nullable=False)


def _stamps() -> list[sa.Column[Any]]:
    return [
        sa.Column("tm_create", _TIMESTAMP, nullable=False),
        sa.Column("tm_update", _TIMESTAMP, nullable=False),
        sa.Column("tm_delete", _TIMESTAMP, nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "campaign_campaigns",
        sa.Column("id", _ID, nullable=False),
        sa.Column("customer_id", _ID, nullable=False),
        _text("type", "call"),
        _text("name"),
        _text("detail"),
        _text("status", "stop"),
        _int("service_level", "100"),
        _text("end_handle", "stop"),
        _json("actions", "[]"),
        _id("outplan_id"),
        _id("outdial_id"),
        _id("queue_id"),
        _id("next_campaign_id"),
        _text("stop_reason"),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_campaigns")),
    )
    with op.batch_alter_table("campaign_campaigns", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_campaign_campaigns_customer_id_tm_create"),
            ["customer_id", "tm_create"],
            unique=False,
        )
        batch_op.create_index("uq_campaign_campaigns_tm_create", ["tm_create"], unique=True)
    op.create_table(
        "campaign_campaigncalls",
        sa.Column("id", _ID, nullable=False),
        sa.Column("customer_id", _ID, nullable=False),
        _id("campaign_id"),
        _id("outplan_id"),
        _id("outdial_id"),
        _id("outdial_target_id"),
        _id("queue_id"),
        _id("activeflow_id"),
        _id("flow_id"),
        _text("reference_type", "call"),
        _id("reference_id"),
        _text("status", "dialing"),
        _text("result"),
        _json("source", "{}"),
        _json("destination", "{}"),
        _int("destination_index"),
        _int("try_count"),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_campaigncalls")),
    )
    with op.batch_alter_table("campaign_campaigncalls", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_campaign_campaigncalls_customer_id_tm_create"),
            ["customer_id", "tm_create"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_campaign_campaigncalls_reference_id"), ["reference_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_campaign_campaigncalls_campaign_id_status"),
            ["campaign_id", "status"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_campaign_campaigncalls_campaign_id_tm_create"),
            ["campaign_id", "tm_create"],
            unique=False,
        )
        batch_op.create_index("uq_campaign_campaigncalls_tm_create", ["tm_create"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("campaign_campaigncalls", schema=None) as batch_op:
        batch_op.drop_index("uq_campaign_campaigncalls_tm_create")
        batch_op.drop_index(batch_op.f("ix_campaign_campaigncalls_campaign_id_tm_create"))
        batch_op.drop_index(batch_op.f("ix_campaign_campaigncalls_campaign_id_status"))
        batch_op.drop_index(batch_op.f("ix_campaign_campaigncalls_reference_id"))
        batch_op.drop_index(batch_op.f("ix_campaign_campaigncalls_customer_id_tm_create"))
    op.drop_table("campaign_campaigncalls")
    with op.batch_alter_table("campaign_campaigns", schema=None) as batch_op:
        batch_op.drop_index("uq_campaign_campaigns_tm_create")
        batch_op.drop_index(batch_op.f("ix_campaign_campaigns_customer_id_tm_create"))
    op.drop_table("campaign_campaigns")
