"""Billing accounts: what a customer's usage is paid from, one made with each customer.

Super-admins list, read and change every account, and force its balance up or down
(``balance_add_force``, ``balance_subtract_force``: below zero if need be, each with its
``adjustment`` ledger row). A customer's admins read theirs and change its name and payment
details at ``/v1.0/billing_account`` (the account its ``billing_account_id`` names). Balances
change only through the ledger (``voipbin.server.billing.ledger``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from voipbin.common.errors import FailedPrecondition, InvalidArgument
from voipbin.common.ids import EMPTY_UUID_TEXT
from voipbin.common.permissions import Permission
from voipbin.models.billing import BILLING_ACCOUNTS, MICROS_PER_USD, BillingAccount
from voipbin.server.auth.principal import Principal
from voipbin.server.resources.base import Current, Perform, Rules, ServerResource, plain_values
from voipbin.server.resources.context import Context, Peer
from voipbin.server.storage.database import Executor, Row
from voipbin.server.storage.tables import billing_accounts

SUPER_ADMIN_ONLY = Permission.NONE

#: The largest single forced change: a billion dollars (far inside 64-bit micro-dollars).
MAX_DOLLARS = Decimal(1_000_000_000)


def micros(dollars: Decimal, field: str = "balance") -> int:
    """US dollars as exact micro-dollars; a 400 naming ``field`` for a negative amount, one
    finer than a micro-dollar, or one too large."""
    try:
        if not dollars.is_finite():
            raise InvalidOperation
        exact = dollars * MICROS_PER_USD
        if exact != exact.to_integral_value():
            raise InvalidArgument.field(field, "has more than 6 decimal places (a micro-dollar)")
    except InvalidOperation:
        raise InvalidArgument.field(field, "must be a number of US dollars") from None
    if dollars < 0:
        raise InvalidArgument.field(field, "The balance must be non-negative.")
    if dollars > MAX_DOLLARS:
        raise InvalidArgument.field(field, f"must be at most {MAX_DOLLARS} US dollars")
    return int(exact)


def _force(sign: int) -> Perform:
    async def perform(ctx: Context, body: Any, current: Current) -> Row:
        amount = micros(body.balance)
        account_id = str(current["id"])
        if await ctx.ledger.adjust(account_id, sign * amount) is not None:
            row = await ctx.services["billing_account"].repository.get(account_id)
            if row is not None:
                return row
        raise FailedPrecondition("BILLING_ACCOUNT_STATE_INVALID")  # deleted meanwhile

    return perform


def own_account_id(customers: Peer) -> Callable[[Principal], Awaitable[str]]:
    """The id of the caller's billing account: the one its customer's ``billing_account_id``
    names (the empty UUID, a 404, for a customer that has none)."""

    async def account_id(principal: Principal) -> str:
        row = await customers.repository.find(
            ("billing_account_id",), {"id": principal.customer_id}
        )
        return EMPTY_UUID_TEXT if row is None else str(row[0])

    return account_id


async def _open(ctx: Context, executor: Executor) -> None:
    await ctx.ledger.open_account(ctx.customer_id, executor)


RESOURCE: ServerResource[BillingAccount] = ServerResource(
    spec=BILLING_ACCOUNTS,
    table=billing_accounts,
    reason_prefix="BILLING_ACCOUNT",
    rules=Rules(
        read=SUPER_ADMIN_ONLY,
        create=SUPER_ADMIN_ONLY,
        update=SUPER_ADMIN_ONLY,
        delete=SUPER_ADMIN_ONLY,
        role_first=True,
    ),
    actions={"payment_info": plain_values},
    performs={"balance_add_force": _force(1), "balance_subtract_force": _force(-1)},
    make_companion=_open,
    deleted_values={"status": "deleted"},
)
