"""Tags through the HTTP API: the generic resource's create, read, update, soft delete,
tenancy and permissions, seen as a client sees them."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from tests.server.conftest import Agent, Api, StartApp, add_agent, add_customer, assert_error
from voipbin.common.permissions import Permission
from voipbin.common.timestamps import SENTINEL_TEXT, format_timestamp, parse_timestamp

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$")
FIELDS = {"id", "customer_id", "name", "detail", "tm_create", "tm_update", "tm_delete"}
UNUSED_ID = "d9d32881-12fd-4b19-a6b2-6d5b6b6acf76"
ADMIN = int(Permission.CUSTOMER_ADMIN)
MANAGER = int(Permission.CUSTOMER_MANAGER)
AGENT = int(Permission.CUSTOMER_AGENT)


class ManualClock:
    """A wall clock that moves only when told (starting now, so login tokens are valid)."""

    def __init__(self) -> None:
        self.value = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.value

    def advance(self, seconds: float) -> datetime:
        self.value += timedelta(seconds=seconds)
        return self.value


Headers = dict[str, str]


async def create(api: Api, headers: Headers, **body: Any) -> dict[str, Any]:
    response = await api.client.post("/v1.0/tags", json=body, headers=headers)
    assert response.status_code == 201, response.text
    tag: dict[str, Any] = response.json()
    return tag


async def get(api: Api, tag_id: str, headers: Headers | None = None) -> dict[str, Any]:
    response = await api.client.get(f"/v1.0/tags/{tag_id}", headers=headers or api.headers)
    assert response.status_code == 200, response.text
    tag: dict[str, Any] = response.json()
    return tag


async def listed(api: Api, headers: Headers | None = None, **params: str) -> list[dict[str, Any]]:
    response = await api.client.get("/v1.0/tags", params=params, headers=headers or api.headers)
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()["result"]
    return result


def names(tags: list[dict[str, Any]]) -> list[str]:
    return [t["name"] for t in tags]


def own_customer(api: Api) -> str:
    customer_id: str = jwt.decode(api.token, options={"verify_signature": False})["customer_id"]
    return customer_id


# -- create and read --------------------------------------------------------------------------


async def test_create_answers_201_with_the_tag_and_its_location(start_app: StartApp) -> None:
    clock = ManualClock()
    api = await start_app(now=clock)
    response = await api.client.post(
        "/v1.0/tags", json={"name": "vip", "detail": "big spenders"}, headers=api.headers
    )

    assert response.status_code == 201, response.text
    assert response.headers["content-type"] == "application/json"
    tag = response.json()
    assert set(tag) == FIELDS
    assert response.headers["location"] == f"/v1.0/tags/{tag['id']}"
    assert str(uuid.UUID(tag["id"])) == tag["id"]
    assert uuid.UUID(tag["id"]).version == 4
    assert tag["customer_id"] == own_customer(api)
    assert (tag["name"], tag["detail"]) == ("vip", "big spenders")
    for name in ("tm_create", "tm_update", "tm_delete"):
        assert TIMESTAMP.match(tag[name]), tag[name]
    assert tag["tm_update"] == tag["tm_create"]
    assert tag["tm_delete"] == SENTINEL_TEXT
    created = parse_timestamp(tag["tm_create"])
    assert clock.value <= created < clock.value + timedelta(milliseconds=1)


async def test_detail_defaults_to_empty(api: Api) -> None:
    tag = await create(api, api.headers, name="vip")
    assert tag["detail"] == ""


async def test_get_answers_what_create_stored(api: Api) -> None:
    tag = await create(api, api.headers, name="vip", detail="d")
    assert await get(api, tag["id"]) == tag
    assert await get(api, tag["id"].upper()) == tag
    assert await get(api, "{" + tag["id"] + "}") == tag


async def test_a_list_shows_live_tags_newest_first(api: Api) -> None:
    for name in ("a", "b", "c"):
        await create(api, api.headers, name=name)
    response = await api.client.get("/v1.0/tags", headers=api.headers)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"result", "next_page_token"}
    assert names(body["result"]) == ["c", "b", "a"]
    assert body["next_page_token"] == ""
    assert all(set(t) == FIELDS for t in body["result"])


async def test_an_empty_list_is_an_empty_result(api: Api) -> None:
    response = await api.client.get("/v1.0/tags", headers=api.headers)
    assert response.json() == {"result": [], "next_page_token": ""}


async def test_pages_walk_every_tag_once(api: Api) -> None:
    made = [(await create(api, api.headers, name=f"t{i}"))["name"] for i in range(5)]
    seen: list[str] = []
    token = ""
    for _ in range(5):
        params = {"page_size": "2", **({"page_token": token} if token else {})}
        response = await api.client.get("/v1.0/tags", params=params, headers=api.headers)
        page = response.json()
        assert len(page["result"]) <= 2
        seen += names(page["result"])
        token = page["next_page_token"]
        if not token:
            break
        assert token == page["result"][-1]["tm_create"]
    assert seen == made[::-1]


async def test_a_page_size_over_100_is_clamped(api: Api) -> None:
    await create(api, api.headers, name="a")
    assert names(await listed(api, page_size="1000")) == ["a"]


# -- update -----------------------------------------------------------------------------------


async def test_update_changes_the_given_field_and_keeps_the_other(start_app: StartApp) -> None:
    clock = ManualClock()
    api = await start_app(now=clock)
    tag = await create(api, api.headers, name="vip", detail="old detail")

    moved = clock.advance(5)
    response = await api.client.put(
        f"/v1.0/tags/{tag['id']}", json={"name": "gold"}, headers=api.headers
    )
    assert response.status_code == 200, response.text
    renamed = response.json()
    assert (renamed["name"], renamed["detail"]) == ("gold", "old detail")
    assert renamed["tm_update"] == format_timestamp(moved)
    assert (renamed["tm_create"], renamed["tm_delete"]) == (tag["tm_create"], SENTINEL_TEXT)

    clock.advance(5)
    response = await api.client.put(
        f"/v1.0/tags/{tag['id']}", json={"detail": "new detail"}, headers=api.headers
    )
    redetailed = response.json()
    assert (redetailed["name"], redetailed["detail"]) == ("gold", "new detail")
    assert redetailed["tm_update"] > renamed["tm_update"]
    assert await get(api, tag["id"]) == redetailed


async def test_an_empty_update_changes_nothing(api: Api) -> None:
    tag = await create(api, api.headers, name="vip")
    response = await api.client.put(f"/v1.0/tags/{tag['id']}", json={}, headers=api.headers)
    assert response.status_code == 200, response.text
    assert response.json() == tag
    assert await get(api, tag["id"]) == tag


async def test_an_empty_or_too_long_name_is_400_naming_it(api: Api) -> None:
    tag = await create(api, api.headers, name="vip")
    for name in ("", "x" * 256):
        created = await api.client.post("/v1.0/tags", json={"name": name}, headers=api.headers)
        error = assert_error(created, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
        assert [d["field"] for d in error["details"]] == ["name"]

        updated = await api.client.put(
            f"/v1.0/tags/{tag['id']}", json={"name": name}, headers=api.headers
        )
        error = assert_error(updated, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
        assert [d["field"] for d in error["details"]] == ["name"]
    assert await listed(api) == [tag]


async def test_a_name_of_255_characters_is_kept_whole(api: Api) -> None:
    name = "é" * 255
    tag = await create(api, api.headers, name=name)
    assert (await get(api, tag["id"]))["name"] == name


async def test_a_detail_over_4096_characters_is_400_naming_it(api: Api) -> None:
    response = await api.client.post(
        "/v1.0/tags", json={"name": "vip", "detail": "x" * 4097}, headers=api.headers
    )
    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    assert [d["field"] for d in error["details"]] == ["detail"]


# -- delete -----------------------------------------------------------------------------------


async def test_delete_is_soft_and_idempotent(start_app: StartApp) -> None:
    clock = ManualClock()
    api = await start_app(now=clock)
    kept = await create(api, api.headers, name="kept")
    tag = await create(api, api.headers, name="gone")

    deleted_at = clock.advance(3)
    response = await api.client.delete(f"/v1.0/tags/{tag['id']}", headers=api.headers)
    assert response.status_code == 204
    assert response.content == b""

    gone = await get(api, tag["id"])
    assert gone["tm_delete"] == format_timestamp(deleted_at)
    assert gone["tm_update"] == gone["tm_delete"]
    assert {k: v for k, v in gone.items() if k not in ("tm_update", "tm_delete")} == {
        k: v for k, v in tag.items() if k not in ("tm_update", "tm_delete")
    }
    assert names(await listed(api)) == ["kept"]
    assert names(await listed(api, deleted="false")) == ["kept"]
    assert await listed(api, deleted="true") == [gone]
    assert await listed(api, deleted="all") == [gone, kept]

    clock.advance(3)
    again = await api.client.delete(f"/v1.0/tags/{tag['id']}", headers=api.headers)
    assert again.status_code == 204
    assert await get(api, tag["id"]) == gone


async def test_updating_a_deleted_tag_is_409_tag_state_invalid(api: Api) -> None:
    tag = await create(api, api.headers, name="vip")
    await api.client.delete(f"/v1.0/tags/{tag['id']}", headers=api.headers)
    gone = await get(api, tag["id"])

    response = await api.client.put(
        f"/v1.0/tags/{tag['id']}", json={"name": "back"}, headers=api.headers
    )
    assert_error(response, 409, "FAILED_PRECONDITION", "TAG_STATE_INVALID")
    assert await get(api, tag["id"]) == gone


async def test_an_unknown_id_is_404_tag_not_found(api: Api) -> None:
    for method in ("GET", "PUT", "DELETE"):
        response = await api.client.request(
            method, f"/v1.0/tags/{UNUSED_ID}", json={"name": "x"}, headers=api.headers
        )
        assert_error(response, 404, "NOT_FOUND", "TAG_NOT_FOUND")
    assert await listed(api, deleted="all") == []


# -- tenancy ----------------------------------------------------------------------------------


async def test_another_customers_tag_is_404_tag_not_found(api: Api) -> None:
    theirs = await create(api, api.headers, name="theirs")
    outsider = await add_agent(api, permission=ADMIN)

    for method in ("GET", "PUT", "DELETE"):
        response = await api.client.request(
            method,
            f"/v1.0/tags/{theirs['id']}",
            json={"name": "mine now"},
            headers=outsider.headers,
        )
        assert_error(response, 404, "NOT_FOUND", "TAG_NOT_FOUND")
    assert await get(api, theirs["id"]) == theirs


async def test_another_customers_tags_never_show_in_a_list(api: Api) -> None:
    await create(api, api.headers, name="theirs")
    gone = await create(api, api.headers, name="theirs, deleted")
    await api.client.delete(f"/v1.0/tags/{gone['id']}", headers=api.headers)
    outsider = await add_agent(api, permission=ADMIN)
    await create(api, outsider.headers, name="mine")

    assert names(await listed(api, outsider.headers)) == ["mine"]
    assert names(await listed(api, outsider.headers, deleted="all")) == ["mine"]
    assert await listed(api, outsider.headers, deleted="true") == []


async def test_a_customer_id_filter_for_another_customer_gives_an_empty_list(api: Api) -> None:
    await create(api, api.headers, name="theirs")
    outsider = await add_agent(api, permission=ADMIN)
    await create(api, outsider.headers, name="mine")

    response = await api.client.get(
        "/v1.0/tags", params={"customer_id": own_customer(api)}, headers=outsider.headers
    )
    assert response.status_code == 200
    assert response.json() == {"result": [], "next_page_token": ""}
    mine = await listed(api, outsider.headers, customer_id=outsider.customer_id.upper())
    assert names(mine) == ["mine"]


async def test_a_super_admin_lists_another_customer_with_customer_id(api: Api) -> None:
    await create(api, api.headers, name="admin's")
    other = await add_agent(api, permission=ADMIN)
    await create(api, other.headers, name="other's")

    assert names(await listed(api)) == ["admin's"]
    assert names(await listed(api, customer_id=other.customer_id)) == ["other's"]
    assert await listed(api, customer_id=await add_customer(api)) == []


async def test_a_super_admin_reads_and_changes_another_customers_tag(api: Api) -> None:
    other = await add_agent(api, permission=ADMIN)
    theirs = await create(api, other.headers, name="other's")

    assert await get(api, theirs["id"]) == theirs
    response = await api.client.put(
        f"/v1.0/tags/{theirs['id']}", json={"detail": "seen by admin"}, headers=api.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["customer_id"] == other.customer_id
    assert (await get(api, theirs["id"], other.headers))["detail"] == "seen by admin"


# -- permissions ------------------------------------------------------------------------------


async def _customer_with(api: Api, permission: int) -> tuple[Agent, Agent]:
    """An admin and an agent of ``permission`` in one new customer."""
    admin = await add_agent(api, permission=ADMIN)
    member = await add_agent(api, permission=permission, customer_id=admin.customer_id)
    return admin, member


async def test_a_customer_agent_reads_tags(api: Api) -> None:
    admin, member = await _customer_with(api, AGENT)
    tag = await create(api, admin.headers, name="team")

    assert await listed(api, member.headers) == [tag]
    assert await get(api, tag["id"], member.headers) == tag


async def test_a_customer_agent_cannot_write_tags(api: Api) -> None:
    admin, member = await _customer_with(api, AGENT)
    tag = await create(api, admin.headers, name="team")
    path = f"/v1.0/tags/{tag['id']}"

    responses = [
        await api.client.post("/v1.0/tags", json={"name": "mine"}, headers=member.headers),
        await api.client.put(path, json={"name": "renamed"}, headers=member.headers),
        await api.client.delete(path, headers=member.headers),
    ]
    for response in responses:
        assert_error(response, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")
    assert await listed(api, admin.headers, deleted="all") == [tag]


async def test_a_customer_manager_writes_tags(api: Api) -> None:
    _, manager = await _customer_with(api, MANAGER)
    tag = await create(api, manager.headers, name="team")
    response = await api.client.put(
        f"/v1.0/tags/{tag['id']}", json={"name": "crew"}, headers=manager.headers
    )
    assert response.status_code == 200, response.text
    deleted = await api.client.delete(f"/v1.0/tags/{tag['id']}", headers=manager.headers)
    assert deleted.status_code == 204
    assert names(await listed(api, manager.headers, deleted="true")) == ["crew"]


async def test_an_agent_without_permission_bits_is_403(api: Api) -> None:
    admin, nobody = await _customer_with(api, 0)
    tag = await create(api, admin.headers, name="team")
    for response in (
        await api.client.get("/v1.0/tags", headers=nobody.headers),
        await api.client.get(f"/v1.0/tags/{tag['id']}", headers=nobody.headers),
    ):
        assert_error(response, 403, "PERMISSION_DENIED", "PERMISSION_DENIED")
