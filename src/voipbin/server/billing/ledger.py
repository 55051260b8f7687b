"""The ledger: the one service that changes a billing account's balance.

Every change is one conditional UPDATE of the account and one ledger row, in one transaction
(the caller's, when it gives one): the rows of an account always sum to its balance. A charge
is refused (``402 INSUFFICIENT_BALANCE``) when the credit it needs, after tokens, is more than
the account holds, unless the plan is ``unlimited``; the refusal is decided by the UPDATE's own
condition, so any number of concurrent charges, in any number of processes, never take the
balance below zero.

Money is integer micro-dollars throughout; nothing here touches a float.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from voipbin.common.errors import PaymentRequired
from voipbin.common.ids import new_id
from voipbin.models.billing import Billing
from voipbin.server.billing.prices import PLAN_TOKENS, Rate, rates
from voipbin.server.settings import Settings
from voipbin.server.storage.balances import ONE_ROW_PER_REFERENCE, Balances
from voipbin.server.storage.clock import CreationClock
from voipbin.server.storage.database import Database, Executor, Row, UniqueViolation
from voipbin.server.storage.repository import Repository
from voipbin.server.storage.tables import billing_accounts, billing_billings

#: How often a charge re-reads the balance after another change got in first. Each retry
#: means the balance changed meanwhile, so a handful always settles it; the bound only
#: stops a pathological storm from looping.
_ATTEMPTS = 64


@dataclass(frozen=True, slots=True)
class Usage:
    """What is being paid for."""

    cost_type: str
    """A key of the rate table (``number``, ``call_pstn_outgoing``, ``sms``...)."""
    reference_type: str
    """What the ledger row refers to (``number``, ``call``, ``sms``...)."""
    reference_id: str
    """Its id; one usage row per (reference_type, reference_id): charging again is a no-op."""
    units: int = 1
    usage_duration: int = 0
    """Whole seconds of use, for timed usage."""
    tm_billing_start: datetime | None = None
    tm_billing_end: datetime | None = None


@dataclass(frozen=True, slots=True)
class Quote:
    """What a usage would cost a customer, and whether its account can pay it now."""

    account_id: str
    plan_type: str
    balance_credit: int
    balance_token: int
    token: int
    """Tokens it would take."""
    credit: int
    """Micro-dollars it would take (after tokens)."""

    @property
    def payable(self) -> bool:
        return (
            self.plan_type == "unlimited" or self.credit <= 0 or self.balance_credit >= self.credit
        )

    def refusal(self, cost_type: str, units: int) -> PaymentRequired:
        return PaymentRequired(
            "INSUFFICIENT_BALANCE",
            f"The balance cannot pay for this: it costs {_usd(self.credit)} "
            f"({units} x {cost_type}, after {self.token} tokens) and the account holds "
            f"{_usd(self.balance_credit)} of credit.",
            details=[
                {
                    "cost_type": cost_type,
                    "units": str(units),
                    "price_credit": str(self.credit),
                    "price_token": str(self.token),
                    "balance_credit": str(self.balance_credit),
                    "balance_token": str(self.balance_token),
                    "account_id": self.account_id,
                }
            ],
        )


def _usd(micros: int) -> str:
    sign = "-" if micros < 0 else ""
    whole, fraction = divmod(abs(micros), 1_000_000)
    cents = f"{fraction // 10_000:02d}" if fraction % 10_000 == 0 else f"{fraction:06d}"
    return f"{sign}${whole}.{cents}"


def split(rate: Rate, units: int, balance_token: int) -> tuple[int, int]:
    """(tokens, micro-dollars) ``units`` of ``rate`` take: whole units from tokens while
    they last, the rest from credit."""
    by_token = 0
    if rate.token > 0 and balance_token > 0:
        by_token = min(units, balance_token // rate.token)
    return by_token * rate.token, (units - by_token) * rate.credit


#: The fields a ledger row is read with: the model's, as the billings resource reads them.
BILLING_FIELDS: tuple[str, ...] = Billing.__struct_fields__


class Ledger:
    def __init__(self, balances: Balances, rates: Mapping[str, Rate]) -> None:
        self.balances = balances
        self.billings = balances.billings
        self.accounts = balances.accounts
        self.rates = rates
        self.db = balances.db
        self.clock = balances.clock

    # -- operations -----------------------------------------------------------------------

    def rate(self, cost_type: str) -> Rate:
        return self.rates[cost_type]

    async def quote(
        self, customer_id: str, cost_type: str, units: int = 1, executor: Executor | None = None
    ) -> Quote:
        """What ``units`` of ``cost_type`` would cost the customer now. A customer with no
        live account can pay nothing (a 402 from :meth:`require`)."""
        account = await self.balances.account_of(customer_id, executor or self.db)
        if account is None:
            return Quote("", "", 0, 0, 0, max(self.rate(cost_type).credit * units, 1))
        account_id, _, plan, credit_held, token_held = account
        token, credit = split(self.rate(cost_type), units, int(token_held))
        return Quote(str(account_id), str(plan), int(credit_held), int(token_held), token, credit)

    async def require(
        self, customer_id: str, cost_type: str, units: int = 1, executor: Executor | None = None
    ) -> Quote:
        """The quote, or ``402 INSUFFICIENT_BALANCE`` (naming the price and the balance)
        when the account cannot pay it now: the check before work that will be charged."""
        quote = await self.quote(customer_id, cost_type, units, executor)
        if not quote.payable:
            raise quote.refusal(cost_type, units)
        return quote

    async def charge(self, customer_id: str, usage: Usage, executor: Executor | None = None) -> Row:
        """Debit the customer's account for ``usage`` and write its ledger row, atomically
        (in ``executor``'s transaction when given); the ledger row. ``402`` when it cannot
        pay. Charging a (reference_type, reference_id) that was charged before changes
        nothing and answers the row written then."""
        if executor is None:
            async with self.db.transaction() as tx:
                return await self._charge_once(customer_id, usage, tx)
        return await self._charge_once(customer_id, usage, executor)

    async def _charge_once(self, customer_id: str, usage: Usage, executor: Executor) -> Row:
        existing = await self.balances.charged(executor, usage.reference_type, usage.reference_id)
        if existing is not None:
            return existing
        try:
            async with executor.savepoint():
                return await self._charge(customer_id, usage, executor)
        except _AlreadyCharged:
            # Charged meanwhile by another process: the savepoint gave the balance back.
            existing = await self.balances.charged(
                executor, usage.reference_type, usage.reference_id
            )
            assert existing is not None
            return existing

    async def _charge(self, customer_id: str, usage: Usage, executor: Executor) -> Row:
        rate = self.rate(usage.cost_type)
        for _ in range(_ATTEMPTS):
            quote = await self.quote(customer_id, usage.cost_type, usage.units, executor)
            if not quote.payable or not quote.account_id:
                raise quote.refusal(usage.cost_type, usage.units)
            balances = await self.balances.change(
                executor, quote.account_id, quote.token, quote.credit, checked=True
            )
            if balances is None:
                continue  # another change got in first: read the balance again
            values = {
                "customer_id": customer_id,
                "account_id": quote.account_id,
                "transaction_type": "usage",
                "status": "end",
                "reference_type": usage.reference_type,
                "reference_id": usage.reference_id,
                "idempotency_key": usage.reference_id,
                "cost_type": usage.cost_type,
                "usage_duration": usage.usage_duration,
                "billable_units": usage.units,
                "rate_token_per_unit": rate.token,
                "rate_credit_per_unit": rate.credit,
                "amount_token": -quote.token,
                "amount_credit": -quote.credit,
                "balance_token_snapshot": balances[0],
                "balance_credit_snapshot": balances[1],
                "tm_billing_start": usage.tm_billing_start,
                "tm_billing_end": usage.tm_billing_end,
            }
            try:
                return await self.billings.insert(values, executor)
            except UniqueViolation as exc:
                if exc.constraint != ONE_ROW_PER_REFERENCE:
                    raise
                raise _AlreadyCharged() from None
        raise PaymentRequired(
            "INSUFFICIENT_BALANCE",
            "The balance kept changing while this charge was tried; try again.",
        )

    async def adjust(self, account_id: str, credit: int) -> Row | None:
        """Add ``credit`` micro-dollars to a live account (negative: take them, below zero if
        need be), with its ``adjustment`` ledger row; that row, ``None`` when there is no
        such live account."""
        async with self.db.transaction() as tx:
            account = await self.balances.account(account_id, tx)
            if account is None:
                return None
            balances = await self.balances.change(tx, account_id, 0, -credit, checked=False)
            if balances is None:
                return None
            return await self._ledger_row(
                tx,
                customer_id=str(account[1]),
                account_id=account_id,
                transaction_type="adjustment",
                reference_type="credit_adjustment",
                amount_token=0,
                amount_credit=credit,
                balances=balances,
            )

    async def open_account(self, customer_id: str, executor: Executor) -> str:
        """Make the billing account of a new customer, in ``executor``'s transaction: the
        free plan, its tokens granted by a ``top_up`` ledger row, and the customer's
        ``billing_account_id`` naming it. The account's id."""
        tokens = PLAN_TOKENS["free"]
        now = self.clock.now()
        account = await self.accounts.insert(
            {"customer_id": customer_id, "tm_last_topup": now}, executor
        )
        account_id = str(account[0])
        balances = await self.balances.change(executor, account_id, -tokens, 0, checked=False)
        assert balances is not None
        await self._ledger_row(
            executor,
            customer_id=customer_id,
            account_id=account_id,
            transaction_type="top_up",
            reference_type="monthly_allowance",
            amount_token=tokens,
            amount_credit=0,
            balances=balances,
        )
        await self.balances.link(executor, customer_id, account_id)
        return account_id

    async def _ledger_row(
        self,
        executor: Executor,
        *,
        customer_id: str,
        account_id: str,
        transaction_type: str,
        reference_type: str,
        amount_token: int,
        amount_credit: int,
        balances: Row,
    ) -> Row:
        """A ledger row that refers to itself (an adjustment, a top-up): its id is its
        reference and its idempotency key."""
        row_id = str(new_id())
        now = self.clock.now()
        return await self.billings.insert(
            {
                "id": row_id,
                "customer_id": customer_id,
                "account_id": account_id,
                "transaction_type": transaction_type,
                "status": "end",
                "reference_type": reference_type,
                "reference_id": row_id,
                "idempotency_key": row_id,
                "amount_token": amount_token,
                "amount_credit": amount_credit,
                "balance_token_snapshot": balances[0],
                "balance_credit_snapshot": balances[1],
                "tm_billing_start": now,
                "tm_billing_end": now,
            },
            executor,
        )


class _AlreadyCharged(Exception):
    """Raised inside a charge's savepoint to undo its balance change: the usage was charged
    by another request between the check and the write."""


def ledger_for(db: Database, clock: CreationClock, settings: Settings) -> Ledger:
    """The ledger of ``db``, at the rates ``settings`` give."""
    accounts = Repository(db, billing_accounts, ("id", "customer_id"), clock)
    billings = Repository(db, billing_billings, BILLING_FIELDS, clock)
    return Ledger(Balances(accounts, billings), rates(settings.billing_prices))
