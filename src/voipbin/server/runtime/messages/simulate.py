"""The simulated network's SMS side, for super-admins (403 for anyone else):

- ``POST /_sim/messages`` :class:`~voipbin.models.simulator_messages.InboundMessage` ->
  ``201`` the message: an SMS from the network to one of our numbers (``direction``
  ``inbound``), which runs the number's ``message_flow_id``; ``404 NUMBER_NOT_FOUND`` and
  nothing made when no live, active number is ``to``;
- ``POST /_sim/message_rules`` :class:`~voipbin.models.simulator_messages.MessageRuleCreate`
  -> ``201`` the rule; ``GET /_sim/message_rules`` -> ``200 {"result": [...]}``, earliest
  first; ``DELETE /_sim/message_rules/{id}`` -> ``204`` (404 for no such rule).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from voipbin.common.address import Address
from voipbin.common.errors import NotFound, PermissionDenied
from voipbin.common.ids import EMPTY_UUID_TEXT
from voipbin.models.simulator import compile_pattern
from voipbin.models.simulator_messages import (
    MESSAGE_RULE_PATH,
    MESSAGE_RULES_PATH,
    MESSAGES_PATH,
    InboundMessage,
    MessageRuleCreate,
    resolve_message,
)
from voipbin.models.wire import to_wire
from voipbin.server.auth.credentials import Authenticator
from voipbin.server.body import decode_body
from voipbin.server.http import Endpoint, json_response, no_parameters, path_id
from voipbin.server.runtime.messages.flows import MessageFlows
from voipbin.server.runtime.messages.service import MessageRuntime, wire
from voipbin.server.storage.repository import Repository


def sim_message_routes(
    auth: Authenticator, messages: MessageRuntime, flows: MessageFlows, numbers: Repository
) -> list[Route]:
    """The routes of the network's SMS traffic and its SMS rules."""

    async def super_admin(request: Request) -> None:
        principal = await auth.authenticate(request)
        if not principal.is_super_admin:
            raise PermissionDenied(message="The simulator is controlled by super-admins only.")
        no_parameters(request)

    async def inbound(request: Request) -> Response:
        await super_admin(request)
        body = decode_body(await request.body(), InboundMessage)
        async with messages.db.transaction() as tx:
            found = await numbers.find(
                ("customer_id", "message_flow_id"),
                {"number": body.to, "status": "active"},
                executor=tx,
            )
            if found is None:
                raise NotFound("NUMBER_NOT_FOUND", f"No live, active number is {body.to}.")
            customer_id, flow_id = str(found[0]), str(found[1] or EMPTY_UUID_TEXT)
            source = Address(type="tel", target=body.from_)
            destination = Address(type="tel", target=body.to)
            row = await messages.receive(tx, customer_id, source, destination, body.text)
            if flow_id != EMPTY_UUID_TEXT:
                variables = {
                    "id": str(row[0]),
                    "source": body.from_,
                    "destination": body.to,
                    "text": body.text,
                }
                await flows.run_flow(tx, customer_id, flow_id, variables)
        return json_response(wire(row), 201)

    async def add_rule(request: Request) -> Response:
        await super_admin(request)
        body = decode_body(await request.body(), MessageRuleCreate)
        compile_pattern(body.pattern)
        rule = await messages.rules.add(body.pattern, resolve_message(body))
        return json_response(to_wire(rule), 201)

    async def list_rules(request: Request) -> Response:
        await super_admin(request)
        return json_response({"result": [to_wire(rule) for rule in await messages.rules.list()]})

    async def delete_rule(request: Request) -> Response:
        await super_admin(request)
        if not await messages.rules.delete(path_id(request.path_params["id"])):
            raise NotFound(message="No such rule.")
        return Response(status_code=204)

    return [
        Route(MESSAGES_PATH, Endpoint(inbound), methods=["POST"]),
        Route(MESSAGE_RULES_PATH, Endpoint(add_rule), methods=["POST"]),
        Route(MESSAGE_RULES_PATH, Endpoint(list_rules), methods=["GET"]),
        Route(MESSAGE_RULE_PATH, Endpoint(delete_rule), methods=["DELETE"]),
    ]
