"""Queuecalls: callers in queues, made by a flow's ``queue_join`` and moved by the runtime
(``server/runtime/queues/``); listed (by ``queue_id``, ``status``), read (a waiting one shows
its ``position``), kicked and deleted here. What the runtime does is reached through
``ctx.queues``; the generic service has checked the id, the tenancy, the role and that the
queuecall is not deleted."""

from __future__ import annotations

from typing import Any

from voipbin.common.errors import Unavailable
from voipbin.common.permissions import CUSTOMER_MANAGERS
from voipbin.common.timestamps import parse_timestamp
from voipbin.models.queue import QUEUECALLS, Queuecall
from voipbin.server.resources.base import Current, Rules, ServerResource
from voipbin.server.resources.context import Context, QueueControl
from voipbin.server.storage.database import Row
from voipbin.server.storage.repository import ListQuery, Repository
from voipbin.server.storage.tables import queue_queuecalls

#: The longest waiting line a position is counted in (past it, a caller shows 0).
MAX_POSITION = 1000

_FIELDS = Queuecall.__struct_fields__
_STATUS = _FIELDS.index("status")
_QUEUE = _FIELDS.index("queue_id")
_POSITION = _FIELDS.index("position")
_CREATED = _FIELDS.index("tm_create")


def _queues(ctx: Context) -> QueueControl:
    if ctx.queues is None:
        raise Unavailable("SERVICE_UNAVAILABLE", "Queues are not served by this process.")
    return ctx.queues


async def _kick(ctx: Context, body: Any, current: Current) -> Row:
    return await _queues(ctx).kick(str(current["id"]))


async def _delete(ctx: Context, current: Current) -> bool:
    await _queues(ctx).delete(str(current["id"]))
    return True


async def position(repository: Repository, row: Row) -> Row:
    """``row`` with its ``position`` in its queue's waiting line (first come, first
    served: 1 is served next) while it waits; 0 otherwise."""
    if row[_STATUS] != "waiting":
        return row
    query = ListQuery(
        limit=MAX_POSITION,
        equals={"queue_id": str(row[_QUEUE]), "status": "waiting"},
        before=parse_timestamp(str(row[_CREATED])),
    )
    ahead = await repository.count(query)
    shown = list(row)
    shown[_POSITION] = ahead + 1 if ahead < MAX_POSITION else 0
    return shown


RESOURCE: ServerResource[Queuecall] = ServerResource(
    spec=QUEUECALLS,
    table=queue_queuecalls,
    reason_prefix="QUEUECALL",
    rules=Rules(read=CUSTOMER_MANAGERS, delete=CUSTOMER_MANAGERS),
    performs={"kick": _kick},
    performs_delete=_delete,
    view=position,
)
