"""outbound campaigns: the campaign_outplans, outdial_outdials and outdial_targets tables

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-14 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.Uuid(as_uuid=False).with_variant(sa.String(length=36), "sqlite")
_TIMESTAMP = sa.DateTime(timezone=True).with_variant(sa.String(length=26), "sqlite")
_JSON = sa.JSON().with_variant(sa.Text(), "sqlite")
_EMPTY_UUID = "00000000-0000-0000-0000-000000000000"
_EMPTY_ADDRESS = '{"type":"","target":"","target_name":"","name":"","detail":""}'


def _text(name: str, default: str = "") -> sa.Column[str]:
    return sa.Column(name, sa.Text(), server_default=default, nullable=False)


def _int(name: str, default: str) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), server_default=default, nullable=False)


def _address(name: str) -> sa.Column[Any]:
    return sa.Column(name, _JSON, server_default=sa.text(f"'{_EMPTY_ADDRESS}'"), nullable=False)


def _times() -> list[sa.Column[Any]]:
    return [
        sa.Column("tm_create", _TIMESTAMP, nullable=False),
        sa.Column("tm_update", _TIMESTAMP, nullable=False),
        sa.Column("tm_delete", _TIMESTAMP, nullable=True),
    ]


def _table(name: str, *columns: sa.Column[Any]) -> None:
    op.create_table(
        name,
        sa.Column("id", _ID, nullable=False),
        sa.Column("customer_id", _ID, nullable=False),
        *columns,
        *_times(),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    )


def _indexes(name: str, *extra: tuple[str, ...]) -> None:
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f(f"ix_{name}_customer_id_tm_create"), ["customer_id", "tm_create"]
        )
        for columns in extra:
            batch_op.create_index(batch_op.f(f"ix_{name}_{'_'.join(columns)}"), list(columns))
        batch_op.create_index(f"uq_{name}_tm_create", ["tm_create"], unique=True)


_TARGET_INDEXES = (("outdial_id", "tm_create"), ("outdial_id", "status", "tm_create"))


def upgrade() -> None:
    _table(
        "campaign_outplans",
        _text("name"),
        _text("detail"),
        _address("source"),
        _int("dial_timeout", "30000"),
        _int("try_interval", "60000"),
        *(_int(f"max_try_count_{i}", "0") for i in range(5)),
    )
    _indexes("campaign_outplans")
    _table(
        "outdial_outdials",
        sa.Column("campaign_id", _ID, server_default=_EMPTY_UUID, nullable=False),
        _text("name"),
        _text("detail"),
        _text("data"),
    )
    _indexes("outdial_outdials")
    _table(
        "outdial_targets",
        sa.Column("outdial_id", _ID, server_default=_EMPTY_UUID, nullable=False),
        _text("name"),
        _text("detail"),
        _text("data"),
        _text("status", "idle"),
        *(_address(f"destination_{i}") for i in range(5)),
        *(_int(f"try_count_{i}", "0") for i in range(5)),
        _text("result"),
        sa.Column("tm_next_try", _TIMESTAMP, nullable=True),
    )
    _indexes("outdial_targets", *_TARGET_INDEXES)


def downgrade() -> None:
    for name, extra in (
        ("outdial_targets", _TARGET_INDEXES),
        ("outdial_outdials", ()),
        ("campaign_outplans", ()),
    ):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_index(f"uq_{name}_tm_create")
            for columns in extra:
                batch_op.drop_index(batch_op.f(f"ix_{name}_{'_'.join(columns)}"))
            batch_op.drop_index(batch_op.f(f"ix_{name}_customer_id_tm_create"))
        op.drop_table(name)
