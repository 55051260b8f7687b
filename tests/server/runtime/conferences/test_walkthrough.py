"""The README's "A conference, end to end", step by step (each request one of its ``curl``
lines, as the bootstrap super-admin, on the virtual clock): every outcome it prints."""

from __future__ import annotations

import io
import wave
import zipfile
from typing import Any

import pytest

from tests.server.conftest import Api, ManualClock, StartApp

TEAM_NUMBER = "+899001007920"
SUPERVISOR_NUMBER = "+899001007921"
UNSET = "9999-01-01 00:00:00.000000"
EMPTY = "00000000-0000-0000-0000-000000000000"


async def _post(api: Api, path: str, body: Any = None) -> Any:
    response = await api.client.post(path, json=body or {}, headers=api.headers)
    assert response.status_code in (200, 201, 204), response.text
    return response.json() if response.content else None


async def _get(api: Api, path: str) -> Any:
    response = await api.client.get(path, headers=api.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def _advance(api: Api, seconds: float) -> None:
    await _post(api, "/_sim/clock/advance", {"seconds": seconds})


async def _call(api: Api, source: str, number: str) -> str:
    body = {
        "source": {"type": "tel", "target": source},
        "destination": {"type": "tel", "target": number},
    }
    return str((await _post(api, "/_sim/calls", body))["id"])


async def _talks(api: Api, call_id: str) -> list[str]:
    call = await _get(api, f"/v1.0/calls/{call_id}")
    flow = await _get(api, f"/v1.0/activeflows/{call['activeflow_id']}")
    return [a["option"]["text"] for a in flow["executed_actions"] if a["type"] == "talk"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_conference_end_to_end_as_the_readme_shows(start_app: StartApp) -> None:
    api = await start_app(now=ManualClock(), clock="virtual", jobs_poll_seconds=3600.0)
    welcome = await _post(
        api,
        "/v1.0/flows",
        {"name": "welcome", "actions": [{"type": "talk", "option": {"text": "Welcome."}}]},
    )
    goodbye = await _post(
        api,
        "/v1.0/flows",
        {"name": "goodbye", "actions": [{"type": "talk", "option": {"text": "Goodbye."}}]},
    )
    conf = (
        await _post(
            api,
            "/v1.0/conferences",
            {
                "type": "conference",
                "name": "standup",
                "pre_flow_id": welcome["id"],
                "post_flow_id": goodbye["id"],
                "timeout": 3600,
            },
        )
    )["id"]
    join = {"type": "conference_join", "option": {"conference_id": conf}}
    after = {"type": "talk", "option": {"text": "The standup is over."}}
    flow = await _post(
        api, "/v1.0/flows", {"name": "join", "actions": [{"type": "answer"}, join, after]}
    )
    for number in (TEAM_NUMBER, SUPERVISOR_NUMBER):
        await _post(api, "/v1.0/numbers", {"number": number, "call_flow_id": flow["id"]})

    alice = await _call(api, "+15005550000", TEAM_NUMBER)
    bob = await _call(api, "+15005550001", TEAM_NUMBER)
    supervisor = await _call(api, "+15005550009", SUPERVISOR_NUMBER)
    await _advance(api, 0)
    page = await _get(api, f"/v1.0/conferencecalls?conference_id={conf}")
    assert [p["status"] for p in page["result"]] == ["joining"] * 3
    await _advance(api, 2)
    room = await _get(api, f"/v1.0/conferences/{conf}")
    assert (room["status"], len(room["conferencecall_ids"])) == ("progressing", 3)

    recording = (await _post(api, f"/v1.0/conferences/{conf}/recording_start", {"format": "wav"}))[
        "recording_id"
    ]
    await _advance(api, 30)
    stopped = await _post(api, f"/v1.0/conferences/{conf}/recording_stop")
    assert (stopped["recording_id"], stopped["recording_ids"]) == (EMPTY, [recording])
    await _advance(api, 1)
    assert api.state.conferences is not None
    await api.state.recordings.settle()
    response = await api.client.get(f"/v1.0/recordingfiles/{recording}", headers=api.headers)
    assert response.status_code == 307, response.text
    download = await api.client.get(response.headers["location"])  # the signed link
    assert download.status_code == 200, download.text
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        names = sorted(archive.namelist())
        assert [n.split("_")[0] for n in names] == ["conference", "conference"]
        assert [n.rsplit("_", 1)[1] for n in names] == ["in.wav", "out.wav"]
        for name in names:
            with wave.open(io.BytesIO(archive.read(name))) as audio:
                assert (audio.getframerate(), audio.getsampwidth()) == (8000, 2)
                assert audio.getnframes() / audio.getframerate() == 30.0

    page = await _get(api, f"/v1.0/conferencecalls?conference_id={conf}")
    (kicked,) = [p["id"] for p in page["result"] if p["reference_id"] == alice]
    response = await api.client.delete(f"/v1.0/conferencecalls/{kicked}", headers=api.headers)
    assert response.status_code == 204
    await _advance(api, 5)
    assert await _talks(api, alice) == ["Welcome.", "Goodbye.", "The standup is over."]
    response = await api.client.post(f"/_sim/calls/{bob}/hangup", headers=api.headers)
    assert response.status_code == 204
    await _advance(api, 1)
    assert await _talks(api, bob) == ["Welcome."]
    response = await api.client.delete(f"/v1.0/conferences/{conf}", headers=api.headers)
    assert response.status_code == 204
    await _advance(api, 5)
    assert await _talks(api, supervisor) == ["Welcome.", "Goodbye.", "The standup is over."]

    room = await _get(api, f"/v1.0/conferences/{conf}")
    assert (room["status"], room["conferencecall_ids"], room["recording_ids"]) == (
        "terminated",
        [],
        [recording],
    )
    assert room["tm_end"] != UNSET
    assert room["tm_delete"] != UNSET
    page = await _get(api, f"/v1.0/conferencecalls?conference_id={conf}")
    assert [p["status"] for p in page["result"]] == ["leaved"] * 3
    events = await _get(api, f"/v1.0/timelines/conferences/{conf}/events")
    shown = [
        (e["event_type"], e["data"]["status"], len(e["data"]["conferencecall_ids"]))
        for e in reversed(events["result"])
    ]
    assert shown == [
        ("conference_created", "progressing", 0),
        ("conference_updated", "progressing", 1),
        ("conference_updated", "progressing", 2),
        ("conference_updated", "progressing", 3),
        ("conference_updated", "progressing", 3),  # recording started
        ("conference_updated", "progressing", 3),  # recording stopped
        ("conference_updated", "progressing", 2),  # alice kicked
        ("conference_updated", "progressing", 1),  # bob hung up
        ("conference_updated", "terminating", 1),
        ("conference_updated", "terminating", 0),
        ("conference_deleted", "terminated", 0),
        ("conference_deleted", "terminated", 0),  # and deleted
    ]
