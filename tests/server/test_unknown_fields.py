"""A typo never passes silently: an unknown body field or query parameter is a 400 naming it
and listing the known ones, on every endpoint; every field the upstream VoIPBIN request
schemas define, and every parameter official clients send, is accepted."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from tests.server.conftest import (
    Api,
    StartApp,
    add_accesskey,
    add_agent,
    assert_error,
    fields_of,
)
from voipbin.models.accesskey import AccesskeyCreate, AccesskeyUpdate
from voipbin.models.agent import (
    AgentAddresses,
    AgentCreate,
    AgentPassword,
    AgentPermission,
    AgentStatusBody,
    AgentTagIds,
    AgentUpdate,
)
from voipbin.models.customer import (
    CustomerBillingAccountId,
    CustomerCreate,
    CustomerIdentityVerification,
    CustomerMetadataBody,
    CustomerUpdate,
)
from voipbin.models.flows import FlowCreate, FlowUpdate
from voipbin.models.number import (
    NumberCreate,
    NumberFlowIds,
    NumberMetadataUpdate,
    NumberUpdate,
)
from voipbin.models.tag import TagCreate, TagUpdate
from voipbin.server.body import decode_body
from voipbin.server.signup import SignupRequest

Json = dict[str, Any]

CUSTOMER_FIELDS: Json = {
    "name": "Acme",
    "detail": "d",
    "email": "ops@acme.example.com",
    "phone_number": "+15551234567",
    "address": "1 Main St",
    "webhook_method": "POST",
    "webhook_uri": "https://acme.example.com/hook",
}


# Every field of upstream's flow bodies; an action as upstream clients read it back.
FLOW_FIELDS: Json = {
    "name": "n",
    "detail": "d",
    "actions": [
        {
            "id": "d9d32881-12fd-4b19-a6b2-6d5b6b6acf76",
            "next_id": "00000000-0000-0000-0000-000000000000",
            "type": "talk",
            "option": {"text": "hi", "language": "en-US", "gender": "female"},
            "tm_execute": None,
        }
    ],
}


async def _ids(api: Api) -> dict[str, str]:
    tag = (await api.client.post("/v1.0/tags", json={"name": "t"}, headers=api.headers)).json()
    agent = await add_agent(api, permission=16, customer_id=tag["customer_id"])
    key = await add_accesskey(api, name="k")
    customer = (await api.client.get("/v1.0/customer", headers=api.headers)).json()
    flow = (await api.client.post("/v1.0/flows", json={"name": "f"}, headers=api.headers)).json()
    number = await api.client.post(
        "/v1.0/numbers", json={"number": "+899123000001"}, headers=api.headers
    )
    assert number.status_code == 201, number.text
    return {
        "tag": tag["id"],
        "agent": agent.id,
        "key": key["id"],
        "customer": customer["id"],
        "flow": flow["id"],
        "number": number.json()["id"],
    }


def _upstream_requests(ids: dict[str, str]) -> list[tuple[str, str, Json]]:
    """Each of our paths with a body of every field the upstream request schema defines."""
    agent = f"/v1.0/agents/{ids['agent']}"
    return [
        ("POST", "/v1.0/customers", CUSTOMER_FIELDS),
        ("PUT", f"/v1.0/customers/{ids['customer']}", CUSTOMER_FIELDS),
        ("PUT", "/v1.0/customer", CUSTOMER_FIELDS),
        (
            "POST",
            "/v1.0/agents",
            {
                "username": "new@example.com",
                "password": "long-enough",
                "name": "n",
                "detail": "d",
                "ring_method": "linear",
                "permission": 16,
                "tag_ids": [ids["tag"]],
                "addresses": [{"type": "tel", "target": "+15551234567"}],
            },
        ),
        ("PUT", agent, {"name": "n", "detail": "d", "ring_method": "ringall"}),
        ("PUT", f"{agent}/addresses", {"addresses": [{"type": "tel", "target": "+15551234567"}]}),
        ("PUT", f"{agent}/tag_ids", {"tag_ids": [ids["tag"]]}),
        ("PUT", f"{agent}/permission", {"permission": 16}),
        ("PUT", f"{agent}/status", {"status": "available"}),
        ("PUT", f"{agent}/password", {"password": "another-long-one"}),
        ("POST", "/v1.0/accesskeys", {"name": "n", "detail": "d", "expire": 3600}),
        ("PUT", f"/v1.0/accesskeys/{ids['key']}", {"name": "n", "detail": "d"}),
        (
            "POST",
            "/v1.0/numbers",
            {
                "number": "+899123000002",
                "type": "virtual",
                "call_flow_id": ids["flow"],
                "message_flow_id": ids["flow"],
                "name": "n",
                "detail": "d",
            },
        ),
        (
            "PUT",
            f"/v1.0/numbers/{ids['number']}",
            {
                "call_flow_id": ids["flow"],
                "message_flow_id": ids["flow"],
                "name": "n",
                "detail": "d",
            },
        ),
        (
            "PUT",
            f"/v1.0/numbers/{ids['number']}/flow_ids",
            {"call_flow_id": ids["flow"], "message_flow_id": ids["flow"]},
        ),
        ("PUT", f"/v1.0/numbers/{ids['number']}/metadata", {"rtp_debug": True}),
        ("POST", "/v1.0/tags", {"name": "n", "detail": "d"}),
        ("PUT", f"/v1.0/tags/{ids['tag']}", {"name": "n2", "detail": "d"}),
        ("POST", "/v1.0/flows", FLOW_FIELDS | {"on_complete_flow_id": ids["flow"]}),
        ("PUT", f"/v1.0/flows/{ids['flow']}", FLOW_FIELDS | {"on_complete_flow_id": ids["flow"]}),
    ]


async def test_every_upstream_request_field_is_accepted(start_app: StartApp) -> None:
    api = await start_app(signup="open")
    ids = await _ids(api)

    for method, path, body in _upstream_requests(ids):
        response = await api.client.request(method, path, json=body, headers=api.headers)
        assert response.status_code in (200, 201), f"{method} {path}: {response.text}"

    signup = {**CUSTOMER_FIELDS, "email": "new@acme.example.com", "accepted_tos": True}
    response = await api.client.post("/auth/signup", json=signup)
    assert set(response.json()) == {"customer", "accesskey"}, response.text


UPSTREAM_FIELDS: list[tuple[type[Any], set[str]]] = [
    (SignupRequest, {*CUSTOMER_FIELDS, "accepted_tos"}),
    (CustomerCreate, set(CUSTOMER_FIELDS)),
    (CustomerUpdate, set(CUSTOMER_FIELDS)),
    (
        AgentCreate,
        {"username", "password", "name", "detail", "ring_method", "permission", "tag_ids"}
        | {"addresses"},
    ),
    (AgentUpdate, {"name", "detail", "ring_method"}),
    (AgentAddresses, {"addresses"}),
    (AgentTagIds, {"tag_ids"}),
    (AgentPermission, {"permission"}),
    (AgentStatusBody, {"status"}),
    (AgentPassword, {"password"}),
    (AccesskeyCreate, {"name", "detail", "expire"}),
    (AccesskeyUpdate, {"name", "detail"}),
    (TagCreate, {"name", "detail"}),
    (TagUpdate, {"name", "detail"}),
    (FlowCreate, {"name", "detail", "actions", "on_complete_flow_id"}),
    (FlowUpdate, {"name", "detail", "actions", "on_complete_flow_id"}),
    (NumberCreate, {"number", "type", "call_flow_id", "message_flow_id", "name", "detail"}),
    (NumberUpdate, {"call_flow_id", "message_flow_id", "name", "detail"}),
    (NumberFlowIds, {"call_flow_id", "message_flow_id"}),
    (NumberMetadataUpdate, {"rtp_debug"}),
    (CustomerMetadataBody, {"rtp_debug"}),
    (CustomerBillingAccountId, {"billing_account_id"}),
]
#: Fields a body declares beyond upstream's, each a documented improvement.
OUR_ADDITIONS: dict[type[Any], set[str]] = {
    # Upstream sets it only through its verification flow; a super-admin sets it here.
    CustomerIdentityVerification: {"identity_verification_status"},
}


@pytest.mark.parametrize(
    ("kind", "upstream"), UPSTREAM_FIELDS, ids=lambda v: getattr(v, "__name__", "")
)
def test_every_request_body_knows_the_upstream_fields_and_refuses_others(
    kind: type[Any], upstream: set[str]
) -> None:
    declared = {f.encode_name for f in msgspec.structs.fields(kind)}
    assert upstream <= declared
    # Our additions: a super-admin's customer_id on creates, and those listed.
    assert declared - upstream <= {"customer_id", *OUR_ADDITIONS.get(kind, set())}
    assert kind.__struct_config__.forbid_unknown_fields


async def test_an_unknown_body_field_is_400_on_every_endpoint(start_app: StartApp) -> None:
    api = await start_app(signup="open")
    ids = await _ids(api)
    requests = [
        *_upstream_requests(ids),
        ("POST", "/auth/login", {"username": "a@example.com", "password": "x"}),
        ("POST", "/auth/signup", {"email": "b@example.com", "accepted_tos": True}),
    ]

    for method, path, body in requests:
        response = await api.client.request(
            method, path, json={**body, "detial": "typo"}, headers=api.headers
        )
        error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
        (detail,) = error["details"]
        assert detail["field"] == "detial", path
        known = detail["description"].removeprefix("unknown field; known fields: ")
        assert set(body) <= set(known.split(", ")), path


async def test_an_unknown_field_answer_lists_the_known_ones(api: Api) -> None:
    response = await api.client.post(
        "/v1.0/tags", json={"name": "x", "detial": "y"}, headers=api.headers
    )

    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    assert error["details"] == [
        {"field": "detial", "description": "unknown field; known fields: detail, name"}
    ]


def test_decoding_names_an_unknown_field_of_any_body() -> None:
    from voipbin.common.errors import InvalidArgument

    with pytest.raises(InvalidArgument) as caught:
        decode_body(b'{"nmae": "new"}', TagUpdate)
    assert caught.value.details_as_dicts() == [
        {"field": "nmae", "description": "unknown field; known fields: detail, name"}
    ]


# -- query parameters -------------------------------------------------------------------------


async def test_an_unknown_query_parameter_is_400_on_every_endpoint(api: Api) -> None:
    ids = await _ids(api)
    agent = f"/v1.0/agents/{ids['agent']}"
    requests: list[tuple[str, str, Json | None]] = [
        ("GET", "/v1.0/tags", None),
        ("GET", "/v1.0/agents", None),
        ("GET", "/v1.0/customers", None),
        ("GET", "/v1.0/accesskeys", None),
        ("POST", "/v1.0/tags", {"name": "new"}),
        ("GET", f"/v1.0/tags/{ids['tag']}", None),
        ("PUT", f"/v1.0/tags/{ids['tag']}", {"name": "renamed"}),
        ("DELETE", f"/v1.0/tags/{ids['tag']}", None),
        ("PUT", f"{agent}/status", {"status": "available"}),
        ("GET", "/v1.0/me", None),
        ("GET", "/v1.0/customer", None),
        ("PUT", "/v1.0/customer", {"detail": "x"}),
        ("GET", "/v1.0/outbound_config", None),
        ("POST", "/v1.0/customer/webhook_secret_rotate", None),
        ("GET", "/v1.0/available_numbers", None),
        ("POST", "/auth/login", {"username": "admin@localhost", "password": "admin-password"}),
    ]

    for method, path, body in requests:
        response = await api.client.request(
            method, f"{path}?colour=red", json=body, headers=api.headers
        )
        error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_REQUEST_PARAMETER")
        (detail,) = error["details"]
        assert detail["field"] == "colour", path
        known = detail["description"].removeprefix("unknown parameter; known parameters: ")
        assert {"accesskey", "token"} <= set(known.split(", ")), path

    tag = await api.client.get(f"/v1.0/tags/{ids['tag']}", headers=api.headers)
    assert (tag.json()["name"], tag.json()["tm_delete"]) == ("t", "9999-01-01 00:00:00.000000")
    names = await api.client.get("/v1.0/tags", headers=api.headers)
    assert [t["name"] for t in names.json()["result"]] == ["t"]


async def test_the_known_list_parameters_are_those_of_the_resource(api: Api) -> None:
    response = await api.client.get("/v1.0/tags?page_size=1&colour=red", headers=api.headers)
    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_REQUEST_PARAMETER")
    assert error["details"][0]["description"] == (
        "unknown parameter; known parameters: accesskey, customer_id, deleted, page_size, "
        "page_token, tm_create_from, tm_create_to, token"
    )
    # Tags have no status; customers have no customer.
    for path, name in (("/v1.0/tags", "status"), ("/v1.0/customers", "customer_id")):
        response = await api.client.get(f"{path}?{name}=x", headers=api.headers)
        error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_REQUEST_PARAMETER")
        assert fields_of(error) == [name]


async def test_credential_parameters_are_known_everywhere(api: Api) -> None:
    key = await add_accesskey(api, name="k")
    me = (await api.client.get("/v1.0/me", headers=api.headers)).json()["id"]

    for path in ("/v1.0/tags", f"/v1.0/agents/{me}", "/v1.0/me", "/v1.0/customer"):
        response = await api.client.get(f"{path}?token={api.token}")
        assert response.status_code == 200, f"{path}: {response.text}"
    response = await api.client.get(f"/v1.0/tags?accesskey={key['token']}")
    assert response.status_code == 200, response.text


async def test_empty_values_mean_not_given(api: Api) -> None:
    await api.client.post("/v1.0/tags", json={"name": "t"}, headers=api.headers)
    await add_agent(api, permission=16)

    query = "status=&username=&page_token=&page_size=&customer_id=&deleted=&tag_ids="
    response = await api.client.get(f"/v1.0/agents?{query}", headers=api.headers)

    assert response.status_code == 200, response.text
    assert len(response.json()["result"]) == 1  # the super-admin, of the caller's customer


async def test_the_agents_list_accepts_tag_ids_and_checks_them(api: Api) -> None:
    tag = (await api.client.post("/v1.0/tags", json={"name": "t"}, headers=api.headers)).json()

    response = await api.client.get(
        f"/v1.0/agents?tag_ids={tag['id']},{tag['id'].upper()}", headers=api.headers
    )
    assert response.status_code == 200, response.text
    response = await api.client.get("/v1.0/agents?tag_ids=not-a-uuid", headers=api.headers)
    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_REQUEST_PARAMETER")
    assert fields_of(error) == ["tag_ids"]
