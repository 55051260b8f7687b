"""Agents: usernames are unique emails, passwords are argon2 hashes never shown, addresses and
tag ids are checked, each action works, and a deleted or demoted agent loses its access within
seconds though its token is still valid."""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from typing import Any

import anyio
import httpx
import pytest

from tests.server.conftest import (
    ADMIN_USERNAME,
    Api,
    StartApp,
    add_accesskey,
    add_agent,
    assert_error,
    bearer,
    fields_of,
    login,
)
from voipbin.common.permissions import Permission
from voipbin.common.timestamps import SENTINEL_TEXT

FIELDS = {
    "id",
    "customer_id",
    "username",
    "name",
    "detail",
    "ring_method",
    "status",
    "permission",
    "tag_ids",
    "addresses",
    "tm_create",
    "tm_update",
    "tm_delete",
}
ADDRESS_KEYS = {"type", "target", "target_name", "name", "detail"}
PASSWORD = "correct horse battery"
ADMIN = int(Permission.CUSTOMER_ADMIN)
MANAGER = int(Permission.CUSTOMER_MANAGER)
AGENT = int(Permission.CUSTOMER_AGENT)
Headers = dict[str, str]


async def create(api: Api, headers: Headers | None = None, **body: Any) -> dict[str, Any]:
    body.setdefault("username", f"a-{uuid.uuid4().hex[:8]}@example.com")
    body.setdefault("password", PASSWORD)
    response = await api.client.post("/v1.0/agents", json=body, headers=headers or api.headers)
    assert response.status_code == 201, response.text
    agent: dict[str, Any] = response.json()
    return agent


async def get(api: Api, agent_id: str) -> dict[str, Any]:
    response = await api.client.get(f"/v1.0/agents/{agent_id}", headers=api.headers)
    assert response.status_code == 200, response.text
    agent: dict[str, Any] = response.json()
    return agent


async def add_tag(api: Api, headers: Headers, name: str = "vip") -> str:
    response = await api.client.post("/v1.0/tags", json={"name": name}, headers=headers)
    assert response.status_code == 201, response.text
    tag_id: str = response.json()["id"]
    return tag_id


async def token_of(api: Api, username: str, password: str = PASSWORD) -> str:
    response = await login(api, username, password)
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


def assert_bad_field(response: httpx.Response, field: str, http_status: int = 400) -> None:
    reason = "INVALID_ARGUMENT" if http_status == 400 else "UNPROCESSABLE_ENTITY"
    error = assert_error(response, http_status, "INVALID_ARGUMENT", reason)
    assert fields_of(error) == [field], response.text


# -- create and read --------------------------------------------------------------------------


async def test_create_answers_201_with_the_agent(api: Api) -> None:
    tag_id = await add_tag(api, api.headers)
    response = await api.client.post(
        "/v1.0/agents",
        json={
            "username": "alice@example.com",
            "password": PASSWORD,
            "name": "Alice",
            "detail": "support",
            "ring_method": "linear",
            "permission": MANAGER,
            "tag_ids": [tag_id.upper(), tag_id],
            "addresses": [
                {"type": "tel", "target": "+15551234567"},
                {"type": "sip", "target": "sip:alice@example.com", "name": "desk"},
            ],
        },
        headers=api.headers,
    )
    assert response.status_code == 201, response.text
    agent = response.json()
    assert set(agent) == FIELDS
    assert response.headers["location"] == f"/v1.0/agents/{agent['id']}"
    assert uuid.UUID(agent["id"]).version == 4
    own = (await api.client.get("/v1.0/customer", headers=api.headers)).json()["id"]
    assert agent["customer_id"] == own
    assert (agent["username"], agent["name"], agent["detail"]) == (
        "alice@example.com",
        "Alice",
        "support",
    )
    assert (agent["ring_method"], agent["permission"], agent["status"]) == ("linear", 64, "offline")
    assert agent["tag_ids"] == [tag_id]
    assert agent["addresses"] == [
        {"type": "tel", "target": "+15551234567", "target_name": "", "name": "", "detail": ""},
        {
            "type": "sip",
            "target": "alice@example.com",
            "target_name": "",
            "name": "desk",
            "detail": "",
        },
    ]
    assert agent["tm_update"] == agent["tm_create"]
    assert agent["tm_delete"] == SENTINEL_TEXT
    assert await get(api, agent["id"]) == agent
    response = await api.client.get(f"/v1.0/agents/{uuid.uuid4()}", headers=api.headers)
    assert_error(response, 404, "NOT_FOUND", "AGENT_NOT_FOUND")


