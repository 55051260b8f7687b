"""Customers: the tenants. Every other resource belongs to one."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

import msgspec

from voipbin.models.base import RequestBody, ResourceSpec
from voipbin.models.fields import (
    Detail,
    Name,
    OptionalEmail,
    OptionalPhoneNumber,
    WebhookMethod,
)

CustomerStatus = Literal["initial", "active", "frozen", "deleted", "expired"]
CUSTOMER_STATUSES: tuple[str, ...] = ("initial", "active", "frozen", "deleted", "expired")
#: Whether the customer's identity was checked: a normal number purchase needs ``verified``.
IdentityVerificationStatus = Literal["none", "pending", "verified", "rejected"]

Unset = msgspec.UnsetType
UNSET = msgspec.UNSET


class Customer(msgspec.Struct, kw_only=True):
    """A customer."""

    id: UUID
    name: str
    detail: str
    email: str
    phone_number: str
    address: str
    webhook_method: str
    webhook_uri: str
    billing_account_id: UUID | None
    email_verified: bool
    identity_verification_status: str = "none"
    """``none`` until checked (servers before it did not send it, hence the default)."""
    status: str
    tm_create: datetime
    tm_update: datetime | None
    tm_delete: datetime | None


class CustomerCreate(RequestBody, kw_only=True):
    """Body of ``POST /v1.0/customers``."""

    name: Name
    detail: Detail = ""
    email: OptionalEmail = ""
    phone_number: OptionalPhoneNumber = ""
    address: Detail = ""
    webhook_method: WebhookMethod = ""
    webhook_uri: Detail = ""


class CustomerUpdate(RequestBody, kw_only=True):
    """Body of ``PUT /v1.0/customers/{id}`` and ``PUT /v1.0/customer``; a field left out
    keeps its value."""

    name: Name | Unset = UNSET
    detail: Detail | Unset = UNSET
    email: OptionalEmail | Unset = UNSET
    phone_number: OptionalPhoneNumber | Unset = UNSET
    address: Detail | Unset = UNSET
    webhook_method: WebhookMethod | Unset = UNSET
    webhook_uri: Detail | Unset = UNSET
    identity_verification_status: IdentityVerificationStatus | Unset = UNSET
    """Set by super-admins only (anyone else gets a 403)."""


CUSTOMERS = ResourceSpec(
    name="customer",
    plural="customers",
    model=Customer,
    create=CustomerCreate,
    update=CustomerUpdate,
    statuses=CUSTOMER_STATUSES,
    customer_scoped=False,
    summary="Customers (super-admins only); everyone reads their own at /v1.0/customer.",
)
