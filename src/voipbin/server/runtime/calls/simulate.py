"""The simulated network's traffic toward our calls, for super-admins (403 for anyone else):

- ``POST /_sim/calls`` :class:`~voipbin.models.simulator.InboundCall` -> ``201`` the call: a
  call from the network to one of our numbers, which runs the number's ``call_flow_id`` at
  once; ``404 NUMBER_NOT_FOUND`` and nothing made when no live, active number matches;
- ``POST /_sim/calls/{id}/dtmf`` :class:`~voipbin.models.simulator.KeyPress` -> ``204``: the
  far end presses keys (``409 CALL_STATE_INVALID`` before the call is answered,
  ``409 CALL_ALREADY_HANGUP`` once it is ending);
- ``POST /_sim/calls/{id}/hangup`` -> ``204``: the far end hangs up (normal clearing); a call
  already ending is left as it is.

Each is what the network does: it reaches the call as a network event, through the jobs,
as a real carrier's would.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from voipbin.common.address import validate_address
from voipbin.common.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from voipbin.common.ids import EMPTY_UUID_TEXT
from voipbin.models.simulator import (
    CALL_DTMF_PATH,
    CALL_HANGUP_PATH,
    CALLS_PATH,
    InboundCall,
    KeyPress,
)
from voipbin.server.auth.credentials import Authenticator
from voipbin.server.body import decode_body
from voipbin.server.http import Endpoint, json_response, no_parameters, path_id
from voipbin.server.runtime.calls import machine
from voipbin.server.runtime.calls.legs import CallRow
from voipbin.server.runtime.calls.service import CallRuntime, FlowRequest
from voipbin.server.runtime.carrier.base import Destroyed, Dtmf
from voipbin.server.storage.database import Executor
from voipbin.server.storage.repository import Repository

#: The customer and call flow of the live, active number ``number``; ``None`` for none.
NumberLookup = Callable[[str, Executor], Awaitable[tuple[str, str | None] | None]]


def number_lookup(numbers: Repository) -> NumberLookup:
    """A :data:`NumberLookup` over the numbers' repository."""

    async def lookup(number: str, executor: Executor) -> tuple[str, str | None] | None:
        row = await numbers.find(
            ("customer_id", "call_flow_id"),
            {"number": number, "status": "active"},
            executor=executor,
        )
        if row is None:
            return None
        flow_id = str(row[1]) if row[1] else EMPTY_UUID_TEXT
        return str(row[0]), None if flow_id == EMPTY_UUID_TEXT else flow_id

    return lookup


def sim_call_routes(auth: Authenticator, calls: CallRuntime, numbers: NumberLookup) -> list[Route]:
    """The routes of the network's traffic toward our calls."""

    async def super_admin(request: Request) -> None:
        principal = await auth.authenticate(request)
        if not principal.is_super_admin:
            raise PermissionDenied(message="The simulator is controlled by super-admins only.")
        no_parameters(request)

    async def call_of(call_id: str, tx: Executor) -> CallRow:
        call = await calls.rows.get(call_id, tx)
        if call is None:
            raise NotFound("CALL_NOT_FOUND")
        return call

    async def inbound(request: Request) -> Response:
        await super_admin(request)
        body = decode_body(await request.body(), InboundCall)
        source = validate_address(body.source, "source")
        destination = validate_address(body.destination, "destination")
        if destination.type != "tel":
            raise InvalidArgument.field(
                "destination.type", "an inbound call reaches one of our numbers: tel"
            )
        async with calls.db.transaction() as tx:
            found = await numbers(destination.target, tx)
            if found is None:
                raise NotFound(
                    "NUMBER_NOT_FOUND", f"No live, active number is {destination.target}."
                )
            customer_id, flow_id = found
            call = await calls.receive(
                tx, customer_id, source, destination, FlowRequest(flow_id=flow_id)
            )
        return json_response(call.wire, 201)

    async def dtmf(request: Request) -> Response:
        await super_admin(request)
        call_id = path_id(request.path_params["id"])
        body = decode_body(await request.body(), KeyPress)
        async with calls.db.transaction() as tx:
            call = await call_of(call_id, tx)
            calls.require_up(call)
            if call.status != "progressing":
                raise FailedPrecondition(
                    "CALL_STATE_INVALID",
                    f"The call is {call.status}: keys are pressed on an answered call.",
                )
            await calls.network(tx, call.id).schedule(
                0.0, Dtmf(leg_id=call.leg.id, digits=body.digits)
            )
        return Response(status_code=204)

    async def hangup(request: Request) -> Response:
        await super_admin(request)
        call_id = path_id(request.path_params["id"])
        async with calls.db.transaction() as tx:
            call = await call_of(call_id, tx)
            if call.status not in machine.ENDING_STATUSES:
                cause = int(machine.Q850.NORMAL_CLEARING)
                await calls.network(tx, call.id).schedule(
                    0.0, Destroyed(leg_id=call.leg.id, cause=cause)
                )
        return Response(status_code=204)

    return [
        Route(CALLS_PATH, Endpoint(inbound), methods=["POST"]),
        Route(CALL_DTMF_PATH, Endpoint(dtmf), methods=["POST"]),
        Route(CALL_HANGUP_PATH, Endpoint(hangup), methods=["POST"]),
    ]