async def test_defaults(api: Api) -> None:
    agent = await create(api, username="bob@example.com")
    assert (agent["name"], agent["detail"], agent["ring_method"]) == ("", "", "ringall")
    assert (agent["permission"], agent["status"]) == (AGENT, "offline")
    assert (agent["tag_ids"], agent["addresses"]) == ([], [])


async def test_the_password_is_stored_as_argon2_and_shown_nowhere(api: Api) -> None:
    agent = await create(api, username="carol@example.com", permission=ADMIN)
    row = await api.state.identity.agents.find(("password_hash",), {"id": agent["id"]})
    assert row is not None
    stored = str(row[0])
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored

    headers = bearer(await token_of(api, "carol@example.com"))
    path = f"/v1.0/agents/{agent['id']}"
    responses = [
        await api.client.get(path, headers=api.headers),
        await api.client.get("/v1.0/agents", headers=api.headers),
        await api.client.get("/v1.0/agents", params={"deleted": "all"}, headers=api.headers),
        await api.client.get("/v1.0/me", headers=headers),
        await api.client.put(path, json={"name": "Carol"}, headers=headers),
        await api.client.put(f"{path}/status", json={"status": "away"}, headers=headers),
        await api.client.put(f"{path}/password", json={"password": "x" * 12}, headers=headers),
    ]
    for response in responses:
        assert response.status_code == 200, response.text
        assert "password" not in response.text
        assert "argon2" not in response.text
        assert PASSWORD not in response.text


async def test_a_username_must_be_an_email(api: Api) -> None:
    for username in ("bob", "bob@", "@example.com", "bob@localhost", "bob example@x.com", "a@b"):
        response = await api.client.post(
            "/v1.0/agents", json={"username": username, "password": PASSWORD}, headers=api.headers
        )
        assert_bad_field(response, "username")
    listed = await api.client.get("/v1.0/agents", headers=api.headers)
    assert [a["username"] for a in listed.json()["result"]] == [ADMIN_USERNAME]


async def test_a_live_username_is_unique_and_deletion_frees_it(api: Api) -> None:
    first = await create(api, username="dup@example.com")
    response = await api.client.post(
        "/v1.0/agents",
        json={"username": "dup@example.com", "password": PASSWORD},
        headers=api.headers,
    )
    error = assert_error(response, 409, "ALREADY_EXISTS", "AGENT_ALREADY_EXISTS")
    assert fields_of(error) == ["username"]

    # Another customer's admin cannot take it either: usernames are global logins.
    other = await add_agent(api, permission=ADMIN)
    response = await api.client.post(
        "/v1.0/agents",
        json={"username": "dup@example.com", "password": PASSWORD},
        headers=other.headers,
    )
    assert_error(response, 409, "ALREADY_EXISTS", "AGENT_ALREADY_EXISTS")

    deleted = await api.client.delete(f"/v1.0/agents/{first['id']}", headers=api.headers)
    assert deleted.status_code == 204
    second = await create(api, username="dup@example.com", password="second-password")
    assert second["id"] != first["id"]
    assert (await login(api, "dup@example.com", "second-password")).status_code == 200
    assert_error(
        await login(api, "dup@example.com", PASSWORD), 401, "UNAUTHENTICATED", "INVALID_CREDENTIALS"
    )


async def test_bad_addresses_are_400_naming_the_field(api: Api) -> None:
    agent = await create(api)
    cases: list[tuple[list[dict[str, Any]], str]] = [
        ([{"type": "tel", "target": "5551234567"}], "addresses[0].target"),
        ([{"type": "tel", "target": "+1 555 123 4567"}], "addresses[0].target"),
        ([{"type": "fax", "target": "+15551234567"}], "addresses[0].type"),
        (
            [{"type": "tel", "target": "+15551234567"}, {"type": "email", "target": "x"}],
            "addresses[1].target",
        ),
        ([{"type": "tel"}], "addresses[0].target"),
        ([{"type": "tel", "target": 15551234567}], "addresses[0].target"),
    ]
    for addresses, field in cases:
        response = await api.client.post(
            "/v1.0/agents",
            json={"username": "x@example.com", "password": PASSWORD, "addresses": addresses},
            headers=api.headers,
        )
        assert_bad_field(response, field)
        response = await api.client.put(
            f"/v1.0/agents/{agent['id']}/addresses",
            json={"addresses": addresses},
            headers=api.headers,
        )
        assert_bad_field(response, field)
    assert (await get(api, agent["id"]))["addresses"] == []


