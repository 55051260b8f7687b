"""customers: metadata flags and a webhook signing secret (made for the customers already there)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 10:00:00.000000
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIMESTAMP = sa.DateTime(timezone=True).with_variant(sa.String(length=26), "sqlite")
_JSON = sa.JSON().with_variant(sa.Text(), "sqlite")
_NO_FLAGS = sa.text("""'{"rtp_debug": false}'""")


def upgrade() -> None:
    with op.batch_alter_table("customer_customers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "metadata",
                _JSON,
                server_default=_NO_FLAGS,
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column("webhook_secret", sa.Text(), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("webhook_secret_previous", sa.Text(), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("tm_webhook_secret_rotate", _TIMESTAMP, nullable=True))
    _secrets_for_existing_customers()


def _secrets_for_existing_customers() -> None:
    """Every customer gets its own secret, as a new customer does (the same form as
    ``voipbin.server.storage.tables.new_webhook_secret``, repeated: a migration does not
    import the code it migrates)."""
    bind = op.get_bind()
    ids = bind.execute(sa.text("SELECT id FROM customer_customers")).fetchall()
    update = sa.text("UPDATE customer_customers SET webhook_secret = :secret WHERE id = :id")
    for (customer_id,) in ids:
        bind.execute(update, {"secret": "whsec_" + secrets.token_urlsafe(32), "id": customer_id})


def downgrade() -> None:
    with op.batch_alter_table("customer_customers", schema=None) as batch_op:
        batch_op.drop_column("tm_webhook_secret_rotate")
        batch_op.drop_column("webhook_secret_previous")
        batch_op.drop_column("webhook_secret")
        batch_op.drop_column("metadata")
