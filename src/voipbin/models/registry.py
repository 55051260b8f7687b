"""Every resource the API serves, in the order the docs list them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from voipbin.models.accesskey import ACCESSKEYS
from voipbin.models.activeflow import ACTIVEFLOWS
from voipbin.models.agent import AGENTS
from voipbin.models.base import ResourceSpec
from voipbin.models.billing import BILLING_ACCOUNTS, BILLINGS
from voipbin.models.call import CALLS
from voipbin.models.campaign import CAMPAIGNCALLS, CAMPAIGNS
from voipbin.models.conference import CONFERENCECALLS, CONFERENCES
from voipbin.models.contact import CONTACTS
from voipbin.models.customer import CUSTOMERS
from voipbin.models.email import EMAILS
from voipbin.models.extension import EXTENSIONS
from voipbin.models.flows import FLOWS
from voipbin.models.groupcall import GROUPCALLS
from voipbin.models.lookup import Lookup
from voipbin.models.message import MESSAGES
from voipbin.models.number import AVAILABLE_NUMBERS, NUMBERS
from voipbin.models.outbound_config import OUTBOUND_CONFIGS
from voipbin.models.outdial import OUTDIALS
from voipbin.models.outplan import OUTPLANS
from voipbin.models.own import OwnRoute
from voipbin.models.provider import PROVIDERS
from voipbin.models.queue import QUEUECALLS, QUEUES
from voipbin.models.recording import RECORDINGS
from voipbin.models.route import ROUTES
from voipbin.models.tag import TAGS
from voipbin.models.trunk import TRUNKS
from voipbin.models.webhook_delivery import WEBHOOK_DELIVERIES

RESOURCES: tuple[ResourceSpec[Any], ...] = (
    CUSTOMERS,
    AGENTS,
    ACCESSKEYS,
    TAGS,
    FLOWS,
    ACTIVEFLOWS,
    NUMBERS,
    EXTENSIONS,
    TRUNKS,
    OUTBOUND_CONFIGS,
    PROVIDERS,
    ROUTES,
    BILLING_ACCOUNTS,
    BILLINGS,
    CALLS,
    GROUPCALLS,
    EMAILS,
    MESSAGES,
    RECORDINGS,
    QUEUES,
    QUEUECALLS,
    WEBHOOK_DELIVERIES,
    CONTACTS,
    CONFERENCES,
    CONFERENCECALLS,
    OUTPLANS,
    OUTDIALS,
    CAMPAIGNS,
    CAMPAIGNCALLS,
)

LOOKUPS: tuple[Lookup, ...] = (AVAILABLE_NUMBERS,)
"""Every read-only lookup that is no resource (``GET /v1.0/available_numbers``)."""

OWN_ROUTES: tuple[OwnRoute, ...] = (
    OwnRoute("customer", "/v1.0/customer", CUSTOMERS, True, "The caller's own customer"),
    OwnRoute(
        "me",
        "/v1.0/me",
        AGENTS,
        False,
        "The caller's own agent",
        missing="The caller is an access key, which is no agent: see /v1.0/customer.",
    ),
    OwnRoute(
        "outbound_config",
        "/v1.0/outbound_config",
        OUTBOUND_CONFIGS,
        True,
        "The caller's customer's outbound config",
    ),
    OwnRoute(
        "billing_account",
        "/v1.0/billing_account",
        BILLING_ACCOUNTS,
        True,
        "The billing account the caller's customer is charged to",
        missing="The caller's customer is charged to no live billing account.",
    ),
)
"""Every route showing the caller's own resource without an id. Their names share one
namespace with the resources' path segments and the lookups' names (SDK attributes and CLI
groups): :func:`accessor_names` refuses a clash."""


def accessor_names(
    resources: Sequence[ResourceSpec[Any]],
    own_routes: Sequence[OwnRoute],
    lookups: Sequence[Lookup],
) -> tuple[str, ...]:
    """Every name the SDK and the CLI reach a declaration by: resources' path segments,
    own routes' and lookups' names. A name given twice is a ``ValueError``."""
    names = (
        *(spec.plural for spec in resources),
        *(route.name for route in own_routes),
        *(lookup.name for lookup in lookups),
    )
    clashes = sorted({name for name in names if names.count(name) > 1})
    if clashes:
        raise ValueError(f"declared more than once: {', '.join(clashes)}")
    return names


ACCESSOR_NAMES = accessor_names(RESOURCES, OWN_ROUTES, LOOKUPS)
"""Checked once, on import: a clash never reaches a client or a command line."""
