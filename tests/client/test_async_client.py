"""``AsyncClient`` against the real app in-process: the same calls as ``Client``, awaited."""

from __future__ import annotations

import uuid

import httpx
import pytest
from starlette.applications import Starlette

from tests.client.harness import AsyncRecording, Sleeps, async_client, resource_requests
from voipbin.client import AsyncClient, NotFound, Page
from voipbin.models import TAGS, Tag
from voipbin.models.agent import Agent


async def test_create_get_update_delete_a_tag(aclient: AsyncClient) -> None:
    created = await aclient.tags.create(name="vip")

    assert isinstance(created, Tag)
    assert await aclient.tags.get(created.id) == created
    updated = await aclient.tags.update(created.id, detail="changed")
    assert updated.detail == "changed"
    await aclient.tags.delete(created.id)
    assert (await aclient.tags.get(created.id)).tm_delete is not None


async def test_list_and_iter(aclient: AsyncClient) -> None:
    for i in range(3):
        await aclient.tags.create(name=f"tag {i}")

    page = await aclient.tags.list(page_size=2)

    assert isinstance(page, Page)
    assert [t.name for t in page.result] == ["tag 2", "tag 1"]
    assert [t.name async for t in aclient.tags.iter(page_size=2)] == ["tag 2", "tag 1", "tag 0"]


async def test_actions_come_from_the_declaration(aclient: AsyncClient) -> None:
    agent = await aclient.agents.create(username="ann@example.com", password="agent-password")

    changed = await aclient.agents.status(agent.id, status="away")

    assert isinstance(changed, Agent)
    assert changed.status == "away"


async def test_a_typed_accessor_comes_from_a_spec(aclient: AsyncClient) -> None:
    tag: Tag = await aclient.resource(TAGS).create(name="typed")

    assert tag.name == "typed"


async def test_an_error_answer_is_raised_as_its_class(aclient: AsyncClient) -> None:
    with pytest.raises(NotFound) as caught:
        await aclient.tags.get(uuid.uuid4())

    assert caught.value.reason == "TAG_NOT_FOUND"
    assert caught.value.request_id.startswith("req_")


async def test_single_gets_are_served_from_the_cache_on_304(app: Starlette, sleeps: Sleeps) -> None:
    recorded = AsyncRecording(httpx.ASGITransport(app=app))
    async with async_client(recorded, sleeps, cache=True) as client:
        tag = await client.tags.create(name="cached")
        assert await client.tags.get(tag.id) == await client.tags.get(tag.id)

    gets = [r.status_code for q, r in resource_requests(recorded.log) if q.method == "GET"]
    assert gets == [200, 304]


async def test_logging_in_can_be_done_up_front(app: Starlette, sleeps: Sleeps) -> None:
    recorded = AsyncRecording(httpx.ASGITransport(app=app))
    async with async_client(recorded, sleeps) as client:
        await client.login()

    assert [q.url.path for q, _ in recorded.log] == ["/auth/login"]


async def test_a_lookup_is_called_by_name(aclient: AsyncClient) -> None:
    found = await aclient.lookup("available_numbers", country_code="GB", page_size=2)
    assert [n.country for n in found.result] == ["GB", "GB"]
