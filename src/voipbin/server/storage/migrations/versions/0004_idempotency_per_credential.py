"""idempotency keys per credential

Keys were unique per customer, so any caller of a customer could replay another's stored
response (an access key's token among them), and bodies were stored in plaintext. The table
is rebuilt keyed by the credential that sent the request, with a claim token, a keyed
fingerprint and a sealed body. Rows of the old table are dropped, not carried over: they
name no credential, and they hold the plaintext this revision removes. They lived 24 hours.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 19:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.Uuid(as_uuid=False).with_variant(sa.String(length=36), "sqlite")
_TIMESTAMP = sa.DateTime(timezone=True).with_variant(sa.String(length=26), "sqlite")


def _drop() -> None:
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_keys_tm_expire"))
    op.drop_table("idempotency_keys")


def _create(owner: str, *columns: sa.Column[object], body: str) -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column(owner, _ID, nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        *columns,
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("response_status", sa.Integer(), server_default="0", nullable=False),
        sa.Column("response_headers", sa.Text(), server_default="", nullable=False),
        sa.Column(body, sa.Text(), server_default="", nullable=False),
        sa.Column("tm_create", _TIMESTAMP, nullable=False),
        sa.Column("tm_expire", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint(owner, "key", name=op.f("pk_idempotency_keys")),
    )
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotency_keys_tm_expire"), ["tm_expire"], unique=False
        )


def upgrade() -> None:
    _drop()
    _create(
        "credential_id",
        sa.Column("claim", sa.String(length=32), nullable=False),
        body="sealed_body",
    )


def downgrade() -> None:
    _drop()
    _create("customer_id", body="response_body")
