"""``GET /v1.0/campaigns/{id}/campaigncalls``: a campaign's campaigncalls.

The campaign is read first (another customer's, or none, is ``404 CAMPAIGN_NOT_FOUND``);
the answer is the campaigncalls' own list restricted to it (paged as every list, its
filters but ``campaign_id``, which the path gives)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from voipbin.common.errors import InvalidArgument
from voipbin.models.campaign import CAMPAIGN_CAMPAIGNCALLS
from voipbin.server.auth.credentials import Authenticator
from voipbin.server.http import Endpoint, json_response, query_params
from voipbin.server.resources.service import ResourceService


def campaign_calls_route(
    campaigns: ResourceService[Any], campaigncalls: ResourceService[Any], auth: Authenticator
) -> Route:
    async def run(request: Request) -> Response:
        principal = await auth.authenticate(request)
        params = query_params(request.scope)
        if "campaign_id" in params:
            raise InvalidArgument.field(
                "campaign_id",
                "is not a parameter here: the path names the campaign",
                "INVALID_REQUEST_PARAMETER",
            )
        # Read as its GET reads it: another customer's, or none, is a 404.
        campaign = await campaigns.get(principal, request.path_params["id"])
        within = {"campaign_id": str(campaign.id)}  # type: ignore[attr-defined]
        return json_response(await campaigncalls.list(principal, params, within=within))

    return Route(CAMPAIGN_CAMPAIGNCALLS.path, Endpoint(run), methods=["GET"])
