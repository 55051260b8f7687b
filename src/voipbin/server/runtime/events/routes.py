"""``GET /v1.0/timelines/{resource_type}/{resource_id}/events``: a resource's timeline."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from voipbin.models.events import TIMELINE_PATH
from voipbin.server.auth.credentials import Authenticator
from voipbin.server.http import Endpoint, json_response, query_params
from voipbin.server.runtime.events.timeline import Timelines


def timeline_route(timelines: Timelines, auth: Authenticator) -> Route:
    """The timeline route: authenticate, then answer the page ``Timelines`` reads."""

    async def run(request: Request) -> Response:
        principal = await auth.authenticate(request)
        path = request.path_params
        page = await timelines.page(
            principal, path["resource_type"], path["resource_id"], query_params(request.scope)
        )
        return json_response(page)

    return Route(TIMELINE_PATH, Endpoint(run), methods=["GET"])
