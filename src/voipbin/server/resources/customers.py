"""Customers: managed by super-admins; everyone reads (admins change) their own."""

from __future__ import annotations

from typing import Any

from voipbin.common.address import is_email
from voipbin.common.errors import FailedPrecondition, InvalidArgument, PermissionDenied
from voipbin.common.permissions import Permission
from voipbin.models.customer import CUSTOMERS, Customer
from voipbin.server.resources.base import Current, Rules, ServerResource, Values, plain_values
from voipbin.server.resources.context import Context
from voipbin.server.resources.fields import check_phone_number, check_webhook_uri
from voipbin.server.storage.tables import customer_customers

SUPER_ADMIN_ONLY = Permission.NONE


async def _values(ctx: Context, body: Any, current: Current | None) -> Values:
    values = await plain_values(ctx, body, current)
    if "identity_verification_status" in values and not ctx.principal.is_super_admin:
        # Through PUT /v1.0/customer an admin changes their own customer: never this.
        raise PermissionDenied(message="Only a super-admin may set identity_verification_status.")
    email = values.get("email")
    if email and not is_email(email):
        raise InvalidArgument.field("email", "must be a valid email address")
    check_phone_number(values.get("phone_number"))
    check_webhook_uri(values.get("webhook_uri"))
    return values


def _guard(ctx: Context, verb: str, current: Current) -> None:
    if verb == "delete" and str(current["id"]) == ctx.principal.customer_id:
        raise FailedPrecondition(
            "CUSTOMER_STATE_INVALID", "A super-admin cannot delete their own customer."
        )


RESOURCE: ServerResource[Customer] = ServerResource(
    spec=CUSTOMERS,
    table=customer_customers,
    reason_prefix="CUSTOMER",
    rules=Rules(
        read=SUPER_ADMIN_ONLY,
        create=SUPER_ADMIN_ONLY,
        update=SUPER_ADMIN_ONLY,
        delete=SUPER_ADMIN_ONLY,
    ),
    prepare_create=_values,
    prepare_update=_values,
    guard=_guard,
    identity=True,
    # Nothing of it authenticates, and what it held is freed for others: its agents'
    # usernames, its numbers (released), its trunks' domain names.
    cascade=(
        "agent",
        "accesskey",
        "flow",
        "number",
        "extension",
        "trunk",
        "route",
        "outbound_config",
    ),
    # Made empty (every PSTN destination refused) with the customer, in its transaction.
    companions=("outbound_config",),
    deleted_values={"status": "deleted"},
)
