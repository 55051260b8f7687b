"""The event catalogue: every event a customer can see, as one declared table.

Each row is ``(type, resource, description)``: ``call_hangup`` is an event of a ``call``.
The server refuses to record an event whose type is not here; the OpenAPI document lists
the types and ``docs/events.md`` is generated from this table. Names are upstream VoIPBIN's
(``behaviour-calls-billing-numbers.md`` §7, ``behaviour-flows-webhooks.md`` §4.4).

An event travels as :class:`EventMessage` (``{"type", "data"}``, the webhook body), and a
resource's past events are read back from its timeline,
``GET /v1.0/timelines/{resource_type}/{resource_id}/events``, as a :class:`TimelinePage`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import msgspec

from voipbin.models.lookup import Lookup
from voipbin.models.wire import WireTimestamp


class EventType(NamedTuple):
    """One row of the catalogue."""

    name: str
    resource: str
    """The kind of resource the event's ``data`` is (``call``)."""
    description: str


CATALOGUE: tuple[EventType, ...] = (
    EventType("call_created", "call", "A call was created (outgoing: before it is dialled)."),
    EventType("call_dialing", "call", "An outgoing call is being dialled."),
    EventType("call_ringing", "call", "The far end is ringing."),
    EventType("call_progressing", "call", "The call was answered and media flows."),
    EventType("call_terminating", "call", "The call is being hung up."),
    EventType("call_canceling", "call", "An unanswered call is being cancelled."),
    EventType("call_hangup", "call", "The call ended; its hangup_by and hangup_reason say how."),
    EventType("call_updated", "call", "Something else about the call changed (its action, mute)."),
    EventType("call_deleted", "call", "The call was deleted."),
    EventType("groupcall_created", "groupcall", "A groupcall was created."),
    EventType("groupcall_progressing", "groupcall", "One of the groupcall's calls answered."),
    EventType("groupcall_hangup", "groupcall", "The groupcall ended."),
    EventType("groupcall_deleted", "groupcall", "The groupcall was deleted."),
    EventType("recording_started", "recording", "A recording started."),
    EventType("recording_finished", "recording", "A recording finished; its files are ready."),
    EventType("message_created", "message", "A message was created (sent or received)."),
    EventType("message_updated", "message", "A message's delivery status changed."),
    EventType("message_deleted", "message", "A message was deleted."),
    EventType("email_created", "email", "An email was created (sent by the API or a flow)."),
    EventType("email_updated", "email", "An email's delivery status changed."),
    EventType("email_deleted", "email", "An email was deleted."),
    EventType("number_created", "number", "A number was bought or created."),
    EventType("number_updated", "number", "A number was changed."),
    EventType("number_deleted", "number", "A number was released."),
    EventType("activeflow_created", "activeflow", "A flow started running."),
    EventType("activeflow_updated", "activeflow", "A running flow moved to another action."),
    EventType("activeflow_deleted", "activeflow", "A running flow was deleted."),
    EventType("flow_created", "flow", "A flow was created."),
    EventType("flow_updated", "flow", "A flow was changed."),
    EventType("flow_deleted", "flow", "A flow was deleted."),
    EventType("agent_created", "agent", "An agent was created."),
    EventType("agent_updated", "agent", "An agent changed (its addresses, tags, permission...)."),
    EventType(
        "agent_status_updated",
        "agent",
        "An agent's status changed: by the agent, or by a queue ringing it (ringing), "
        "bridging it (busy) and letting it go (available).",
    ),
    EventType("agent_deleted", "agent", "An agent was deleted."),
    EventType("outdial_created", "outdial", "An outdial was created."),
    EventType("outdial_updated", "outdial", "An outdial changed (its campaign, its data...)."),
    EventType("outdial_deleted", "outdial", "An outdial was deleted."),
    EventType("conference_created", "conference", "A conference was created."),
    EventType(
        "conference_updated",
        "conference",
        "A conference changed: a participant joined or left, a recording, its status.",
    ),
    EventType("conference_deleted", "conference", "A conference was terminated, or deleted."),
    EventType("queuecall_created", "queuecall", "A call's flow joined a queue."),
    EventType("queuecall_waiting", "queuecall", "The caller waits for an agent."),
    EventType("queuecall_connecting", "queuecall", "An agent is being rung for the caller."),
    EventType("queuecall_serviced", "queuecall", "The agent answered: the two are bridged."),
    EventType("queuecall_done", "queuecall", "The caller was served; the service is over."),
    EventType("queuecall_abandoned", "queuecall", "The caller left the queue unserved."),
    EventType("queuecall_deleted", "queuecall", "The queuecall was deleted."),
    EventType("campaign_created", "campaign", "A campaign was created."),
    EventType("campaign_updated", "campaign", "A campaign's settings changed."),
    EventType("campaign_deleted", "campaign", "A campaign was deleted."),
    EventType("campaign_status_run", "campaign", "A campaign's dialer started."),
    EventType(
        "campaign_status_stopping",
        "campaign",
        "A campaign dials no more; its live calls finish (``stop_reason`` says why).",
    ),
    EventType("campaign_status_stop", "campaign", "A campaign stopped (``stop_reason``)."),
    EventType("campaigncall_created", "campaigncall", "A campaign dialled a target."),
    EventType(
        "campaigncall_updated", "campaigncall", "A campaigncall was answered, or ended (result)."
    ),
    EventType("campaigncall_deleted", "campaigncall", "A campaigncall was deleted."),
)

