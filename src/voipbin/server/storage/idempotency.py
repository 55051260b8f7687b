"""Stored responses to POSTs sent with an ``Idempotency-Key``, per credential and key.

A key belongs to the credential that sent it (the agent behind a login token, or the access
key), so no other caller can replay its response or learn, from a ``422``, what it was used
for. Its life:

- **claim**: one statement of its own (an INSERT) takes the key for this request, with a
  random claim token; a concurrent duplicate finds it ``running``. A key kept ``running``
  past ``abandon_after`` (its process died before committing) or past its expiry is taken
  over, under a new token.
- **complete**, in the transaction that creates the resource: the row becomes ``done`` with
  the response, only if this request's claim still holds it; otherwise ``ClaimLost`` rolls
  the creation back. So a created resource always has its response recorded, and a request
  whose key was taken over creates nothing.
- **release**, when the request failed: the claim's row is deleted, so a retry runs afresh.
- **purge**: expired rows go, at most ``purge_batch`` per run and at most one run per
  ``purge_every`` in each process, from the claim path (nothing to schedule).

Nothing a row holds reveals the request or the response (see ``sealing``): the fingerprint
is keyed and the body is sealed with AES-GCM under a key derived from a server secret, the
credential id and the key. The secret is derived from ``VOIPBIN_JWT_SECRET`` when one is
configured (then even a copy of the whole database opens no stored body); otherwise it is a
random value kept in ``system_settings``, beside the generated JWT secret. Changing the
configured secret makes the keys of the last 24 hours answer ``422`` rather than replay.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

import msgspec
import sqlalchemy as sa

from voipbin.common.errors import Internal, Unavailable
from voipbin.common.timestamps import parse_timestamp
from voipbin.server.storage.clock import CreationClock
from voipbin.server.storage.database import Compiled, Database, Executor, UniqueViolation
from voipbin.server.storage.sealing import RowSeal, Unsealable, derive_master
from voipbin.server.storage.system import SystemValues
from voipbin.server.storage.tables import idempotency_keys as table

log = logging.getLogger("voipbin.server")

Outcome = Literal["new", "replay", "mismatch", "running"]

_PURPOSE = "idempotency-key responses"
_CLAIM_ATTEMPTS = 3


@dataclass(frozen=True)
class StoredResponse:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Claim:
    """What claiming a key found: ``new`` (this request holds it, by ``token``), ``replay``
    (with the ``stored`` response), ``mismatch`` (another request's key) or ``running``."""

    outcome: Outcome
    credential_id: str
    key: str
    seal: RowSeal = field(repr=False)
    token: str = ""
    stored: StoredResponse | None = None


class ClaimLost(Exception):
    """The key was taken over by another request: this one must not commit."""


def _time(value: Any) -> datetime:
    return parse_timestamp(value) if isinstance(value, str) else value


def _associated(status: int, headers: str) -> bytes:
    return f"{status}\0{headers}".encode()


class IdempotencyKeys:
    def __init__(
        self,
        db: Database,
        clock: CreationClock,
        *,
        secret: str = "",
        ttl: timedelta = timedelta(hours=24),
        abandon_after: timedelta = timedelta(seconds=60),
        purge_every: timedelta = timedelta(seconds=60),
        purge_batch: int = 1000,
    ) -> None:
        self.db = db
        self.clock = clock
        self.ttl = ttl
        self.abandon_after = abandon_after
        self.purge_every = purge_every
        self.purge_batch = purge_batch
        self._master = derive_master(secret, _PURPOSE) if secret else None
        self._next_purge: datetime | None = None

    async def _master_key(self) -> bytes:
        if self._master is None:
            stored = await SystemValues(self.db).get_or_set(
                "idempotency_secret", secrets.token_urlsafe(48)
            )
            self._master = derive_master(stored, _PURPOSE)
        return self._master

    def _where(self) -> list[sa.ColumnElement[bool]]:
        return [table.c.credential_id == sa.bindparam("c"), table.c.key == sa.bindparam("k")]

    def _held(self) -> list[sa.ColumnElement[bool]]:
        """The row, while the claim ``t`` holds it."""
        return [*self._where(), table.c.claim == sa.bindparam("t"), table.c.state == "running"]

    async def claim(self, credential_id: str, key: str, digest: str) -> Claim:
        """Claim ``key`` for a request whose fingerprint is ``digest``, or say why not."""
        now = self.clock.now()
        await self._purge_now_and_then(now)
        seal = RowSeal(await self._master_key(), credential_id, key)
        ts = self.db.timestamp_param
        params = {
            "c": credential_id,
            "k": key,
            "f": seal.fingerprint(digest),
            "now": ts(now),
            "expire": ts(now + self.ttl),
        }
        found = Claim("running", credential_id, key, seal)
        for _ in range(_CLAIM_ATTEMPTS):
            token = secrets.token_hex(16)
            try:
                await self.db.execute(self._insert(), {**params, "t": token})
                return Claim("new", credential_id, key, seal, token)
            except UniqueViolation:
                pass
            row = await self.db.fetchrow(self._select(), params)
            if row is None:  # released in the meantime
                continue
            fingerprint, state, held_by, status, headers, sealed, created, expires = row
            abandoned = state == "running" and _time(created) <= now - self.abandon_after
            if _time(expires) <= now or abandoned:
                taken = await self.db.execute(
                    self._take_over(), {**params, "t": token, "old": held_by}
                )
                if taken:
                    return Claim("new", credential_id, key, seal, token)
                continue  # another request took it first: look again
            if fingerprint != params["f"]:
                return Claim("mismatch", credential_id, key, seal)
            if state != "done":
                return found
            try:
                body = seal.open(str(sealed), _associated(int(status), str(headers)))
            except Unsealable:
                log.error("the stored response of an idempotency key does not open")
                raise Internal() from None
            stored = StoredResponse(int(status), msgspec.json.decode(headers), body)
            return Claim("replay", credential_id, key, seal, stored=stored)
        return found

    async def complete(self, claim: Claim, response: StoredResponse, executor: Executor) -> None:
        """Record ``response`` for ``claim`` in ``executor``'s transaction; ``ClaimLost`` if
        another request holds the key now."""
        update = self.db.compile(
            ("idempotency", "complete"),
            lambda: (
                sa.update(table)
                .where(*self._held())
                .values(
                    state="done",
                    response_status=sa.bindparam("s"),
                    response_headers=sa.bindparam("h"),
                    sealed_body=sa.bindparam("b"),
                )
            ),
        )
        headers = msgspec.json.encode(response.headers).decode()
        sealed = claim.seal.seal(response.body, _associated(response.status, headers))
        params = {
            "c": claim.credential_id,
            "k": claim.key,
            "t": claim.token,
            "s": response.status,
            "h": headers,
            "b": sealed,
        }
        if await executor.execute(update, params) != 1:
            raise ClaimLost()

    async def release(self, claim: Claim) -> None:
        """Free the key ``claim`` holds, so that a retry runs afresh."""
        delete = self.db.compile(
            ("idempotency", "release"), lambda: sa.delete(table).where(*self._held())
        )
        await self.db.execute(delete, {"c": claim.credential_id, "k": claim.key, "t": claim.token})

    async def purge(self, now: datetime) -> int:
        """Delete up to ``purge_batch`` keys expired by ``now``; return how many went."""
        expired = (
            sa.select(table.c.credential_id, table.c.key)
            .where(table.c.tm_expire <= sa.bindparam("now"))
            .limit(sa.bindparam("n", literal_execute=False))
        )
        delete = self.db.compile(
            ("idempotency", "purge"),
            lambda: sa.delete(table).where(
                sa.tuple_(table.c.credential_id, table.c.key).in_(expired)
            ),
        )
        return await self.db.execute(
            delete, {"now": self.db.timestamp_param(now), "n": self.purge_batch}
        )

    async def _purge_now_and_then(self, now: datetime) -> None:
        if self._next_purge is not None and now < self._next_purge:
            return
        self._next_purge = now + self.purge_every
        try:
            await self.purge(now)
        except Unavailable:  # housekeeping: the request itself may still succeed
            log.warning("could not purge expired idempotency keys")

    # -- statements ---------------------------------------------------------------------------

    def _insert(self) -> Compiled:
        return self.db.compile(
            ("idempotency", "insert"),
            lambda: sa.insert(table).values(
                credential_id=sa.bindparam("c"),
                key=sa.bindparam("k"),
                claim=sa.bindparam("t"),
                fingerprint=sa.bindparam("f"),
                state="running",
                tm_create=sa.bindparam("now"),
                tm_expire=sa.bindparam("expire"),
            ),
        )

    def _select(self) -> Compiled:
        return self.db.compile(
            ("idempotency", "select"),
            lambda: sa.select(
                table.c.fingerprint,
                table.c.state,
                table.c.claim,
                table.c.response_status,
                table.c.response_headers,
                table.c.sealed_body,
                table.c.tm_create,
                table.c.tm_expire,
            ).where(*self._where()),
        )

    def _take_over(self) -> Compiled:
        return self.db.compile(
            ("idempotency", "take_over"),
            lambda: (
                sa.update(table)
                .where(*self._where(), table.c.claim == sa.bindparam("old"))
                .values(
                    claim=sa.bindparam("t"),
                    fingerprint=sa.bindparam("f"),
                    state="running",
                    response_status=0,
                    response_headers="",
                    sealed_body="",
                    tm_create=sa.bindparam("now"),
                    tm_expire=sa.bindparam("expire"),
                )
            ),
        )
