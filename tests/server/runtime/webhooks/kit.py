"""Driving webhook deliveries on the virtual clock: attempts run for real (HTTP to a local
receiver) in the background, so the clock moves in steps shorter than an attempt's guard
(its timeout and grace, 15 s) and waits for them at each: a longer step would reach the
guard before the attempt's outcome is recorded, and the attempt would count as lost."""

from __future__ import annotations

from typing import Any

from tests.server.conftest import Agent, Api


async def settle(api: Api) -> None:
    """Run what is due now, waiting for every attempt (and what its outcome schedules)."""
    webhooks = api.state.webhooks
    for _ in range(100):
        await api.state.jobs.advance(0)
        if not webhooks._attempts:
            return
        await webhooks.settle()
    raise AssertionError("deliveries did not settle")


async def run_for(api: Api, seconds: float, step: float = 10.0) -> None:
    """Move the virtual clock ``seconds`` on in ``step``s, settling the deliveries at each."""
    await settle(api)
    moved = 0.0
    while moved < seconds:
        await api.state.jobs.advance(min(step, seconds - moved))
        moved += step
        await settle(api)


async def set_webhook(api: Api, customer_id: str, uri: str, method: str = "") -> str:
    """Point the customer's webhook at ``uri``; its webhook secret."""
    response = await api.client.put(
        f"/v1.0/customers/{customer_id}",
        json={"webhook_uri": uri, "webhook_method": method},
        headers=api.headers,
    )
    assert response.status_code == 200, response.text
    row = await api.state.webhooks.customers.get(customer_id)
    assert row is not None
    return str(row[2])


async def deliveries(api: Api, agent: Agent, **filters: str) -> list[dict[str, Any]]:
    """The customer's deliveries through the API, oldest first."""
    response = await api.client.get(
        "/v1.0/webhook_deliveries", params=filters, headers=agent.headers
    )
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["result"]
    return list(reversed(found))
