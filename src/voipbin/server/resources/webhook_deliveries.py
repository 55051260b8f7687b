"""Webhook deliveries, read-only but for ``retry``: rows written by the runtime's webhook
delivery (``server/runtime/webhooks/``) in the transaction of each event and after each
attempt. A customer's admins read theirs (why their endpoint is not receiving) and send a
dead one again; nobody creates, changes or deletes them through the API."""

from __future__ import annotations

from typing import Any

from voipbin.common.permissions import Permission
from voipbin.models.webhook_delivery import WEBHOOK_DELIVERIES, WebhookDelivery
from voipbin.server.resources.base import Current, Rules, ServerResource
from voipbin.server.resources.context import Context
from voipbin.server.storage.database import Row
from voipbin.server.storage.tables import webhook_deliveries


async def _retry(ctx: Context, body: Any, current: Current) -> Row:
    if ctx.webhooks is None:
        raise RuntimeError("webhook deliveries need the app's webhook runtime")
    return await ctx.webhooks.retry(str(current["id"]))


RESOURCE: ServerResource[WebhookDelivery] = ServerResource(
    spec=WEBHOOK_DELIVERIES,
    table=webhook_deliveries,
    reason_prefix="WEBHOOK_DELIVERY",
    rules=Rules(
        read=Permission.CUSTOMER_ADMIN,
        create=Permission.NONE,
        update=Permission.NONE,
        delete=Permission.NONE,
        actions={"retry": Permission.CUSTOMER_ADMIN},
    ),
    performs={"retry": _retry},
)
