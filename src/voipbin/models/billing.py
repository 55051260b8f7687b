"""Billing: a customer's billing account (its balance) and the ledger of every change to it.

Money is an exact integer of micro-dollars (1 USD = 1,000,000), on the wire as in storage
(``balance_credit: 1500000`` is $1.50), as upstream shows it. Tokens are whole units a plan
grants, spent before credit where the price says so.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from voipbin.models.base import Action, Filter, RequestBody, ResourceSpec
from voipbin.models.fields import Detail, OptionalName

Unset = msgspec.UnsetType
UNSET = msgspec.UNSET

MICROS_PER_USD = 1_000_000

PlanType = Literal["free", "basic", "professional", "unlimited"]
PLAN_TYPES: tuple[str, ...] = ("free", "basic", "professional", "unlimited")
PaymentType = Literal["", "prepaid"]
PaymentMethod = Literal["", "credit card"]
ACCOUNT_STATUSES: tuple[str, ...] = ("active", "frozen", "deleted")

TRANSACTION_TYPES: tuple[str, ...] = ("usage", "top_up", "adjustment", "refund")
BILLING_STATUSES: tuple[str, ...] = ("progressing", "end", "pending", "finished")
REFERENCE_TYPES: tuple[str, ...] = (
    "call",
    "call_extension",
    "sms",
    "email",
    "number",
    "number_renew",
    "credit_free_tier",
    "monthly_allowance",
    "credit_adjustment",
    "token_adjustment",
    "speaking",
    "recording",
)
COST_TYPES: tuple[str, ...] = (
    "",
    "call_pstn_outgoing",
    "call_pstn_incoming",
    "call_vn",
    "call_extension",
    "call_direct_ext",
    "sms",
    "email",
    "number",
    "number_renew",
    "tts",
    "recording",
)


class BillingAccount(msgspec.Struct, kw_only=True):
    """A billing account: what a customer's usage is paid from."""

    id: UUID
    customer_id: UUID
    name: str
    detail: str
    plan_type: str
    """``free``, ``basic``, ``professional`` or ``unlimited`` (never refused for money)."""
    plan_status: str
    balance_credit: int
    """Micro-dollars (1 USD = 1,000,000); below zero only through a forced subtraction."""
    balance_token: int
    """Tokens, spent before credit on calls to virtual numbers and recordings."""
    payment_type: str
    payment_method: str
    status: str
    """``active``, or ``deleted`` with its customer. Upstream shows it to super-admins only;
    here its own customer sees it too."""
    tm_last_topup: datetime | None
    tm_next_topup: datetime | None
    tm_create: datetime
    tm_update: datetime | None
    tm_delete: datetime | None


class BillingAccountUpdate(RequestBody, kw_only=True):
    """Body of ``PUT /v1.0/billing_account`` and ``PUT /v1.0/billing_accounts/{id}``; a field
    left out keeps its value."""

    name: OptionalName | Unset = UNSET
    detail: Detail | Unset = UNSET


class BillingAccountPaymentInfo(RequestBody, kw_only=True):
    """Body of ``PUT .../payment_info``; a field left out keeps its value."""

    payment_type: PaymentType | Unset = UNSET
    payment_method: PaymentMethod | Unset = UNSET


#: US dollars, as a JSON number (or a decimal string), read exactly: at most 6 decimal places.
Dollars = Annotated[
    Decimal,
    msgspec.Meta(
        description="US dollars, at most 6 decimal places (one micro-dollar); not negative.",
        extra_json_schema={"minimum": 0},
    ),
]


class BillingAccountBalance(RequestBody, kw_only=True):
    """Body of ``POST /v1.0/billing_accounts/{id}/balance_add_force`` and
    ``.../balance_subtract_force``."""

    balance: Dollars


BILLING_ACCOUNTS = ResourceSpec(
    name="billing_account",
    plural="billing_accounts",
    model=BillingAccount,
    update=BillingAccountUpdate,
    verbs=frozenset({"list", "get", "update"}),
    statuses=ACCOUNT_STATUSES,
    actions=(
        Action(
            "payment_info",
            "PUT",
            BillingAccountPaymentInfo,
            summary="Set how the account is paid",
        ),
        Action(
            "balance_add_force",
            "POST",
            BillingAccountBalance,
            summary="Add US dollars of credit (one ledger row: adjustment)",
        ),
        Action(
            "balance_subtract_force",
            "POST",
            BillingAccountBalance,
            summary="Take US dollars of credit away, below zero if need be (one ledger row)",
        ),
    ),
    own_actions=(
        Action(
            "payment_info",
            "PUT",
            BillingAccountPaymentInfo,
            summary="Set how the account is paid",
        ),
    ),
    summary=(
        "Billing accounts (super-admins); a customer's admins read theirs at "
        "/v1.0/billing_account. Money in micro-dollars."
    ),
)


class Billing(msgspec.Struct, kw_only=True):
    """One ledger row: one change of an account's balance, written with it."""

    id: UUID
    customer_id: UUID
    account_id: UUID
    transaction_type: str
    """``usage`` (a charge), ``top_up`` (tokens granted), ``adjustment`` (a forced change),
    ``refund``."""
    status: str
    reference_type: str
    """What was paid for (``number``, ``call``, ``sms``...), or ``credit_adjustment``."""
    reference_id: UUID | None
    cost_type: str
    usage_duration: int
    """Seconds of use (calls, recordings); 0 for what is not timed."""
    billable_units: int
    rate_token_per_unit: int
    rate_credit_per_unit: int
    """Micro-dollars per unit."""
    amount_token: int
    """Tokens this row changed the balance by (negative for usage)."""
    amount_credit: int
    """Micro-dollars this row changed the balance by (negative for usage)."""
    balance_token_snapshot: int
    """The token balance right after this row."""
    balance_credit_snapshot: int
    """The credit balance right after this row, in micro-dollars."""
    idempotency_key: UUID | None
    tm_billing_start: datetime | None
    tm_billing_end: datetime | None
    tm_create: datetime
    tm_update: datetime | None
    tm_delete: datetime | None


BILLINGS = ResourceSpec(
    name="billing",
    plural="billings",
    model=Billing,
    verbs=frozenset({"list", "get"}),
    statuses=BILLING_STATUSES,
    filters=(
        Filter("account_id", "uuid", description="Rows of this billing account."),
        Filter("transaction_type", "enum", TRANSACTION_TYPES),
        Filter("reference_type", "enum", REFERENCE_TYPES),
        Filter("reference_id", "uuid", description="Rows for this resource (a number, a call)."),
    ),
    summary="The ledger: one row per change of a billing account's balance (customer admins).",
)
