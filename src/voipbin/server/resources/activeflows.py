"""Activeflows: a flow run through the API (``reference_type`` ``api``), read, stopped and
deleted; calls start theirs through the flow runner.

Creation (upstream's checks): ``flow_id`` names a live flow of the customer (422 otherwise),
or inline ``actions`` are checked as a flow's are; the ``variables`` hold at most 100 keys, a
value at most 32 KB and 64 KB in all (``400 INVALID_VARIABLES``); ``webhook_uri`` is an http
or https URL with a host. The answer is the activeflow as created (its cursor on the start
marker); the first step runs in the same transaction and shows on the next read. ``stop``
and ``delete`` go through the runner (a delete stops first, so ``on_complete_flow_id`` runs);
a deleted customer's activeflows are ended and deleted with it.
Only customer admins and managers use activeflows, as upstream.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from voipbin.common.errors import InvalidArgument, Unprocessable
from voipbin.common.ids import new_id
from voipbin.common.permissions import CUSTOMER_MANAGERS
from voipbin.models.activeflow import ACTIVEFLOWS, Activeflow, check_variables
from voipbin.models.flows.check import check_actions
from voipbin.models.flows.options import EMPTY
from voipbin.server.resources.base import Current, Rules, ServerResource, Values
from voipbin.server.resources.context import Context, Flows
from voipbin.server.resources.flows import check_action_references
from voipbin.server.runtime.flows.runner import flow_of, initial_values
from voipbin.server.runtime.flows.state import new_state
from voipbin.server.storage.database import Executor, Row
from voipbin.server.storage.tables import activeflow_activeflows


def _flows(ctx: Context) -> Flows:
    if ctx.flows is None:
        raise RuntimeError("activeflows need the app's flow runner")
    return ctx.flows


def _check_webhook_uri(uri: str) -> None:
    if not uri:
        return
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidArgument.field(
            "webhook_uri", "must be an http or https URL with a host", "INVALID_WEBHOOK_URI"
        )


async def _create(ctx: Context, body: Any, current: Current | None) -> Values:
    check_variables(body.variables)
    _check_webhook_uri(body.webhook_uri)
    on_complete: UUID = EMPTY
    if body.flow_id is not None:
        if body.actions:
            raise InvalidArgument.field("actions", "give flow_id or actions, not both")
        found = await flow_of(ctx.services["flow"].repository, ctx.customer_id, body.flow_id)
        if found is None:
            raise Unprocessable.field("flow_id", "is not a live flow of the customer")
        actions, on_complete = found
    else:
        if not body.actions:
            raise InvalidArgument.field("actions", "give flow_id or a list of actions")
        actions, refs = check_actions(body.actions)
        await check_action_references(ctx, refs)
    state = new_state(
        id=body.id or new_id(),
        customer_id=UUID(ctx.customer_id),
        flow_id=body.flow_id or EMPTY,
        actions=actions,
        reference_type="api",
        on_complete_flow_id=on_complete,
        variables=body.variables,
    )
    values = initial_values(state, webhook_uri=body.webhook_uri, webhook_method=body.webhook_method)
    del values["customer_id"]  # the service sets it
    return values


async def _start(ctx: Context, executor: Executor, created: Current) -> None:
    await _flows(ctx).start(executor, created)


async def _stop(ctx: Context, body: Any, current: Current) -> Row:
    return await _flows(ctx).stop(str(current["id"]))


async def _delete(ctx: Context, current: Current) -> bool:
    return await _flows(ctx).delete(str(current["id"]))


RESOURCE: ServerResource[Activeflow] = ServerResource(
    spec=ACTIVEFLOWS,
    table=activeflow_activeflows,
    reason_prefix="ACTIVEFLOW",
    rules=Rules(read=CUSTOMER_MANAGERS, create=CUSTOMER_MANAGERS, delete=CUSTOMER_MANAGERS),
    prepare_create=_create,
    with_create=_start,
    performs={"stop": _stop},
    performs_delete=_delete,
    # With its customer: ended and deleted in one UPDATE (its pending timers find it deleted
    # and change nothing).
    deleted_values={"status": "ended"},
)