async def test_tag_ids_must_be_live_tags_of_the_same_customer(api: Api) -> None:
    live = await add_tag(api, api.headers, "live")
    gone = await add_tag(api, api.headers, "gone")
    assert (await api.client.delete(f"/v1.0/tags/{gone}", headers=api.headers)).status_code == 204
    other = await add_agent(api, permission=ADMIN)
    foreign = await add_tag(api, other.headers, "theirs")
    agent = await create(api, tag_ids=[live])

    for bad in (gone, foreign, str(uuid.uuid4())):
        response = await api.client.post(
            "/v1.0/agents",
            json={"username": "t@example.com", "password": PASSWORD, "tag_ids": [live, bad]},
            headers=api.headers,
        )
        assert_bad_field(response, "tag_ids", 422)
        assert bad in response.text
        response = await api.client.put(
            f"/v1.0/agents/{agent['id']}/tag_ids", json={"tag_ids": [bad]}, headers=api.headers
        )
        assert_bad_field(response, "tag_ids", 422)
    assert (await get(api, agent["id"]))["tag_ids"] == [live]
    # The other customer's admin can use their own tag, not ours.
    theirs = await create(api, other.headers, tag_ids=[foreign])
    assert theirs["tag_ids"] == [foreign]
    response = await api.client.post(
        "/v1.0/agents",
        json={"username": "u@example.com", "password": PASSWORD, "tag_ids": [live]},
        headers=other.headers,
    )
    assert_bad_field(response, "tag_ids", 422)
    # Tags must be the agent's customer's, even when a super-admin sets them.
    response = await api.client.put(
        f"/v1.0/agents/{theirs['id']}/tag_ids", json={"tag_ids": [live]}, headers=api.headers
    )
    assert_bad_field(response, "tag_ids", 422)
    response = await api.client.put(
        f"/v1.0/agents/{theirs['id']}/tag_ids", json={"tag_ids": []}, headers=api.headers
    )
    assert response.status_code == 200, response.text


async def test_unknown_enum_values_and_permission_bits_are_400(api: Api) -> None:
    agent = await create(api)
    path = f"/v1.0/agents/{agent['id']}"
    base = {"username": "e@example.com", "password": PASSWORD}
    for body, field in (
        ({**base, "ring_method": "roundrobin"}, "ring_method"),
        ({**base, "ring_method": "RINGALL"}, "ring_method"),
        *(({**base, "permission": bits}, "permission") for bits in (2, 8, 100, 127, 128, -1)),
    ):
        assert_bad_field(
            await api.client.post("/v1.0/agents", json=body, headers=api.headers), field
        )
    for status in ("lunch", "Available", None):
        response = await api.client.put(
            f"{path}/status", json={"status": status}, headers=api.headers
        )
        assert_bad_field(response, "status")
    for bits in (2, 4, 48 + 8, 255):
        response = await api.client.put(
            f"{path}/permission", json={"permission": bits}, headers=api.headers
        )
        assert_bad_field(response, "permission")
    response = await api.client.put(path, json={"ring_method": "random"}, headers=api.headers)
    assert_bad_field(response, "ring_method")
    assert await get(api, agent["id"]) == agent


