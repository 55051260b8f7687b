"""Answers a user can act on: bad JSON says where, a bad enum value lists the allowed ones,
a write to a deleted resource says it was deleted, and a body's lists and strings have
declared maxima that decoding enforces before any query runs."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.server.conftest import Api, assert_error, fields_of
from voipbin.models.fields import MAX_ADDRESSES, MAX_TAG_IDS
from voipbin.server.storage.repository import Repository

TEL = {"type": "tel", "target": "+15551234567"}


async def _me(api: Api) -> str:
    me: str = (await api.client.get("/v1.0/me", headers=api.headers)).json()["id"]
    return me


async def test_bad_json_says_where(api: Api) -> None:
    response = await api.client.post(
        "/v1.0/tags", content=b'{"name": x, "detail": ""}', headers=api.headers
    )

    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_JSON_BODY")
    assert error["message"] == "The request body is not valid JSON: invalid character at byte 9."


async def test_truncated_json_says_it_ends_early(api: Api) -> None:
    response = await api.client.post("/auth/login", content=b'{"username": "a')

    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_JSON_BODY")
    assert "ends before" in error["message"]


async def test_a_bad_enum_value_lists_the_allowed_ones(api: Api) -> None:
    me = await _me(api)

    response = await api.client.put(
        f"/v1.0/agents/{me}", json={"ring_method": "random"}, headers=api.headers
    )
    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    assert error["details"] == [
        {"field": "ring_method", "description": "must be one of: linear, ringall"}
    ]

    response = await api.client.put(
        f"/v1.0/agents/{me}/status", json={"status": "asleep"}, headers=api.headers
    )
    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    assert error["details"][0]["description"] == (
        'must be one of: "", available, away, busy, offline, ringing'
    )


async def test_an_enum_allowing_empty_shows_it_quoted(api: Api) -> None:
    response = await api.client.put(
        "/v1.0/customer", json={"webhook_method": "PATCH"}, headers=api.headers
    )

    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    assert error["details"] == [
        {"field": "webhook_method", "description": 'must be one of: "", DELETE, GET, POST, PUT'}
    ]


async def test_a_write_to_a_deleted_resource_says_it_was_deleted(api: Api) -> None:
    tag = (await api.client.post("/v1.0/tags", json={"name": "t"}, headers=api.headers)).json()
    await api.client.delete(f"/v1.0/tags/{tag['id']}", headers=api.headers)

    response = await api.client.put(
        f"/v1.0/tags/{tag['id']}", json={"name": "u"}, headers=api.headers
    )

    error = assert_error(response, 409, "FAILED_PRECONDITION", "TAG_STATE_INVALID")
    assert error["message"] == "The tag was deleted; a deleted tag cannot be changed."


async def test_an_action_on_a_deleted_agent_says_it_was_deleted(api: Api) -> None:
    created = await api.client.post(
        "/v1.0/agents",
        json={"username": "gone@example.com", "password": "long-enough"},
        headers=api.headers,
    )
    agent = created.json()["id"]
    await api.client.delete(f"/v1.0/agents/{agent}", headers=api.headers)

    response = await api.client.put(
        f"/v1.0/agents/{agent}/status", json={"status": "away"}, headers=api.headers
    )

    error = assert_error(response, 409, "FAILED_PRECONDITION", "AGENT_STATE_INVALID")
    assert error["message"] == "The agent was deleted; a deleted agent cannot be changed."


# -- maxima -----------------------------------------------------------------------------------


@pytest.fixture
def no_queries(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if a reference check reaches storage."""

    async def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a query ran for a body decoding should have refused")

    monkeypatch.setattr(Repository, "live_ids", refuse)


@pytest.mark.usefixtures("no_queries")
async def test_too_many_addresses_is_400_before_any_query(api: Api) -> None:
    me = await _me(api)
    addresses = [{"type": "agent", "target": me}] * (MAX_ADDRESSES + 1)

    response = await api.client.put(
        f"/v1.0/agents/{me}/addresses", json={"addresses": addresses}, headers=api.headers
    )

    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    assert error["details"] == [
        {"field": "addresses", "description": f"must have at most {MAX_ADDRESSES} items"}
    ]


@pytest.mark.usefixtures("no_queries")
async def test_too_many_tag_ids_is_400_before_any_query(api: Api) -> None:
    me = await _me(api)
    tag_ids = [str(uuid.uuid4()) for _ in range(MAX_TAG_IDS + 1)]

    for path, body in (
        (f"/v1.0/agents/{me}/tag_ids", {"tag_ids": tag_ids}),
        (
            "/v1.0/agents",
            {"username": "n@example.com", "password": "long-enough", "tag_ids": tag_ids},
        ),
    ):
        method = "PUT" if path.endswith("tag_ids") else "POST"
        response = await api.client.request(method, path, json=body, headers=api.headers)
        error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
        assert fields_of(error) == ["tag_ids"]


async def test_the_maxima_themselves_are_accepted(api: Api) -> None:
    me = await _me(api)
    response = await api.client.put(
        f"/v1.0/agents/{me}/addresses",
        json={"addresses": [TEL] * MAX_ADDRESSES},
        headers=api.headers,
    )
    assert response.status_code == 200, response.text
    assert len(response.json()["addresses"]) == MAX_ADDRESSES


@pytest.mark.parametrize(
    ("field", "length"),
    [("type", 33), ("target", 1025), ("target_name", 256), ("name", 256), ("detail", 4097)],
)
async def test_an_address_field_over_its_maximum_is_400_naming_it(
    api: Api, field: str, length: int
) -> None:
    me = await _me(api)
    address = {**TEL, field: "x" * length}

    response = await api.client.put(
        f"/v1.0/agents/{me}/addresses", json={"addresses": [TEL, address]}, headers=api.headers
    )

    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    assert error["details"] == [
        {
            "field": f"addresses[1].{field}",
            "description": f"must have at most {length - 1} characters",
        }
    ]


@pytest.mark.parametrize(("field", "length"), [("username", 255), ("password", 1025)])
async def test_login_fields_have_maxima(api: Api, field: str, length: int) -> None:
    body = {"username": "a@example.com", "password": "x", field: "x" * length}

    response = await api.client.post("/auth/login", json=body)

    assert fields_of(assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")) == [field]


def test_the_maxima_show_in_the_json_schema() -> None:
    import msgspec

    from voipbin.models.agent import AgentCreate
    from voipbin.server.auth.routes import LoginRequest

    _, components = msgspec.json.schema_components([AgentCreate, LoginRequest])
    agent = components["AgentCreate"]["properties"]
    assert agent["addresses"]["maxItems"] == MAX_ADDRESSES
    assert agent["tag_ids"]["maxItems"] == MAX_TAG_IDS
    assert components["Address"]["properties"]["target"]["maxLength"] == 1024
    login = components["LoginRequest"]["properties"]
    assert (login["username"]["maxLength"], login["password"]["maxLength"]) == (254, 1024)
