"""Helpers for the storage tests: clocks the test drives, fast bulk creation through the
app's own repository (so creation times still come from the app's clock), and page walks."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import httpx
import jwt
import pytest

from tests.server.conftest import ADMIN_PASSWORD, ADMIN_USERNAME, Api, cheap_passwords
from tests.server.conftest import test_settings as settings_for
from voipbin.server import create_app
from voipbin.server.storage.clock import Now
from voipbin.server.storage.database import Row

Item = dict[str, Any]


class ManualClock:
    """A wall clock that reads whatever the test last set (stuck, forwards or backwards)."""

    def __init__(self, value: datetime) -> None:
        self.value = value

    def __call__(self) -> datetime:
        return self.value


@pytest.fixture
def fixed() -> datetime:
    """A moment just behind real time: login tokens issued at it are valid (not in the future,
    not expired), and nothing it stamps can clash with a real-time stamp."""
    return datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)


async def create_tag(api: Api, name: str = "tag", **body: Any) -> Item:
    """A tag created through the API."""
    response = await api.client.post("/v1.0/tags", json={"name": name, **body}, headers=api.headers)
    assert response.status_code == 201, response.text
    tag: Item = response.json()
    return tag


async def insert_tags(api: Api, count: int, customer_id: str, prefix: str = "tag") -> list[str]:
    """Create ``count`` tags of ``customer_id`` straight through the app's tag repository,
    ten at a time (thousands per second, where the API manages hundreds); returns their ids
    oldest first. Their creation times come from the app's clock, exactly as through the API."""
    repository = api.state.services["tag"].repository
    id_at, created_at = repository.fields.index("id"), repository.fields.index("tm_create")
    rows: list[Row] = []

    async def insert(i: int) -> None:
        rows.append(await repository.insert({"customer_id": customer_id, "name": f"{prefix}-{i}"}))

    for start in range(0, count, 10):
        async with anyio.create_task_group() as group:
            for i in range(start, min(start + 10, count)):
                group.start_soon(insert, i)
    return [str(row[id_at]) for row in sorted(rows, key=lambda row: str(row[created_at]))]


async def list_page(api: Api, params: Mapping[str, str | int]) -> tuple[list[Item], str]:
    """One page of ``GET /v1.0/tags``: its items and its ``next_page_token``."""
    response = await api.client.get("/v1.0/tags", params=dict(params), headers=api.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"result", "next_page_token"}
    assert isinstance(body["next_page_token"], str)
    items: list[Item] = body["result"]
    return items, body["next_page_token"]


async def walk(
    api: Api, params: Mapping[str, str | int] | None = None, *, token: str = "", limit: int = 5000
) -> list[Item]:
    """Every item of every page, following ``next_page_token`` from ``token`` until it is
    ``""``. Each page but the last is full, and the last is empty only when everything is;
    the walk fails (rather than loops) after ``limit`` pages."""
    params = dict(params or {})
    size = int(params.get("page_size", 100))
    items: list[Item] = []
    for _ in range(limit):
        page, token = await list_page(api, {**params, "page_token": token} if token else params)
        items.extend(page)
        if not token:
            # The last page says so itself: no extra request ends on an empty page.
            assert page or not items, "a full page was followed by an empty last page"
            return items
        assert len(page) == size, "a page with a next_page_token must be full"
        assert token == page[-1]["tm_create"]
    pytest.fail(f"the walk did not end within {limit} pages")


def assert_newest_first(items: list[Item]) -> None:
    """``tm_create`` strictly descending (so no two items share one)."""
    times = [item["tm_create"] for item in items]
    assert all(a > b for a, b in itertools.pairwise(times)), "not strictly descending"


def customer_of(api: Api) -> str:
    """The super-admin's customer id, as its login token names it."""
    claims = jwt.decode(api.token, options={"verify_signature": False})
    customer_id: str = claims["customer_id"]
    return customer_id


@contextlib.asynccontextmanager
async def running_api(database_url: str, now: Now) -> AsyncIterator[Api]:
    """What the ``start_app`` fixture gives, for tests that need a fresh app several times in
    one test (a hypothesis example each)."""
    app = create_app(settings_for(database_url), now=now, passwords=cheap_passwords())
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client,
    ):
        response = await client.post(
            "/auth/login", json={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD}
        )
        assert response.status_code == 200, response.text
        token = response.json()["token"]
        yield Api(app, client, token, {"Authorization": f"Bearer {token}"})
