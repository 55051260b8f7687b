"""The simulated network's control API: rules and devices, super-admins only, stored in the
database so every server instance plays the same scripts."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.server.conftest import Api, StartApp, add_agent, assert_error, fields_of
from voipbin.common.address import Address
from voipbin.common.permissions import Permission
from voipbin.server.runtime.carrier.base import CarrierEvent, Destroyed, Leg, Ringing
from voipbin.server.runtime.carrier.sim import SimulatedNetwork
from voipbin.server.storage.simulator import SimulatorScripts

Json = dict[str, Any]
RULE_FIELDS = {
    "id",
    "type",
    "pattern",
    "outcome",
    "ring_after",
    "answer_after",
    "outcome_after",
    "hangup_after",
    "dtmf",
    "amd",
    "tm_create",
}


async def add_rule(api: Api, **body: Any) -> Json:
    response = await api.client.post("/_sim/rules", json=body, headers=api.headers)
    assert response.status_code == 201, response.text
    created: Json = response.json()
    return created


async def rules(api: Api) -> list[Json]:
    response = await api.client.get("/_sim/rules", headers=api.headers)
    assert response.status_code == 200, response.text
    result: list[Json] = response.json()["result"]
    return result


async def add_extension(api: Api, number: str = "2001") -> str:
    response = await api.client.post(
        "/v1.0/extensions",
        json={"extension": number, "password": "phone-secret-1"},
        headers=api.headers,
    )
    assert response.status_code == 201, response.text
    extension_id: str = response.json()["id"]
    return extension_id


async def timeline_of(api: Api, target: Address) -> list[tuple[float, CarrierEvent]]:
    """What the simulated network of ``api``'s database does with a leg to ``target``."""
    scheduled: list[tuple[float, CarrierEvent]] = []

    async def schedule(seconds: float, event: CarrierEvent) -> None:
        scheduled.append((seconds, event))

    sim = SimulatedNetwork(SimulatorScripts(api.state.db, api.state.clock), schedule)
    await sim.originate(Leg(id="leg", remote=target), Address(type="tel", target="+1"), None)
    return scheduled


async def test_a_rule_is_stored_with_its_outcomes_defaults_and_listed(api: Api) -> None:
    created = await add_rule(api, type="tel", pattern=r"\+4930.*", outcome="busy")
    assert set(created) == RULE_FIELDS
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", created["tm_create"])
    assert created["type"] == "tel"
    assert created["pattern"] == r"\+4930.*"
    assert (created["outcome"], created["ring_after"], created["outcome_after"]) == (
        "busy",
        1.0,
        2.0,
    )
    assert (created["answer_after"], created["hangup_after"], created["dtmf"]) == (None, None, [])
    second = await add_rule(
        api,
        type="sip",
        pattern="ivr@.*",
        answer_after=0.5,
        ring_after=None,
        hangup_after=30,
        dtmf=[{"at": 4, "digits": "2"}, {"at": 1, "digits": "1#"}],
    )
    assert second["outcome"] == "answer"
    assert (second["ring_after"], second["answer_after"], second["hangup_after"]) == (
        None,
        0.5,
        30.0,
    )
    assert second["dtmf"] == [{"at": 1.0, "digits": "1#"}, {"at": 4.0, "digits": "2"}]
    assert await rules(api) == [created, second]


async def test_a_rule_changes_what_the_network_does_and_deleting_it_restores_it(api: Api) -> None:
    target = Address(type="tel", target="+15005550000")
    assert await timeline_of(api, target) != [(0.5, Destroyed(leg_id="leg", cause=34))]
    rule = await add_rule(api, type="tel", pattern=r"\+1500555000[0-9]", outcome="fail")
    assert await timeline_of(api, target) == [(0.5, Destroyed(leg_id="leg", cause=34))]
    later = await add_rule(api, type="tel", pattern=r"\+15005550000", outcome="noanswer")
    assert await timeline_of(api, target) == [(1.0, Ringing(leg_id="leg"))]

    response = await api.client.delete(f"/_sim/rules/{later['id']}", headers=api.headers)
    assert response.status_code == 204
    assert response.content == b""
    assert await rules(api) == [rule]
    assert await timeline_of(api, target) == [(0.5, Destroyed(leg_id="leg", cause=34))]
    again = await api.client.delete(f"/_sim/rules/{later['id']}", headers=api.headers)
    assert_error(again, 404, "NOT_FOUND", "RESOURCE_NOT_FOUND")
    malformed = await api.client.delete("/_sim/rules/not-an-id", headers=api.headers)
    assert_error(malformed, 400, "INVALID_ARGUMENT", "INVALID_ID")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "tel", "pattern": "(unclosed"}, "pattern"),
        ({"type": "tel", "pattern": "a" * 257}, "pattern"),
        ({"type": "tel", "pattern": ""}, "pattern"),
        ({"type": "email", "pattern": ".*"}, "type"),
        ({"pattern": ".*"}, "type"),
        ({"type": "tel", "pattern": ".*", "outcome": "explode"}, "outcome"),
        ({"type": "tel", "pattern": ".*", "ring_after": -1}, "ring_after"),
        ({"type": "tel", "pattern": ".*", "answer_after": -0.5}, "answer_after"),
        ({"type": "tel", "pattern": ".*", "hangup_after": 86401}, "hangup_after"),
        ({"type": "tel", "pattern": ".*", "outcome": "busy", "answer_after": 1}, "answer_after"),
        ({"type": "tel", "pattern": ".*", "outcome_after": 1}, "outcome_after"),
        ({"type": "tel", "pattern": ".*", "outcome": "busy", "hangup_after": 1}, "hangup_after"),
        ({"type": "tel", "pattern": ".*", "outcome": "fail", "amd": "machine"}, "amd"),
        (
            {
                "type": "tel",
                "pattern": ".*",
                "outcome": "reject",
                "dtmf": [{"at": 1, "digits": "1"}],
            },
            "dtmf",
        ),
        ({"type": "tel", "pattern": ".*", "dtmf": [{"at": -1, "digits": "1"}]}, "dtmf[0].at"),
        ({"type": "tel", "pattern": ".*", "dtmf": [{"at": 1, "digits": "x"}]}, "dtmf[0].digits"),
        ({"type": "tel", "pattern": ".*", "color": "red"}, "color"),
    ],
)
async def test_a_bad_rule_is_a_400_naming_the_field_and_nothing_is_stored(
    api: Api, body: Json, field: str
) -> None:
    response = await api.client.post("/_sim/rules", json=body, headers=api.headers)
    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    assert fields_of(error) == [field]
    assert await rules(api) == []


