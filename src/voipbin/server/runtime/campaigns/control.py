"""The campaigns' and campaigncalls' resources' side of the runtime: each API request as one
transaction of :class:`~voipbin.server.runtime.campaigns.service.CampaignRuntime` (the
``CampaignControl`` the resources' hooks are given)."""

from __future__ import annotations

from typing import Any

import msgspec

from voipbin.common.errors import FailedPrecondition, NotFound
from voipbin.server.resources.context import CommitHook, Context
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

    async def create(
        self, ctx: Context, values: dict[str, Any], commit_with: CommitHook | None
    ) -> msgspec.Struct:
        async with self.runtime.db.transaction() as tx:
            row = await self.runtime.campaigns.insert(
                {**values, "customer_id": ctx.customer_id, "status": "stop"}, tx
            )
            await self.runtime.emit(tx, row, machine.CAMPAIGN_CREATED)
            if commit_with is not None:
                await commit_with(tx, row.wire)
        return row.wire

    async def change(self, campaign_id: str, values: dict[str, Any]) -> Row:
        async with self.runtime.db.transaction() as tx:
            campaign = await self._campaign(tx, campaign_id)
            if not values:
                return campaign.shown
            changed = await self.runtime.campaigns.update(tx, campaign.id, values, {})
            if changed is None:
                raise FailedPrecondition("CAMPAIGN_STATE_INVALID", "The campaign was deleted.")
            await self.runtime.emit(tx, changed, machine.CAMPAIGN_UPDATED)
        return changed.shown

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

    async def delete_call(self, campaigncall_id: str) -> bool:
        async with self.runtime.db.transaction() as tx:
            campaigncall = await self.runtime.campaigncalls.get(campaigncall_id, tx)
            if campaigncall is None:
                raise NotFound("CAMPAIGNCALL_NOT_FOUND")
            if campaigncall.status in machine.LIVE:
                raise FailedPrecondition(
                    "CAMPAIGNCALL_STATE_INVALID",
                    f"The campaigncall is {campaigncall.status}: its call is live.",
                )
            deleted = await self.runtime.campaigncalls.soft_delete(tx, campaigncall)
            if deleted is None:
                return False
            await self.runtime.emit(tx, deleted, machine.CAMPAIGNCALL_DELETED)
        return True
