"""Campaigns and campaigncalls: outbound campaigns that dial an outdial's targets with an
outplan's retry rules (upstream's campaign-manager).

A campaign is ``stop`` when made; ``PUT .../status {"status": "run"}`` starts its dialer,
``{"status": "stop"}`` moves it through ``stopping`` (no new dials; live calls finish) to
``stop``. Each dial is a campaigncall, ``dialing -> progressing -> done`` with ``result``
``success`` (the call was answered) or ``fail``. A ``type: call`` campaign's answered calls
join its queue (the call runs the campaign's ``actions`` then ``queue_join``); a ``type:
flow`` campaign's run its ``actions``. The rules are in
:mod:`voipbin.server.runtime.campaigns.machine`.

Upstream starts a ``type: flow`` campaign's flow with no call (the flow dials, if it
wants): its retry rules and results never apply. Here a flow campaign's targets are dialled
as a call campaign's, and the flow runs on the answered call.

Our additions over upstream: ``stop_reason`` says why a campaign stopped (or is stopping):
``user``, ``end`` (its targets are done), ``insufficient_balance``, ``refused`` (a dial
refused for every target alike), ``invalid_resource``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from voipbin.common.address import Address
from voipbin.common.pagination import PAGE_SIZE_DESCRIPTION
from voipbin.models.base import Action, Filter, RequestBody, ResourceSpec
from voipbin.models.fields import Detail, OptionalName
from voipbin.models.flows.actions import Actions, FlowAction
from voipbin.models.lookup import Lookup
from voipbin.models.wire import wire_struct

CAMPAIGN_TYPES: tuple[str, ...] = ("call", "flow")
CampaignType = Literal["call", "flow"]
CAMPAIGN_STATUSES: tuple[str, ...] = ("stop", "stopping", "run")
CampaignStatus = Literal["stop", "stopping", "run"]
END_HANDLES: tuple[str, ...] = ("stop", "continue")
EndHandle = Literal["stop", "continue"]
STOP_REASONS: tuple[str, ...] = (
    "",
    "user",
    "end",
    "insufficient_balance",
    "refused",
    "invalid_resource",
)
#: ``type: call``: the percentage of the queue's available agents dialled at once (100: one
#: dial per available agent); ``type: flow``: the most calls at once.
ServiceLevel = Annotated[int, msgspec.Meta(ge=0, le=1000)]

CAMPAIGNCALL_STATUSES: tuple[str, ...] = ("dialing", "progressing", "done")
CampaigncallStatus = Literal["dialing", "progressing", "done"]
#: The statuses of a campaigncall whose call is live (it cannot be deleted).
CAMPAIGNCALL_LIVE: tuple[CampaigncallStatus, ...] = ("dialing", "progressing")
CAMPAIGNCALL_RESULTS: tuple[str, ...] = ("", "success", "fail")

Unset = msgspec.UnsetType
UNSET = msgspec.UNSET


class Campaign(msgspec.Struct, kw_only=True):
    """A campaign, with upstream's fields (oas ``CampaignManagerCampaign``) and
    ``stop_reason``."""

    id: UUID
    customer_id: UUID
    type: str
    name: str
    detail: str
    status: str
    service_level: int
    """``type: call``: dials at once as a percentage of the queue's available agents;
    ``type: flow``: the most calls at once."""
    end_handle: str
    """When every target is done: ``stop`` the campaign, or ``continue`` (wait for new
    targets)."""
    actions: list[FlowAction]
    """What each answered call runs (``type: call``: then it joins the queue)."""
    outplan_id: UUID | None
    outdial_id: UUID | None
    queue_id: UUID | None
    next_campaign_id: UUID | None
    """Set running when this campaign ends (its targets done, ``end_handle: stop``)."""
    stop_reason: str
    """Why the campaign stopped or is stopping: ``user``, ``end``, ``insufficient_balance``,
    ``refused``, ``invalid_resource``; ``""`` while it runs or before it ever ran."""
    tm_create: datetime
    tm_update: datetime | None
    tm_delete: datetime | None


class CampaignCreate(RequestBody, kw_only=True):
    """Body of ``POST /v1.0/campaigns`` (upstream requires every field; we default them)."""

    name: OptionalName = ""
    detail: Detail = ""
    type: CampaignType = "call"
    service_level: ServiceLevel = 100
    end_handle: EndHandle = "stop"
    actions: Actions = msgspec.field(default_factory=list)
    outplan_id: UUID | None = None
    outdial_id: UUID | None = None
    queue_id: UUID | None = None
    next_campaign_id: UUID | None = None


class CampaignUpdate(RequestBody, kw_only=True):
    """Body of ``PUT /v1.0/campaigns/{id}``; a field left out keeps its value."""

    name: OptionalName | Unset = UNSET
    detail: Detail | Unset = UNSET
    type: CampaignType | Unset = UNSET
    service_level: ServiceLevel | Unset = UNSET
    end_handle: EndHandle | Unset = UNSET


class CampaignStatusChange(RequestBody, kw_only=True):
    status: Literal["run", "stop"]


class CampaignServiceLevel(RequestBody, kw_only=True):
    service_level: ServiceLevel


class CampaignActions(RequestBody, kw_only=True):
    actions: Actions


class CampaignResourceInfo(RequestBody, kw_only=True):
    """Body of ``PUT .../resource_info``; a field left out keeps its value, ``null`` (or the
    empty UUID) clears it."""

    outplan_id: UUID | Unset | None = UNSET
    outdial_id: UUID | Unset | None = UNSET
    queue_id: UUID | Unset | None = UNSET
    next_campaign_id: UUID | Unset | None = UNSET


class CampaignNextCampaignId(RequestBody, kw_only=True):
    next_campaign_id: UUID | None


CAMPAIGNS = ResourceSpec(
    name="campaign",
    plural="campaigns",
    model=Campaign,
    create=CampaignCreate,
    update=CampaignUpdate,
    statuses=CAMPAIGN_STATUSES,
    filters=(Filter("type", "enum", CAMPAIGN_TYPES, "The campaigns of this type."),),
    actions=(
        Action(
            "status",
            "PUT",
            CampaignStatusChange,
            summary="Run the campaign's dialer, or stop it (live calls finish first)",
        ),
        Action("service_level", "PUT", CampaignServiceLevel, summary="Change the dial rate"),
        Action("actions", "PUT", CampaignActions, summary="Replace what answered calls run"),
        Action(
            "resource_info",
            "PUT",
            CampaignResourceInfo,
            summary="Change the outplan, the outdial, the queue and the next campaign",
        ),
        Action(
            "next_campaign_id",
            "PUT",
            CampaignNextCampaignId,
            summary="Change the campaign run when this one ends",
        ),
    ),
    summary="Campaigns: dial an outdial's targets with an outplan's retry rules.",
)


class Campaigncall(msgspec.Struct, kw_only=True):
    """One dial of a campaign (oas ``CampaignManagerCampaigncall``)."""

    id: UUID
    customer_id: UUID
    campaign_id: UUID
    outplan_id: UUID | None
    outdial_id: UUID | None
    outdial_target_id: UUID | None
    queue_id: UUID | None
    activeflow_id: UUID | None
    """The answered call's activeflow."""
    flow_id: UUID | None
    reference_type: str
    """``call``: ``reference_id`` is the call dialled."""
    reference_id: UUID | None
    status: str
    result: str
    """``success``: the call was answered; ``fail``: it was not; ``""`` while it runs."""
    source: Address | None
    destination: Address | None
    destination_index: int
    """Which of the target's ``destination_0..4`` was dialled."""
    try_count: int
    """The how-manieth try of that destination this is (1 for the first)."""
    tm_create: datetime
    tm_update: datetime | None
    tm_delete: datetime | None


