"""Walking every page: exactly once each against the real app, and the stop rules
(an empty token, an empty page, a token seen before) against scripted answers."""

from __future__ import annotations

from collections import Counter
from typing import Any
from uuid import UUID

import httpx
import pytest

from tests.client.harness import Sleeps, async_client, sync_client
from tests.inprocess import BASE_URL, serving, started
from voipbin.client import Client, Page
from voipbin.client.paging import Pager

TAGS = 250


def test_iterating_250_tags_7_at_a_time_yields_each_exactly_once(
    database_url: str, sleeps: Sleeps
) -> None:
    with serving(database_url) as served, sync_client(served.transport, sleeps) as client:
        created = {client.tags.create(name=f"tag {i}").id for i in range(TAGS)}
        seen = Counter(tag.id for tag in client.tags.iter(page_size=7))

    assert set(seen) == created
    assert set(seen.values()) == {1}


async def test_async_iterating_250_tags_7_at_a_time_yields_each_exactly_once(
    database_url: str, sleeps: Sleeps
) -> None:
    async with (
        started(database_url) as app,
        async_client(httpx.ASGITransport(app=app), sleeps) as client,
    ):
        created = {(await client.tags.create(name=f"tag {i}")).id for i in range(TAGS)}
        seen = Counter([tag.id async for tag in client.tags.iter(page_size=7)])

    assert set(seen) == created
    assert set(seen.values()) == {1}


# -- the stop rules, against scripted pages --------------------------------------------------


def tag(n: int) -> dict[str, Any]:
    return {
        "id": str(UUID(int=n + 1)),
        "customer_id": str(UUID(int=1000)),
        "name": f"tag {n}",
        "detail": "",
        "tm_create": f"2024-01-01 00:00:{n:02d}.000000",
        "tm_update": f"2024-01-01 00:00:{n:02d}.000000",
        "tm_delete": "9999-01-01 00:00:00.000000",
    }


def scripted(pages: dict[str, dict[str, Any]]) -> tuple[Client, list[str]]:
    """A client whose list answers are ``pages`` by the token asked for; the tokens asked."""
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        token = request.url.params.get("page_token", "")
        asked.append(token)
        return httpx.Response(200, json=pages[token])

    client = Client(BASE_URL, accesskey="vb_test", transport=httpx.MockTransport(answer))
    return client, asked


def test_a_walk_stops_on_an_empty_token() -> None:
    client, asked = scripted(
        {
            "": {"result": [tag(3), tag(2)], "next_page_token": "t2"},
            "t2": {"result": [tag(1)], "next_page_token": ""},
        }
    )

    assert [t.name for t in client.tags.iter()] == ["tag 3", "tag 2", "tag 1"]
    assert asked == ["", "t2"]


def test_a_walk_stops_on_an_empty_page_that_still_has_a_token() -> None:
    # VoIPBIN sends a token on its last page too.
    client, asked = scripted(
        {
            "": {"result": [tag(2)], "next_page_token": "t2"},
            "t2": {"result": [], "next_page_token": "t2b"},
        }
    )

    assert [t.name for t in client.tags.iter()] == ["tag 2"]
    assert asked == ["", "t2"]


def test_a_walk_stops_on_a_token_it_has_followed_before() -> None:
    client, asked = scripted(
        {
            "": {"result": [tag(2)], "next_page_token": "t2"},
            "t2": {"result": [tag(1)], "next_page_token": "t2"},
        }
    )

    assert [t.name for t in client.tags.iter()] == ["tag 2", "tag 1"]
    assert asked == ["", "t2"]


def test_a_walk_from_a_token_does_not_follow_it_again() -> None:
    client, asked = scripted({"t5": {"result": [tag(4)], "next_page_token": "t5"}})

    assert [t.name for t in client.tags.iter(page_token="t5")] == ["tag 4"]
    assert asked == ["t5"]


def test_a_walk_is_lazy() -> None:
    client, asked = scripted(
        {
            "": {"result": [tag(3), tag(2)], "next_page_token": "t2"},
            "t2": {"result": [tag(1)], "next_page_token": ""},
        }
    )

    walk = client.tags.iter()
    assert asked == []
    assert next(walk).name == "tag 3"
    assert next(walk).name == "tag 2"
    assert asked == [""]


def test_a_null_result_and_token_read_as_the_last_empty_page() -> None:
    client, _ = scripted({"": {"result": None, "next_page_token": None}})

    assert client.tags.list() == Page(result=[], next_page_token="")


@pytest.mark.parametrize(
    ("result", "token", "next_token"),
    [
        ([1], "b", "b"),
        ([1], "", None),
        ([], "b", None),
        ([1], "a", None),  # the starting token
    ],
)
def test_the_pager_follows_a_token_only_while_the_walk_makes_progress(
    result: list[int], token: str, next_token: str | None
) -> None:
    pager = Pager("a")

    pager.advance(Page(result=result, next_page_token=token))

    assert pager.token == next_token
    assert pager.done == (next_token is None)
