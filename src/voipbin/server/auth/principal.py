"""The authenticated caller of a request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from voipbin.common.errors import PermissionDenied
from voipbin.common.ids import EMPTY_UUID_TEXT
from voipbin.common.permissions import Permission


@dataclass(frozen=True, slots=True)
class Principal:
    """An agent acting for a customer, with that agent's permission bits."""

    agent_id: str
    customer_id: str
    permission: Permission
    username: str = ""
    expires: datetime | None = None
    """When the credential stops working (an access key's expiry)."""
    credential_id: str = ""
    """What authenticated the request: the agent's id for its login token, the access key's
    id for an access key. Idempotency keys belong to it."""
    frozen: bool = False
    """The caller's customer is frozen: it may read, not write (read with the credential, in
    the same statement, so it is as fresh as the credential itself)."""

    @property
    def is_agent(self) -> bool:
        """Whether the caller is an agent (an access key acts as its customer's admin, but
        is no agent)."""
        return self.agent_id != EMPTY_UUID_TEXT

    @property
    def is_super_admin(self) -> bool:
        return bool(self.permission & Permission.PROJECT_SUPER_ADMIN)

    def allows(self, allowed: Permission) -> bool:
        """Whether the caller holds one of ``allowed``'s bits (super-admins hold all)."""
        return self.is_super_admin or bool(self.permission & allowed)

    def require(self, allowed: Permission) -> None:
        """Raise ``403 PERMISSION_DENIED`` unless the caller holds one of ``allowed``'s bits.

        Super-admins hold every permission.
        """
        if not self.allows(allowed):
            raise PermissionDenied()

    def sees(self, customer_id: str) -> bool:
        """Whether this caller may see a resource of ``customer_id`` (404 otherwise)."""
        return self.is_super_admin or customer_id == self.customer_id


def server_principal(customer_id: str) -> Principal:
    """The server itself, acting for ``customer_id`` (making what a new customer gets): no
    agent, every permission. Never the principal of a request."""
    return Principal(EMPTY_UUID_TEXT, customer_id, Permission.PROJECT_SUPER_ADMIN)
