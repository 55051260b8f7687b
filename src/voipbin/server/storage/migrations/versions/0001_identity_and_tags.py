"""identity and tags

Revision ID: 0001
Revises:
Create Date: 2026-11-27 07:26:31.879242
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agent_agents",
        sa.Column(
            "id",
            sa.Uuid(as_uuid=False).with_variant(sa.String(length=36), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "customer_id",
            sa.Uuid(as_uuid=False).with_variant(sa.String(length=36), "sqlite"),
            nullable=False,
        ),
        sa.Column("username", sa.Text(), server_default="", nullable=False),
        sa.Column("password_hash", sa.Text(), server_default="", nullable=False),
        sa.Column("name", sa.Text(), server_default="", nullable=False),
        sa.Column("detail", sa.Text(), server_default="", nullable=False),
        sa.Column("ring_method", sa.Text(), server_default="ringall", nullable=False),
        sa.Column("status", sa.Text(), server_default="offline", nullable=False),
        sa.Column("permission", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "tag_ids",
            sa.JSON().with_variant(sa.Text(), "sqlite"),
            server_default=sa.text("'[]'"),
            nullable=False,
        ),
        sa.Column(
            "addresses",
            sa.JSON().with_variant(sa.Text(), "sqlite"),
            server_default=sa.text("'[]'"),
            nullable=False,
        ),
        sa.Column(
            "tm_create",
            sa.DateTime(timezone=True).with_variant(sa.String(length=26), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "tm_update",
            sa.DateTime(timezone=True).with_variant(sa.String(length=26), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "tm_delete",
            sa.DateTime(timezone=True).with_variant(sa.String(length=26), "sqlite"),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_agents")),
    )
    with op.batch_alter_table("agent_agents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agent_agents_customer_id_tm_create"),
            ["customer_id", "tm_create"],
            unique=False,
        )
        batch_op.create_index("uq_agent_agents_tm_create", ["tm_create"], unique=True)
        batch_op.create_index(
            "uq_agent_agents_username",
            ["username"],
            unique=True,
            postgresql_where=sa.text("tm_delete IS NULL"),
            sqlite_where=sa.text("tm_delete IS NULL"),
        )

    op.create_table(
        "customer_customers",
        sa.Column(
            "id",
            sa.Uuid(as_uuid=False).with_variant(sa.String(length=36), "sqlite"),
            nullable=False,
        ),
        sa.Column("name", sa.Text(), server_default="", nullable=False),
        sa.Column("detail", sa.Text(), server_default="", nullable=False),
        sa.Column("email", sa.Text(), server_default="", nullable=False),
        sa.Column("phone_number", sa.Text(), server_default="", nullable=False),
        sa.Column("address", sa.Text(), server_default="", nullable=False),
        sa.Column("webhook_method", sa.Text(), server_default="", nullable=False),
        sa.Column("webhook_uri", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "billing_account_id",
            sa.Uuid(as_uuid=False).with_variant(sa.String(length=36), "sqlite"),
            server_default="00000000-0000-0000-0000-000000000000",
            nullable=False,
        ),
        sa.Column("email_verified", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("status", sa.Text(), server_default="active", nullable=False),
        sa.Column(
            "tm_create",
            sa.DateTime(timezone=True).with_variant(sa.String(length=26), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "tm_update",
            sa.DateTime(timezone=True).with_variant(sa.String(length=26), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "tm_delete",
            sa.DateTime(timezone=True).with_variant(sa.String(length=26), "sqlite"),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_customers")),
    )
    with op.batch_alter_table("customer_customers", schema=None) as batch_op:
        batch_op.create_index("uq_customer_customers_tm_create", ["tm_create"], unique=True)

    op.create_table(
        "system_settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_system_settings")),
    )
    op.create_table(
        "tag_tags",
        sa.Column(
            "id",
            sa.Uuid(as_uuid=False).with_variant(sa.String(length=36), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "customer_id",
            sa.Uuid(as_uuid=False).with_variant(sa.String(length=36), "sqlite"),
            nullable=False,
        ),
        sa.Column("name", sa.Text(), server_default="", nullable=False),
        sa.Column("detail", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "tm_create",
            sa.DateTime(timezone=True).with_variant(sa.String(length=26), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "tm_update",
            sa.DateTime(timezone=True).with_variant(sa.String(length=26), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "tm_delete",
            sa.DateTime(timezone=True).with_variant(sa.String(length=26), "sqlite"),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tag_tags")),
    )
    with op.batch_alter_table("tag_tags", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tag_tags_customer_id_tm_create"),
            ["customer_id", "tm_create"],
            unique=False,
        )
        batch_op.create_index("uq_tag_tags_tm_create", ["tm_create"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("tag_tags", schema=None) as batch_op:
        batch_op.drop_index("uq_tag_tags_tm_create")
        batch_op.drop_index(batch_op.f("ix_tag_tags_customer_id_tm_create"))

    op.drop_table("tag_tags")
    op.drop_table("system_settings")
    with op.batch_alter_table("customer_customers", schema=None) as batch_op:
        batch_op.drop_index("uq_customer_customers_tm_create")

    op.drop_table("customer_customers")
    with op.batch_alter_table("agent_agents", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_agent_agents_username",
            postgresql_where=sa.text("tm_delete IS NULL"),
            sqlite_where=sa.text("tm_delete IS NULL"),
        )
        batch_op.drop_index("uq_agent_agents_tm_create")
        batch_op.drop_index(batch_op.f("ix_agent_agents_customer_id_tm_create"))

    op.drop_table("agent_agents")
