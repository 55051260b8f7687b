"""The server half of a resource declaration: storage, permissions, reasons, rules."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic

import msgspec

from voipbin.common.permissions import CUSTOMER_ANY, CUSTOMER_MANAGERS, Permission
from voipbin.common.reasons import REASONS
from voipbin.models.base import M, ResourceSpec

if TYPE_CHECKING:
    from voipbin.server.auth.principal import Principal

Values = dict[str, Any]
#: Turns a decoded create or update body into column values (and checks what msgspec can't).
Prepare = Callable[["Principal", msgspec.Struct], Awaitable[Values]]


@dataclass(frozen=True)
class Rules:
    """Which permission bits may use each verb (super-admins may use all)."""

    read: Permission = CUSTOMER_ANY
    create: Permission = CUSTOMER_MANAGERS
    update: Permission = CUSTOMER_MANAGERS
    delete: Permission = CUSTOMER_MANAGERS


async def plain_values(principal: Principal, body: msgspec.Struct) -> Values:
    """The body's fields as column values, leaving out those the client did not send."""
    return {k: v for k, v in msgspec.structs.asdict(body).items() if v is not msgspec.UNSET}


@dataclass(frozen=True)
class ServerResource(Generic[M]):
    """A resource as the server serves it."""

    spec: ResourceSpec[M]
    table: Any
    """Its ``voipbin.server.storage.tables`` table."""
    reason_prefix: str
    """``TAG`` gives ``TAG_NOT_FOUND`` and ``TAG_STATE_INVALID``."""
    rules: Rules = Rules()
    prepare_create: Prepare = plain_values
    prepare_update: Prepare = plain_values
    unique: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """Unique index name -> (field, reason) for a duplicate."""

    def __post_init__(self) -> None:
        for reason in (self.not_found, self.state_invalid, *(r for _, r in self.unique.values())):
            if reason not in REASONS:
                raise ValueError(f"{self.spec.name}: reason {reason} is not in the catalog")

    @property
    def not_found(self) -> str:
        return f"{self.reason_prefix}_NOT_FOUND"

    @property
    def state_invalid(self) -> str:
        return f"{self.reason_prefix}_STATE_INVALID"
