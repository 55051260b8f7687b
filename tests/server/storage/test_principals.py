"""Authentication reads storage once per credential: the agent or access key joined with its
live customer, in one statement; a credential of a deleted customer is not found; and the
whole authentication has one deadline, so a stalled database is a 503 after one timeout."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import anyio
import pytest

from tests.server.conftest import (
    Api,
    StartApp,
    add_accesskey,
    add_agent,
    add_customer,
    assert_error,
    bearer,
    login,
)
from voipbin.common.permissions import Permission
from voipbin.server.storage.database import Compiled, Database, Row


class Counted:
    """Counts the statements a database runs (every kind of call)."""

    def __init__(self, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        for name in ("fetch", "fetchrow", "execute"):
            monkeypatch.setattr(db, name, self._counting(getattr(db, name)))

    def _counting(self, call: Any) -> Any:
        async def counted(statement: Compiled, params: Mapping[str, Any]) -> Row | None:
            self.calls += 1
            result: Row | None = await call(statement, params)
            return result

        return counted


async def test_an_agents_principal_loads_with_one_statement(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    agent = await add_agent(api, permission=int(Permission.CUSTOMER_ADMIN))
    token = agent.headers["Authorization"].removeprefix("Bearer ")
    counted = Counted(api.state.db, monkeypatch)

    principal = await api.state.identity.authenticate(token)

    assert counted.calls == 1
    assert (principal.agent_id, principal.customer_id) == (agent.id, agent.customer_id)
    assert principal.permission == Permission.CUSTOMER_ADMIN
    assert principal.credential_id == agent.id


async def test_an_access_keys_principal_loads_with_one_statement(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer_id = await add_customer(api)
    key = await add_accesskey(api, customer_id=customer_id)
    counted = Counted(api.state.db, monkeypatch)

    principal = await api.state.identity.authenticate(key["token"])

    assert counted.calls == 1
    assert principal.customer_id == customer_id
    assert principal.permission == Permission.CUSTOMER_ADMIN
    assert principal.credential_id == key["id"]
    assert not principal.is_agent


async def test_a_login_reads_the_agent_and_its_customer_with_one_statement(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    agent = await add_agent(api, permission=int(Permission.CUSTOMER_AGENT))
    counted = Counted(api.state.db, monkeypatch)

    response = await login(api, agent.username, agent.password)

    assert response.status_code == 200, response.text
    assert counted.calls == 1


async def test_a_deleted_customers_agents_and_keys_are_refused(api: Api) -> None:
    agent = await add_agent(api, permission=int(Permission.CUSTOMER_ADMIN))
    key = await add_accesskey(api, customer_id=agent.customer_id)
    for headers in (agent.headers, bearer(key["token"])):
        assert (await api.client.get("/v1.0/tags", headers=headers)).status_code == 200

    assert await api.state.identity.customers.soft_delete(agent.customer_id)

    for headers in (agent.headers, bearer(key["token"])):
        response = await api.client.get("/v1.0/tags", headers=headers)
        assert_error(response, 401, "UNAUTHENTICATED", "INVALID_CREDENTIALS")
    response = await login(api, agent.username, agent.password)
    assert_error(response, 401, "UNAUTHENTICATED", "INVALID_CREDENTIALS")
    assert await api.state.identity.principals.agent(agent.id) is None


async def test_the_super_admin_count_sees_only_live_ones_of_live_customers(api: Api) -> None:
    principals = api.state.identity.principals
    assert await principals.super_admins() == 1  # the first start's
    other = await add_agent(api, permission=int(Permission.PROJECT_SUPER_ADMIN) | 32)
    await add_agent(api, permission=int(Permission.CUSTOMER_ADMIN | Permission.CUSTOMER_MANAGER))
    assert await principals.super_admins() == 2
    assert await api.state.identity.customers.soft_delete(other.customer_id)
    assert await principals.super_admins() == 1


async def test_a_stalled_database_fails_authentication_after_one_timeout(
    start_app: StartApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = await start_app(database_timeout=0.3)
    key = await add_accesskey(api)
    identity = api.state.identity

    async def stalled(*args: Any) -> None:
        await asyncio.Event().wait()  # a database that never answers

    monkeypatch.setattr(identity.principals, "agent", stalled)
    monkeypatch.setattr(identity.principals, "accesskey", stalled)
    for headers in (api.headers, bearer(key["token"])):
        with anyio.fail_after(2):
            response = await api.client.get("/v1.0/tags", headers=headers)
        assert_error(response, 503, "UNAVAILABLE", "REQUEST_TIMEOUT")
