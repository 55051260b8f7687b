"""contacts: the contact_contacts and contact_addresses tables

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-11 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.Uuid(as_uuid=False).with_variant(sa.String(length=36), "sqlite")
_TIMESTAMP = sa.DateTime(timezone=True).with_variant(sa.String(length=26), "sqlite")
_JSON = sa.JSON().with_variant(sa.Text(), "sqlite")
_EMPTY_UUID = "00000000-0000-0000-0000-000000000000"


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


def upgrade() -> None:
    op.create_table(
        "contact_contacts",
        sa.Column("id", _ID, nullable=False),
        sa.Column("customer_id", _ID, nullable=False),
        _text("first_name"),
        _text("last_name"),
        _text("display_name"),
        _text("company"),
        _text("job_title"),
        _text("source", "manual"),
        _text("external_id"),
        _text("notes"),
        _json("addresses", "[]"),
        _json("tag_ids", "[]"),
        *_times(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_contacts")),
    )
    with op.batch_alter_table("contact_contacts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_contacts_customer_id_tm_create"),
            ["customer_id", "tm_create"],
            unique=False,
        )
        batch_op.create_index("uq_contact_contacts_tm_create", ["tm_create"], unique=True)
    op.create_table(
        "contact_addresses",
        sa.Column("id", _ID, nullable=False),
        sa.Column("customer_id", _ID, nullable=False),
        sa.Column("contact_id", _ID, server_default=_EMPTY_UUID, nullable=False),
        _text("type"),
        _text("target"),
        _text("target_key"),
        _text("target_name"),
        _text("name"),
        _text("detail"),
        sa.Column("is_primary", sa.Boolean(), server_default=sa.false(), nullable=False),
        *_times(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_addresses")),
    )
    live = sa.text("tm_delete IS NULL")
    live_primary = sa.text("is_primary AND tm_delete IS NULL")
    with op.batch_alter_table("contact_addresses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_addresses_contact_id_tm_create"),
            ["contact_id", "tm_create"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_contact_addresses_customer_id_tm_create"),
            ["customer_id", "tm_create"],
            unique=False,
        )
        batch_op.create_index(
            "uq_contact_addresses_contact_id_type",
            ["contact_id", "type"],
            unique=True,
            postgresql_where=live_primary,
            sqlite_where=live_primary,
        )
        batch_op.create_index(
            "uq_contact_addresses_customer_id_target_key",
            ["customer_id", "target_key"],
            unique=True,
            postgresql_where=live,
            sqlite_where=live,
        )
        batch_op.create_index("uq_contact_addresses_tm_create", ["tm_create"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("contact_addresses", schema=None) as batch_op:
        batch_op.drop_index("uq_contact_addresses_tm_create")
        batch_op.drop_index("uq_contact_addresses_customer_id_target_key")
        batch_op.drop_index("uq_contact_addresses_contact_id_type")
        batch_op.drop_index(batch_op.f("ix_contact_addresses_customer_id_tm_create"))
        batch_op.drop_index(batch_op.f("ix_contact_addresses_contact_id_tm_create"))
    op.drop_table("contact_addresses")
    with op.batch_alter_table("contact_contacts", schema=None) as batch_op:
        batch_op.drop_index("uq_contact_contacts_tm_create")
        batch_op.drop_index(batch_op.f("ix_contact_contacts_customer_id_tm_create"))
    op.drop_table("contact_contacts")
