"""Every resource the server serves."""

from __future__ import annotations

from typing import Any

from voipbin.server.resources import accesskeys, agents, customers, numbers, tags
from voipbin.server.resources.base import ServerResource

SERVER_RESOURCES: tuple[ServerResource[Any], ...] = (
    customers.RESOURCE,
    agents.RESOURCE,
    accesskeys.RESOURCE,
    tags.RESOURCE,
    numbers.RESOURCE,
)
