"""The simulator's clock endpoints (super-admins only):

- ``GET /_sim/clock``: ``{"mode": "virtual"|"real", "now": "<timestamp>"}``;
- ``POST /_sim/clock/advance {"seconds": 12.5}``: the same, after the virtual clock has moved
  and every job due by then has run; ``409 STATE_INVALID`` on a real clock.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from voipbin.common.errors import FailedPrecondition, PermissionDenied
from voipbin.common.timestamps import format_timestamp
from voipbin.server.auth.credentials import Authenticator
from voipbin.server.body import decode_body
from voipbin.server.http import Endpoint, json_response, no_parameters
from voipbin.server.runtime.clock import ClockMode
from voipbin.server.runtime.jobs import Jobs, NotVirtual

#: The longest one advance may move the clock: a year.
MAX_ADVANCE_SECONDS = 366 * 24 * 3600.0

CLOCK_PATH = "/_sim/clock"
ADVANCE_PATH = "/_sim/clock/advance"


class ClockState(msgspec.Struct, kw_only=True):
    """The server's clock."""

    mode: ClockMode
    """``virtual``: moves only when advanced; ``real``: the wall clock."""
    now: str
    """The clock's time."""


class ClockAdvance(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """How far to move the virtual clock."""

    seconds: Annotated[
        float,
        msgspec.Meta(
            ge=0,
            le=MAX_ADVANCE_SECONDS,
            description="Seconds to move forward: 0 (run what is due now) to a year.",
        ),
    ]


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
