"""Customers: managed by super-admins; everyone reads (admins change) their own."""

from __future__ import annotations

from typing import Any

import msgspec

from voipbin.common.address import is_email
from voipbin.common.errors import FailedPrecondition, InvalidArgument, Unprocessable
from voipbin.common.permissions import Permission
from voipbin.models.customer import CUSTOMERS, Customer
from voipbin.server.resources.base import (
    EXPECTED,
    Current,
    Prepare,
    Rules,
    ServerResource,
    Values,
    plain_values,
)
from voipbin.server.resources.context import Context
from voipbin.server.resources.fields import check_phone_number, check_webhook_uri
from voipbin.server.storage.tables import customer_customers, new_webhook_secret

SUPER_ADMIN_ONLY = Permission.NONE


async def _values(ctx: Context, body: Any, current: Current | None) -> Values:
    values = await plain_values(ctx, body, current)
    email = values.get("email")
    if email and not is_email(email):
        raise InvalidArgument.field("email", "must be a valid email address")
    check_phone_number(values.get("phone_number"))
    check_webhook_uri(values.get("webhook_uri"))
    return values


#: The lifecycle, as a table: action -> (the status it leaves, the status it makes).
#: A deleted customer is refused before (a deleted customer cannot be changed).
TRANSITIONS: dict[str, tuple[str, str]] = {
    "freeze": ("active", "frozen"),
    "recover": ("frozen", "active"),
}


def _transition(action: str) -> Prepare:
    before, after = TRANSITIONS[action]

    async def prepare(ctx: Context, body: Any, current: Current | None) -> Values:
        assert current is not None
        if current["status"] != before:
            raise FailedPrecondition(
                "CUSTOMER_STATE_INVALID",
                f"The customer is {current['status']}; only an {before} customer can be "
                f"{'frozen' if action == 'freeze' else 'recovered'}.",
            )
        return {"status": after, EXPECTED: {"status": before}}

    return prepare


async def _metadata(ctx: Context, body: Any, current: Current | None) -> Values:
    """The flags sent, merged into those stored (a flag left out keeps its value)."""
    assert current is not None
    stored: dict[str, Any] = msgspec.json.decode(current["metadata"])
    changes = await plain_values(ctx, body, current)
    return {"metadata": msgspec.json.encode({**stored, **changes}).decode()}


async def _rotate(ctx: Context, body: Any, current: Current | None) -> Values:
    """A new webhook secret; the one before is kept, with when it was replaced, so webhooks
    signed with it can still be checked for an overlap."""
    assert current is not None
    return {
        "webhook_secret": new_webhook_secret(),
        "webhook_secret_previous": current["webhook_secret"],
        "tm_webhook_secret_rotate": ctx.now,
        # Two rotations at once: one wins, the other is a 409 (no secret lost unseen).
        EXPECTED: {"webhook_secret": current["webhook_secret"]},
    }


async def _billing_account(ctx: Context, body: Any, current: Current | None) -> Values:
    """Charge the customer to another live billing account (any customer's: one account may
    pay for several customers)."""
    account_id = str(body.billing_account_id)
    if not await ctx.services["billing_account"].repository.live_ids([account_id]):
        raise Unprocessable.field("billing_account_id", "is not a live billing account")
    return {"billing_account_id": account_id}


def _guard(ctx: Context, verb: str, current: Current) -> None:
    own = str(current["id"]) == ctx.principal.customer_id
    if verb in ("delete", "freeze") and own and ctx.principal.is_super_admin:
        raise FailedPrecondition(
            "CUSTOMER_STATE_INVALID", f"A super-admin cannot {verb} their own customer."
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
    actions={
        "freeze": _transition("freeze"),
        "recover": _transition("recover"),
        "billing_account_id": _billing_account,
        "metadata": _metadata,
        "identity_verification_status": plain_values,
        "webhook_secret_rotate": _rotate,
    },
    guard=_guard,
    identity=True,
    # Nothing of it authenticates, and what it held is freed for others: its agents'
    # usernames, its numbers (released), its trunks' domain names.
    cascade=(
        "agent",
        "accesskey",
        "flow",
        "activeflow",
        "number",
        "extension",
        "trunk",
        "route",
        "outbound_config",
        "billing_account",
    ),
    # Made with the customer, in its transaction: its outbound config (empty: every PSTN
    # destination refused) and its billing account (the free plan's tokens, no credit).
    companions=("outbound_config", "billing_account"),
    deleted_values={"status": "deleted"},
)
