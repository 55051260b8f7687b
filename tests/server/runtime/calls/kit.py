"""A customer ready to call on the virtual clock: verified, the US whitelisted, a number of
its own, funded, and a manager agent to call as."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from tests.server.conftest import Agent, Api, ManualClock, StartApp, add_agent, add_customer, fund
from voipbin.common.permissions import Permission

SOURCE = "+14155550100"


@dataclass
class Caller:
    api: Api
    customer_id: str
    agent: Agent
    source: str = SOURCE

    @property
    def headers(self) -> dict[str, str]:
        return self.agent.headers

    async def call(self, *targets: str, **body: Any) -> httpx.Response:
        destinations = [{"type": "sip" if "@" in t else "tel", "target": t} for t in targets]
        payload = {"source": {"type": "tel", "target": self.source}, "destinations": destinations}
        payload.update(body)
        return await self.api.client.post("/v1.0/calls", json=payload, headers=self.headers)

    async def one(self, target: str) -> dict[str, Any]:
        response = await self.call(target)
        assert response.status_code == 200, response.text
        calls: list[dict[str, Any]] = response.json()["calls"]
        assert len(calls) == 1
        return calls[0]

    async def get(self, call_id: str) -> dict[str, Any]:
        response = await self.api.client.get(f"/v1.0/calls/{call_id}", headers=self.headers)
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    async def advance(self, seconds: float) -> None:
        await self.api.state.jobs.advance(seconds)

    async def events(self, call_id: str) -> list[str]:
        response = await self.api.client.get(
            f"/v1.0/timelines/calls/{call_id}/events", headers=self.headers
        )
        assert response.status_code == 200, response.text
        return [e["event_type"] for e in reversed(response.json()["result"])]


async def ready_customer(
    api: Api,
    *,
    verified: bool = True,
    dollars: str = "10",
    whitelist: tuple[str, ...] = ("US",),
    source: str = SOURCE,
) -> Caller:
    """A customer who may call US numbers from ``source``, and its manager agent."""
    customer_id = await add_customer(api, "Caller")
    if verified:
        response = await api.client.put(
            f"/v1.0/customers/{customer_id}/identity_verification_status",
            json={"identity_verification_status": "verified"},
            headers=api.headers,
        )
        assert response.status_code == 200, response.text
    services = api.state.services
    await services["number"].repository.insert(
        {"customer_id": customer_id, "number": source, "type": "normal", "status": "active"}
    )
    configs = services["outbound_config"].repository
    row = await configs.find(("id",), {"customer_id": customer_id})
    assert row is not None
    await configs.update(
        str(row[0]), {"destination_whitelist": '["' + '","'.join(whitelist) + '"]'}
    )
    if dollars != "0":
        await fund(api, customer_id, dollars)
    agent = await add_agent(
        api, permission=int(Permission.CUSTOMER_MANAGER), customer_id=customer_id
    )
    return Caller(api, customer_id, agent, source)


async def virtual_api(start_app: StartApp, **settings: Any) -> Api:
    return await start_app(now=ManualClock(), clock="virtual", jobs_poll_seconds=3600.0, **settings)
