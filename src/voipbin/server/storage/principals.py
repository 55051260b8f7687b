"""What authentication reads: each credential with its customer, in one statement.

Authenticating a request is one database round trip (bounded by one timeout), not one for
the credential and another for its customer: each query joins the agent or access key with
its customer and answers only when both are live. An agent or key of a deleted customer is
simply not found.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from voipbin.common.permissions import Permission
from voipbin.common.timestamps import parse_timestamp
from voipbin.server.storage.database import Database
from voipbin.server.storage.tables import agent_agents, customer_accesskeys, customer_customers

#: The customer status whose credentials authenticate but may not write.
FROZEN = "frozen"


@dataclass(frozen=True, slots=True)
class AgentCredential:
    """A live agent of a live customer, as a login or a token needs it."""

    id: str
    customer_id: str
    permission: int
    username: str
    password_hash: str
    token_generation: int
    frozen: bool = False


@dataclass(frozen=True, slots=True)
class AccessKeyCredential:
    """A live access key of a live customer."""

    id: str
    customer_id: str
    token_prefix: str
    expires: datetime | None
    frozen: bool = False


def _live_customer(customer_id: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
    c = customer_customers
    return sa.and_(c.c.id == customer_id, c.c.tm_delete.is_(None))


def _agents() -> sa.Select[Any]:
    a = agent_agents
    return (
        sa.select(
            a.c.id,
            a.c.customer_id,
            a.c.permission,
            a.c.username,
            a.c.password_hash,
            a.c.token_generation,
            customer_customers.c.status,
        )
        .select_from(a.join(customer_customers, _live_customer(a.c.customer_id)))
        .where(a.c.tm_delete.is_(None))
        .limit(1)
    )


def _agent(row: Any) -> AgentCredential:
    return AgentCredential(
        id=str(row[0]),
        customer_id=str(row[1]),
        permission=int(row[2]),
        username=str(row[3]),
        password_hash=str(row[4]),
        token_generation=int(row[5]),
        frozen=row[6] == FROZEN,
    )


def _time(value: Any) -> datetime | None:
    """A timestamp as either driver gives it (text on SQLite, a datetime on PostgreSQL)."""
    if value is None or isinstance(value, datetime):
        return value
    return parse_timestamp(str(value))


class Principals:
    """The credential lookups of authentication, one statement each."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def agent(self, agent_id: str) -> AgentCredential | None:
        """The live agent ``agent_id`` of a live customer."""
        statement = self.db.compile(
            ("principals", "agent"),
            lambda: _agents().where(agent_agents.c.id == sa.bindparam("id")),
        )
        row = await self.db.fetchrow(statement, {"id": agent_id})
        return None if row is None else _agent(row)

    async def login(self, username: str) -> AgentCredential | None:
        """The live agent (of a live customer) whose username is ``username``."""
        statement = self.db.compile(
            ("principals", "login"),
            lambda: _agents().where(agent_agents.c.username == sa.bindparam("username")),
        )
        row = await self.db.fetchrow(statement, {"username": username})
        return None if row is None else _agent(row)

    async def accesskey(self, token_hash: str) -> AccessKeyCredential | None:
        """The live access key whose token hashes to ``token_hash``, of a live customer
        (expired or not: the caller compares ``expires`` with its clock)."""
        k = customer_accesskeys
        statement = self.db.compile(
            ("principals", "accesskey"),
            lambda: (
                sa.select(
                    k.c.id,
                    k.c.customer_id,
                    k.c.token_prefix,
                    k.c.tm_expire,
                    customer_customers.c.status,
                )
                .select_from(k.join(customer_customers, _live_customer(k.c.customer_id)))
                .where(k.c.token_hash == sa.bindparam("token_hash"), k.c.tm_delete.is_(None))
                .limit(1)
            ),
        )
        row = await self.db.fetchrow(statement, {"token_hash": token_hash})
        if row is None:
            return None
        return AccessKeyCredential(
            id=str(row[0]),
            customer_id=str(row[1]),
            token_prefix=str(row[2]),
            expires=_time(row[3]),
            frozen=row[4] == FROZEN,
        )

    async def super_admins(self) -> int:
        """How many live agents of live customers hold the project super-admin bit."""
        a = agent_agents
        bit = int(Permission.PROJECT_SUPER_ADMIN)
        statement = self.db.compile(
            ("principals", "super_admins"),
            lambda: (
                sa.select(sa.func.count())
                .select_from(a.join(customer_customers, _live_customer(a.c.customer_id)))
                .where(a.c.tm_delete.is_(None), a.c.permission.op("&")(bit) != 0)
            ),
        )
        row = await self.db.fetchrow(statement, {})
        return 0 if row is None else int(row[0])