async def test_devices_are_stored_for_a_live_extension_and_replace_earlier_ones(
    api: Api,
) -> None:
    extension_id = await add_extension(api)
    path = f"/_sim/extensions/{extension_id}/devices"
    first = await api.client.post(
        path, json={"devices": [{"outcome": "busy"}, {}, {}]}, headers=api.headers
    )
    assert first.status_code == 201, first.text
    assert len(first.json()["devices"]) == 3
    response = await api.client.post(
        path,
        json={"devices": [{"outcome": "noanswer"}, {"answer_after": 5, "hangup_after": 20}]},
        headers=api.headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["extension_id"] == extension_id
    devices = body["devices"]
    assert [d["address"] for d in devices] == [
        {
            "type": "sip",
            "target": f"{extension_id}.{i}@devices.sim.invalid",
            "target_name": "",
            "name": "",
            "detail": "",
        }
        for i in range(2)
    ]
    assert [(d["outcome"], d["answer_after"], d["hangup_after"]) for d in devices] == [
        ("noanswer", None, None),
        ("answer", 5.0, 20.0),
    ]
    contact = Address(type="sip", target=devices[1]["address"]["target"])
    assert [due for due, _ in await timeline_of(api, contact)] == [1.0, 5.0, 25.0]
    # The third device of the first registration is gone.
    gone = Address(type="sip", target=f"{extension_id}.2@devices.sim.invalid")
    assert await timeline_of(api, gone) == [(0.5, Destroyed(leg_id="leg", cause=1))]


async def test_devices_of_an_extension_that_is_not_live_are_a_404(api: Api) -> None:
    body: Json = {"devices": [{}]}
    unknown = "00000000-0000-4000-8000-000000000001"
    response = await api.client.post(
        f"/_sim/extensions/{unknown}/devices", json=body, headers=api.headers
    )
    assert_error(response, 404, "NOT_FOUND", "RESOURCE_NOT_FOUND")
    extension_id = await add_extension(api)
    deleted = await api.client.delete(f"/v1.0/extensions/{extension_id}", headers=api.headers)
    assert deleted.status_code in (200, 204), deleted.text
    response = await api.client.post(
        f"/_sim/extensions/{extension_id}/devices", json=body, headers=api.headers
    )
    assert_error(response, 404, "NOT_FOUND", "RESOURCE_NOT_FOUND")


async def test_a_bad_device_is_a_400_naming_it(api: Api) -> None:
    extension_id = await add_extension(api)
    path = f"/_sim/extensions/{extension_id}/devices"
    response = await api.client.post(
        path, json={"devices": [{}, {"outcome": "busy", "hangup_after": 3}]}, headers=api.headers
    )
    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    assert fields_of(error) == ["devices[1].hangup_after"]
    response = await api.client.post(path, json={"devices": [{}] * 17}, headers=api.headers)
    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    assert fields_of(error) == ["devices"]
    scripts = SimulatorScripts(api.state.db, api.state.clock)
    assert await scripts.devices(extension_id) == []


async def test_reset_brings_back_the_built_in_rules_alone(api: Api) -> None:
    extension_id = await add_extension(api)
    await add_rule(api, type="tel", pattern=".*", outcome="reject")
    response = await api.client.post(
        f"/_sim/extensions/{extension_id}/devices", json={"devices": [{}]}, headers=api.headers
    )
    assert response.status_code == 201
    response = await api.client.post("/_sim/reset", headers=api.headers)
    assert response.status_code == 204
    assert response.content == b""
    assert await rules(api) == []
    scripts = SimulatorScripts(api.state.db, api.state.clock)
    assert await scripts.devices(extension_id) == []
    busy = Address(type="tel", target="+15005550001")
    assert await timeline_of(api, busy) == [
        (1.0, Ringing(leg_id="leg")),
        (2.0, Destroyed(leg_id="leg", cause=17)),
    ]


async def test_rules_and_devices_are_shared_by_every_instance(start_app: StartApp) -> None:
    one, two = await start_app(), await start_app()
    rule = await add_rule(one, type="sip", pattern=r"bob@example\.com", outcome="unallocated")
    assert await rules(two) == [rule]
    bob = Address(type="sip", target="bob@example.com")
    assert await timeline_of(two, bob) == [(0.5, Destroyed(leg_id="leg", cause=1))]
    extension_id = await add_extension(one)
    response = await two.client.post(
        f"/_sim/extensions/{extension_id}/devices",
        json={"devices": [{"outcome": "noanswer"}]},
        headers=two.headers,
    )
    assert response.status_code == 201, response.text
    contact = Address(type="sip", target=f"{extension_id}.0@devices.sim.invalid")
    assert await timeline_of(one, contact) == [(1.0, Ringing(leg_id="leg"))]
    assert (await two.client.post("/_sim/reset", headers=two.headers)).status_code == 204
    assert await rules(one) == []


def _calls(extension_id: str, rule_id: str) -> list[tuple[str, str, Json | None]]:
    return [
        ("POST", "/_sim/rules", {"type": "tel", "pattern": ".*"}),
        ("GET", "/_sim/rules", None),
        ("DELETE", f"/_sim/rules/{rule_id}", None),
        ("POST", f"/_sim/extensions/{extension_id}/devices", {"devices": []}),
        ("POST", "/_sim/reset", None),
    ]


async def _send(
    client: httpx.AsyncClient, method: str, path: str, body: Json | None, headers: dict[str, str]
) -> httpx.Response:
    return await client.request(method, path, json=body, headers=headers)


@pytest.mark.parametrize(
    "permission",
    [Permission.CUSTOMER_ADMIN, Permission.CUSTOMER_MANAGER, Permission.CUSTOMER_AGENT],
)
async def test_only_super_admins_control_the_simulator(api: Api, permission: Permission) -> None:
    extension_id = await add_extension(api)
    rule = await add_rule(api, type="tel", pattern=r"\+44.*", outcome="busy")
    agent = await add_agent(api, permission=int(permission))
    for method, path, body in _calls(extension_id, rule["id"]):
        response = await _send(api.client, method, path, body, agent.headers)
        assert_error(response, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")
        response = await _send(api.client, method, path, body, {})
        assert response.status_code == 401, (method, path, response.text)
    # Nothing changed.
    assert await rules(api) == [rule]
    scripts = SimulatorScripts(api.state.db, api.state.clock)
    assert await scripts.devices(extension_id) == []


async def test_an_unknown_query_parameter_is_a_400(api: Api) -> None:
    response = await api.client.get("/_sim/rules?page_size=10", headers=api.headers)
    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_REQUEST_PARAMETER")
    assert fields_of(error) == ["page_size"]


async def test_the_openapi_document_lists_the_control_api_under_its_own_tag(api: Api) -> None:
    document = (await api.client.get("/openapi.json")).json()
    paths = document["paths"]
    operations = {
        ("/_sim/rules", "post"): "201",
        ("/_sim/rules", "get"): "200",
        ("/_sim/rules/{id}", "delete"): "204",
        ("/_sim/extensions/{id}/devices", "post"): "201",
        ("/_sim/reset", "post"): "204",
        ("/_sim/calls", "post"): "201",
        ("/_sim/calls/{id}/dtmf", "post"): "204",
        ("/_sim/calls/{id}/hangup", "post"): "204",
    }
    for (path, method), success in operations.items():
        operation = paths[path][method]
        assert operation["tags"] == ["Simulator"]
        assert {success, "400", "401", "403"} <= set(operation["responses"])
    assert {"404", "409"} <= set(paths["/_sim/calls/{id}/dtmf"]["post"]["responses"])
    inbound = paths["/_sim/calls"]["post"]["responses"]
    assert inbound["201"]["content"]["application/json"]["schema"]["$ref"].endswith("/Call")
    schemas = document["components"]["schemas"]
    outcomes = schemas["RuleCreate"]["properties"]["outcome"]["enum"]
    assert set(outcomes) == {"answer", "busy", "noanswer", "reject", "fail", "unallocated"}
    assert schemas["KeyPress"]["properties"]["digits"]["pattern"] == "^[0-9*#A-D]+$"
    assert set(schemas["InboundCall"]["required"]) == {"source", "destination"}
    assert "Simulator" in {tag["name"] for tag in document.get("tags", [])}
