"""Campaigns and campaigncalls through the async SDK: made, changed by the declared actions,
refused with the typed error when they cannot run, and their campaigncalls listed."""

from __future__ import annotations

import pytest

from voipbin.client import AsyncClient, InvalidArgument
from voipbin.models.campaign import Campaign

GREETING = [{"type": "talk", "option": {"text": "Hello."}}]


async def test_a_campaign_is_made_changed_and_refused_to_run(aclient: AsyncClient) -> None:
    campaign = await aclient.campaigns.create(name="spring", type="flow", actions=GREETING)
    assert isinstance(campaign, Campaign)
    assert (campaign.status, campaign.service_level, campaign.outplan_id) == ("stop", 100, None)
    changed = await aclient.campaigns.service_level(campaign.id, service_level=5)
    assert changed is not None
    assert changed.service_level == 5
    with pytest.raises(InvalidArgument) as refused:
        await aclient.campaigns.status(campaign.id, status="run")
    assert refused.value.reason == "CAMPAIGN_NOT_RUNNABLE"
    assert refused.value.http_status == 422
    listed = await aclient.campaigncalls.list(campaign_id=str(campaign.id), result="success")
    assert listed.result == []
