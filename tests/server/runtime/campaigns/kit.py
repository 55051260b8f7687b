"""A customer ready to run outbound campaigns on the virtual clock: an outplan from its own
number, an outdial with targets on the simulator's reserved numbers, campaigns, and reads
of what the dialer did (every page)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.server.conftest import Api, StartApp
from tests.server.runtime.calls.kit import Caller, ready_customer, virtual_api
from voipbin.server.runtime.campaigns.service import CampaignRuntime

#: The simulator's reserved numbers (docs/simulator.md), by what they do.
ANSWER = "+15005550000"
BUSY = "+15005550001"
NOANSWER = "+15005550002"
FAIL = "+15005550003"
HANGUP = "+15005550004"
REJECT = "+15005550005"
UNALLOCATED = "+15005550006"
MACHINE = "+15005550007"

#: What answered calls of a flow campaign run: a short greeting, then the flow ends (and
#: hangs the call up).
GREETING = [{"type": "talk", "option": {"text": "Your appointment is tomorrow."}}]


def tel(number: str) -> dict[str, str]:
    return {"type": "tel", "target": number}


def campaign_runtime(api: Api) -> CampaignRuntime:
    """The app's campaigns runtime (what its dialer jobs run)."""
    control: Any = api.state.services["campaign"].runtime.campaigns
    runtime: CampaignRuntime = control.runtime
    return runtime


@dataclass
class Dialer:
    caller: Caller

    @property
    def api(self) -> Any:
        return self.caller.api

    @property
    def headers(self) -> dict[str, str]:
        return self.caller.headers

    @property
    def runtime(self) -> CampaignRuntime:
        return campaign_runtime(self.api)

    async def advance(self, seconds: float) -> None:
        await self.caller.advance(seconds)

    async def get(self, path: str) -> dict[str, Any]:
        response = await self.api.client.get(path, headers=self.headers)
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    async def send(
        self, method: str, path: str, body: Any = None, status: int = 200
    ) -> dict[str, Any]:
        response = await self.api.client.request(method, path, json=body, headers=self.headers)
        assert response.status_code == status, response.text
        found: dict[str, Any] = response.json() if response.content else {}
        return found

    async def all(self, path: str) -> list[dict[str, Any]]:
        """Every item of a list, walking its pages."""
        items: list[dict[str, Any]] = []
        token = ""
        while True:
            joiner = "&" if "?" in path else "?"
            page = await self.get(f"{path}{joiner}page_token={token}" if token else path)
            items += page["result"]
            token = page["next_page_token"]
            if not token:
                return items

    async def outplan(self, **body: Any) -> str:
        payload = {"name": "plan", "source": tel(self.caller.source), **body}
        return str((await self.send("POST", "/v1.0/outplans", payload, 201))["id"])

    async def outdial(self, targets: list[list[str]]) -> str:
        """An outdial whose targets call these numbers (``destination_0``, ``_1``...)."""
        outdial_id = str((await self.send("POST", "/v1.0/outdials", {"name": "list"}, 201))["id"])
        if targets:
            items = [
                {f"destination_{i}": tel(n) for i, n in enumerate(numbers)} for numbers in targets
            ]
            answer = await self.send("POST", f"/v1.0/outdials/{outdial_id}/targets", items)
            assert [r["status"] for r in answer["result"]] == [201] * len(items)
        return outdial_id

    async def targets(self, outdial_id: str) -> list[dict[str, Any]]:
        """The outdial's targets, oldest first (the order they were added in)."""
        return list(reversed(await self.all(f"/v1.0/outdials/{outdial_id}/targets")))

    async def campaign(self, **body: Any) -> dict[str, Any]:
        return await self.send("POST", "/v1.0/campaigns", {"name": "reminders", **body}, 201)

    async def status(self, campaign_id: str, status: str, code: int = 200) -> dict[str, Any]:
        path = f"/v1.0/campaigns/{campaign_id}/status"
        return await self.send("PUT", path, {"status": status}, code)

    async def campaigncalls(self, campaign_id: str) -> list[dict[str, Any]]:
        """The campaign's campaigncalls, oldest first."""
        found = await self.all(f"/v1.0/campaigns/{campaign_id}/campaigncalls")
        return list(reversed(found))

    async def events(self, kind: str, id: str) -> list[str]:
        found = await self.all(f"/v1.0/timelines/{kind}/{id}/events")
        return [e["event_type"] for e in reversed(found)]


async def dialer(start_app: StartApp, dollars: str = "100") -> Dialer:
    api = await virtual_api(start_app)
    return Dialer(await ready_customer(api, dollars=dollars))


async def agent(d: Dialer, name: str) -> str:
    """An available agent whose one address, ``sip:<name>@agents.example``, answers at 2 s
    and hangs up 20 s later."""
    rule = {"type": "sip", "pattern": rf"{name}@agents\.example", "answer_after": 2}
    rule["hangup_after"] = 20
    response = await d.api.client.post("/_sim/rules", json=rule, headers=d.api.headers)
    assert response.status_code == 201, response.text
    body = {
        "username": f"{name}@example.com",
        "password": "a-long-password",
        "addresses": [{"type": "sip", "target": f"{name}@agents.example"}],
    }
    agent_id = str((await d.send("POST", "/v1.0/agents", body, 201))["id"])
    path = f"/v1.0/agents/{agent_id}/status"
    await d.send("PUT", path, {"status": "available"})
    return agent_id
