"""Permission bits of agents (VoIPBIN's values) and what each role may do."""

from __future__ import annotations

from enum import IntFlag


class Permission(IntFlag):
    NONE = 0
    PROJECT_SUPER_ADMIN = 1
    CUSTOMER_AGENT = 16
    CUSTOMER_ADMIN = 32
    CUSTOMER_MANAGER = 64


#: Any role of a customer.
CUSTOMER_ANY = Permission.CUSTOMER_AGENT | Permission.CUSTOMER_ADMIN | Permission.CUSTOMER_MANAGER
#: Roles that manage a customer's resources.
CUSTOMER_MANAGERS = Permission.CUSTOMER_ADMIN | Permission.CUSTOMER_MANAGER
