"""``/openapi.json``: an OpenAPI 3.1 document of what the server serves."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.server.conftest import Api
from voipbin.common.permissions import CUSTOMER_ANY
from voipbin.models import OWN_ROUTES
from voipbin.server.resources.routes import OwnAccess, own_resource_route

UNUSED_ID = "d9d32881-12fd-4b19-a6b2-6d5b6b6acf76"
METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


@pytest.fixture
async def document(api: Api) -> dict[str, Any]:
    response = await api.client.get("/openapi.json")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    return body


def operations(document: dict[str, Any], path: str) -> set[str]:
    return {m for m in document["paths"].get(path, {}) if m in METHODS}


def refs(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "$ref" and isinstance(item, str):
                yield item
            else:
                yield from refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from refs(item)


async def test_it_is_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1.")
    assert document["info"]["title"]
    assert document["info"]["version"]


async def test_it_lists_the_tag_and_login_operations(document: dict[str, Any]) -> None:
    assert operations(document, "/v1.0/tags") == {"get", "post"}
    assert operations(document, "/v1.0/tags/{id}") == {"get", "put", "delete"}
    assert operations(document, "/auth/login") == {"post"}


async def test_operation_ids_are_unique(document: dict[str, Any]) -> None:
    ids = [
        operation["operationId"]
        for item in document["paths"].values()
        for method, operation in item.items()
        if method in METHODS
    ]
    assert len(ids) == len(set(ids))


async def test_every_reference_resolves(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    found = list(refs(document))
    assert found
    for ref in found:
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.removeprefix("#/components/schemas/") in schemas, ref


async def test_the_tag_schema_has_the_wire_fields(document: dict[str, Any]) -> None:
    ok = document["paths"]["/v1.0/tags/{id}"]["get"]["responses"]["200"]
    ref = ok["content"]["application/json"]["schema"]["$ref"]
    schema = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert set(schema["properties"]) == {
        "id",
        "customer_id",
        "name",
        "detail",
        "tm_create",
        "tm_update",
        "tm_delete",
    }


async def test_every_documented_operation_is_served(api: Api, document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        for method in item:
            if method not in METHODS:
                continue
            url = path
            for parameter in item[method].get("parameters", []):
                if parameter.get("in") == "path":
                    # An enumerated segment takes one of its values; any other, an id.
                    value = parameter["schema"].get("enum", [UNUSED_ID])[0]
                    url = url.replace(f"{{{parameter['name']}}}", value)
            url = url.replace("{id}", UNUSED_ID)
            response = await api.client.request(method, url, json={}, headers=api.headers)
            assert response.status_code not in (404, 405) or response.json()["error"][
                "reason"
            ] not in ("ROUTE_NOT_FOUND", "METHOD_NOT_ALLOWED"), (method, path, response.text)


def schema_of(document: dict[str, Any], path: str, method: str, status: str) -> dict[str, Any]:
    content = document["paths"][path][method]["responses"][status]["content"]
    ref: str = content["application/json"]["schema"]["$ref"]
    schema: dict[str, Any] = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return schema


def request_schema(document: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    content = document["paths"][path][method]["requestBody"]["content"]
    ref: str = content["application/json"]["schema"]["$ref"]
    schema: dict[str, Any] = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return schema


async def test_it_lists_the_identity_operations(document: dict[str, Any]) -> None:
    expected = {
        "/v1.0/customers": {"get", "post"},
        "/v1.0/customers/{id}": {"get", "put", "delete"},
        "/v1.0/customer": {"get", "put"},
        "/v1.0/me": {"get"},
        "/v1.0/agents": {"get", "post"},
        "/v1.0/agents/{id}": {"get", "put", "delete"},
        "/v1.0/accesskeys": {"get", "post"},
        "/v1.0/accesskeys/{id}": {"get", "put", "delete"},
    }
    for action in ("addresses", "tag_ids", "permission", "status", "password"):
        expected[f"/v1.0/agents/{{id}}/{action}"] = {"put"}
    for path, methods in expected.items():
        assert operations(document, path) == methods, path


async def test_the_identity_schemas_show_what_the_wire_shows(document: dict[str, Any]) -> None:
    agent = schema_of(document, "/v1.0/agents/{id}", "get", "200")
    assert not {p for p in agent["properties"] if "password" in p}
    assert schema_of(document, "/v1.0/me", "get", "200") == agent
    assert "password" in request_schema(document, "/v1.0/agents", "post")["properties"]
    assert request_schema(document, "/v1.0/agents/{id}/status", "put")["properties"]["status"][
        "enum"
    ] == ["", "available", "away", "busy", "offline", "ringing"]

    customer = schema_of(document, "/v1.0/customers/{id}", "get", "200")
    own = schema_of(document, "/v1.0/customer", "get", "200")
    # The own view adds the webhook secret (not required: a customer's agents do not see it).
    secret = {"webhook_secret", "tm_webhook_secret_rotate"}
    assert set(own["properties"]) == set(customer["properties"]) | secret
    assert not secret & set(customer["properties"])
    assert set(own.get("required", [])) == set(customer.get("required", []))
    assert customer["properties"]["email_verified"]["type"] == "boolean"
    assert customer["properties"]["metadata"]["$ref"].endswith("/CustomerMetadata")
    for path, method in (
        ("/v1.0/customers/{id}/freeze", "post"),
        ("/v1.0/customers/{id}/recover", "post"),
        ("/v1.0/customers/{id}/billing_account_id", "put"),
        ("/v1.0/customers/{id}/metadata", "put"),
        ("/v1.0/customers/{id}/identity_verification_status", "put"),
        ("/v1.0/customer/metadata", "put"),
        ("/v1.0/customer/webhook_secret_rotate", "post"),
    ):
        assert method in document["paths"][path], path
    identity = request_schema(document, "/v1.0/customers/{id}/identity_verification_status", "put")
    assert set(identity["properties"]["identity_verification_status"]["enum"]) == {
        "none",
        "pending",
        "verified",
        "rejected",
    }

    created = schema_of(document, "/v1.0/accesskeys", "post", "201")
    shown = schema_of(document, "/v1.0/accesskeys/{id}", "get", "200")
    assert "token" in created["properties"]
    assert "token" in created.get("required", [])
    assert "token" not in shown["properties"]
    assert set(created["properties"]) - set(shown["properties"]) == {"token"}


def parameters_of(document: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    parameters = document["paths"][path][method].get("parameters", [])
    return {p["name"]: p for p in parameters if p["in"] == "query"}


async def test_customer_id_is_a_filter_only_where_items_have_a_customer(
    document: dict[str, Any],
) -> None:
    assert "customer_id" in parameters_of(document, "/v1.0/tags", "get")
    assert "customer_id" in parameters_of(document, "/v1.0/agents", "get")
    assert "customer_id" not in parameters_of(document, "/v1.0/customers", "get")


async def test_list_parameters_admit_the_empty_value_that_means_not_given(
    document: dict[str, Any],
) -> None:
    for name, parameter in parameters_of(document, "/v1.0/agents", "get").items():
        variants = parameter["schema"]["anyOf"]
        assert {"type": "string", "maxLength": 0} in variants, name
    status = parameters_of(document, "/v1.0/agents", "get")["status"]["schema"]["anyOf"][0]
    assert status["enum"] == ["available", "away", "busy", "offline", "ringing"]


async def test_operations_document_the_statuses_they_answer(document: dict[str, Any]) -> None:
    paths = document["paths"]
    assert {"413", "409", "422"} <= set(paths["/v1.0/tags"]["post"]["responses"])
    assert {"413", "409", "422", "404"} <= set(paths["/v1.0/tags/{id}"]["put"]["responses"])
    assert "409" in paths["/v1.0/agents/{id}"]["delete"]["responses"]
    for action in ("addresses", "tag_ids", "permission", "status", "password"):
        responses = paths[f"/v1.0/agents/{{id}}/{action}"]["put"]["responses"]
        assert {"409", "413", "422", "404"} <= set(responses), action
    assert "404" in paths["/v1.0/me"]["get"]["responses"]
    assert "413" in paths["/auth/login"]["post"]["responses"]


async def test_every_credential_transport_is_a_security_scheme(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer"}
    where = {(s.get("in"), s.get("name")) for s in schemes.values() if s["type"] == "apiKey"}
    assert where == {
        ("cookie", "token"),
        ("query", "token"),
        ("cookie", "accesskey"),
        ("query", "accesskey"),
    }
    assert document["security"] == [{name: []} for name in schemes]
    assert document["paths"]["/auth/login"]["post"]["security"] == []


async def test_the_rules_the_server_enforces_are_in_the_schemas(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert schemas["Address"]["properties"]["type"]["enum"] == [
        "agent",
        "ai",
        "ai_team",
        "conference",
        "email",
        "extension",
        "line",
        "sip",
        "tel",
        "webchat",
        "web_session",
        "whatsapp",
    ]
    assert schemas["AgentCreate"]["properties"]["username"]["format"] == "email"
    assert schemas["AgentCreate"]["additionalProperties"] is False
    assert schemas["AgentAddresses"]["properties"]["addresses"]["maxItems"] == 64
    assert schemas["AgentTagIds"]["properties"]["tag_ids"]["maxItems"] == 256
    phone = schemas["CustomerCreate"]["properties"]["phone_number"]
    assert phone["pattern"] == r"^(\+[1-9][0-9]{1,14})?$"
    password = document["paths"]["/v1.0/agents/{id}/password"]["put"]
    assert "ends the agent's earlier logins" in password["summary"]


async def test_every_own_route_is_served_and_documented(api: Api, document: dict[str, Any]) -> None:
    for route in OWN_ROUTES:
        methods = {"get", "put"} if route.update is not None else {"get"}
        assert operations(document, route.path) == methods, route.path
        answer = schema_of(document, route.path, "get", "200")
        assert set(answer["properties"]) == set(route.model.__struct_fields__)
        read = await api.client.get(route.path, headers=api.headers)
        assert read.status_code == 200, (route.path, read.text)
        assert set(read.json()) <= set(answer["properties"])
        for action in route.actions:
            path = f"{route.path}/{action.name}"
            assert operations(document, path) == {action.method.lower()}
            response = await api.client.request(action.method, path, json={}, headers=api.headers)
            assert response.status_code == 200, (path, response.text)


async def test_an_own_route_is_writable_exactly_when_it_has_an_update_permission(
    api: Api,
) -> None:
    customer = OWN_ROUTES[0]
    service = api.state.services[customer.spec.name]

    with pytest.raises(ValueError, match="writable"):
        own_resource_route(customer, service, api.state.auth, OwnAccess(read=CUSTOMER_ANY))


def test_the_timeline_route_and_every_event_type_are_documented() -> None:
    from voipbin.models.events import CATALOGUE, TIMELINE_PATH, TIMELINE_RESOURCES
    from voipbin.server.openapi import openapi_document

    document = openapi_document([])

    operation = document["paths"][TIMELINE_PATH]["get"]
    kinds = next(p for p in operation["parameters"] if p["name"] == "resource_type")
    assert kinds["schema"]["enum"] == list(TIMELINE_RESOURCES)
    assert [e["type"] for e in document["x-event-types"]] == [e.name for e in CATALOGUE]
    message = document["components"]["schemas"]["EventMessage"]
    assert message["properties"]["type"]["enum"] == [e.name for e in CATALOGUE]
    assert set(message["required"]) == {"type", "data"}
