"""The last super-admin stays: removing bit 1 from, or deleting, the only live super-admin
agent is ``409 AGENT_STATE_INVALID``, whoever asks; with two, one may demote or delete the
other."""

from __future__ import annotations

import httpx

from tests.server.conftest import Api, add_agent, assert_error

SUPER, ADMIN = 1, 32


async def me(api: Api, headers: dict[str, str]) -> dict[str, object]:
    response = await api.client.get("/v1.0/me", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


async def set_permission(
    api: Api, agent_id: str, permission: int, headers: dict[str, str]
) -> httpx.Response:
    return await api.client.put(
        f"/v1.0/agents/{agent_id}/permission", json={"permission": permission}, headers=headers
    )


def assert_last_super_admin(response: httpx.Response) -> None:
    error = assert_error(response, 409, "FAILED_PRECONDITION", "AGENT_STATE_INVALID")
    assert "only super-admin" in error["message"]


async def test_the_only_super_admin_cannot_demote_itself(api: Api) -> None:
    admin = await me(api, api.headers)
    for permission in (0, ADMIN, 16 | 32 | 64):
        assert_last_super_admin(
            await set_permission(api, str(admin["id"]), permission, api.headers)
        )
    assert (await me(api, api.headers))["permission"] == SUPER
    # Adding roles while keeping bit 1 is not a demotion.
    kept = await set_permission(api, str(admin["id"]), SUPER | ADMIN, api.headers)
    assert kept.status_code == 200, kept.text
    assert kept.json()["permission"] == SUPER | ADMIN


async def test_the_only_super_admin_cannot_delete_itself(api: Api) -> None:
    admin = await me(api, api.headers)
    response = await api.client.delete(f"/v1.0/agents/{admin['id']}", headers=api.headers)
    assert_last_super_admin(response)
    assert (await me(api, api.headers))["tm_delete"] == "9999-01-01 00:00:00.000000"


async def test_with_two_super_admins_one_may_demote_the_other_but_not_the_last(api: Api) -> None:
    first = await me(api, api.headers)
    second = await add_agent(api, permission=SUPER)

    demoted = await set_permission(api, str(first["id"]), ADMIN, second.headers)
    assert demoted.status_code == 200, demoted.text
    assert demoted.json()["permission"] == ADMIN

    # Now the second is the only one: neither itself nor anyone may remove it.
    assert_last_super_admin(await set_permission(api, second.id, ADMIN, second.headers))
    response = await api.client.delete(f"/v1.0/agents/{second.id}", headers=second.headers)
    assert_last_super_admin(response)
    assert (await me(api, second.headers))["permission"] == SUPER


async def test_with_two_super_admins_one_may_delete_the_other(api: Api) -> None:
    first = await me(api, api.headers)
    second = await add_agent(api, permission=SUPER)

    response = await api.client.delete(f"/v1.0/agents/{first['id']}", headers=second.headers)
    assert response.status_code == 204, response.text
    # Deleting it again is still the idempotent 204, not a count of the one left.
    response = await api.client.delete(f"/v1.0/agents/{first['id']}", headers=second.headers)
    assert response.status_code == 204, response.text
    response = await api.client.delete(f"/v1.0/agents/{second.id}", headers=second.headers)
    assert_last_super_admin(response)


async def test_a_super_admin_of_a_deleted_customer_does_not_count(api: Api) -> None:
    admin = await me(api, api.headers)
    gone = await add_agent(api, permission=SUPER)
    assert await api.state.identity.customers.soft_delete(gone.customer_id)

    response = await set_permission(api, str(admin["id"]), ADMIN, api.headers)

    assert_last_super_admin(response)
