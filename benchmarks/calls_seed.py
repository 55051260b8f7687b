"""Preparing a database for the calls benchmark, through the app itself: migrate, bootstrap
the super-admin, then a customer ready to call (its identity verified, the US whitelisted in
its outbound config, a number of its own as the source, a balance far above what the run
spends) with a manager agent to call as, and a simulator rule that answers the benchmark's
destinations at once (so a real-clock run is not paced by the built-in 3 s answer).

Everything an API offers goes through the API (in process, over ASGI); the number and the
agent are written to storage as the tests write them (buying a number is not the point).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import httpx

from benchmarks.seed import LIMITER_OFF, PASSWORD, USERNAME, server_env, settings_for
from voipbin.common.permissions import Permission
from voipbin.server import create_app
from voipbin.server.app import AppState
from voipbin.server.storage import migrate

SOURCE = "+14155550100"
"""The caller's own number, shown as the source of every call."""
TARGET = "+15005559999"
"""A US number the benchmark's rule answers at once and never hangs up."""
RULE_PATTERN = r"\+1500555999\d"
CALLER_USERNAME = "bench-caller@localhost"
BALANCE_DOLLARS = "1000000"
"""Every answered call is billed a started minute; this pays for far more than any run."""
READY_PATH = "/v1.0/calls?page_size=1"
"""The request a server must answer with 200 before it is used."""


@dataclass(frozen=True)
class CallerSeed:
    """A database ready for the calls benchmark, and how to serve and call it."""

    database_url: str
    token: str
    """The caller's manager agent's bearer JWT."""
    customer_id: str
    source: str
    target: str
    server_env: dict[str, str]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def seed_caller(database_url: str) -> CallerSeed:
    """Migrate the empty database at ``database_url`` and make a customer ready to call."""
    migrate.upgrade(database_url)
    settings = settings_for(database_url)
    logging.getLogger("voipbin.server").setLevel(logging.ERROR)
    customer_id, token = asyncio.run(_seed(settings))
    env = {k: v for k, v in server_env(settings).items() if not k.startswith("VOIPBIN_RATELIMIT_")}
    # Every lifecycle is several requests of one customer: no layer may refuse them.
    env.update(LIMITER_OFF)
    return CallerSeed(database_url, token, customer_id, SOURCE, TARGET, env)


async def _seed(settings: Any) -> tuple[str, str]:
    app = create_app(settings)
    state: AppState = app.state.voipbin
    async with app.router.lifespan_context(app):
        admin_token = await state.identity.login(USERNAME, PASSWORD)
        admin = {"Authorization": f"Bearer {admin_token}"}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def call(method: str, path: str, body: Any) -> dict[str, Any]:
                response = await client.request(method, path, json=body, headers=admin)
                if response.status_code >= 300:
                    raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")
                answer: dict[str, Any] = response.json()
                return answer

            customer = await call("POST", "/v1.0/customers", {"name": "bench caller"})
            customer_id = str(customer["id"])
            await call(
                "PUT",
                f"/v1.0/customers/{customer_id}/identity_verification_status",
                {"identity_verification_status": "verified"},
            )
            account_id = customer["billing_account_id"]
            await call(
                "POST",
                f"/v1.0/billing_accounts/{account_id}/balance_add_force",
                {"balance": int(BALANCE_DOLLARS)},
            )
            await call(
                "POST",
                "/_sim/rules",
                {"type": "tel", "pattern": RULE_PATTERN, "ring_after": 0, "answer_after": 0},
            )
        await _whitelist_us(state, customer_id)
        await state.services["number"].repository.insert(
            {"customer_id": customer_id, "number": SOURCE, "type": "normal", "status": "active"}
        )
        identity = state.identity
        await identity.agents.insert(
            {
                "customer_id": customer_id,
                "username": CALLER_USERNAME,
                "password_hash": await identity.passwords.hash(PASSWORD),
                "name": "bench caller",
                "permission": int(Permission.CUSTOMER_MANAGER),
            }
        )
        token = await identity.login(CALLER_USERNAME, PASSWORD)
    return customer_id, token


async def _whitelist_us(state: AppState, customer_id: str) -> None:
    configs = state.services["outbound_config"].repository
    row = await configs.find(("id",), {"customer_id": customer_id})
    if row is None:
        raise RuntimeError("the new customer has no outbound config")
    await configs.update(str(row[0]), {"destination_whitelist": '["US"]'})
