"""The campaigns' and campaigncalls' resources' side of the runtime: each API request as one
transaction of :class:`~voipbin.server.runtime.campaigns.service.CampaignRuntime` (the
``CampaignControl`` the resources' hooks are given)."""

from __future__ import annotations

from voipbin.common.errors import FailedPrecondition, NotFound
from voipbin.server.runtime.campaigns import machine
from voipbin.server.runtime.campaigns.rows import CampaignRow
from voipbin.server.runtime.campaigns.service import CampaignRuntime
from voipbin.server.storage.database import Executor, Row


class RuntimeCampaignControl:
    """``CampaignControl`` over a :class:`CampaignRuntime`."""

    def __init__(self, runtime: CampaignRuntime) -> None:
        self.runtime = runtime

    async def _campaign(self, tx: Executor, campaign_id: str) -> CampaignRow:
        campaign = await self.runtime.campaigns.get(campaign_id, tx)
        if campaign is None:
            raise NotFound("CAMPAIGN_NOT_FOUND")
        if not campaign.live:
            raise FailedPrecondition("CAMPAIGN_STATE_INVALID", "The campaign was deleted.")
        return campaign

    async def status(self, campaign_id: str, status: str) -> Row:
        async with self.runtime.db.transaction() as tx:
            campaign = await self._campaign(tx, campaign_id)
            if status == "run":
                moved = await self.runtime.run(tx, campaign)
            else:
                moved = await self.runtime.stop(tx, campaign, machine.BY_USER)
        return moved.shown

    async def delete(self, campaign_id: str) -> bool:
        async with self.runtime.db.transaction() as tx:
            campaign = await self.runtime.campaigns.get(campaign_id, tx)
            if campaign is None or not campaign.live:
                return False
            return await self.runtime.delete(tx, campaign)
