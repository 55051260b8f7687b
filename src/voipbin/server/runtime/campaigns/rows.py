"""Campaigns' and campaigncalls' rows as the runtime reads them
(:mod:`voipbin.server.runtime.rows`). A campaign and a campaigncall move by one UPDATE
conditional on their status."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import msgspec

from voipbin.common.ids import EMPTY_UUID_TEXT
from voipbin.models.campaign import Campaign, Campaigncall, CampaigncallStatus, CampaignStatus
from voipbin.models.flows.actions import FlowAction
from voipbin.models.wire import wire_struct
from voipbin.server.runtime.campaigns import machine
from voipbin.server.runtime.rows import RuntimeRows, StoredRow, id_or_none, raw_json
from voipbin.server.storage.database import Executor
from voipbin.server.storage.repository import ListQuery, Repository

CAMPAIGN_FIELDS: tuple[str, ...] = Campaign.__struct_fields__
CAMPAIGNCALL_FIELDS: tuple[str, ...] = Campaigncall.__struct_fields__

_actions = msgspec.json.Decoder(list[FlowAction])


@dataclass(frozen=True, slots=True)
class CampaignRow(StoredRow):
    MODEL_FIELDS = CAMPAIGN_FIELDS
    WIRE = wire_struct(Campaign)

    @property
    def status(self) -> CampaignStatus:
        return cast(CampaignStatus, self.values["status"])

    @property
    def live(self) -> bool:
        return self.time("tm_delete") is None

    def ref(self, field: str) -> str | None:
        """An id field; ``None`` for the empty UUID."""
        return id_or_none(self.values[field])

    @property
    def actions(self) -> list[FlowAction]:
        return _actions.decode(raw_json(self.values["actions"]))


class CampaignRows(RuntimeRows[CampaignRow]):
    def __init__(self, repository: Repository) -> None:
        super().__init__(repository, CampaignRow, CAMPAIGN_FIELDS)

    async def move(
        self, tx: Executor, campaign: CampaignRow, values: Mapping[str, Any]
    ) -> CampaignRow | None:
        """Write ``values`` if the campaign is still in the status read."""
        return await self.update(tx, campaign.id, values, {"status": campaign.status})


@dataclass(frozen=True, slots=True)
class CampaigncallRow(StoredRow):
    MODEL_FIELDS = CAMPAIGNCALL_FIELDS
    WIRE = wire_struct(Campaigncall)

    @property
    def status(self) -> CampaigncallStatus:
        return cast(CampaigncallStatus, self.values["status"])

    def ref(self, field: str) -> str | None:
        return id_or_none(self.values[field])


class CampaigncallRows(RuntimeRows[CampaigncallRow]):
    def __init__(self, repository: Repository) -> None:
        super().__init__(repository, CampaigncallRow, CAMPAIGNCALL_FIELDS)

    async def move(
        self, tx: Executor, campaigncall: CampaigncallRow, values: Mapping[str, Any]
    ) -> CampaigncallRow | None:
        """Write ``values`` if the campaigncall is still in the status read."""
        return await self.update(tx, campaigncall.id, values, {"status": campaigncall.status})

    async def of_call(self, tx: Executor, call_id: str) -> CampaigncallRow | None:
        """The campaigncall that dialled the call ``call_id``, if any."""
        if call_id == EMPTY_UUID_TEXT:
            return None
        found = await self.repository.find(("id",), {"reference_id": call_id}, executor=tx)
        return None if found is None else await self.get(str(found[0]), tx)

    async def count(self, tx: Executor, campaign_id: str, status: str, limit: int) -> int:
        """How many of the campaign's campaigncalls are ``status`` (counted up to ``limit``)."""
        query = ListQuery(limit=limit, equals={"campaign_id": campaign_id, "status": status})
        return await self.repository.count(query, tx)

    async def live(self, tx: Executor, campaign_id: str, limit: int) -> int:
        """How many of the campaign's calls are live (counted up to ``limit`` each)."""
        return sum([await self.count(tx, campaign_id, s, limit) for s in machine.LIVE])
