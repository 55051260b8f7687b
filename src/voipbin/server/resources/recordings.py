"""Recordings: made by a call's ``recording_start`` (API or flow), moved by the runtime
(``server/runtime/recordings/``), read and deleted here; their files are downloaded through
``GET /v1.0/recordingfiles/{id}`` (``server/runtime/recordings/routes.py``).

Customer admins and managers use them (as calls). Deleting one ends it if it still runs and
deletes its files; no event is sent (as upstream).
"""

from __future__ import annotations

from voipbin.common.errors import Unavailable
from voipbin.common.permissions import CUSTOMER_MANAGERS
from voipbin.models.recording import RECORDINGS, Recording
from voipbin.server.resources.base import Current, Rules, ServerResource
from voipbin.server.resources.context import Context, RecordingControl
from voipbin.server.storage.tables import call_recordings


def _recordings(ctx: Context) -> RecordingControl:
    if ctx.recordings is None:
        raise Unavailable("SERVICE_UNAVAILABLE", "Recordings are not served by this process.")
    return ctx.recordings


async def _delete(ctx: Context, current: Current) -> bool:
    return await _recordings(ctx).delete(str(current["id"]))


RESOURCE: ServerResource[Recording] = ServerResource(
    spec=RECORDINGS,
    table=call_recordings,
    reason_prefix="RECORDING",
    rules=Rules(read=CUSTOMER_MANAGERS),
    performs_delete=_delete,
)
