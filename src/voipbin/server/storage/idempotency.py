"""Stored responses to POSTs sent with an ``Idempotency-Key``, per customer and key.

A key is claimed (``running``) before the request runs and completed (``done``) with the
response after it; a request that failed is released, so its retry runs again. A key kept
``running`` past ``abandon_after`` (its process died) or past its expiry is taken over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import msgspec
import sqlalchemy as sa

from voipbin.common.timestamps import parse_timestamp
from voipbin.server.storage.clock import CreationClock
from voipbin.server.storage.database import Database, UniqueViolation
from voipbin.server.storage.tables import idempotency_keys as table

Claim = Literal["new", "replay", "mismatch", "running"]


@dataclass(frozen=True)
class StoredResponse:
    status: int
    headers: dict[str, str]
    body: bytes


def _time(value: Any) -> datetime:
    return parse_timestamp(value) if isinstance(value, str) else value


class IdempotencyKeys:
    def __init__(
        self,
        db: Database,
        clock: CreationClock,
        *,
        ttl: timedelta = timedelta(hours=24),
        abandon_after: timedelta = timedelta(seconds=60),
    ) -> None:
        self.db = db
        self.clock = clock
        self.ttl = ttl
        self.abandon_after = abandon_after

    def _where(self) -> list[sa.ColumnElement[bool]]:
        return [table.c.customer_id == sa.bindparam("c"), table.c.key == sa.bindparam("k")]

    async def claim(
        self, customer_id: str, key: str, fingerprint: str
    ) -> tuple[Claim, StoredResponse | None]:
        """Claim ``key`` for a request with ``fingerprint``, or say why not."""
        ts = self.db.timestamp_param
        now = self.clock.now()
        insert = self.db.compile(
            ("idempotency", "insert"),
            lambda: sa.insert(table).values(
                customer_id=sa.bindparam("c"),
                key=sa.bindparam("k"),
                fingerprint=sa.bindparam("f"),
                state="running",
                tm_create=sa.bindparam("now"),
                tm_expire=sa.bindparam("expire"),
            ),
        )
        params = {
            "c": customer_id,
            "k": key,
            "f": fingerprint,
            "now": ts(now),
            "expire": ts(now + self.ttl),
        }
        try:
            await self.db.execute(insert, params)
            return "new", None
        except UniqueViolation:
            pass
        select = self.db.compile(
            ("idempotency", "select"),
            lambda: sa.select(
                table.c.fingerprint,
                table.c.state,
                table.c.response_status,
                table.c.response_headers,
                table.c.response_body,
                table.c.tm_create,
                table.c.tm_expire,
            ).where(*self._where()),
        )
        row = await self.db.fetchrow(select, {"c": customer_id, "k": key})
        if row is None:  # released in the meantime
            return await self.claim(customer_id, key, fingerprint)
        stored_fingerprint, state, status, headers, body, created, expires = row
        abandoned = state == "running" and _time(created) <= now - self.abandon_after
        if _time(expires) <= now or abandoned:
            take_over = self.db.compile(
                ("idempotency", "take_over"),
                lambda: (
                    sa.update(table)
                    .where(*self._where(), table.c.tm_create == sa.bindparam("old"))
                    .values(
                        fingerprint=sa.bindparam("f"),
                        state="running",
                        response_status=0,
                        response_headers="",
                        response_body="",
                        tm_create=sa.bindparam("now"),
                        tm_expire=sa.bindparam("expire"),
                    )
                ),
            )
            if await self.db.execute(take_over, {**params, "old": created}):
                return "new", None
            return "running", None
        if stored_fingerprint != fingerprint:
            return "mismatch", None
        if state != "done":
            return "running", None
        return "replay", StoredResponse(
            int(status), msgspec.json.decode(headers), str(body).encode()
        )

    async def complete(self, customer_id: str, key: str, response: StoredResponse) -> None:
        update = self.db.compile(
            ("idempotency", "complete"),
            lambda: (
                sa.update(table)
                .where(*self._where())
                .values(
                    state="done",
                    response_status=sa.bindparam("s"),
                    response_headers=sa.bindparam("h"),
                    response_body=sa.bindparam("b"),
                )
            ),
        )
        await self.db.execute(
            update,
            {
                "c": customer_id,
                "k": key,
                "s": response.status,
                "h": msgspec.json.encode(response.headers).decode(),
                "b": response.body.decode(),
            },
        )

    async def release(self, customer_id: str, key: str) -> None:
        delete = self.db.compile(
            ("idempotency", "release"),
            lambda: sa.delete(table).where(*self._where(), table.c.state == "running"),
        )
        await self.db.execute(delete, {"c": customer_id, "k": key})
