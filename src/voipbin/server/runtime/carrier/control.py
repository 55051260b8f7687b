"""The simulated network's control API, for super-admins (403 for anyone else): rules by
destination and extensions' devices. The other ``/_sim`` endpoints (inbound calls, key
presses, the clock) belong to the runtime's other parts.

- ``POST /_sim/rules`` :class:`~voipbin.models.simulator.RuleCreate` -> 201 the rule
- ``GET /_sim/rules`` -> 200 ``{"result": [rules, earliest first]}``
- ``DELETE /_sim/rules/{id}`` -> 204 (400 ``INVALID_ID`` for a malformed id, 404 for no such
  rule)
- ``POST /_sim/extensions/{id}/devices`` :class:`~voipbin.models.simulator.DevicesSet` -> 201
  the devices with their contacts (404 for an extension that is not live)
- ``POST /_sim/reset`` -> 204: no rules and no devices but the built-in ones
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from uuid import UUID

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from voipbin.common.errors import NotFound, PermissionDenied
from voipbin.models.simulator import (
    DEVICES_PATH,
    RESET_PATH,
    RULE_PATH,
    RULES_PATH,
    Device,
    Devices,
    DevicesSet,
    RuleCreate,
    compile_pattern,
    resolve,
)
from voipbin.models.wire import to_wire
from voipbin.server.auth.credentials import Authenticator
from voipbin.server.body import decode_body
from voipbin.server.http import Endpoint, json_response, no_parameters, path_id
from voipbin.server.runtime.carrier.rules import device_address
from voipbin.server.storage.simulator import SimulatorScripts

#: Whether an extension (by canonical id) is live.
ExtensionIsLive = Callable[[str], Awaitable[bool]]


def simulator_routes(
    auth: Authenticator, scripts: SimulatorScripts, extension_is_live: ExtensionIsLive
) -> list[Route]:
    """The control routes of the simulated network."""

    async def super_admin(request: Request) -> None:
        principal = await auth.authenticate(request)
        if not principal.is_super_admin:
            raise PermissionDenied(message="The simulator is controlled by super-admins only.")
        no_parameters(request)

    async def add_rule(request: Request) -> Response:
        await super_admin(request)
        body = decode_body(await request.body(), RuleCreate)
        compile_pattern(body.pattern)
        rule = await scripts.add_rule(body.type, body.pattern, resolve(body))
        return json_response(to_wire(rule), 201)

    async def list_rules(request: Request) -> Response:
        await super_admin(request)
        return json_response({"result": [to_wire(rule) for rule in await scripts.rules()]})

    async def delete_rule(request: Request) -> Response:
        await super_admin(request)
        if not await scripts.delete_rule(path_id(request.path_params["id"])):
            raise NotFound(message="No such rule.")
        return Response(status_code=204)

    async def set_devices(request: Request) -> Response:
        await super_admin(request)
        extension_id = path_id(request.path_params["id"])
        if not await extension_is_live(extension_id):
            raise NotFound(message="No such extension.")
        body = decode_body(await request.body(), DevicesSet)
        devices = [resolve(d, f"devices[{i}].") for i, d in enumerate(body.devices)]
        await scripts.set_devices(extension_id, devices)
        answer = Devices(
            extension_id=UUID(extension_id),
            devices=[
                Device(address=device_address(extension_id, i), **msgspec.structs.asdict(d))
                for i, d in enumerate(devices)
            ],
        )
        return json_response(to_wire(answer), 201)

    async def reset(request: Request) -> Response:
        await super_admin(request)
        await scripts.reset()
        return Response(status_code=204)

    return [
        Route(RULES_PATH, Endpoint(add_rule), methods=["POST"]),
        Route(RULES_PATH, Endpoint(list_rules), methods=["GET"]),
        Route(RULE_PATH, Endpoint(delete_rule), methods=["DELETE"]),
        Route(DEVICES_PATH, Endpoint(set_devices), methods=["POST"]),
        Route(RESET_PATH, Endpoint(reset), methods=["POST"]),
    ]
