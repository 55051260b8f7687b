"""What a resource's hooks are given: the caller, and the other resources' services."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from voipbin.server.auth.passwords import Passwords
from voipbin.server.auth.principal import Principal

if TYPE_CHECKING:
    from voipbin.server.resources.service import ResourceService


@dataclass(frozen=True, slots=True)
class Context:
    principal: Principal
    customer_id: str
    """The customer the request acts for (the caller's, or a super-admin's chosen one)."""
    services: Mapping[str, ResourceService[Any]]
    passwords: Passwords
    now: datetime
