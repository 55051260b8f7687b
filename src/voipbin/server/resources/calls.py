"""Calls: made by ``POST /v1.0/calls`` (``200 {"calls", "groupcalls"}`` as upstream), moved
by the runtime (``server/runtime/calls/``), read, hung up, deleted and acted on here.

Customer admins and managers use them all (as upstream). What the runtime does is reached
through ``ctx.calls``; the generic service has already checked the id, the tenancy (another
customer's call is a 404), the role, the body and that the call is not deleted (409).
"""

from __future__ import annotations

from typing import Any

from voipbin.common.errors import Unavailable
from voipbin.common.permissions import CUSTOMER_MANAGERS
from voipbin.models.call import CALLS, Call, CallMute, CallTalk
from voipbin.models.flows.options import EMPTY
from voipbin.models.recording import RecordingStart
from voipbin.server.resources.base import Current, Perform, Rules, ServerResource
from voipbin.server.resources.context import CallControl, CommitHook, Context
from voipbin.server.resources.references import check_references
from voipbin.server.storage.database import Row
from voipbin.server.storage.tables import call_calls

#: The actions that switch something on and off (``POST`` on, ``DELETE`` off).
TOGGLES = ("hold", "mute", "moh", "silence")


def _calls(ctx: Context) -> CallControl:
    if ctx.calls is None:
        raise Unavailable("SERVICE_UNAVAILABLE", "Calls are not served by this process.")
    return ctx.calls


def _row(current: Current) -> Row:
    return [current[f] for f in Call.__struct_fields__]


async def _create(ctx: Context, body: Any, commit_with: CommitHook | None) -> Any:
    return await _calls(ctx).create(ctx, body, commit_with)


async def _delete(ctx: Context, current: Current) -> bool:
    await _calls(ctx).delete(str(current["id"]))
    return True


async def _hangup(ctx: Context, body: Any, current: Current) -> Row:
    return await _calls(ctx).hangup(str(current["id"]))


def _toggle(name: str, on: bool) -> Perform:
    async def perform(ctx: Context, body: Any, current: Current) -> Row:
        direction = body.direction if isinstance(body, CallMute) else "both"
        await _calls(ctx).toggle(str(current["id"]), name, on, direction)
        return _row(current)

    return perform


async def _talk(ctx: Context, body: CallTalk, current: Current) -> Row:
    await _calls(ctx).talk(str(current["id"]), body.text, body.language)
    return _row(current)


async def _recording_start(ctx: Context, body: RecordingStart, current: Current) -> Row:
    # The flow run when the recording ends must be the customer's, as a call's flow_id (422).
    flow_id = body.on_end_flow_id if body.on_end_flow_id != EMPTY else None
    await check_references(ctx, {"on_end_flow_id": "flow"}, {"on_end_flow_id": flow_id})
    return await _calls(ctx).recording_start(str(current["id"]), body)


async def _recording_stop(ctx: Context, body: Any, current: Current) -> Row:
    return await _calls(ctx).recording_stop(str(current["id"]))


RESOURCE: ServerResource[Call] = ServerResource(
    spec=CALLS,
    table=call_calls,
    reason_prefix="CALL",
    rules=Rules(read=CUSTOMER_MANAGERS),
    create_with=_create,
    performs_delete=_delete,
    performs={
        "hangup": _hangup,
        "talk": _talk,
        "recording_start": _recording_start,
        "recording_stop": _recording_stop,
        **{name: _toggle(name, True) for name in TOGGLES},
    },
    undos={name: _toggle(name, False) for name in TOGGLES},
)
