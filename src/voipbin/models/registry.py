"""Every resource the API serves, in the order the docs list them."""

from __future__ import annotations

from typing import Any

from voipbin.models.accesskey import ACCESSKEYS
from voipbin.models.agent import AGENTS
from voipbin.models.base import ResourceSpec
from voipbin.models.billing import BILLING_ACCOUNTS, BILLINGS
from voipbin.models.customer import CUSTOMERS
from voipbin.models.extension import EXTENSIONS
from voipbin.models.flows import FLOWS
from voipbin.models.lookup import Lookup
from voipbin.models.number import AVAILABLE_NUMBERS, NUMBERS
from voipbin.models.outbound_config import OUTBOUND_CONFIGS
from voipbin.models.provider import PROVIDERS
from voipbin.models.route import ROUTES
from voipbin.models.tag import TAGS
from voipbin.models.trunk import TRUNKS

RESOURCES: tuple[ResourceSpec[Any], ...] = (
    CUSTOMERS,
    AGENTS,
    ACCESSKEYS,
    TAGS,
    FLOWS,
    NUMBERS,
    EXTENSIONS,
    TRUNKS,
    OUTBOUND_CONFIGS,
    PROVIDERS,
    ROUTES,
    BILLING_ACCOUNTS,
    BILLINGS,
)

LOOKUPS: tuple[Lookup, ...] = (AVAILABLE_NUMBERS,)
"""Every read-only lookup that is no resource (``GET /v1.0/available_numbers``)."""