CAMPAIGNCALLS = ResourceSpec(
    name="campaigncall",
    plural="campaigncalls",
    model=Campaigncall,
    verbs=frozenset({"list", "get", "delete"}),
    statuses=CAMPAIGNCALL_STATUSES,
    filters=(
        Filter("campaign_id", "uuid", description="The campaign's campaigncalls."),
        Filter("result", "enum", CAMPAIGNCALL_RESULTS[1:], "The campaigncalls with this result."),
        Filter("outdial_target_id", "uuid", description="The dials of this target."),
    ),
    summary="Campaigncalls: each dial of a campaign, and how it ended.",
)


class CampaigncallsQuery(msgspec.Struct, kw_only=True):
    """The query of ``GET /v1.0/campaigns/{id}/campaigncalls``: the campaigncalls list's,
    but ``campaign_id`` (the path names the campaign)."""

    page_size: Annotated[int, msgspec.Meta(ge=1, description=PAGE_SIZE_DESCRIPTION)] | None = None
    """Campaigncalls per page (1 to 100, default 100; more lists 100)."""
    page_token: str | None = None
    """The ``next_page_token`` of the page before."""
    status: Literal["dialing", "progressing", "done"] | None = None
    result: Literal["success", "fail"] | None = None
    outdial_target_id: str | None = None
    tm_create_from: str | None = None
    """Campaigncalls created at or after this timestamp."""
    tm_create_to: str | None = None
    """Campaigncalls created before this timestamp."""
    deleted: Literal["false", "true", "all"] | None = None


#: A page of campaigncalls (in wire form), newest first; ``next_page_token`` is ``""`` on
#: the last page.
CampaigncallPage = msgspec.defstruct(
    "CampaigncallPage",
    [("result", list[wire_struct(Campaigncall)]), ("next_page_token", str, "")],  # type: ignore[misc]
    kw_only=True,
    module=__name__,
)


CAMPAIGN_CAMPAIGNCALLS = Lookup(
    name="campaign_campaigncalls",
    path="/v1.0/campaigns/{id}/campaigncalls",
    query=CampaigncallsQuery,
    answer=CampaigncallPage,
    tag="Campaign",
    summary="The campaign's campaigncalls, newest first",
    description=(
        "The same as GET /v1.0/campaigncalls?campaign_id={id} (its filters but campaign_id), "
        "after the campaign is found: another customer's campaign, or none, is a 404 "
        "(CAMPAIGN_NOT_FOUND). The SDK reaches it as client.campaigncalls.list("
        "campaign_id=...)."
    ),
)
"""Served by its own route (``server/campaign_calls.py``), declared for the OpenAPI
document."""
