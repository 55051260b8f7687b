"""Groupcalls: made by ``POST /v1.0/groupcalls`` (``201``, the groupcall) or by ``POST
/v1.0/calls`` for an ``agent`` or ``extension`` destination, moved by the runtime
(``server/runtime/groupcalls/``), read, hung up and deleted here.

Customer admins and managers use them (as calls). What the runtime does is reached through
``ctx.groupcalls``; the generic service has already checked the id, the tenancy (another
customer's groupcall is a 404), the role, the body and that the groupcall is not deleted.
"""

from __future__ import annotations

from typing import Any

from voipbin.common.errors import Unavailable
from voipbin.common.permissions import CUSTOMER_MANAGERS
from voipbin.models.groupcall import GROUPCALLS, Groupcall
from voipbin.server.resources.base import Current, Rules, ServerResource
from voipbin.server.resources.context import CommitHook, Context, GroupcallControl
from voipbin.server.storage.database import Row
from voipbin.server.storage.tables import call_groupcalls


def _groupcalls(ctx: Context) -> GroupcallControl:
    if ctx.groupcalls is None:
        raise Unavailable("SERVICE_UNAVAILABLE", "Groupcalls are not served by this process.")
    return ctx.groupcalls


async def _create(ctx: Context, body: Any, commit_with: CommitHook | None) -> Any:
    return await _groupcalls(ctx).create(ctx, body, commit_with)


async def _delete(ctx: Context, current: Current) -> bool:
    await _groupcalls(ctx).delete(str(current["id"]))
    return True


async def _hangup(ctx: Context, body: Any, current: Current) -> Row:
    return await _groupcalls(ctx).hangup(str(current["id"]))


RESOURCE: ServerResource[Groupcall] = ServerResource(
    spec=GROUPCALLS,
    table=call_groupcalls,
    reason_prefix="GROUPCALL",
    rules=Rules(read=CUSTOMER_MANAGERS),
    create_with=_create,
    performs_delete=_delete,
    performs={"hangup": _hangup},
)
