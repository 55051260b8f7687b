"""extensions and trunks

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id(name: str) -> sa.Column[str]:
    return sa.Column(
        name, sa.Uuid(as_uuid=False).with_variant(sa.String(length=36), "sqlite"), nullable=False
    )


def _text(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.Text(), server_default="", nullable=False)


def _json(name: str) -> sa.Column[Any]:
    return sa.Column(
        name,
        sa.JSON().with_variant(sa.Text(), "sqlite"),
        server_default=sa.text("'[]'"),
        nullable=False,
    )


def _times() -> list[sa.Column[Any]]:
    kind = sa.DateTime(timezone=True).with_variant(sa.String(length=26), "sqlite")
    return [
        sa.Column("tm_create", kind, nullable=False),
        sa.Column("tm_update", kind, nullable=False),
        sa.Column("tm_delete", kind, nullable=True),
    ]


_DIGEST = ("digest_realm", "digest_ha1_md5", "digest_ha1_sha256")


def upgrade() -> None:
    op.create_table(
        "registrar_extensions",
        _id("id"),
        _id("customer_id"),
        _text("extension"),
        _text("name"),
        _text("detail"),
        _text("domain_name"),
        _text("username"),
        *(_text(n) for n in _DIGEST),
        *_times(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registrar_extensions")),
    )
    with op.batch_alter_table("registrar_extensions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_registrar_extensions_customer_id_tm_create"),
            ["customer_id", "tm_create"],
            unique=False,
        )
        batch_op.create_index("uq_registrar_extensions_tm_create", ["tm_create"], unique=True)
        batch_op.create_index(
            "uq_registrar_extensions_customer_id_extension",
            ["customer_id", "extension"],
            unique=True,
            postgresql_where=sa.text("tm_delete IS NULL"),
            sqlite_where=sa.text("tm_delete IS NULL"),
        )

    op.create_table(
        "registrar_trunks",
        _id("id"),
        _id("customer_id"),
        _text("name"),
        _text("detail"),
        _text("domain_name"),
        _json("auth_types"),
        _text("username"),
        _json("allowed_ips"),
        *(_text(n) for n in _DIGEST),
        *_times(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registrar_trunks")),
    )
    with op.batch_alter_table("registrar_trunks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_registrar_trunks_customer_id_tm_create"),
            ["customer_id", "tm_create"],
            unique=False,
        )
        batch_op.create_index("uq_registrar_trunks_tm_create", ["tm_create"], unique=True)
        batch_op.create_index(
            "uq_registrar_trunks_domain_name",
            ["domain_name"],
            unique=True,
            postgresql_where=sa.text("tm_delete IS NULL"),
            sqlite_where=sa.text("tm_delete IS NULL"),
        )


def downgrade() -> None:
    op.drop_table("registrar_trunks")
    op.drop_table("registrar_extensions")