async def test_wrong_json_types_are_400_naming_the_field(api: Api) -> None:
    base = {"username": "w@example.com", "password": PASSWORD}
    for override, field in (
        ({"username": 5}, "username"),
        ({"password": 12345678}, "password"),
        ({"password": "short"}, "password"),
        ({"name": 1}, "name"),
        ({"detail": {"a": 1}}, "detail"),
        ({"permission": "16"}, "permission"),
        ({"permission": 16.5}, "permission"),
        ({"ring_method": 1}, "ring_method"),
        ({"tag_ids": "x"}, "tag_ids"),
        ({"tag_ids": ["not-a-uuid"]}, "tag_ids[0]"),
        ({"addresses": {}}, "addresses"),
        ({"addresses": ["+15551234567"]}, "addresses[0]"),
    ):
        response = await api.client.post(
            "/v1.0/agents", json={**base, **override}, headers=api.headers
        )
        assert_bad_field(response, field)
    response = await api.client.post(
        "/v1.0/agents", json={"username": "w@example.com"}, headers=api.headers
    )
    assert_bad_field(response, "password")

    agent = await create(api)
    path = f"/v1.0/agents/{agent['id']}"
    for action, body, field in (
        ("addresses", {"addresses": None}, "addresses"),
        ("addresses", {}, "addresses"),
        ("tag_ids", {"tag_ids": [1]}, "tag_ids[0]"),
        ("permission", {"permission": "admin"}, "permission"),
        ("status", {"status": 1}, "status"),
        ("password", {"password": None}, "password"),
        ("password", {"password": "1234567"}, "password"),
    ):
        response = await api.client.put(f"{path}/{action}", json=body, headers=api.headers)
        assert_bad_field(response, field)
    assert await get(api, agent["id"]) == agent


async def test_a_super_admin_creates_agents_for_another_customer(api: Api) -> None:
    other = await add_agent(api, permission=ADMIN)
    their_tag = await add_tag(api, other.headers, "theirs")
    agent = await create(api, customer_id=other.customer_id, tag_ids=[their_tag])
    assert (agent["customer_id"], agent["tag_ids"]) == (other.customer_id, [their_tag])
    response = await api.client.get(
        "/v1.0/agents", params={"customer_id": other.customer_id}, headers=api.headers
    )
    assert agent["id"] in [a["id"] for a in response.json()["result"]]

    gone = await add_agent(api, permission=ADMIN)
    response = await api.client.delete(f"/v1.0/customers/{gone.customer_id}", headers=api.headers)
    assert response.status_code == 204
    for customer_id in (str(uuid.uuid4()), gone.customer_id):
        response = await api.client.post(
            "/v1.0/agents",
            json={"username": "n@example.com", "password": PASSWORD, "customer_id": customer_id},
            headers=api.headers,
        )
        assert_bad_field(response, "customer_id", 422)


async def test_anyone_elses_customer_id_in_the_body_is_ignored(api: Api) -> None:
    admin = await add_agent(api, permission=ADMIN)
    victim = await add_agent(api, permission=ADMIN)
    agent = await create(api, admin.headers, customer_id=victim.customer_id)
    assert agent["customer_id"] == admin.customer_id
    response = await api.client.get("/v1.0/agents", headers=victim.headers)
    assert [a["id"] for a in response.json()["result"]] == [victim.id]


# -- actions ----------------------------------------------------------------------------------


