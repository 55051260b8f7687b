"""The route factory: the HTTP face of a resource service, from its declaration."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from voipbin.common.permissions import Permission
from voipbin.models.base import Action
from voipbin.models.own import OwnRoute
from voipbin.server.auth.credentials import Authenticator
from voipbin.server.auth.principal import Principal
from voipbin.server.http import (
    Endpoint,
    Handler,
    etag_response,
    json_response,
    no_parameters,
    query_params,
)
from voipbin.server.idempotency import idempotent
from voipbin.server.resources.service import ResourceService
from voipbin.server.storage.idempotency import IdempotencyKeys


def resource_routes(
    service: ResourceService[Any], auth: Authenticator, keys: IdempotencyKeys
) -> list[Route]:
    """``<path>`` (list, create), ``<path>/{id}`` (get, update, delete) and
    ``<path>/{id}/<action>`` for what the resource declares. One route per path, so a wrong
    method is a 405 listing all of them."""
    spec = service.spec
    if spec.under:  # served under its owner by routes of its own
        return []
    verbs = spec.verbs

    def created(item: msgspec.Struct) -> Response:
        if spec.create_status != 201:  # several resources at once: no one Location
            return json_response(item, spec.create_status)
        return json_response(item, 201, {"Location": f"{spec.path}/{getattr(item, 'id', '')}"})

    async def collection(request: Request) -> Response:
        principal = await auth.authenticate(request)
        if request.method != "GET":  # a list checks its own parameters
            no_parameters(request)
        if request.method == "POST":
            service.require(principal, "create")  # before any replay of a stored response
            body = await request.body()
            return await idempotent(
                keys,
                request,
                principal.credential_id,
                body,
                lambda record: service.create(principal, body, commit_with=record),
                created,
            )
        return json_response(await service.list(principal, query_params(request.scope)))

    async def item(request: Request) -> Response:
        principal = await auth.authenticate(request)
        no_parameters(request)
        id_text: str = request.path_params["id"]
        if request.method == "PUT":
            return json_response(await service.update(principal, id_text, await request.body()))
        if request.method == "DELETE":
            await service.delete(principal, id_text)
            return Response(status_code=204)
        return etag_response(request, await service.get(principal, id_text))

    def action(declared: Action, undo: bool) -> Handler:
        async def run(request: Request) -> Response:
            principal = await auth.authenticate(request)
            no_parameters(request)
            id_text: str = request.path_params["id"]
            item_text = request.path_params.get(declared.item) if declared.item else None
            body = await request.body()
            item = await service.action(
                principal, declared.name, id_text, body, undo=undo, item=item_text
            )
            if not declared.returns_resource:
                return Response(status_code=204)
            return json_response(item, declared.status)

        return run

    def dispatch(handlers: dict[str, Handler]) -> Endpoint:
        async def run(request: Request) -> Response:
            return await handlers[request.method](request)

        return Endpoint(run)

    routes = []
    collection_methods = [m for v, m in (("list", "GET"), ("create", "POST")) if v in verbs]
    if collection_methods:
        routes.append(Route(spec.path, Endpoint(collection), methods=collection_methods))
    item_methods = [
        m for v, m in (("get", "GET"), ("update", "PUT"), ("delete", "DELETE")) if v in verbs
    ]
    if item_methods:
        routes.append(Route(f"{spec.path}/{{id}}", Endpoint(item), methods=item_methods))
    # Actions sharing a path (a contact's address: PUT and DELETE) are one route, so a wrong
    # method is a 405 listing all of them.
    by_path: dict[str, dict[str, Handler]] = {}
    for declared in spec.actions:
        handlers = by_path.setdefault(declared.path(spec.path), {})
        handlers[declared.method] = action(declared, undo=False)
        if declared.undo:
            handlers["DELETE"] = action(declared, undo=True)
    for path, handlers in by_path.items():
        routes.append(Route(path, dispatch(handlers), methods=list(handlers)))
    return routes


@dataclass(frozen=True)
class OwnAccess:
    """What the server adds to an own route's declaration: who reads it (``read``), who
    changes it and runs its actions (``update``, given exactly when the route is writable),
    and how the caller's resource is found: ``id_of`` the principal, or, ``None``, the one
    resource of the caller's customer (``/v1.0/outbound_config``, of a resource declared
    ``per_customer``), looked up (or made) by customer."""

    read: Permission
    update: Permission | None = None
    id_of: Callable[[Principal], str | Awaitable[str]] | None = None


def own_resource_route(
    route: OwnRoute, service: ResourceService[Any], auth: Authenticator, access: OwnAccess
) -> list[Route]:
    """``route.path`` as the caller's own resource (``/v1.0/customer``, ``/v1.0/me``): GET
    (and, when the route is writable, PUT) of the resource ``access`` finds, for the roles
    ``access`` gives, and ``<path>/<name>`` for each of the route's actions (for the roles
    that may update it)."""
    if route.writable != (access.update is not None):
        raise ValueError(f"{route.path}: give an update permission exactly when it is writable")
    path, id_of, read, update = route.path, access.id_of, access.read, access.update

    async def own_id(principal: Principal) -> str:
        if id_of is None:
            return await service.own_id(principal.customer_id)
        found = id_of(principal)
        return await found if inspect.isawaitable(found) else found

    async def own(request: Request) -> Response:
        principal = await auth.authenticate(request)
        no_parameters(request)
        if request.method == "PUT":
            assert update is not None
            principal.require(update)
            body = await request.body()
            id = await own_id(principal)
            item = await service.update(principal, id, body, authorized=True, own=True)
            return json_response(item)
        principal.require(read)
        # What only the resource's own people see (a webhook secret) is for those who may
        # change it: a customer's agents read their customer without it.
        own = update is not None and principal.allows(update)
        item = await service.get(principal, await own_id(principal), authorized=True, own=own)
        return etag_response(request, item)

    def action(name: str) -> Endpoint:
        async def run(request: Request) -> Response:
            principal = await auth.authenticate(request)
            no_parameters(request)
            assert update is not None
            principal.require(update)
            body = await request.body()
            id = await own_id(principal)
            return json_response(
                await service.action(principal, name, id, body, authorized=True, own=True)
            )

        return Endpoint(run)

    methods = ["GET", "PUT"] if update is not None else ["GET"]
    routes = [Route(path, Endpoint(own), methods=methods)]
    for declared in route.actions:
        routes.append(
            Route(f"{path}/{declared.name}", action(declared.name), methods=[declared.method])
        )
    return routes
