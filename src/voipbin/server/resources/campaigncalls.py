"""Campaigncalls: the dials of campaigns, made and moved by the runtime's dialer
(``server/runtime/campaigns/``); listed (by ``campaign_id``, ``status``, ``result``,
``outdial_target_id``), read and deleted here. A campaigncall whose call is live cannot be
deleted (``409 CAMPAIGNCALL_STATE_INVALID``): stop its campaign or hang up its call."""

from __future__ import annotations

from voipbin.common.errors import Unavailable
from voipbin.common.permissions import CUSTOMER_MANAGERS
from voipbin.models.campaign import CAMPAIGNCALLS, Campaigncall
from voipbin.server.resources.base import Current, Rules, ServerResource
from voipbin.server.resources.context import Context
from voipbin.server.storage.tables import campaign_campaigncalls


async def _delete(ctx: Context, current: Current) -> bool:
    if ctx.campaigns is None:
        raise Unavailable("SERVICE_UNAVAILABLE", "Campaigns are not served by this process.")
    return await ctx.campaigns.delete_call(str(current["id"]))


RESOURCE: ServerResource[Campaigncall] = ServerResource(
    spec=CAMPAIGNCALLS,
    table=campaign_campaigncalls,
    reason_prefix="CAMPAIGNCALL",
    rules=Rules(read=CUSTOMER_MANAGERS, delete=CUSTOMER_MANAGERS),
    performs_delete=_delete,
)