EVENT_TYPES: dict[str, EventType] = {row.name: row for row in CATALOGUE}

#: The timeline's ``resource_type`` path segments, and the kind of resource each reads the
#: events of (``calls`` -> the events whose resource is a ``call``).
TIMELINE_RESOURCES: dict[str, str] = {
    "calls": "call",
    "groupcalls": "groupcall",
    "activeflows": "activeflow",
    "flows": "flow",
    "emails": "email",
    "messages": "message",
    "recordings": "recording",
    "conferences": "conference",
    "queuecalls": "queuecall",
    "campaigns": "campaign",
    "campaigncalls": "campaigncall",
    "numbers": "number",
    "agents": "agent",
}

TIMELINE_PATH = "/v1.0/timelines/{resource_type}/{resource_id}/events"


class EventMessage(msgspec.Struct, kw_only=True):
    """An event as delivered: the body of a webhook."""

    type: str
    """One of the catalogue's types."""
    data: dict[str, Any]
    """The resource, in the wire form its GET answers, as it was when the event happened."""


class TimelineEvent(msgspec.Struct, kw_only=True):
    """One event of a resource's timeline (upstream's shape)."""

    timestamp: WireTimestamp
    """When the event happened."""
    event_type: str
    data: dict[str, Any]
    """The resource as it was then, as in :class:`EventMessage`."""


class TimelinePage(msgspec.Struct, kw_only=True):
    """A page of a timeline, newest first; ``next_page_token`` is ``""`` on the last page."""

    result: list[TimelineEvent]
    next_page_token: str = ""


class TimelineQuery(msgspec.Struct, kw_only=True):
    """The timeline's query parameters: it pages like every list."""

    page_size: int | None = None
    """Events per page (1 to 100, default 100; more lists 100)."""
    page_token: str | None = None
    """The ``next_page_token`` of the page before."""


TIMELINE = Lookup(
    name="timeline",
    path=TIMELINE_PATH,
    query=TimelineQuery,
    answer=TimelinePage,
    tag="Timeline",
    summary="A resource's events, newest first",
    description=(
        "Every event the resource went through, as it was delivered "
        "(x-event-types lists them). Customer admins and managers; another "
        "customer's resource is a 404 with the resource's reason "
        "(CALL_NOT_FOUND...); a resource type with no timeline is 404 "
        "ROUTE_NOT_FOUND."
    ),
)
"""The timeline, declared for the SDK (``client.timeline``) and the CLI (``voipbin
timeline``); the server serves it by its own route, which checks the resource's owner."""
