"""A value a backend cannot store is ``400 INVALID_ARGUMENT`` on every backend, never a 500 or
a 503, and its message names neither SQL nor the data: NUL in text (which SQLite would store
and PostgreSQL refuses), a lone surrogate, a number out of range. This is the storage layer's
own safety net, under whatever the request layer checks first."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from tests.server.conftest import Api, assert_error
from voipbin.common.errors import InvalidArgument
from voipbin.common.ids import new_id
from voipbin.models.tag import Tag
from voipbin.server.storage.backends import open_database
from voipbin.server.storage.clock import CreationClock
from voipbin.server.storage.repository import ListQuery, Repository
from voipbin.server.storage.tables import agent_agents, tag_tags

Repositories = tuple[Repository, Repository]


@pytest.fixture
async def repositories(database_url: str) -> AsyncIterator[Repositories]:
    db = open_database(database_url)
    clock = CreationClock()
    try:
        yield (
            Repository(db, tag_tags, Tag.__struct_fields__, clock),
            Repository(db, agent_agents, ("id", "username"), clock),
        )
    finally:
        await db.close()


def _agent(username: str, permission: int = 16) -> dict[str, Any]:
    return {
        "customer_id": str(new_id()),
        "username": username,
        "password_hash": "x",
        "name": "a",
        "permission": permission,
    }


async def _refused(call: Awaitable[object]) -> InvalidArgument:
    with pytest.raises(InvalidArgument) as caught:
        await call
    error = caught.value
    assert (error.http_status, error.reason) == (400, "INVALID_ARGUMENT")
    assert error.message.startswith("A value cannot be stored: ")
    return error


Call = Callable[[Repositories], Awaitable[object]]
NUL_CALLS: dict[str, Call] = {
    "insert": lambda r: r[0].insert({"customer_id": str(new_id()), "name": "a\x00b"}),
    "find": lambda r: r[1].find(("id",), {"username": "a\x00b@example.com"}),
    "list": lambda r: r[0].list(ListQuery(limit=5, equals={"name": "a\x00b"})),
    "update": lambda r: r[0].update(str(new_id()), {"detail": "a\x00b"}),
}


@pytest.mark.parametrize("call", NUL_CALLS.values(), ids=NUL_CALLS.keys())
async def test_text_with_nul_is_refused_the_same_on_every_backend(
    repositories: Repositories, call: Call
) -> None:
    error = await _refused(call(repositories))

    assert "NUL" in error.message
    assert "\x00" not in error.message
    assert "SELECT" not in error.message.upper()


async def test_nothing_is_stored_from_a_refused_insert(repositories: Repositories) -> None:
    tags = repositories[0]
    customer = str(new_id())
    await _refused(tags.insert({"customer_id": customer, "name": "a\x00b"}))

    assert await tags.list(ListQuery(limit=5, customer_id=customer)) == []


async def test_a_lone_surrogate_is_refused(repositories: Repositories) -> None:
    await _refused(repositories[0].insert({"customer_id": str(new_id()), "name": "a\ud800b"}))


async def test_a_number_out_of_range_is_refused(repositories: Repositories) -> None:
    error = await _refused(repositories[1].insert(_agent("big@example.com", permission=2**70)))

    assert "out of the range" in error.message


async def test_the_connection_is_usable_after_a_refusal(repositories: Repositories) -> None:
    tags = repositories[0]
    customer = str(new_id())
    await _refused(tags.insert({"customer_id": customer, "name": "a\x00b"}))

    row = await tags.insert({"customer_id": customer, "name": "ab"})

    assert [r[0] for r in await tags.list(ListQuery(limit=5, customer_id=customer))] == [row[0]]


async def test_a_tag_name_with_nul_is_a_400_through_the_api(api: Api) -> None:
    response = await api.client.post(
        "/v1.0/tags", content=b'{"name": "a\\u0000b"}', headers=api.headers
    )
    listed = await api.client.get("/v1.0/tags", headers=api.headers)

    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    assert "\x00" not in error["message"]
    assert listed.json()["result"] == []


async def test_a_login_username_with_nul_is_a_400(api: Api) -> None:
    response = await api.client.post(
        "/auth/login", content=b'{"username": "a\\u0000b@example.com", "password": "p"}'
    )

    assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
