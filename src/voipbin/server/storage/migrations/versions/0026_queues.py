"""queues: the queue_queues and queue_queuecalls tables, and when an agent became available

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-12 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
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


def _stamps() -> list[sa.Column[Any]]:
    return [
        sa.Column("tm_create", _TIMESTAMP, nullable=False),
        sa.Column("tm_update", _TIMESTAMP, nullable=False),
        sa.Column("tm_delete", _TIMESTAMP, nullable=True),
    ]


def upgrade() -> None:
    with op.batch_alter_table("agent_agents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tm_available", _TIMESTAMP, nullable=True))
    op.create_table(
        "queue_queues",
        sa.Column("id", _ID, nullable=False),
        sa.Column("customer_id", _ID, nullable=False),
        _text("name"),
        _text("detail"),
        _text("routing_method", "random"),
        _json("tag_ids", "[]"),
        _id("wait_flow_id"),
        _int("wait_timeout"),
        _int("service_timeout"),
        _json("wait_queuecall_ids", "[]"),
        _json("service_queuecall_ids", "[]"),
        _int("total_incoming_count"),
        _int("total_serviced_count"),
        _int("total_abandoned_count"),
        _int("version"),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queue_queues")),
    )
    with op.batch_alter_table("queue_queues", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_queue_queues_customer_id_tm_create"),
            ["customer_id", "tm_create"],
            unique=False,
        )
        batch_op.create_index("uq_queue_queues_tm_create", ["tm_create"], unique=True)
    op.create_table(
        "queue_queuecalls",
        sa.Column("id", _ID, nullable=False),
        sa.Column("customer_id", _ID, nullable=False),
        _id("queue_id"),
        _text("reference_type", "call"),
        _id("reference_id"),
        _id("reference_activeflow_id"),
        _text("status", "initiating"),
        _json("source", "{}"),
        _text("routing_method", "random"),
        _json("tag_ids", "[]"),
        _int("timeout_wait"),
        _int("timeout_service"),
        _id("service_agent_id"),
        _id("service_groupcall_id"),
        _id("service_call_id"),
        _int("position"),
        _int("duration_waiting"),
        _int("duration_service"),
        sa.Column("tm_service", _TIMESTAMP, nullable=True),
        sa.Column("tm_end", _TIMESTAMP, nullable=True),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queue_queuecalls")),
    )
    with op.batch_alter_table("queue_queuecalls", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_queue_queuecalls_customer_id_tm_create"),
            ["customer_id", "tm_create"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_queue_queuecalls_reference_id"), ["reference_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_queue_queuecalls_service_groupcall_id"),
            ["service_groupcall_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_queue_queuecalls_queue_id_status_tm_create"),
            ["queue_id", "status", "tm_create"],
            unique=False,
        )
        batch_op.create_index("uq_queue_queuecalls_tm_create", ["tm_create"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("queue_queuecalls", schema=None) as batch_op:
        batch_op.drop_index("uq_queue_queuecalls_tm_create")
        batch_op.drop_index(batch_op.f("ix_queue_queuecalls_queue_id_status_tm_create"))
        batch_op.drop_index(batch_op.f("ix_queue_queuecalls_service_groupcall_id"))
        batch_op.drop_index(batch_op.f("ix_queue_queuecalls_reference_id"))
        batch_op.drop_index(batch_op.f("ix_queue_queuecalls_customer_id_tm_create"))
    op.drop_table("queue_queuecalls")
    with op.batch_alter_table("queue_queues", schema=None) as batch_op:
        batch_op.drop_index("uq_queue_queues_tm_create")
        batch_op.drop_index(batch_op.f("ix_queue_queues_customer_id_tm_create"))
    op.drop_table("queue_queues")
    with op.batch_alter_table("agent_agents", schema=None) as batch_op:
        batch_op.drop_column("tm_available")
