"""Conferences through the SDK, sync and async: created, changed, recorded by the declared
actions, deleted; their participants listed by conference."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.client.harness import Sleeps, async_client
from tests.inprocess import started
from voipbin.client import Client
from voipbin.models.conference import Conference


async def test_a_conference_is_made_recorded_and_deleted_async(
    sqlite_url: str, tmp_path: Path, sleeps: Sleeps
) -> None:
    async with (
        started(sqlite_url, clock="virtual", data_dir=str(tmp_path)) as app,
        async_client(httpx.ASGITransport(app=app), sleeps) as client,
    ):
        created = await client.conferences.create(name="standup", type="connect", data={"a": 1})
        assert isinstance(created, Conference)
        assert (created.status, created.type, created.data) == ("progressing", "connect", {"a": 1})
        changed = await client.conferences.update(created.id, detail="daily")
        assert changed.detail == "daily"
        recorded = await client.conferences.recording_start(created.id, format="wav", duration=0)
        assert recorded.recording_id is not None
        assert recorded.recording_ids == [recorded.recording_id]
        stopped = await client.conferences.recording_stop(created.id)
        assert stopped.recording_id is None
        assert [c.id async for c in client.conferences.iter()] == [created.id]
        assert [c async for c in client.conferencecalls.iter(conference_id=created.id)] == []
        await client.conferences.delete(created.id)
        gone = await client.conferences.get(created.id)
        assert (gone.status, gone.tm_delete is not None) == ("terminated", True)
        await app.state.voipbin.recordings.settle()


def test_a_conference_is_made_and_listed_sync(client: Client) -> None:
    created = client.conferences.create(name="room")
    assert [c.id for c in client.conferences.iter(type="conference")] == [created.id]
    assert list(client.conferencecalls.iter(conference_id=created.id)) == []
