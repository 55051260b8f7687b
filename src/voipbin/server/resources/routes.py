"""The route factory: the HTTP face of a resource service, from its declaration."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from voipbin.server.auth.credentials import Authenticator
from voipbin.server.http import Endpoint, json_response, query_params
from voipbin.server.resources.service import ResourceService


def resource_routes(service: ResourceService[Any], auth: Authenticator) -> list[Route]:
    """``<path>`` (list, create) and ``<path>/{id}`` (get, update, delete) for the verbs the
    resource declares. One route per path, so a wrong method is a 405 listing all of them."""
    spec = service.spec
    verbs = spec.verbs

    async def collection(request: Request) -> Response:
        principal = await auth.authenticate(request)
        if request.method == "POST":
            item = await service.create(principal, await request.body())
            location = f"{spec.path}/{getattr(item, 'id', '')}"
            return json_response(item, 201, {"Location": location})
        return json_response(await service.list(principal, query_params(request.scope)))

    async def item(request: Request) -> Response:
        principal = await auth.authenticate(request)
        id_text: str = request.path_params["id"]
        if request.method == "PUT":
            return json_response(await service.update(principal, id_text, await request.body()))
        if request.method == "DELETE":
            await service.delete(principal, id_text)
            return Response(status_code=204)
        return json_response(await service.get(principal, id_text))

    routes = []
    collection_methods = [m for v, m in (("list", "GET"), ("create", "POST")) if v in verbs]
    if collection_methods:
        routes.append(Route(spec.path, Endpoint(collection), methods=collection_methods))
    item_methods = [
        m for v, m in (("get", "GET"), ("update", "PUT"), ("delete", "DELETE")) if v in verbs
    ]
    if item_methods:
        routes.append(Route(f"{spec.path}/{{id}}", Endpoint(item), methods=item_methods))
    return routes
