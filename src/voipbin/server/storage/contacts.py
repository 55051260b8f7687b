"""Contacts' addresses: the ``contact_addresses`` rows behind a contact's ``addresses``.

Each statement runs in the caller's transaction (the contact's change), never alone: the
contact row is written in the same one, so the two never disagree. ``owner`` is the lookup
(``GET /v1.0/contacts/lookup``, an incoming call's ``voipbin.contact.*``): one read of the
index on ``(customer_id, target_key)`` among live addresses, joined with the live contact.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from voipbin.server.storage.clock import CreationClock
from voipbin.server.storage.database import Database, Executor, Row
from voipbin.server.storage.repository import ListQuery, Repository
from voipbin.server.storage.tables import contact_addresses, contact_contacts

#: The columns of an address row, in the order its wire form shows them.
ADDRESS_FIELDS = (
    "id",
    "customer_id",
    "contact_id",
    "type",
    "target",
    "target_name",
    "name",
    "detail",
    "is_primary",
    "tm_create",
)
_ALL_FIELDS = (*ADDRESS_FIELDS, "target_key")
#: More than a contact may hold: reading its addresses never stops short.
_MAX_READ = 1000


@dataclass(frozen=True, slots=True)
class Owner:
    """The live contact owning a target, as a call's variables show it."""

    id: str
    display_name: str
    first_name: str
    last_name: str
    company: str


class ContactAddresses:
    """The address rows of contacts, for the contacts resource."""

    def __init__(self, db: Database, clock: CreationClock) -> None:
        self.db = db
        self.clock = clock
        self.rows = Repository(db, contact_addresses, _ALL_FIELDS, clock)

    async def insert(self, values: Mapping[str, Any], tx: Executor) -> Row:
        """A new address row (``UniqueViolation`` for a target another live address of the
        customer has, or a second primary of a type)."""
        return await self.rows.insert(values, tx)

    async def live_of(self, contact_id: str, tx: Executor) -> list[Row]:
        """The contact's live addresses, oldest first."""
        query = ListQuery(limit=_MAX_READ, equals={"contact_id": contact_id})
        return list(reversed(await self.rows.list(query, tx)))

    async def update(
        self, address_id: str, contact_id: str, values: Mapping[str, Any], tx: Executor
    ) -> Row | None:
        """Change a live address of the contact; ``None`` when it has none with this id."""
        return await self.rows.update(
            address_id, values, expected={"contact_id": contact_id}, executor=tx
        )

    async def clear_primary(self, contact_id: str, type: str, tx: Executor) -> None:
        """No live address of the contact of this type is primary any more."""
        t = contact_addresses
        statement = self.db.compile(
            ("contact_addresses", "clear_primary"),
            lambda: (
                sa.update(t)
                .where(
                    t.c.contact_id == sa.bindparam("contact_id"),
                    t.c.type == sa.bindparam("type"),
                    t.c.is_primary,
                    t.c.tm_delete.is_(None),
                )
                .values(is_primary=False, tm_update=sa.bindparam("now"))
            ),
        )
        now = self.db.timestamp_param(self.clock.next())
        await tx.execute(statement, {"contact_id": contact_id, "type": type, "now": now})

    async def delete(self, address_id: str, contact_id: str, tx: Executor) -> bool:
        """Delete a live address of the contact; ``False`` when it has none with this id."""
        return await self._delete(tx, contact_id=contact_id, id=address_id)

    async def delete_of(self, contact_id: str, tx: Executor) -> None:
        """Delete every live address of the contact (it is being deleted): their targets are
        free for other contacts."""
        await self._delete(tx, contact_id=contact_id)

    async def _delete(self, tx: Executor, **equals: str) -> bool:
        t = contact_addresses
        names = tuple(sorted(equals))
        statement = self.db.compile(
            ("contact_addresses", "delete", names),
            lambda: (
                sa.update(t)
                .where(*(t.c[n] == sa.bindparam(n) for n in names), t.c.tm_delete.is_(None))
                .values(tm_delete=sa.bindparam("now"), tm_update=sa.bindparam("now"))
            ),
        )
        now = self.db.timestamp_param(self.clock.next())
        return await tx.execute(statement, {**equals, "now": now}) > 0

    async def owner(
        self, customer_id: str, target_key: str, executor: Executor | None = None
    ) -> Owner | None:
        """The live contact of the customer with a live address of this normalised target."""
        a, c = contact_addresses, contact_contacts
        postgres = self.db.name == "postgresql"

        def build() -> sa.Select[Any]:
            contact_id: sa.ColumnElement[Any] = sa.cast(c.c.id, sa.Text) if postgres else c.c.id
            return (
                sa.select(contact_id, c.c.display_name, c.c.first_name, c.c.last_name, c.c.company)
                .select_from(a.join(c, c.c.id == a.c.contact_id))
                .where(
                    a.c.customer_id == sa.bindparam("customer_id"),
                    a.c.target_key == sa.bindparam("target_key"),
                    a.c.tm_delete.is_(None),
                    c.c.tm_delete.is_(None),
                )
                .limit(1)
            )

        statement = self.db.compile(("contact_addresses", "owner"), build)
        params = {"customer_id": customer_id, "target_key": target_key}
        row = await (executor or self.db).fetchrow(statement, params)
        if row is None:
            return None
        return Owner(*(str(value) for value in row))
