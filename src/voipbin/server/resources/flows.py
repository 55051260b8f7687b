"""Flows: the actions are checked against the catalogue (their shape by the body's schema,
their ids and targets by ``check_actions``) and stored normalised; every flow an option or
``on_complete_flow_id`` names must be a live flow of the customer (422), as must any other
resource named where that resource exists yet (queues, conferences... once they do)."""

from __future__ import annotations

from typing import Any

import msgspec

from voipbin.common.errors import Unprocessable
from voipbin.common.ids import EMPTY_UUID_TEXT
from voipbin.models.flows import FLOWS, Flow
from voipbin.models.flows.check import References, check_actions
from voipbin.server.resources.base import Current, ServerResource, Values
from voipbin.server.resources.context import Context
from voipbin.server.storage.tables import flow_flows


async def check_action_references(ctx: Context, refs: References) -> None:
    """422 naming the first field whose id is no live resource of the customer; one query
    per kind of resource, and none for kinds the server does not serve yet."""
    for resource, named in refs.by_resource.items():
        peer = ctx.services.get(resource)
        if peer is None:
            continue
        missing = set(await peer.missing(ctx.customer_id, [id for _, id in named]))
        for path, id in named:
            if id in missing:
                raise Unprocessable.field(path, f"is not a live {resource} of the customer")


async def _values(ctx: Context, body: Any) -> Values:
    """The columns of the fields ``body`` gives; ids given, references checked."""
    values: Values = {}
    refs = References()
    if body.name is not msgspec.UNSET:
        values["name"] = body.name
    if body.detail is not msgspec.UNSET:
        values["detail"] = body.detail
    if body.actions is not msgspec.UNSET:
        actions, refs = check_actions(body.actions)
        values["actions"] = msgspec.json.encode(actions).decode()
    if body.on_complete_flow_id is not msgspec.UNSET:
        flow_id = body.on_complete_flow_id
        values["on_complete_flow_id"] = EMPTY_UUID_TEXT if flow_id is None else str(flow_id)
        if flow_id is not None:
            refs.add("flow", "on_complete_flow_id", flow_id)  # the empty UUID adds nothing
    await check_action_references(ctx, refs)
    return values


async def _create(ctx: Context, body: Any, current: Current | None) -> Values:
    return {"type": "flow", **await _values(ctx, body)}


async def _update(ctx: Context, body: Any, current: Current | None) -> Values:
    return await _values(ctx, body)


RESOURCE: ServerResource[Flow] = ServerResource(
    spec=FLOWS,
    table=flow_flows,
    reason_prefix="FLOW",
    prepare_create=_create,
    prepare_update=_update,
    events="flow",
)
