"""Conferences: made by ``POST /v1.0/conferences`` (``201``, with ``conference_created``),
changed by ``PUT`` (``conference_updated``), recorded, and ended and deleted here; joined by
calls through the flow action ``conference_join`` (``server/runtime/conferences/``).

Customer admins and managers use them. What the runtime does is reached through
``ctx.conferences``; the generic service has already checked the id, the tenancy (another
customer's conference is a 404), the role, the body and that the conference is not deleted.
``pre_flow_id``, ``post_flow_id`` and a recording's ``on_end_flow_id`` must be live flows of
the customer (422 naming the field).
"""

from __future__ import annotations

from typing import Any

import msgspec

from voipbin.common.errors import Unavailable
from voipbin.common.permissions import CUSTOMER_MANAGERS
from voipbin.models.conference import (
    CONFERENCES,
    Conference,
    ConferenceCreate,
    ConferenceRecordingStart,
    ConferenceUpdate,
)
from voipbin.server.resources.base import Current, Rules, ServerResource
from voipbin.server.resources.context import CommitHook, ConferenceControl, Context
from voipbin.server.resources.references import check_references
from voipbin.server.storage.database import Row
from voipbin.server.storage.tables import conference_conferences

_FLOWS = {"pre_flow_id": "flow", "post_flow_id": "flow"}


def _conferences(ctx: Context) -> ConferenceControl:
    if ctx.conferences is None:
        raise Unavailable("SERVICE_UNAVAILABLE", "Conferences are not served by this process.")
    return ctx.conferences


async def _create(ctx: Context, body: ConferenceCreate, commit_with: CommitHook | None) -> Any:
    await check_references(ctx, _FLOWS, msgspec.structs.asdict(body))
    return await _conferences(ctx).create(ctx, body, commit_with)


async def _update(ctx: Context, body: ConferenceUpdate, current: Current) -> Row:
    given = {k: v for k, v in msgspec.structs.asdict(body).items() if v is not msgspec.UNSET}
    await check_references(ctx, _FLOWS, given)
    values: dict[str, Any] = {}
    for name, value in given.items():
        if name == "data":
            values[name] = msgspec.json.encode(value).decode()
        elif name in _FLOWS:
            values[name] = str(value)
        else:
            values[name] = value
    return await _conferences(ctx).update(str(current["id"]), values)


async def _delete(ctx: Context, current: Current) -> bool:
    return await _conferences(ctx).delete(str(current["id"]))


async def _recording_start(ctx: Context, body: ConferenceRecordingStart, current: Current) -> Row:
    await check_references(ctx, {"on_end_flow_id": "flow"}, {"on_end_flow_id": body.on_end_flow_id})
    return await _conferences(ctx).recording_start(str(current["id"]), body)


async def _recording_stop(ctx: Context, body: Any, current: Current) -> Row:
    return await _conferences(ctx).recording_stop(str(current["id"]))


RESOURCE: ServerResource[Conference] = ServerResource(
    spec=CONFERENCES,
    table=conference_conferences,
    reason_prefix="CONFERENCE",
    rules=Rules(read=CUSTOMER_MANAGERS),
    create_with=_create,
    performs_update=_update,
    performs_delete=_delete,
    performs={"recording_start": _recording_start, "recording_stop": _recording_stop},
)
