"""The statements behind balances: a billing account found through its customer, the one
conditional UPDATE that changes a balance, and a ledger row found by what it refers to."""

from __future__ import annotations

import sqlalchemy as sa

from voipbin.server.storage.database import Executor, Row
from voipbin.server.storage.repository import Repository
from voipbin.server.storage.tables import billing_accounts, customer_customers

#: The unique index that makes a usage charged once.
ONE_ROW_PER_REFERENCE = "uq_billing_billings_reference_type_reference_id"

#: What ``account_of`` reads.
ACCOUNT_COLUMNS = ("id", "customer_id", "plan_type", "balance_credit", "balance_token")


class Balances:
    def __init__(self, accounts: Repository, billings: Repository) -> None:
        self.accounts = accounts
        self.billings = billings
        self.db = accounts.db
        self.clock = accounts.clock

    async def account_of(self, customer_id: str, executor: Executor) -> Row | None:
        """The live billing account the customer's ``billing_account_id`` names, as
        ``ACCOUNT_COLUMNS``."""
        a, c = billing_accounts, customer_customers
        statement = self.db.compile(
            ("balances", "account_of"),
            lambda: (
                sa.select(*(a.c[n] for n in ACCOUNT_COLUMNS))
                .select_from(a.join(c, c.c.billing_account_id == a.c.id))
                .where(c.c.id == sa.bindparam("customer_id"), a.c.tm_delete.is_(None))
            ),
        )
        return await executor.fetchrow(statement, {"customer_id": customer_id})

    async def account(self, account_id: str, executor: Executor) -> Row | None:
        """The live billing account ``account_id``, as ``ACCOUNT_COLUMNS``."""
        a = billing_accounts
        statement = self.db.compile(
            ("balances", "account"),
            lambda: sa.select(*(a.c[n] for n in ACCOUNT_COLUMNS)).where(
                a.c.id == sa.bindparam("id"), a.c.tm_delete.is_(None)
            ),
        )
        return await executor.fetchrow(statement, {"id": account_id})

    async def change(
        self, executor: Executor, account_id: str, token: int, credit: int, *, checked: bool
    ) -> Row | None:
        """Take ``token`` tokens and ``credit`` micro-dollars from a live account (negative:
        give), in one UPDATE; ``checked``: only if its tokens stay at or above zero and its
        credit covers ``credit`` (or the plan is unlimited). The new (tokens, credit), or
        ``None`` when there is no such live account or the condition failed."""
        a = billing_accounts

        def build() -> sa.Update:
            query = sa.update(a).where(a.c.id == sa.bindparam("id"), a.c.tm_delete.is_(None))
            if checked:
                query = query.where(
                    a.c.balance_token >= sa.bindparam("token"),
                    sa.or_(
                        a.c.balance_credit >= sa.bindparam("credit"),
                        sa.bindparam("no_credit", type_=sa.Boolean()),
                        a.c.plan_type == "unlimited",
                    ),
                )
            return query.values(
                balance_token=a.c.balance_token - sa.bindparam("token"),
                balance_credit=a.c.balance_credit - sa.bindparam("credit"),
                tm_update=sa.bindparam("now"),
            ).returning(a.c.balance_token, a.c.balance_credit)

        statement = self.db.compile(("balances", "change", checked), build)
        params = {
            "id": account_id,
            "token": token,
            "credit": credit,
            "no_credit": credit <= 0,
            "now": self.db.timestamp_param(self.clock.next()),
        }
        return await executor.fetchrow(statement, params)

    async def link(self, executor: Executor, customer_id: str, account_id: str) -> None:
        """Make ``account_id`` the customer's billing account."""
        c = customer_customers
        statement = self.db.compile(
            ("balances", "link"),
            lambda: (
                sa.update(c)
                .where(c.c.id == sa.bindparam("id"))
                .values(billing_account_id=sa.bindparam("account_id"))
            ),
        )
        await executor.execute(statement, {"id": customer_id, "account_id": account_id})

    async def charged(
        self, executor: Executor, reference_type: str, reference_id: str
    ) -> Row | None:
        """The ledger row of (reference_type, reference_id), as the billings repository
        reads rows."""
        return await self.billings.find(
            self.billings.fields,
            {"reference_type": reference_type, "reference_id": reference_id},
            live=False,
            executor=executor,
        )