async def test_each_action_changes_the_agent(api: Api) -> None:
    tag_a = await add_tag(api, api.headers, "a")
    tag_b = await add_tag(api, api.headers, "b")
    agent = await create(api, username="act@example.com", tag_ids=[tag_a])
    path = f"/v1.0/agents/{agent['id']}"

    async def put(action: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await api.client.put(f"{path}/{action}", json=body, headers=api.headers)
        assert response.status_code == 200, (action, response.text)
        changed: dict[str, Any] = response.json()
        assert set(changed) == FIELDS
        assert changed["tm_update"] > changed["tm_create"]
        assert await get(api, agent["id"]) == changed
        return changed

    addresses = [
        {"type": "extension", "target": "2001", "target_name": "desk"},
        {"type": "agent", "target": agent["id"].upper()},
    ]
    changed = await put("addresses", {"addresses": addresses})
    assert changed["addresses"] == [
        {"type": "extension", "target": "2001", "target_name": "desk", "name": "", "detail": ""},
        {"type": "agent", "target": agent["id"], "target_name": "", "name": "", "detail": ""},
    ]
    assert all(set(a) == ADDRESS_KEYS for a in changed["addresses"])
    assert (await put("addresses", {"addresses": []}))["addresses"] == []

    assert (await put("tag_ids", {"tag_ids": [tag_b, tag_a]}))["tag_ids"] == [tag_b, tag_a]
    assert (await put("tag_ids", {"tag_ids": []}))["tag_ids"] == []

    assert (await put("permission", {"permission": ADMIN | MANAGER}))["permission"] == 96
    assert (await put("status", {"status": "available"}))["status"] == "available"
    assert (await put("status", {"status": ""}))["status"] == ""

    changed = await put("password", {"password": "a brand new password"})
    assert changed["username"] == "act@example.com"
    response = await login(api, "act@example.com", PASSWORD)
    assert_error(response, 401, "UNAUTHENTICATED", "INVALID_CREDENTIALS")
    new = bearer(await token_of(api, "act@example.com", "a brand new password"))
    assert (await api.client.get("/v1.0/me", headers=new)).json()["id"] == agent["id"]


async def test_an_agent_changes_their_own_password(api: Api) -> None:
    agent = await add_agent(api, permission=AGENT)
    response = await api.client.put(
        f"/v1.0/agents/{agent.id}/password",
        json={"password": "mine-and-new"},
        headers=agent.headers,
    )
    assert response.status_code == 200, response.text
    assert (await login(api, agent.username, "mine-and-new")).status_code == 200
    assert (await login(api, agent.username, agent.password)).status_code == 401


async def test_put_changes_the_sent_fields_only(api: Api) -> None:
    agent = await create(api, name="Before", detail="d", permission=MANAGER)
    response = await api.client.put(
        f"/v1.0/agents/{agent['id']}",
        json={"name": "After", "ring_method": "linear"},
        headers=api.headers,
    )
    assert response.status_code == 200, response.text
    changed = response.json()
    assert (changed["name"], changed["detail"], changed["ring_method"]) == ("After", "d", "linear")
    assert (changed["permission"], changed["username"]) == (MANAGER, agent["username"])


async def test_put_refuses_the_fields_it_cannot_change(api: Api) -> None:
    agent = await create(api, name="Before", permission=MANAGER)
    for field, value in (("permission", ADMIN), ("username", "z@x.io")):
        response = await api.client.put(
            f"/v1.0/agents/{agent['id']}", json={"name": "After", field: value}, headers=api.headers
        )
        error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
        assert error["details"] == [
            {
                "field": field,
                "description": "unknown field; known fields: detail, name, ring_method",
            }
        ]
    response = await api.client.get(f"/v1.0/agents/{agent['id']}", headers=api.headers)
    assert (response.json()["name"], response.json()["permission"]) == ("Before", MANAGER)


async def test_writes_to_a_deleted_agent_are_409(api: Api) -> None:
    tag_id = await add_tag(api, api.headers)
    agent = await create(api)
    path = f"/v1.0/agents/{agent['id']}"
    assert (await api.client.delete(path, headers=api.headers)).status_code == 204
    deleted = await get(api, agent["id"])
    assert deleted["tm_delete"] != SENTINEL_TEXT

    for action, body in (
        ("addresses", {"addresses": [{"type": "tel", "target": "+15551234567"}]}),
        ("tag_ids", {"tag_ids": [tag_id]}),
        ("permission", {"permission": ADMIN}),
        ("status", {"status": "available"}),
        ("password", {"password": "resurrected!"}),
    ):
        response = await api.client.put(f"{path}/{action}", json=body, headers=api.headers)
        assert response.status_code == 409, (action, response.text)
        assert_error(response, 409, "FAILED_PRECONDITION", "AGENT_STATE_INVALID")
    response = await api.client.put(path, json={"name": "x"}, headers=api.headers)
    assert_error(response, 409, "FAILED_PRECONDITION", "AGENT_STATE_INVALID")
    assert (await api.client.delete(path, headers=api.headers)).status_code == 204
    assert await get(api, agent["id"]) == deleted
    response = await login(api, agent["username"], "resurrected!")
    assert_error(response, 401, "UNAUTHENTICATED", "INVALID_CREDENTIALS")


# -- /v1.0/me ---------------------------------------------------------------------------------


async def test_me_is_the_caller(api: Api) -> None:
    response = await api.client.get("/v1.0/me", headers=api.headers)
    assert response.status_code == 200, response.text
    me = response.json()
    assert set(me) == FIELDS
    assert (me["username"], me["permission"]) == (ADMIN_USERNAME, 1)

    for permission in (ADMIN, MANAGER, AGENT):
        agent = await add_agent(api, permission=permission)
        response = await api.client.get("/v1.0/me", headers=agent.headers)
        assert response.status_code == 200, response.text
        assert response.json() == await get(api, agent.id)


async def test_me_with_an_access_key_is_404_pointing_to_the_customer(api: Api) -> None:
    key = await add_accesskey(api)
    for response in (
        await api.client.get("/v1.0/me", headers=bearer(key["token"])),
        await api.client.get("/v1.0/me", params={"accesskey": key["token"]}),
    ):
        error = assert_error(response, 404, "NOT_FOUND", "AGENT_NOT_FOUND")
        assert "access key is not an agent" in error["message"]
        assert "/v1.0/customer" in error["message"]
    # Where it points: the key's customer, which the key acts for as its admin.
    customer = await api.client.get("/v1.0/customer", headers=bearer(key["token"]))
    assert customer.status_code == 200, customer.text
    assert customer.json()["id"] == key["customer_id"]


async def test_me_answers_only_get(api: Api) -> None:
    for method in ("PUT", "POST", "DELETE"):
        response = await api.client.request(method, "/v1.0/me", headers=api.headers)
        error = assert_error(response, 405, "NOT_FOUND", "METHOD_NOT_ALLOWED")
        assert error["details"] == []
        assert "GET" in response.headers["allow"]
    assert_error(
        await api.client.get("/v1.0/me"), 401, "UNAUTHENTICATED", "AUTHENTICATION_REQUIRED"
    )


# -- revocation, seen by another server process ---------------------------------------------


async def test_a_deleted_or_demoted_agent_loses_access_within_five_seconds(
    start_app: StartApp,
) -> None:
    # Two apps on one database, both with the default principal cache: the second is another
    # server process, which hears of nothing and must re-read the agent.
    here = await start_app(auth_cache_seconds=2.0)
    there = await start_app(auth_cache_seconds=2.0)
    deleted = await add_agent(here, permission=ADMIN)
    demoted = await add_agent(here, permission=ADMIN)
    for app in (here, there):
        for agent in (deleted, demoted):
            response = await app.client.post(
                "/v1.0/tags", json={"name": "t"}, headers=agent.headers
            )
            assert response.status_code == 201, response.text

    response = await here.client.delete(f"/v1.0/agents/{deleted.id}", headers=here.headers)
    assert response.status_code == 204
    response = await here.client.put(
        f"/v1.0/agents/{demoted.id}/permission", json={"permission": AGENT}, headers=here.headers
    )
    assert response.status_code == 200, response.text
    changed = time.monotonic()

    # The app that made the change applies it at once.
    response = await here.client.get("/v1.0/tags", headers=deleted.headers)
    assert_error(response, 401, "UNAUTHENTICATED", "INVALID_CREDENTIALS")
    response = await here.client.post("/v1.0/tags", json={"name": "t"}, headers=demoted.headers)
    assert_error(response, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")

    refused: dict[str, int] = {}
    while len(refused) < 2 and time.monotonic() - changed < 5.0:
        if "deleted" not in refused:
            response = await there.client.get("/v1.0/tags", headers=deleted.headers)
            if response.status_code != 200:
                assert_error(response, 401, "UNAUTHENTICATED", "INVALID_CREDENTIALS")
                refused["deleted"] = response.status_code
        if "demoted" not in refused:
            response = await there.client.post(
                "/v1.0/tags", json={"name": "t"}, headers=demoted.headers
            )
            if response.status_code != 201:
                assert_error(response, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")
                refused["demoted"] = response.status_code
        await anyio.sleep(0.1)
    assert refused == {"deleted": 401, "demoted": 403}, "still allowed five seconds later"
    # The demoted agent keeps what an agent may do.
    response = await there.client.get("/v1.0/me", headers=demoted.headers)
    assert response.status_code == 200, response.text
    assert response.json()["permission"] == AGENT


async def test_usernames_are_one_agent_whatever_their_case(api: Api) -> None:
    created = await api.client.post(
        "/v1.0/agents",
        json={"username": "Mixed.Case@Example.COM", "password": "password-1"},
        headers=api.headers,
    )
    duplicate = await api.client.post(
        "/v1.0/agents",
        json={"username": "mixed.case@example.com", "password": "password-2"},
        headers=api.headers,
    )
    logged_in = await api.client.post(
        "/auth/login", json={"username": "MIXED.case@example.com", "password": "password-1"}
    )

    assert created.status_code == 201
    assert created.json()["username"] == "mixed.case@example.com"
    assert_error(duplicate, 409, "ALREADY_EXISTS", "AGENT_ALREADY_EXISTS")
    assert logged_in.status_code == 200


async def test_an_agent_address_must_name_a_live_agent_of_the_customer(api: Api) -> None:
    other = await add_agent(api, permission=16)
    me = (await api.client.get("/v1.0/me", headers=api.headers)).json()
    cases = {
        "00000000-0000-0000-0000-00000000abcd": 422,
        other.id: 422,  # another customer's agent
        me["id"]: 201,
    }
    for target, status in cases.items():
        response = await api.client.post(
            "/v1.0/agents",
            json={
                "username": f"a{status}{target[-4:]}@example.com",
                "password": "password-1",
                "addresses": [{"type": "agent", "target": target}],
            },
            headers=api.headers,
        )
        assert response.status_code == status, (target, response.text)
        if status == 422:
            error = assert_error(response, 422, "INVALID_ARGUMENT", "UNPROCESSABLE_ENTITY")
            assert fields_of(error) == ["addresses[0].target"]


async def test_agent_addresses_are_checked_in_one_query_naming_the_first_bad_one(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    me = (await api.client.get("/v1.0/me", headers=api.headers)).json()
    repository = api.state.services["agent"].repository
    calls: list[int] = []
    live_ids = repository.live_ids

    async def counted(ids: Sequence[str], customer_id: str | None = None) -> set[str]:
        calls.append(len(ids))
        return await live_ids(ids, customer_id)

    monkeypatch.setattr(repository, "live_ids", counted)
    unknown = [str(uuid.uuid4()) for _ in range(3)]
    good = [{"type": "agent", "target": me["id"]} for _ in range(20)]
    tel = {"type": "tel", "target": "+15551234567"}
    addresses = [*good, tel, {"type": "agent", "target": unknown[0]}, tel]
    addresses += [{"type": "agent", "target": u} for u in unknown]

    bad = await api.client.put(
        f"/v1.0/agents/{me['id']}/addresses", json={"addresses": addresses}, headers=api.headers
    )
    checked = len(calls)
    ok = await api.client.put(
        f"/v1.0/agents/{me['id']}/addresses", json={"addresses": [*good, tel]}, headers=api.headers
    )

    error = assert_error(bad, 422, "INVALID_ARGUMENT", "UNPROCESSABLE_ENTITY")
    assert fields_of(error) == ["addresses[21].target"]
    assert checked == 1
    assert calls == [4, 1]  # distinct ids, one query per request
    assert ok.status_code == 200, ok.text
    assert len(ok.json()["addresses"]) == 21


async def test_the_tag_ids_filter_lists_agents_holding_any_of_the_tags(api: Api) -> None:
    sales, support, other = [await add_tag(api, api.headers, n) for n in ("s", "t", "o")]
    both = await create(api, tag_ids=[sales, support])
    only_sales = await create(api, tag_ids=[sales])
    only_support = await create(api, tag_ids=[support])
    await create(api, tag_ids=[other])
    await create(api)

    async def listed(tag_ids: str) -> set[str]:
        response = await api.client.get(f"/v1.0/agents?tag_ids={tag_ids}", headers=api.headers)
        assert response.status_code == 200, response.text
        return {a["id"] for a in response.json()["result"]}

    assert await listed(sales) == {both["id"], only_sales["id"]}
    assert await listed(f"{sales},{support.upper()}") == {
        both["id"],
        only_sales["id"],
        only_support["id"],
    }
    assert await listed(str(uuid.uuid4())) == set()
    # The statement does not depend on how many ids are asked for.
    assert await listed(",".join([sales, *(str(uuid.uuid4()) for _ in range(99))])) == {
        both["id"],
        only_sales["id"],
    }


async def test_the_tag_ids_filter_takes_at_most_100_ids(api: Api) -> None:
    ids = ",".join(str(uuid.uuid4()) for _ in range(101))
    response = await api.client.get(f"/v1.0/agents?tag_ids={ids}", headers=api.headers)
    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_REQUEST_PARAMETER")
    assert fields_of(error) == ["tag_ids"]
    response = await api.client.get("/v1.0/agents?tag_ids=,", headers=api.headers)
    assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_REQUEST_PARAMETER")
