"""Preparing a database for the events benchmark: the calls benchmark's customer ready to
call (``calls_seed.py``), whose ``webhook_uri`` is then set to the benchmark's receiver
through the API (``PUT /v1.0/customers/{id}``, as its super-admin), so every event of its
calls is delivered there. The servers may send to a loopback address
(``VOIPBIN_WEBHOOK_ALLOW_PRIVATE=true``)."""

from __future__ import annotations

import asyncio
import dataclasses
import logging

import httpx

from benchmarks.calls_seed import CallerSeed, seed_caller
from benchmarks.seed import PASSWORD, USERNAME, settings_for
from voipbin.server import Settings, create_app
from voipbin.server.app import AppState


def seed_receiving(database_url: str, webhook_uri: str) -> CallerSeed:
    """A customer ready to call whose events go to ``webhook_uri``."""
    seed = seed_caller(database_url)
    asyncio.run(_set_webhook(settings_for(database_url), seed.customer_id, webhook_uri))
    env = {**seed.server_env, "VOIPBIN_WEBHOOK_ALLOW_PRIVATE": "true"}
    return dataclasses.replace(seed, server_env=env)


async def _set_webhook(settings: Settings, customer_id: str, webhook_uri: str) -> None:
    logging.getLogger("voipbin.server").setLevel(logging.ERROR)
    app = create_app(settings)
    state: AppState = app.state.voipbin
    async with app.router.lifespan_context(app):
        token = await state.identity.login(USERNAME, PASSWORD)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            response = await client.put(
                f"/v1.0/customers/{customer_id}",
                json={"webhook_uri": webhook_uri, "webhook_method": "POST"},
                headers={"Authorization": f"Bearer {token}"},
            )
            if response.status_code >= 300:
                raise RuntimeError(f"setting the webhook: {response.status_code} {response.text}")
            if response.json().get("webhook_uri") != webhook_uri:
                raise RuntimeError(f"the webhook_uri did not take: {response.text}")
