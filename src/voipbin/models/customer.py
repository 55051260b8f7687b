"""Customers: the tenants. Every other resource belongs to one."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

import msgspec

from voipbin.models.base import Action, RequestBody, ResourceSpec
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


class CustomerMetadata(msgspec.Struct, kw_only=True):
    """A customer's configuration flags (VoIPBIN's ``CustomerManagerMetadata``): a closed
    set of fields, so bounded by its shape."""

    rtp_debug: bool = False
    """Capture the RTP of the customer's calls (for debugging audio)."""


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
    metadata: CustomerMetadata = msgspec.field(default_factory=CustomerMetadata)
    """Configuration flags (servers before it did not send it, hence the default)."""
    email_verified: bool
    identity_verification_status: str = "none"
    """``none`` until checked (servers before it did not send it, hence the default)."""
    status: str
    tm_create: datetime
    tm_update: datetime | None
    tm_delete: datetime | None


class OwnCustomer(Customer, kw_only=True):
    """The caller's own customer (``GET /v1.0/customer``): a customer, with what only its own
    people see. Super-admins' views of customers do not show it."""

    webhook_secret: str = ""
    """The secret the customer's webhooks are signed with."""
    tm_webhook_secret_rotate: datetime | None = None
    """When the secret was last rotated (the one before stays valid for a while after)."""


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


class CustomerMetadataBody(RequestBody, kw_only=True):
    """Body of ``PUT /v1.0/customers/{id}/metadata`` and ``PUT /v1.0/customer/metadata``:
    the flags sent are changed, the others kept."""

    rtp_debug: bool | Unset = UNSET


class CustomerBillingAccountId(RequestBody, kw_only=True):
    """Body of ``PUT /v1.0/customers/{id}/billing_account_id``."""

    billing_account_id: UUID


class CustomerIdentityVerification(RequestBody, kw_only=True):
    """Body of ``PUT /v1.0/customers/{id}/identity_verification_status``."""

    identity_verification_status: IdentityVerificationStatus


CUSTOMERS = ResourceSpec(
    name="customer",
    plural="customers",
    model=Customer,
    create=CustomerCreate,
    update=CustomerUpdate,
    statuses=CUSTOMER_STATUSES,
    customer_scoped=False,
    actions=(
        Action(
            "freeze",
            "POST",
            None,
            summary="Freeze the customer: its credentials may read, every write is a 403",
        ),
        Action("recover", "POST", None, summary="Recover a frozen customer: writes work again"),
        Action(
            "billing_account_id",
            "PUT",
            CustomerBillingAccountId,
            summary="Set the billing account the customer is charged to",
        ),
        Action("metadata", "PUT", CustomerMetadataBody, summary="Change the customer's flags"),
        Action(
            "identity_verification_status",
            "PUT",
            CustomerIdentityVerification,
            summary="Record whether the customer's identity was verified",
        ),
    ),
    own=OwnCustomer,
    own_actions=(
        Action("metadata", "PUT", CustomerMetadataBody, summary="Change the customer's flags"),
        Action(
            "webhook_secret_rotate",
            "POST",
            None,
            summary="Make a new webhook secret (the previous one is kept for an overlap)",
        ),
    ),
    summary="Customers (super-admins only); everyone reads their own at /v1.0/customer.",
)
