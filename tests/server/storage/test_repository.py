"""Keyset lists (CONVENTIONS.md §4-5, §7), seen through ``GET /v1.0/tags``: exact walks
however many items share a wall-clock microsecond, tokens in every accepted form, filters
and soft deletion. Each test runs on SQLite and on PostgreSQL (the hypothesis property, which
builds an app per example, on SQLite only)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.server.conftest import Api, StartApp, add_agent, add_customer, assert_error, fields_of
from tests.server.storage.conftest import (
    ManualClock,
    assert_newest_first,
    create_tag,
    customer_of,
    insert_tags,
    list_page,
    running_api,
    walk,
)
from voipbin.common.timestamps import SENTINEL_TEXT, format_timestamp, parse_timestamp

US = timedelta(microseconds=1)


@pytest.mark.parametrize("page_size", [1, 7, 100])
async def test_walk_returns_every_item_once_when_the_clock_is_stuck(
    start_app: StartApp, fixed: datetime, page_size: int
) -> None:
    api = await start_app(now=lambda: fixed)
    created = await insert_tags(api, 1000, customer_of(api))

    items = await walk(api, {"page_size": page_size})

    assert [item["id"] for item in items] == created[::-1]
    assert_newest_first(items)
    # The times are the app's stuck clock, pushed one microsecond on per creation.
    assert format_timestamp(fixed) < items[-1]["tm_create"]
    assert items[0]["tm_create"] <= format_timestamp(fixed + 2000 * US)


async def test_items_created_during_a_walk_never_shift_it(
    start_app: StartApp, fixed: datetime
) -> None:
    api = await start_app(now=lambda: fixed)
    created = await insert_tags(api, 50, customer_of(api))
    seen, token = [], ""
    for _ in range(3):
        page, token = await list_page(
            api, {"page_size": 7, "page_token": token} if token else {"page_size": 7}
        )
        seen.extend(page)

    new = [(await create_tag(api, f"new-{i}"))["id"] for i in range(5)]
    seen.extend(await walk(api, {"page_size": 7}, token=token))

    assert [item["id"] for item in seen] == created[::-1]
    assert_newest_first(seen)
    # The new tags are there for a walk that starts now, ahead of all the others.
    assert [item["id"] for item in await walk(api, {"page_size": 7})] == new[::-1] + created[::-1]


async def test_deleting_items_already_walked_past_does_not_shift_a_walk(
    start_app: StartApp, fixed: datetime
) -> None:
    api = await start_app(now=lambda: fixed)
    created = await insert_tags(api, 30, customer_of(api))
    first, token = await list_page(api, {"page_size": 10})

    for item in first:
        response = await api.client.delete(f"/v1.0/tags/{item['id']}", headers=api.headers)
        assert response.status_code == 204
    rest = await walk(api, {"page_size": 10}, token=token)

    assert [item["id"] for item in first + rest] == created[::-1]


async def test_two_processes_with_the_same_stuck_clock_never_clash(
    start_app: StartApp, fixed: datetime
) -> None:
    # Two apps are two processes: each has its own CreationClock, so both hand out the
    # same microseconds and the unique index plus the repository's retry must sort it out.
    first = await start_app(now=lambda: fixed)
    second = await start_app(now=lambda: fixed)
    created: list[str] = []

    async def create(api: Api, name: str) -> None:
        created.append((await create_tag(api, name))["id"])

    async with anyio.create_task_group() as group:
        for i in range(40):
            group.start_soon(create, first, f"first-{i}")
            group.start_soon(create, second, f"second-{i}")

    for api in (first, second):
        items = await walk(api, {"page_size": 9})
        assert sorted(item["id"] for item in items) == sorted(created)
        assert len(items) == 80
        assert_newest_first(items)


async def test_page_token_takes_every_timestamp_form(start_app: StartApp, fixed: datetime) -> None:
    api = await start_app(now=lambda: fixed)
    oldest, middle, _ = [await create_tag(api, name) for name in ("a", "b", "c")]
    at = parse_timestamp(middle["tm_create"])
    tokens = [
        middle["tm_create"],
        middle["tm_create"] + "878",  # nine digits: truncated to the microsecond, not rounded
        at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        at.astimezone(timezone(timedelta(hours=5, minutes=30))).isoformat(),
        at.astimezone(timezone(-timedelta(hours=8))).isoformat(),
    ]

    for token in tokens:
        items, next_token = await list_page(api, {"page_token": token})
        assert [item["id"] for item in items] == [oldest["id"]], token
        assert next_token == ""


@pytest.mark.parametrize(
    "token", ["2022-05-01 15:10:38.785510878", "2022-05-01T15:10:38.785510Z", "1970-01-01 00:00:00"]
)
async def test_a_page_token_older_than_everything_gives_an_empty_last_page(
    api: Api, token: str
) -> None:
    await create_tag(api)

    items, next_token = await list_page(api, {"page_token": token})

    assert (items, next_token) == ([], "")


async def test_a_malformed_page_token_is_a_bad_request(api: Api) -> None:
    response = await api.client.get(
        "/v1.0/tags", params={"page_token": "2022-05-01"}, headers=api.headers
    )

    error = assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_REQUEST_PARAMETER")
    assert fields_of(error) == ["page_token"]


async def test_tm_create_from_is_inclusive_and_tm_create_to_exclusive(
    start_app: StartApp, fixed: datetime
) -> None:
    api = await start_app(now=lambda: fixed)
    t0, t1, t2 = [await create_tag(api, name) for name in ("a", "b", "c")]

    async def ids(**params: str) -> list[str]:
        return [item["id"] for item in await walk(api, params)]

    assert await ids(tm_create_from=t1["tm_create"]) == [t2["id"], t1["id"]]
    assert await ids(tm_create_to=t1["tm_create"]) == [t0["id"]]
    assert await ids(tm_create_from=t0["tm_create"], tm_create_to=t2["tm_create"]) == [
        t1["id"],
        t0["id"],
    ]
    assert await ids(tm_create_from=t2["tm_create"], tm_create_to=t2["tm_create"]) == []


@pytest.mark.parametrize(
    ("deleted", "expected"),
    [(None, "ac"), ("false", "ac"), ("true", "b"), ("all", "abc")],
)
async def test_deleted_filter(api: Api, deleted: str | None, expected: str) -> None:
    tags = {name: await create_tag(api, name) for name in "abc"}
    response = await api.client.delete(f"/v1.0/tags/{tags['b']['id']}", headers=api.headers)
    assert response.status_code == 204

    items = await walk(api, {} if deleted is None else {"deleted": deleted})

    assert [item["name"] for item in items] == sorted(expected, reverse=True)


async def test_customer_id_filter(api: Api) -> None:
    own = [(await create_tag(api, f"own-{i}"))["id"] for i in range(2)]
    other = await add_customer(api)
    theirs = await insert_tags(api, 3, other)

    assert [item["id"] for item in await walk(api)] == own[::-1]
    assert [item["id"] for item in await walk(api, {"customer_id": other})] == theirs[::-1]
    assert [item["id"] for item in await walk(api, {"customer_id": other.upper()})] == theirs[::-1]
    # Anyone but a super-admin asking for another customer's items gets an empty list.
    agent = await add_agent(api, permission=32, customer_id=other)
    response = await api.client.get(
        "/v1.0/tags", params={"customer_id": customer_of(api)}, headers=agent.headers
    )
    assert response.status_code == 200
    assert response.json() == {"result": [], "next_page_token": ""}


async def test_page_size_above_100_is_clamped_to_100(api: Api) -> None:
    created = await insert_tags(api, 101, customer_of(api))

    items, token = await list_page(api, {"page_size": 1000})
    rest, last_token = await list_page(api, {"page_size": 1000, "page_token": token})

    assert len(items) == 100
    assert token == items[-1]["tm_create"]
    assert [item["id"] for item in items + rest] == created[::-1]
    assert last_token == ""


async def test_soft_delete_keeps_the_row(start_app: StartApp, fixed: datetime) -> None:
    clock = ManualClock(fixed)
    api = await start_app(now=clock)
    tag = await create_tag(api, "doomed", detail="kept after deletion")
    assert tag["tm_delete"] == SENTINEL_TEXT
    clock.value = fixed + timedelta(seconds=1)

    response = await api.client.delete(f"/v1.0/tags/{tag['id']}", headers=api.headers)
    assert response.status_code == 204
    assert response.content == b""
    response = await api.client.get(f"/v1.0/tags/{tag['id']}", headers=api.headers)

    assert response.status_code == 200
    deleted_at = format_timestamp(clock.value)
    assert response.json() == {**tag, "tm_update": deleted_at, "tm_delete": deleted_at}
    assert await walk(api) == []
    assert await walk(api, {"deleted": "true"}) == [response.json()]


@settings(max_examples=25, deadline=None)
@given(
    offsets=st.lists(
        st.integers(-3, 3) | st.sampled_from([-3_600_000_000, 1_000_000]), min_size=1, max_size=25
    ),
    page_size=st.integers(1, 10),
)
async def test_any_clock_readings_give_an_exact_walk(
    sqlite_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
    offsets: list[int],
    page_size: int,
) -> None:
    # Wall-clock readings a microsecond apart, repeated, going back an hour or jumping on.
    path = tmp_path_factory.mktemp("walk") / "voipbin.db"
    shutil.copy(sqlite_template, path)
    base = datetime.now(UTC) - timedelta(seconds=1)
    wall = ManualClock(base)
    async with running_api(f"sqlite:///{path}", now=wall) as api:
        created = []
        for i, offset in enumerate(offsets):
            wall.value = base + offset * US
            created.append((await create_tag(api, f"tag-{i}"))["id"])

        items = await walk(api, {"page_size": page_size})

    assert [item["id"] for item in items] == created[::-1]
    assert_newest_first(items)
