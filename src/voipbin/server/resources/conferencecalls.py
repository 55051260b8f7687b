"""Conferencecalls: a conference's participants, made by the flow action ``conference_join``
and moved by the runtime (``server/runtime/conferences/``); read and kicked here.

``DELETE /v1.0/conferencecalls/{id}`` kicks the participant out of its conference (``204``;
it is ``leaving``, then ``leaved``, and its flow goes on after ``conference_join``). The row
stays readable and listed, as upstream keeps it; a participant that has left is kicked again
with nothing changing.
"""

from __future__ import annotations

from voipbin.common.errors import Unavailable
from voipbin.common.permissions import CUSTOMER_MANAGERS
from voipbin.models.conference import CONFERENCECALLS, Conferencecall
from voipbin.server.resources.base import Current, Rules, ServerResource
from voipbin.server.resources.context import ConferenceControl, Context
from voipbin.server.storage.tables import conference_conferencecalls


def _conferences(ctx: Context) -> ConferenceControl:
    if ctx.conferences is None:
        raise Unavailable("SERVICE_UNAVAILABLE", "Conferences are not served by this process.")
    return ctx.conferences


async def _kick(ctx: Context, current: Current) -> bool:
    await _conferences(ctx).kick(str(current["id"]))
    return True


RESOURCE: ServerResource[Conferencecall] = ServerResource(
    spec=CONFERENCECALLS,
    table=conference_conferencecalls,
    reason_prefix="CONFERENCECALL",
    rules=Rules(read=CUSTOMER_MANAGERS),
    performs_delete=_kick,
)
