"""Campaigns: made (``stop``) and changed by the generic service (``campaign_created``,
``campaign_updated``); run and stopped (``PUT .../status``, with ``campaign_status_*``) and
deleted by their dialer, the runtime's (``server/runtime/campaigns/``), reached through
``ctx.campaigns``.

Customer admins and managers use them. The generic service has checked the id, the tenancy
(another customer's campaign is a 404), the role, the body and that the campaign is not
deleted. ``outplan_id``, ``outdial_id``, ``queue_id`` and ``next_campaign_id`` must name live
resources of the customer (422 naming the field); a campaign is not its own next one (400).
The actions are checked as a flow's are.
"""

from __future__ import annotations

from typing import Any

import msgspec

from voipbin.common.errors import InvalidArgument, Unavailable
from voipbin.common.ids import EMPTY_UUID_TEXT
from voipbin.common.permissions import CUSTOMER_MANAGERS
from voipbin.models.campaign import CAMPAIGNS, Campaign
from voipbin.models.flows.check import check_actions
from voipbin.server.resources.base import Current, Rules, ServerResource, Values
from voipbin.server.resources.context import CampaignControl, Context
from voipbin.server.resources.flows import check_action_references
from voipbin.server.storage.database import Row
from voipbin.server.storage.tables import campaign_campaigns

#: The id fields, by the name of the resource each must be a live one of.
REFERENCES = {
    "outplan_id": "outplan",
    "outdial_id": "outdial",
    "queue_id": "queue",
    "next_campaign_id": "campaign",
}
_PLAIN = ("name", "detail", "type", "service_level", "end_handle")


def _campaigns(ctx: Context) -> CampaignControl:
    if ctx.campaigns is None:
        raise Unavailable("SERVICE_UNAVAILABLE", "Campaigns are not served by this process.")
    return ctx.campaigns


async def _values(ctx: Context, body: Any, current: Current | None) -> Values:
    """The columns of the fields ``body`` gives (the service checks the references)."""
    given = {k: v for k, v in msgspec.structs.asdict(body).items() if v is not msgspec.UNSET}
    values: Values = {k: given[k] for k in _PLAIN if k in given}
    if "actions" in given:
        actions, refs = check_actions(given["actions"])
        await check_action_references(ctx, refs)
        values["actions"] = msgspec.json.encode(actions).decode()
    ids = {k: given[k] for k in REFERENCES if k in given}
    own_id = None if current is None else str(current["id"])
    if own_id is not None and str(ids.get("next_campaign_id")) == own_id:
        raise InvalidArgument.field("next_campaign_id", "a campaign is not its own next one")
    for name, value in ids.items():
        values[name] = EMPTY_UUID_TEXT if value is None else str(value)
    return values


async def _status(ctx: Context, body: Any, current: Current) -> Row:
    return await _campaigns(ctx).status(str(current["id"]), body.status)


async def _delete(ctx: Context, current: Current) -> bool:
    return await _campaigns(ctx).delete(str(current["id"]))


RESOURCE: ServerResource[Campaign] = ServerResource(
    spec=CAMPAIGNS,
    table=campaign_campaigns,
    reason_prefix="CAMPAIGN",
    rules=Rules(read=CUSTOMER_MANAGERS),
    prepare_create=_values,
    prepare_update=_values,
    actions={
        name: _values for name in ("service_level", "actions", "resource_info", "next_campaign_id")
    },
    performs={"status": _status},
    performs_delete=_delete,
    references=REFERENCES,
    events="campaign",
)
