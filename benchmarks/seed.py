"""Preparing a database for the list benchmark, through the app itself: migrate, bootstrap the
super-admin, log in, create the tags with the tag service, and capture the exact statement the
repository issues for the benchmarked list (for the bare handler to run). Then the planner
statistics are refreshed, so both servers run the plan a settled database would.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from unittest import mock

import msgspec

from benchmarks.bare import BareConfig
from benchmarks.databases import analyze
from voipbin.server import Settings, create_app
from voipbin.server.app import AppState
from voipbin.server.auth.principal import Principal
from voipbin.server.storage import migrate
from voipbin.server.storage.database import Compiled

USERNAME = "bench@localhost"
PASSWORD = "bench-password-not-secret"
# Fixed, so the server processes accept the token the seeding process issued.
JWT_SECRET = "benchmark-secret-long-enough-for-hs256-signatures"
PAGE_SIZE = 100


@dataclass(frozen=True)
class Seeded:
    """A database ready for the list benchmark, and how to serve it."""

    database_url: str
    token: str
    customer_id: str
    """The customer whose tags are listed (and whose rate-limit bucket is checked)."""
    path_and_query: str
    server_env: dict[str, str]
    """``VOIPBIN_*`` variables for the real server."""
    bare: BareConfig
    """The same list for the bare handler."""

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def settings_for(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        jwt_secret=JWT_SECRET,
        bootstrap_username=USERNAME,
        bootstrap_password=PASSWORD,
        log_level="warning",
    )


# Limits this load never reaches: the layers run, cost what they cost and reject nothing.
_NEVER_REACHED = "1000000"
LIMITER_OFF: dict[str, str] = {
    f"VOIPBIN_RATELIMIT_{layer}_RATE": "0" for layer in ("AUTH", "IP", "CUSTOMER")
}
"""Every rate-limit layer off (a rate of 0)."""
LIMITER_ON: dict[str, str] = {
    "VOIPBIN_RATELIMIT_IP_RATE": _NEVER_REACHED,
    "VOIPBIN_RATELIMIT_IP_BURST": _NEVER_REACHED,
    "VOIPBIN_RATELIMIT_CUSTOMER_RATE": _NEVER_REACHED,
    "VOIPBIN_RATELIMIT_CUSTOMER_BURST": _NEVER_REACHED,
}
"""The per-IP and per-customer layers on, with limits this load never reaches (the customer's
buckets in memory unless ``VOIPBIN_REDIS_URL`` is added)."""


def server_env(settings: Settings) -> dict[str, str]:
    return {
        "VOIPBIN_DATABASE_URL": settings.database_url,
        "VOIPBIN_JWT_SECRET": settings.jwt_secret,
        "VOIPBIN_BOOTSTRAP_USERNAME": settings.bootstrap_username,
        "VOIPBIN_BOOTSTRAP_PASSWORD": settings.bootstrap_password,
        "VOIPBIN_LOG_LEVEL": settings.log_level,
        # The budget is for a rate-limited list: the limiter runs in memory.
        **LIMITER_ON,
    }


def seed_tags(database_url: str, count: int) -> Seeded:
    """Migrate the empty database at ``database_url`` and give one customer ``count`` tags."""
    migrate.upgrade(database_url)
    settings = settings_for(database_url)
    # The bootstrap announces the agent it creates; here that is noise.
    logging.getLogger("voipbin.server").setLevel(logging.ERROR)
    seeded = asyncio.run(_seed(settings, count))
    analyze(database_url)
    return seeded


async def _seed(settings: Settings, count: int) -> Seeded:
    app = create_app(settings)
    state: AppState = app.state.voipbin
    async with app.router.lifespan_context(app):
        token = await state.identity.login(USERNAME, PASSWORD)
        principal = await state.identity.token_principal(token)
        tags = state.services["tag"]
        for i in range(count):
            body = msgspec.json.encode({"name": f"tag {i:05d}", "detail": f"benchmark tag {i}"})
            await tags.create(principal, body)
        statement, args = await _list_statement(state, principal)
    path = tags.spec.path
    fields = list(tags.repository.fields)
    bare = BareConfig(
        database_url=settings.database_url,
        path=path,
        sql=statement.sql,
        args=list(args),
        limit_index=statement.names.index("limit"),
        fields=fields,
        created_index=fields.index("tm_create"),
    )
    return Seeded(
        database_url=settings.database_url,
        token=token,
        customer_id=principal.customer_id,
        path_and_query=f"{path}?page_size={PAGE_SIZE}",
        server_env=server_env(settings),
        bare=bare,
    )


async def _list_statement(
    state: AppState, principal: Principal
) -> tuple[Compiled, tuple[object, ...]]:
    """The statement and arguments the repository runs for the benchmarked page, caught on
    their way to the driver."""
    service = state.services["tag"]
    with mock.patch.object(state.db, "fetch", wraps=state.db.fetch) as spy:
        page = await service.list(principal, {"page_size": str(PAGE_SIZE)})
    if len(page.result) != PAGE_SIZE or not page.next_page_token:
        raise RuntimeError(f"expected a full page of {PAGE_SIZE} with a next page")
    if spy.call_count != 1:
        raise RuntimeError(f"expected one list statement, saw {spy.call_count}")
    statement, params = spy.call_args.args
    assert isinstance(statement, Compiled)
    args = statement.args(params)
    # They travel to the bare server as JSON, which keeps only these as they are.
    if not all(isinstance(a, str | int) for a in args):
        raise RuntimeError(f"list arguments that JSON would not keep: {args!r}")
    return statement, args
