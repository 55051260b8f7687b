"""Customers and agents as far as authentication needs them: the first super-admin, the
signing secret, password login, and the principal behind a token (cached for seconds).

Loading a principal is one statement (the credential joined with its live customer, see
``storage.principals``), and the whole of it is bounded by one deadline: a stalled database
answers ``503 REQUEST_TIMEOUT`` after ``database_timeout``, not after one timeout per call.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import NamedTuple

from voipbin.common.errors import Unauthenticated, Unavailable
from voipbin.common.ids import EMPTY_UUID_TEXT
from voipbin.common.permissions import Permission
from voipbin.server.auth.passwords import Passwords
from voipbin.server.auth.principal import Principal
from voipbin.server.auth.tokens import ACCESSKEY_PREFIX, Tokens, token_hash
from voipbin.server.settings import Settings
from voipbin.server.storage.clock import CreationClock
from voipbin.server.storage.database import Database, Executor, UniqueViolation
from voipbin.server.storage.principals import Principals
from voipbin.server.storage.repository import Repository
from voipbin.server.storage.system import SystemValues
from voipbin.server.storage.tables import (
    agent_agents,
    customer_accesskeys,
    customer_customers,
)

log = logging.getLogger("voipbin.server")


class _Loaded(NamedTuple):
    """A cached principal (``None``: the credential is not good) and, for an agent, its
    current token generation."""

    principal: Principal | None
    generation: int
    until: float


class Identity:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        clock: CreationClock,
        passwords: Passwords,
        monotonic: Callable[[], float] = time.monotonic,
        defaults: Sequence[Callable[[], Awaitable[None]]] = (),
        with_customer: Callable[[str, Executor], Awaitable[None]] | None = None,
    ) -> None:
        self.settings = settings
        # Idempotent steps that put the project's default rows in place (the simulated
        # carrier's provider and route), given by the layer above that knows the resources.
        self.defaults = tuple(defaults)
        # What every new customer gets (its outbound config), written in the transaction that
        # makes the bootstrap customer; given by the layer above, like ``defaults``.
        self.with_customer = with_customer
        self.db = db
        self.clock = clock
        self.passwords = passwords
        self.customers = Repository(db, customer_customers, ("id",), clock)
        self.agents = Repository(db, agent_agents, ("id",), clock)
        self.accesskeys = Repository(db, customer_accesskeys, ("id",), clock)
        self.principals = Principals(db)
        self.system = SystemValues(db)
        self._tokens: Tokens | None = None
        self._ready = asyncio.Lock()
        self._monotonic = monotonic
        self._principals: dict[str, _Loaded] = {}

    async def tokens(self) -> Tokens:
        """The token signer, once the database has given (or taken) the secret."""
        if self._tokens is None:
            await self.ensure_ready()
        assert self._tokens is not None
        return self._tokens

    async def ensure_ready(self) -> None:
        """Create the first super-admin, the signing secret and the project's defaults if the
        database has none (retried on the next request until it succeeds once)."""
        async with self._ready:
            if self._tokens is not None:
                return
            await self._bootstrap()
            for step in self.defaults:
                await step()
            secret = self.settings.jwt_secret or await self.system.get_or_set(
                "jwt_secret", secrets.token_urlsafe(48)
            )
            self._tokens = Tokens(secret, self.settings.jwt_ttl_seconds, now=self.clock.now)

    async def _bootstrap(self) -> None:
        username = self.settings.bootstrap_username.lower()
        if await self.agents.find(("id",), {"username": username}) is not None:
            return
        password = self.settings.bootstrap_password or secrets.token_urlsafe(12)
        password_hash = await self.passwords.hash(password)
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
                if self.with_customer is not None:
                    await self.with_customer(str(customer[0]), tx)
        except UniqueViolation:
            return  # another process bootstrapped first
        if self.settings.bootstrap_password:
            log.warning("created the super-admin agent %s", username)
        else:
            # Printed once, on purpose: there is no other way to learn it.
            log.warning("created the super-admin agent %s with password %s", username, password)

    async def login(self, username: str, password: str) -> str:
        """A token for the agent, or ``401 INVALID_CREDENTIALS`` (in the same time either way:
        an unknown user, or one of a deleted customer, costs the same argon2 check)."""
        tokens = await self.tokens()
        agent = await self.principals.login(username.lower())
        stored = None if agent is None else agent.password_hash
        if not await self.passwords.verify(stored, password) or agent is None:
            raise Unauthenticated("INVALID_CREDENTIALS")
        return tokens.issue(agent.id, agent.customer_id, self.clock.now(), agent.token_generation)

    def invalidate(self) -> None:
        """Forget every cached principal: an agent, customer or key just changed."""
        self._principals.clear()

    async def _cached(self, key: str, load: Callable[[], Awaitable[_Loaded]]) -> _Loaded:
        now = self._monotonic()
        cached = self._principals.get(key)
        if cached is None or cached.until <= now:
            # One deadline for the whole load (a cache hit touches no database).
            try:
                async with asyncio.timeout(self.settings.database_timeout):
                    cached = await load()
            except TimeoutError:
                raise Unavailable("REQUEST_TIMEOUT") from None
            if len(self._principals) > 10_000:
                self._principals.clear()
            self._principals[key] = cached
        return cached

    def _until(self) -> float:
        return self._monotonic() + self.settings.auth_cache_seconds

    async def authenticate(self, credential: str) -> Principal:
        """The caller a token or access key stands for; loading it from the database is
        bounded by one ``database_timeout``."""
        if credential.startswith(ACCESSKEY_PREFIX):
            return await self.accesskey_principal(credential)
        return await self.token_principal(credential)

    async def token_principal(self, token: str) -> Principal:
        """The live agent (of a live customer) a login token names, re-read at most every
        ``auth_cache_seconds``; refused when the agent's password changed since the token
        was issued."""
        subject = (await self.tokens()).subject_of(token)

        async def load() -> _Loaded:
            agent = await self.principals.agent(subject.agent_id)
            if agent is None:
                return _Loaded(None, 0, self._until())
            principal = Principal(
                agent_id=agent.id,
                customer_id=agent.customer_id,
                permission=Permission(agent.permission),
                username=agent.username,
                credential_id=agent.id,
                frozen=agent.frozen,
            )
            return _Loaded(principal, agent.token_generation, self._until())

        loaded = await self._cached(subject.agent_id, load)
        if loaded.principal is None or loaded.generation != subject.generation:
            raise Unauthenticated("INVALID_CREDENTIALS")
        return loaded.principal

    async def accesskey_principal(self, token: str) -> Principal:
        """The customer admin a live, unexpired access key acts as."""
        digest = token_hash(token)

        async def load() -> _Loaded:
            key = await self.principals.accesskey(digest)
            if key is None:
                return _Loaded(None, 0, self._until())
            principal = Principal(
                agent_id=EMPTY_UUID_TEXT,
                customer_id=key.customer_id,
                permission=Permission.CUSTOMER_ADMIN,
                username=f"accesskey {key.token_prefix}",
                expires=key.expires,
                credential_id=key.id,
                frozen=key.frozen,
            )
            return _Loaded(principal, 0, self._until())

        principal = (await self._cached(digest, load)).principal
        if principal is None or (
            principal.expires is not None and principal.expires <= self.clock.now()
        ):
            raise Unauthenticated("INVALID_CREDENTIALS")
        return principal
