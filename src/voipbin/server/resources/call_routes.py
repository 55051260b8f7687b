"""Routes: which provider carries a customer's outgoing calls to a country, for super-admins
only (everyone else is refused before anything is looked up: there is nothing of theirs to
hide). ``customer_id`` ``00000000-0000-0000-0000-000000000001`` holds the defaults every
customer falls back on, as upstream's basic-route customer does.

The project's defaults, put in place at start: the provider ``sim`` (the simulated carrier,
at ``sim.invalid``, a name that resolves nowhere by RFC 2606, so nothing leaves the machine)
and a default route ``all`` to it. They have fixed ids, so every start (and every process
starting at once) makes them at most once; deleting them is respected, not undone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from voipbin.common.calling_codes import is_calling_code
from voipbin.common.errors import InvalidArgument, Unprocessable
from voipbin.common.permissions import Permission
from voipbin.models.route import DEFAULT_ROUTES_CUSTOMER_ID, ROUTES, TARGET_ALL, Route
from voipbin.server.resources.base import Current, Rules, ServerResource, Values, plain_values
from voipbin.server.resources.context import Context, Peer
from voipbin.server.storage.database import UniqueViolation
from voipbin.server.storage.repository import Repository
from voipbin.server.storage.tables import route_routes

SUPER_ADMIN_ONLY = Permission.NONE

SIM_PROVIDER_ID = "4b268e87-d38f-4b6e-8e13-984e0407fb5d"
SIM_HOSTNAME = "sim.invalid"
DEFAULT_ROUTE_ID = "4f7e1172-97b9-4dbe-b0c4-1ea28f33a74a"


def normalized_target(target: str) -> str:
    """``all``, or ``+`` and a country calling code in use (``1`` reads as ``+1``)."""
    if target == TARGET_ALL:
        return target
    digits = target.removeprefix("+")
    if not is_calling_code(digits):
        raise InvalidArgument.field(
            "target", f"+{digits} is not an ITU country calling code; give +<code> or all"
        )
    return f"+{digits}"


async def _values(ctx: Context, body: Any, current: Current | None) -> Values:
    values = await plain_values(ctx, body, current)
    if "target" in values:
        values["target"] = normalized_target(values["target"])
    if "provider_id" in values:
        provider_id = str(values["provider_id"])
        if await ctx.services["provider"].missing(ctx.customer_id, [provider_id]):
            raise Unprocessable.field("provider_id", "is not a live provider")
        values["provider_id"] = provider_id
    return values


RESOURCE: ServerResource[Route] = ServerResource(
    spec=ROUTES,
    table=route_routes,
    # CALL_ROUTE_NOT_FOUND: upstream's ROUTE_NOT_FOUND also means "no such path".
    reason_prefix="CALL_ROUTE",
    rules=Rules(
        read=SUPER_ADMIN_ONLY,
        create=SUPER_ADMIN_ONLY,
        update=SUPER_ADMIN_ONLY,
        delete=SUPER_ADMIN_ONLY,
        role_first=True,
    ),
    prepare_create=_values,
    prepare_update=_values,
    shared_customer_id=DEFAULT_ROUTES_CUSTOMER_ID,
)


async def _insert_once(repository: Repository, values: Values) -> bool:
    """Insert the row of fixed id ``values["id"]`` unless it exists (deleted or not);
    whether this call made it."""
    if await repository.get(values["id"]) is not None:
        return False
    try:
        await repository.insert(values)
    except UniqueViolation:
        return False  # another process made it first
    return True


async def ensure_default_routes(services: Mapping[str, Peer]) -> None:
    """Put the provider ``sim`` and the default route ``all`` in place if they never were."""
    await _insert_once(
        services["provider"].repository,
        {
            "id": SIM_PROVIDER_ID,
            "type": "sip",
            "hostname": SIM_HOSTNAME,
            "name": "sim",
            "detail": "The simulated carrier. Created on first start.",
        },
    )
    await _insert_once(
        services["route"].repository,
        {
            "id": DEFAULT_ROUTE_ID,
            "customer_id": DEFAULT_ROUTES_CUSTOMER_ID,
            "name": "default",
            "detail": "Every customer's calls to anywhere, through sim. Created on first start.",
            "provider_id": SIM_PROVIDER_ID,
            "priority": 0,
            "target": TARGET_ALL,
        },
    )
