"""routes and providers

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.Uuid(as_uuid=False).with_variant(sa.String(length=36), "sqlite")
_TIMESTAMP = sa.DateTime(timezone=True).with_variant(sa.String(length=26), "sqlite")
_JSON = sa.JSON().with_variant(sa.Text(), "sqlite")


def _times() -> list[sa.Column[object]]:
    return [
        sa.Column("tm_create", _TIMESTAMP, nullable=False),
        sa.Column("tm_update", _TIMESTAMP, nullable=False),
        sa.Column("tm_delete", _TIMESTAMP, nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "route_providers",
        sa.Column("id", _ID, nullable=False),
        sa.Column("type", sa.Text(), server_default="sip", nullable=False),
        sa.Column("hostname", sa.Text(), server_default="", nullable=False),
        sa.Column("tech_prefix", sa.Text(), server_default="", nullable=False),
        sa.Column("tech_postfix", sa.Text(), server_default="", nullable=False),
        sa.Column("tech_headers", _JSON, server_default=sa.text("'{}'"), nullable=False),
        sa.Column("codecs", sa.Text(), server_default="", nullable=False),
        sa.Column("name", sa.Text(), server_default="", nullable=False),
        sa.Column("detail", sa.Text(), server_default="", nullable=False),
        *_times(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_route_providers")),
    )
    with op.batch_alter_table("route_providers", schema=None) as batch_op:
        batch_op.create_index("uq_route_providers_tm_create", ["tm_create"], unique=True)

    op.create_table(
        "route_routes",
        sa.Column("id", _ID, nullable=False),
        sa.Column("customer_id", _ID, nullable=False),
        sa.Column("name", sa.Text(), server_default="", nullable=False),
        sa.Column("detail", sa.Text(), server_default="", nullable=False),
        sa.Column("provider_id", _ID, nullable=False),
        sa.Column("priority", sa.Integer(), server_default="0", nullable=False),
        sa.Column("target", sa.Text(), server_default="", nullable=False),
        *_times(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_route_routes")),
    )
    with op.batch_alter_table("route_routes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_route_routes_customer_id_target"),
            ["customer_id", "target"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_route_routes_customer_id_tm_create"),
            ["customer_id", "tm_create"],
            unique=False,
        )
        batch_op.create_index("uq_route_routes_tm_create", ["tm_create"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("route_routes", schema=None) as batch_op:
        batch_op.drop_index("uq_route_routes_tm_create")
        batch_op.drop_index(batch_op.f("ix_route_routes_customer_id_tm_create"))
        batch_op.drop_index(batch_op.f("ix_route_routes_customer_id_target"))
    op.drop_table("route_routes")

    with op.batch_alter_table("route_providers", schema=None) as batch_op:
        batch_op.drop_index("uq_route_providers_tm_create")
    op.drop_table("route_providers")
