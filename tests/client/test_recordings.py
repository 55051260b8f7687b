"""Recordings through the SDK: ``calls.recording_start`` comes from the declarations, and
``recordingfiles.download`` follows the 307 to the zip of the recording's WAVs."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import httpx

from tests.client.harness import Sleeps, async_client
from tests.inprocess import started
from voipbin.models.call import Call


async def test_a_recorded_call_is_downloaded_as_a_zip(
    sqlite_url: str, tmp_path: Path, sleeps: Sleeps
) -> None:
    async with (
        started(sqlite_url, clock="virtual", data_dir=str(tmp_path)) as app,
        async_client(httpx.ASGITransport(app=app), sleeps) as client,
    ):
        created = await client.calls.create(
            source={"type": "sip", "target": "me@example.com"},
            destinations=[{"type": "sip", "target": "answer@sim.invalid"}],
        )
        (call,) = created.calls
        await client.simulator.advance(seconds=5)
        recording = await client.calls.recording_start(call.id, duration=2)
        assert isinstance(recording, Call)
        assert recording.recording_id is not None
        await client.simulator.advance(seconds=2)
        await app.state.voipbin.recordings.settle()

        (ended,) = (await client.recordings.list(reference_id=str(call.id))).result
        assert (ended.id, ended.status) == (recording.recording_id, "ended")
        archive = await client.recordingfiles.download(ended.id)
        with zipfile.ZipFile(io.BytesIO(archive)) as opened:
            assert sorted(n.rsplit("_", 1)[1] for n in opened.namelist()) == ["in.wav", "out.wav"]
