"""The ledger, read-only: one row per change of a billing account's balance, written by the
ledger service in the transaction of the change (see ``voipbin.server.billing.ledger``).
A customer's admins read their customer's rows; nobody writes or deletes them."""

from __future__ import annotations

from voipbin.common.permissions import Permission
from voipbin.models.billing import BILLINGS, Billing
from voipbin.server.resources.base import Rules, ServerResource
from voipbin.server.storage.tables import billing_billings

RESOURCE: ServerResource[Billing] = ServerResource(
    spec=BILLINGS,
    table=billing_billings,
    reason_prefix="BILLING",
    rules=Rules(
        read=Permission.CUSTOMER_ADMIN,
        create=Permission.NONE,
        update=Permission.NONE,
        delete=Permission.NONE,
    ),
)
