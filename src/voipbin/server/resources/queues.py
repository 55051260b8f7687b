"""Queues: CRUD, ``PUT .../tag_ids`` and ``PUT .../routing_method``. Callers join them
through a flow's ``queue_join`` (``server/runtime/queues/``), which keeps the live lists and
the counters; here a customer's managers set what the queue is."""

from __future__ import annotations

from typing import Any

import msgspec

from voipbin.common.errors import InvalidArgument
from voipbin.common.ids import EMPTY_UUID_TEXT
from voipbin.common.permissions import CUSTOMER_MANAGERS
from voipbin.models.queue import QUEUES, ROUTING_METHODS, Queue
from voipbin.server.resources.base import Current, Rules, ServerResource, Values
from voipbin.server.resources.context import Context
from voipbin.server.resources.references import stored_tag_ids
from voipbin.server.storage.tables import queue_queues

_FIELDS = ("name", "detail", "wait_timeout", "service_timeout")


def routing_method(value: str) -> str:
    """``value`` when it is a routing method we serve; ``400 INVALID_ROUTING_METHOD``
    naming the field otherwise (upstream refuses all but ``random`` the same way)."""
    if value not in ROUTING_METHODS:
        raise InvalidArgument.field(
            "routing_method",
            f"must be one of: {', '.join(ROUTING_METHODS)}",
            "INVALID_ROUTING_METHOD",
        )
    return value


async def _values(ctx: Context, body: Any, current: Current | None) -> Values:
    values: Values = {}
    for name in _FIELDS:
        value = getattr(body, name)
        if value is not msgspec.UNSET:
            values[name] = value
    if body.routing_method is not msgspec.UNSET:
        values["routing_method"] = routing_method(body.routing_method)
    if body.wait_flow_id is not msgspec.UNSET:
        # ``null`` (or the empty UUID) takes the wait flow away: callers wait in silence.
        values["wait_flow_id"] = str(body.wait_flow_id or EMPTY_UUID_TEXT)
    if body.tag_ids is not msgspec.UNSET:
        values["tag_ids"] = await stored_tag_ids(ctx, body.tag_ids)
    return values


async def _set_tag_ids(ctx: Context, body: Any, current: Current | None) -> Values:
    return {"tag_ids": await stored_tag_ids(ctx, body.tag_ids)}


async def _set_routing_method(ctx: Context, body: Any, current: Current | None) -> Values:
    return {"routing_method": routing_method(body.routing_method)}


RESOURCE: ServerResource[Queue] = ServerResource(
    spec=QUEUES,
    table=queue_queues,
    reason_prefix="QUEUE",
    rules=Rules(
        read=CUSTOMER_MANAGERS,
        create=CUSTOMER_MANAGERS,
        update=CUSTOMER_MANAGERS,
        delete=CUSTOMER_MANAGERS,
    ),
    prepare_create=_values,
    prepare_update=_values,
    actions={"tag_ids": _set_tag_ids, "routing_method": _set_routing_method},
    references={"wait_flow_id": "flow"},
)
