"""Customers and agents as far as authentication needs them: the first super-admin, the
signing secret, password login, and the principal behind a token (cached for seconds).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable

from voipbin.common.errors import Unauthenticated
from voipbin.common.ids import EMPTY_UUID_TEXT
from voipbin.common.permissions import Permission
from voipbin.common.timestamps import read_timestamp
from voipbin.server.auth.passwords import Passwords
from voipbin.server.auth.principal import Principal
from voipbin.server.auth.tokens import Tokens, token_hash
from voipbin.server.settings import Settings
from voipbin.server.storage.clock import CreationClock
from voipbin.server.storage.database import Database, UniqueViolation
from voipbin.server.storage.repository import Repository
from voipbin.server.storage.system import SystemValues
from voipbin.server.storage.tables import (
    agent_agents,
    customer_accesskeys,
    customer_customers,
)

log = logging.getLogger("voipbin.server")

_PRINCIPAL_COLUMNS = ("id", "customer_id", "permission", "username")
_LOGIN_COLUMNS = ("id", "customer_id", "password_hash", "username")
_ACCESSKEY_COLUMNS = ("id", "customer_id", "token_prefix", "tm_expire")


class Identity:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        clock: CreationClock,
        passwords: Passwords,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.db = db
        self.clock = clock
        self.passwords = passwords
        self.customers = Repository(db, customer_customers, ("id",), clock)
        self.agents = Repository(db, agent_agents, ("id",), clock)
        self.accesskeys = Repository(db, customer_accesskeys, ("id",), clock)
        self.system = SystemValues(db)
        self._tokens: Tokens | None = None
        self._ready = asyncio.Lock()
        self._monotonic = monotonic
        self._principals: dict[str, tuple[Principal | None, float]] = {}

    async def tokens(self) -> Tokens:
        """The token signer, once the database has given (or taken) the secret."""
        if self._tokens is None:
            await self.ensure_ready()
        assert self._tokens is not None
        return self._tokens

    async def ensure_ready(self) -> None:
        """Create the first super-admin and the signing secret if the database has none."""
        async with self._ready:
            if self._tokens is not None:
                return
            await self._bootstrap()
            secret = self.settings.jwt_secret or await self.system.get_or_set(
                "jwt_secret", secrets.token_urlsafe(48)
            )
            self._tokens = Tokens(secret, self.settings.jwt_ttl_seconds)

    async def _bootstrap(self) -> None:
        username = self.settings.bootstrap_username.lower()
        if await self.agents.find(("id",), {"username": username}) is not None:
            return
        password = self.settings.bootstrap_password or secrets.token_urlsafe(12)
        password_hash = self.passwords.hash(password)
        try:
            async with self.db.transaction() as tx:
                customer = await self.customers.insert(
                    {"name": "Project", "detail": "Created on first start."}, executor=tx
                )
                await self.agents.insert(
                    {
                        "customer_id": customer[0],
                        "username": username,
                        "password_hash": password_hash,
                        "name": "Super admin",
                        "permission": int(Permission.PROJECT_SUPER_ADMIN),
                    },
                    executor=tx,
                )
        except UniqueViolation:
            return  # another process bootstrapped first
        if self.settings.bootstrap_password:
            log.warning("created the super-admin agent %s", username)
        else:
            # Printed once, on purpose: there is no other way to learn it.
            log.warning("created the super-admin agent %s with password %s", username, password)

    async def login(self, username: str, password: str) -> str:
        """A token for the agent, or ``401 INVALID_CREDENTIALS`` (in the same time either way)."""
        tokens = await self.tokens()
        row = await self.agents.find(_LOGIN_COLUMNS, {"username": username.lower()})
        stored = None if row is None else str(row[2])
        if not self.passwords.verify(stored, password) or row is None:
            raise Unauthenticated("INVALID_CREDENTIALS")
        # An agent of a deleted customer no longer authenticates; checked after the password,
        # so it adds no timing difference between an unknown user and a wrong password.
        if not await self._customer_live(str(row[1])):
            raise Unauthenticated("INVALID_CREDENTIALS")
        return tokens.issue(str(row[0]), str(row[1]), self.clock.now())

    def invalidate(self) -> None:
        """Forget every cached principal: an agent, customer or key just changed."""
        self._principals.clear()

    async def _cached(self, key: str, load: Callable[[], Awaitable[Principal | None]]) -> Principal:
        now = self._monotonic()
        cached = self._principals.get(key)
        if cached is None or cached[1] <= now:
            principal = await load()
            if len(self._principals) > 10_000:
                self._principals.clear()
            cached = self._principals[key] = (principal, now + self.settings.auth_cache_seconds)
        if cached[0] is None:
            raise Unauthenticated("INVALID_CREDENTIALS")
        return cached[0]

    async def _customer_live(self, customer_id: str) -> bool:
        return await self.customers.find(("id",), {"id": customer_id}) is not None

    async def principal(self, agent_id: str) -> Principal:
        """The live agent (of a live customer) a token names, re-read at most every
        ``auth_cache_seconds``."""

        async def load() -> Principal | None:
            row = await self.agents.find(_PRINCIPAL_COLUMNS, {"id": agent_id})
            if row is None or not await self._customer_live(str(row[1])):
                return None
            return Principal(
                agent_id=str(row[0]),
                customer_id=str(row[1]),
                permission=Permission(int(row[2])),
                username=str(row[3]),
                credential_id=str(row[0]),
            )

        return await self._cached(agent_id, load)

    async def accesskey_principal(self, token: str) -> Principal:
        """The customer admin a live, unexpired access key acts as."""
        digest = token_hash(token)

        async def load() -> Principal | None:
            row = await self.accesskeys.find(_ACCESSKEY_COLUMNS, {"token_hash": digest})
            if row is None or not await self._customer_live(str(row[1])):
                return None
            return Principal(
                agent_id=EMPTY_UUID_TEXT,
                customer_id=str(row[1]),
                permission=Permission.CUSTOMER_ADMIN,
                username=f"accesskey {row[2]}",
                expires=read_timestamp(str(row[3])),
                credential_id=str(row[0]),
            )

        principal = await self._cached(digest, load)
        if principal.expires is not None and principal.expires <= self.clock.now():
            raise Unauthenticated("INVALID_CREDENTIALS")
        return principal
