"""``POST /v1.0/calls``: every check before dialling, each refusal a 4xx naming why, a
partial success the legs that worked; who may call, and whose calls they see."""

from __future__ import annotations

from tests.server.conftest import StartApp, add_agent, assert_error, fields_of
from tests.server.runtime.calls.kit import SOURCE, ready_customer, virtual_api
from voipbin.common.permissions import Permission


async def test_a_call_is_created_dialing_as_upstream_answers(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    response = await caller.call("+15005550000", "answer@sim.invalid")
    assert response.status_code == 200, response.text
    assert "location" not in response.headers
    body = response.json()
    assert set(body) == {"calls", "groupcalls"}
    assert body["groupcalls"] == []
    tel, sip = body["calls"]
    assert (tel["status"], tel["direction"], tel["customer_id"]) == (
        "dialing",
        "outgoing",
        caller.customer_id,
    )
    assert tel["destination"]["target"] == "+15005550000"
    assert (sip["destination"]["type"], sip["destination"]["target"]) == (
        "sip",
        "answer@sim.invalid",
    )
    assert tel["source"]["target"] == SOURCE
    assert await caller.events(tel["id"]) == ["call_created"]
    listed = await api.client.get("/v1.0/calls", headers=caller.headers)
    assert listed.status_code == 200, listed.text
    assert {c["id"] for c in listed.json()["result"]} == {tel["id"], sip["id"]}


async def test_a_tel_call_needs_a_verified_identity(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api, verified=False)
    response = await caller.call("+15005550000")
    assert_error(response, 403, "PERMISSION_DENIED", "IDENTITY_VERIFICATION_REQUIRED")
    # sip needs no verified identity
    assert (await caller.call("answer@sim.invalid")).status_code == 200


async def test_a_country_out_of_the_whitelist_is_named(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    response = await caller.call("+442071234567")
    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    assert fields_of(error) == ["destinations[0].target"]
    assert "GB" in error["details"][0]["description"]


async def test_a_source_the_customer_does_not_own_is_refused(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    response = await caller.call("+15005550000", source={"type": "tel", "target": "+14155559999"})
    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    assert fields_of(error) == ["source"]


async def test_the_default_source_number_stands_in(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    number = await api.state.services["number"].repository.find(
        ("id",), {"customer_id": caller.customer_id}
    )
    assert number is not None
    configs = api.state.services["outbound_config"].repository
    config = await configs.find(("id",), {"customer_id": caller.customer_id})
    assert config is not None
    await configs.update(str(config[0]), {"default_outgoing_source_number_id": str(number[0])})
    response = await caller.call("+15005550000", source={"type": "tel", "target": "+14155559999"})
    assert response.status_code == 200, response.text
    assert response.json()["calls"][0]["source"]["target"] == SOURCE


async def test_no_balance_is_a_402_before_dialling(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api, dollars="0")
    response = await caller.call("+15005550000")
    assert_error(response, 402, "PAYMENT_REQUIRED", "INSUFFICIENT_BALANCE")
    listed = await api.client.get("/v1.0/calls", headers=caller.headers)
    assert listed.json()["result"] == []


async def test_a_flow_must_be_a_live_flow_of_the_customer(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    response = await caller.call("+15005550000", flow_id="2d3b7a59-90a4-4f6b-8f87-3a4a1d6a0f10")
    error = assert_error(response, 422, "INVALID_ARGUMENT", "UNPROCESSABLE_ENTITY")
    assert fields_of(error) == ["flow_id"]

    flow = await api.client.post(
        "/v1.0/flows", json={"actions": [{"type": "answer"}]}, headers=caller.headers
    )
    assert flow.status_code == 201, flow.text
    response = await caller.call("+15005550000", flow_id=flow.json()["id"])
    assert response.status_code == 200, response.text
    call = response.json()["calls"][0]
    assert call["flow_id"] == flow.json()["id"]
    await caller.advance(10)  # answered, the flow ran out: the call is hung up
    ended = await caller.get(call["id"])
    assert (ended["status"], ended["hangup_by"]) == ("hangup", "local")


async def test_an_agent_destination_must_be_an_agent_of_the_customer(
    start_app: StartApp,
) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    other = await ready_customer(api, source="+14155550101")
    response = await caller.call(destinations=[{"type": "agent", "target": other.agent.id}])
    error = assert_error(response, 422, "INVALID_ARGUMENT", "UNPROCESSABLE_ENTITY")
    assert fields_of(error) == ["destinations[0].target"]


async def test_a_partial_success_answers_the_legs_that_worked(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    response = await caller.call("+442071234567", "+15005550000")
    assert response.status_code == 200, response.text
    calls = response.json()["calls"]
    assert [c["destination"]["target"] for c in calls] == ["+15005550000"]


async def test_only_admins_and_managers_use_calls(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    created = await caller.one("+15005550000")
    agent = await add_agent(
        api, permission=int(Permission.CUSTOMER_AGENT), customer_id=caller.customer_id
    )
    response = await api.client.get(f"/v1.0/calls/{created['id']}", headers=agent.headers)
    assert_error(response, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")
    response = await api.client.post(
        "/v1.0/calls",
        json={
            "source": {"type": "tel", "target": SOURCE},
            "destinations": [{"type": "tel", "target": "+15005550000"}],
        },
        headers=agent.headers,
    )
    assert_error(response, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")


async def test_another_customers_call_does_not_exist(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    created = await caller.one("+15005550000")
    other = await ready_customer(api, source="+14155550101")
    for method, path in (
        ("GET", f"/v1.0/calls/{created['id']}"),
        ("POST", f"/v1.0/calls/{created['id']}/hangup"),
        ("DELETE", f"/v1.0/calls/{created['id']}"),
        ("GET", f"/v1.0/timelines/calls/{created['id']}/events"),
    ):
        response = await api.client.request(method, path, headers=other.headers)
        assert_error(response, 404, "NOT_FOUND", "CALL_NOT_FOUND")
    listed = await api.client.get("/v1.0/calls", headers=other.headers)
    assert listed.json()["result"] == []


async def test_variables_over_their_limits_are_invalid_variables(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    too_many = {f"v{i}": "x" for i in range(101)}
    too_long = {"a": "x" * (32 * 1024 + 1)}
    too_much = {f"v{i}": "x" * (30 * 1024) for i in range(3)}
    for variables in (too_many, too_long, too_much):
        response = await caller.call("+15005550000", variables=variables)
        error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_VARIABLES")
        assert fields_of(error)[0].startswith("variables")
    listed = await api.client.get("/v1.0/calls", headers=caller.headers)
    assert listed.json()["result"] == []


async def test_calls_are_listed_by_status_and_direction(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    busy = await caller.one("+15005550001")
    up = await caller.one("+15005550000")
    await caller.advance(5)

    async def listed(**params: str) -> list[str]:
        response = await api.client.get("/v1.0/calls", params=params, headers=caller.headers)
        assert response.status_code == 200, response.text
        return [c["id"] for c in response.json()["result"]]

    assert await listed(status="hangup") == [busy["id"]]
    assert await listed(status="progressing") == [up["id"]]
    assert await listed(direction="outgoing") == [up["id"], busy["id"]]
    assert await listed(direction="incoming") == []
    response = await api.client.get(
        "/v1.0/calls", params={"direction": "sideways"}, headers=caller.headers
    )
    assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_REQUEST_PARAMETER")


async def test_the_openapi_document_shows_calls_as_served(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    document = (await api.client.get("/openapi.json")).json()
    create = document["paths"]["/v1.0/calls"]["post"]["responses"]
    assert "200" in create
    assert "201" not in create
    hold = document["paths"]["/v1.0/calls/{id}/hold"]
    assert set(hold) == {"post", "delete"}
    assert "204" in hold["delete"]["responses"]
    assert set(document["paths"]["/v1.0/calls/{id}/hangup"]) == {"post"}
    assert "200" in document["paths"]["/v1.0/calls/{id}/hangup"]["post"]["responses"]
