"""Campaigncalls: the dials of campaigns, made and moved by the runtime's dialer
(``server/runtime/campaigns/``); listed (by ``campaign_id``, ``status``, ``result``,
``outdial_target_id``), read and deleted here. A campaigncall whose call is live cannot be
deleted (``409 CAMPAIGNCALL_STATE_INVALID``): stop its campaign or hang up its call."""

from __future__ import annotations

from voipbin.common.errors import FailedPrecondition
from voipbin.common.permissions import CUSTOMER_MANAGERS
from voipbin.models.campaign import CAMPAIGNCALL_LIVE, CAMPAIGNCALLS, Campaigncall
from voipbin.server.resources.base import Current, Rules, ServerResource
from voipbin.server.resources.context import Context
from voipbin.server.storage.tables import campaign_campaigncalls


async def _check_delete(ctx: Context, current: Current) -> None:
    # A campaigncall never goes back from done: the check holds until the delete.
    if current["status"] in CAMPAIGNCALL_LIVE:
        raise FailedPrecondition(
            "CAMPAIGNCALL_STATE_INVALID",
            f"The campaigncall is {current['status']}: its call is live.",
        )


RESOURCE: ServerResource[Campaigncall] = ServerResource(
    spec=CAMPAIGNCALLS,
    table=campaign_campaigncalls,
    reason_prefix="CAMPAIGNCALL",
    rules=Rules(read=CUSTOMER_MANAGERS, delete=CUSTOMER_MANAGERS),
    check_delete=_check_delete,
    events="campaigncall",
)
