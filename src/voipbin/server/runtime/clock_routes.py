"""The simulator's clock endpoints (super-admins only; their paths and bodies are declared
in ``voipbin.models.simulator``):

- ``GET /_sim/clock``: ``{"mode": "virtual"|"real", "now": "<timestamp>"}``;
- ``POST /_sim/clock/advance {"seconds": 12.5}``: the same, after the virtual clock has moved
  and every job due by then has run; ``409 STATE_INVALID`` on a real clock.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from voipbin.common.errors import FailedPrecondition, PermissionDenied
from voipbin.common.timestamps import format_timestamp
from voipbin.models.simulator import ADVANCE_PATH, CLOCK_PATH, ClockAdvance, ClockState
from voipbin.server.auth.credentials import Authenticator
from voipbin.server.body import decode_body
from voipbin.server.http import Endpoint, json_response, no_parameters
from voipbin.server.runtime.jobs import Jobs, NotVirtual


def clock_routes(jobs: Jobs, auth: Authenticator) -> list[Route]:
    """The two clock routes, on ``jobs`` and its clock."""

    def state() -> Response:
        clock = jobs.clock
        return json_response(ClockState(mode=clock.mode, now=format_timestamp(clock.now())))

    async def super_admin(request: Request) -> None:
        principal = await auth.authenticate(request)
        if not principal.is_super_admin:
            raise PermissionDenied()
        no_parameters(request)

    async def read(request: Request) -> Response:
        await super_admin(request)
        return state()

    async def advance(request: Request) -> Response:
        await super_admin(request)
        body = decode_body(await request.body(), ClockAdvance)
        try:
            await jobs.advance(body.seconds)
        except NotVirtual:
            raise FailedPrecondition(
                message="The server's clock is real; start it with VOIPBIN_CLOCK=virtual to "
                "move it."
            ) from None
        return state()

    return [
        Route(CLOCK_PATH, Endpoint(read), methods=["GET"]),
        Route(ADVANCE_PATH, Endpoint(advance), methods=["POST"]),
    ]
