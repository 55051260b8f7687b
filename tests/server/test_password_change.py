"""A password change ends the agent's earlier logins: tokens issued before it are refused
(after at most the auth cache time, as a deletion), logins made after it work, and nothing
else about the agent (its status, its other fields) ends a login."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import anyio
import jwt

from tests.server.conftest import (
    Agent,
    Api,
    StartApp,
    add_agent,
    assert_error,
    bearer,
    login,
)
from tests.server.conftest import test_settings as settings_for
from voipbin.common.permissions import Permission

SECRET = settings_for("sqlite:///unused").jwt_secret
NEW_PASSWORD = "a-new-password"


async def change_password(api: Api, agent: Agent, headers: dict[str, str]) -> None:
    response = await api.client.put(
        f"/v1.0/agents/{agent.id}/password", json={"password": NEW_PASSWORD}, headers=headers
    )
    assert response.status_code == 200, response.text
    assert "password" not in response.json()


async def assert_refused(api: Api, headers: dict[str, str]) -> None:
    response = await api.client.get("/v1.0/me", headers=headers)
    assert_error(response, 401, "UNAUTHENTICATED", "INVALID_CREDENTIALS")


async def test_a_password_change_ends_earlier_logins_and_a_new_login_works(api: Api) -> None:
    agent = await add_agent(api, permission=int(Permission.CUSTOMER_AGENT))
    second = await login(api, agent.username, agent.password)
    assert second.status_code == 200

    await change_password(api, agent, agent.headers)  # the agent, on itself

    await assert_refused(api, agent.headers)
    await assert_refused(api, bearer(second.json()["token"]))
    assert_error(
        await login(api, agent.username, agent.password),
        401,
        "UNAUTHENTICATED",
        "INVALID_CREDENTIALS",
    )
    fresh = await login(api, agent.username, NEW_PASSWORD)
    assert fresh.status_code == 200, fresh.text
    me = await api.client.get("/v1.0/me", headers=bearer(fresh.json()["token"]))
    assert me.status_code == 200, me.text
    assert me.json()["id"] == agent.id


async def test_a_password_set_by_an_admin_ends_the_agents_logins_only(api: Api) -> None:
    agent = await add_agent(api, permission=int(Permission.CUSTOMER_AGENT))
    colleague = await add_agent(
        api, permission=int(Permission.CUSTOMER_AGENT), customer_id=agent.customer_id
    )

    await change_password(api, agent, api.headers)

    await assert_refused(api, agent.headers)
    for headers in (api.headers, colleague.headers):
        assert (await api.client.get("/v1.0/me", headers=headers)).status_code == 200


async def test_other_changes_to_an_agent_keep_its_logins(api: Api) -> None:
    agent = await add_agent(api, permission=int(Permission.CUSTOMER_AGENT))
    path = f"/v1.0/agents/{agent.id}"
    for method, suffix, body in (
        ("PUT", "", {"name": "renamed", "detail": "changed"}),
        ("PUT", "/status", {"status": "available"}),
        ("PUT", "/addresses", {"addresses": []}),
    ):
        response = await api.client.request(method, path + suffix, json=body, headers=api.headers)
        assert response.status_code == 200, response.text
    me = await api.client.get("/v1.0/me", headers=agent.headers)
    assert me.status_code == 200, me.text
    assert me.json()["name"] == "renamed"


async def test_a_token_from_before_the_generation_claim_works_until_the_password_changes(
    api: Api,
) -> None:
    agent = await add_agent(api, permission=int(Permission.CUSTOMER_AGENT))
    now = datetime.now(UTC)
    claims = {
        "sub": agent.id,
        "customer_id": agent.customer_id,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(days=1)).timestamp()),
    }
    old = bearer(jwt.encode(claims, SECRET, algorithm="HS256"))
    assert (await api.client.get("/v1.0/me", headers=old)).status_code == 200

    await change_password(api, agent, api.headers)

    await assert_refused(api, old)


async def test_a_token_of_another_generation_is_refused(api: Api) -> None:
    agent = await add_agent(api, permission=int(Permission.CUSTOMER_AGENT))
    token = agent.headers["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert claims["gen"] == 0  # the password never changed
    for generation in (1, -1, "0", None, True):
        forged = bearer(jwt.encode({**claims, "gen": generation}, SECRET, algorithm="HS256"))
        await assert_refused(api, forged)


async def test_another_server_process_ends_the_logins_within_its_cache_time(
    start_app: StartApp,
) -> None:
    here = await start_app(auth_cache_seconds=1.0)
    there = await start_app(auth_cache_seconds=1.0)
    agent = await add_agent(here, permission=int(Permission.CUSTOMER_AGENT))
    assert (await there.client.get("/v1.0/me", headers=agent.headers)).status_code == 200

    await change_password(here, agent, here.headers)
    changed = time.monotonic()

    await assert_refused(here, agent.headers)  # the process that changed it: at once
    while time.monotonic() - changed < 3.0:
        response = await there.client.get("/v1.0/me", headers=agent.headers)
        if response.status_code != 200:
            assert_error(response, 401, "UNAUTHENTICATED", "INVALID_CREDENTIALS")
            break
        await anyio.sleep(0.1)
    else:
        raise AssertionError("the old login still worked three seconds after the change")
    fresh = await login(there, agent.username, NEW_PASSWORD)
    assert (await there.client.get("/v1.0/me", headers=bearer(fresh.json()["token"]))).is_success


async def test_the_generation_is_stored_with_the_password(api: Api) -> None:
    agent = await add_agent(api, permission=int(Permission.CUSTOMER_AGENT))
    principals = api.state.identity.principals
    before = await principals.agent(agent.id)
    assert before is not None
    assert before.token_generation == 0

    await change_password(api, agent, api.headers)
    first = await principals.agent(agent.id)
    await change_password(api, agent, api.headers)
    second = await principals.agent(agent.id)

    assert first is not None
    assert second is not None
    assert 0 < first.token_generation < second.token_generation
    assert first.password_hash != before.password_hash
