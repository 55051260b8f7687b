"""Every resource the server serves."""

from __future__ import annotations

from typing import Any

from voipbin.server.resources import (
    accesskeys,
    activeflows,
    agents,
    billing_accounts,
    billings,
    call_routes,
    calls,
    conferencecalls,
    conferences,
    contacts,
    customers,
    emails,
    extensions,
    flows,
    groupcalls,
    messages,
    numbers,
    outbound_configs,
    outdials,
    outplans,
    providers,
    queuecalls,
    queues,
    recordings,
    tags,
    trunks,
    webhook_deliveries,
)
from voipbin.server.resources.base import ServerResource

SERVER_RESOURCES: tuple[ServerResource[Any], ...] = (
    customers.RESOURCE,
    agents.RESOURCE,
    accesskeys.RESOURCE,
    tags.RESOURCE,
    flows.RESOURCE,
    activeflows.RESOURCE,
    numbers.RESOURCE,
    extensions.RESOURCE,
    trunks.RESOURCE,
    outbound_configs.RESOURCE,
    providers.RESOURCE,
    call_routes.RESOURCE,
    billing_accounts.RESOURCE,
    billings.RESOURCE,
    calls.RESOURCE,
    groupcalls.RESOURCE,
    emails.RESOURCE,
    messages.RESOURCE,
    recordings.RESOURCE,
    queues.RESOURCE,
    queuecalls.RESOURCE,
    webhook_deliveries.RESOURCE,
    contacts.RESOURCE,
    conferences.RESOURCE,
    conferencecalls.RESOURCE,
    # Outbound campaigns: outplans, outdials and their targets (served under the outdial).
    outplans.RESOURCE,
    outdials.RESOURCE,
    outdials.TARGETS,
)
