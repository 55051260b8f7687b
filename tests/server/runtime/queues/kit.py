"""A contact center on the virtual clock: a customer ready to take calls on its number, its
agents with SIP addresses the simulator answers as scripted, queues and the flows that join
them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.server.conftest import StartApp
from tests.server.runtime.calls.kit import SOURCE, Caller, ready_customer, virtual_api

#: Where the callers call from (the simulator answers nothing itself: it is the caller).
FROM = {"type": "tel", "target": "+15005550000"}


@dataclass
class Center:
    caller: Caller

    @property
    def api(self) -> Any:
        return self.caller.api

    @property
    def headers(self) -> dict[str, str]:
        return self.caller.headers

    async def advance(self, seconds: float) -> None:
        await self.caller.advance(seconds)

    async def get(self, path: str) -> dict[str, Any]:
        response = await self.api.client.get(path, headers=self.headers)
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    async def post(self, path: str, body: Any = None, status: int = 201) -> dict[str, Any]:
        response = await self.api.client.post(path, json=body, headers=self.headers)
        assert response.status_code == status, response.text
        found: dict[str, Any] = response.json()
        return found

    async def rule(self, pattern: str, **rule: Any) -> None:
        """Every call to ``sip:<pattern>`` does what ``rule`` says."""
        body = {"type": "sip", "pattern": pattern, **rule}
        response = await self.api.client.post("/_sim/rules", json=body, headers=self.api.headers)
        assert response.status_code == 201, response.text

    async def agent(self, name: str, *, tag_ids: list[str] | None = None) -> str:
        """An available agent whose one address is ``sip:<name>@agents.example``."""
        body = {
            "username": f"{name}@example.com",
            "password": "a-long-password",
            "addresses": [{"type": "sip", "target": f"{name}@agents.example"}],
            "tag_ids": tag_ids or [],
        }
        agent_id = str((await self.post("/v1.0/agents", body))["id"])
        response = await self.api.client.put(
            f"/v1.0/agents/{agent_id}/status", json={"status": "available"}, headers=self.headers
        )
        assert response.status_code == 200, response.text
        return agent_id

    async def agent_status(self, agent_id: str) -> str:
        return str((await self.get(f"/v1.0/agents/{agent_id}"))["status"])

    async def flow(self, actions: list[dict[str, Any]]) -> str:
        return str((await self.post("/v1.0/flows", {"name": "flow", "actions": actions}))["id"])

    async def queue(self, **body: Any) -> dict[str, Any]:
        return await self.post("/v1.0/queues", {"name": "support", **body})

    async def number_joins(self, queue_id: str) -> None:
        """Calls to our number join ``queue_id``, and hear "Goodbye." once out of it."""
        flow_id = await self.flow(
            [
                {"type": "answer"},
                {"type": "queue_join", "option": {"queue_id": queue_id}},
                {"type": "talk", "option": {"text": "Goodbye."}},
                {"type": "hangup"},
            ]
        )
        numbers = self.api.state.services["number"].repository
        row = await numbers.find(("id",), {"number": SOURCE})
        assert row is not None
        await numbers.update(str(row[0]), {"call_flow_id": flow_id})

    async def inbound(self) -> dict[str, Any]:
        """A call from the network to our number (its flow runs at once)."""
        body = {"source": FROM, "destination": {"type": "tel", "target": SOURCE}}
        response = await self.api.client.post("/_sim/calls", json=body, headers=self.api.headers)
        assert response.status_code in (200, 201), response.text
        found: dict[str, Any] = response.json()
        return found

    async def hang_up(self, call_id: str) -> None:
        """The caller gives up."""
        response = await self.api.client.post(
            f"/_sim/calls/{call_id}/hangup", json={}, headers=self.api.headers
        )
        assert response.status_code == 204, response.text

    async def queuecall_of(self, call_id: str) -> dict[str, Any]:
        found = await self.get(f"/v1.0/queuecalls?reference_id={call_id}")
        (queuecall,) = found["result"]
        return await self.get(f"/v1.0/queuecalls/{queuecall['id']}")

    async def events(self, kind: str, id: str) -> list[str]:
        found = await self.get(f"/v1.0/timelines/{kind}/{id}/events")
        return [e["event_type"] for e in reversed(found["result"])]


async def center(start_app: StartApp) -> Center:
    api = await virtual_api(start_app)
    return Center(await ready_customer(api))
