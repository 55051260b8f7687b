"""Recording calls: a recording's states and its 409 rules, its files (two WAVs of exactly
the recorded time, zipped behind a signed, expiring link), its minutes billed, its deletion
(files gone too), and the flow actions ``recording_start`` / ``recording_stop`` with an
``on_end_flow_id`` flow reading the ``voipbin.recording.*`` variables."""

from __future__ import annotations

import io
import wave
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.server.conftest import Api, StartApp, assert_error
from tests.server.runtime.calls.kit import Caller, ready_customer, virtual_api

EMPTY = "00000000-0000-0000-0000-000000000000"
UNSET = "9999-01-01 00:00:00.000000"
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


async def _answered(caller: Caller) -> str:
    call = await caller.one("+15005550000")
    await caller.advance(3)
    assert (await caller.get(call["id"]))["status"] == "progressing"
    return str(call["id"])


async def _action(caller: Caller, call_id: str, name: str, **body: Any) -> Any:
    path = f"/v1.0/calls/{call_id}/{name}"
    return await caller.api.client.post(path, json=body, headers=caller.headers)


async def _recordings(caller: Caller, **params: str) -> list[dict[str, Any]]:
    response = await caller.api.client.get(
        "/v1.0/recordings", params=params, headers=caller.headers
    )
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["result"]
    return found


async def _recording(caller: Caller, recording_id: str) -> dict[str, Any]:
    response = await caller.api.client.get(
        f"/v1.0/recordings/{recording_id}", headers=caller.headers
    )
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def _link(api: Api, caller: Caller, recording_id: str) -> str:
    await api.state.recordings.settle()
    response = await api.client.get(f"/v1.0/recordingfiles/{recording_id}", headers=caller.headers)
    assert response.status_code == 307, response.text
    location = response.headers["location"]
    assert response.json() == location
    return str(location)


async def test_a_call_recorded_61_seconds_gives_two_61_second_wavs_billed_2_minutes(
    start_app: StartApp, tmp_path: Path
) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    call_id = await _answered(caller)

    response = await _action(caller, call_id, "recording_start", format="wav", duration=0)
    assert response.status_code == 200, response.text
    call = response.json()
    recording_id = call["recording_id"]
    assert call["recording_ids"] == [recording_id]
    (listed,) = await _recordings(caller, reference_id=call_id)
    assert (listed["id"], listed["status"], listed["tm_start"]) == (
        recording_id,
        "initiating",
        UNSET,
    )
    assert (listed["reference_type"], listed["format"]) == ("call", "wav")
    await caller.advance(0)
    assert (await _recording(caller, recording_id))["status"] == "recording"
    response = await api.client.get(f"/v1.0/recordingfiles/{recording_id}", headers=caller.headers)
    assert_error(response, 409, "FAILED_PRECONDITION", "RECORDING_FILES_NOT_READY")

    await caller.advance(61)
    response = await _action(caller, call_id, "recording_stop")
    assert response.status_code == 200, response.text
    assert (response.json()["recording_id"], response.json()["recording_ids"]) == (
        EMPTY,
        [recording_id],
    )
    assert (await _recording(caller, recording_id))["status"] == "stopping"
    await caller.advance(0)
    ended = await _recording(caller, recording_id)
    assert ended["status"] == "ended"
    assert ended["tm_start"] != UNSET
    assert ended["tm_end"] != UNSET

    link = await _link(api, caller, recording_id)
    download = await api.client.get(link)  # no credentials: the link is them
    assert download.status_code == 200, download.text
    assert download.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        names = sorted(archive.namelist())
        assert [n.rsplit("_", 1)[1] for n in names] == ["in.wav", "out.wav"]
        for name in names:
            with wave.open(io.BytesIO(archive.read(name))) as audio:
                assert (audio.getframerate(), audio.getsampwidth(), audio.getnchannels()) == (
                    8000,
                    2,
                    1,
                )
                assert audio.getnframes() / audio.getframerate() == 61.0

    response = await api.client.get(
        "/v1.0/billings",
        params={"customer_id": caller.customer_id, "reference_type": "recording"},
        headers=api.headers,
    )
    (billing,) = response.json()["result"]
    assert (billing["reference_id"], billing["cost_type"]) == (recording_id, "recording")
    assert (billing["billable_units"], billing["usage_duration"]) == (2, 61)
    timeline = await api.client.get(
        f"/v1.0/timelines/recordings/{recording_id}/events", headers=caller.headers
    )
    assert [e["event_type"] for e in reversed(timeline.json()["result"])] == [
        "recording_started",
        "recording_finished",
    ]

    # Deleting the recording deletes its files: the link finds nothing any more.
    response = await api.client.delete(f"/v1.0/recordings/{recording_id}", headers=caller.headers)
    assert response.status_code == 204, response.text
    assert not (tmp_path / "data" / "recordings" / recording_id).exists()
    assert (await _recording(caller, recording_id))["tm_delete"] != UNSET
    assert_error(await api.client.get(link), 404, "NOT_FOUND", "RECORDING_NOT_FOUND")
    response = await api.client.get(f"/v1.0/recordingfiles/{recording_id}", headers=caller.headers)
    assert_error(response, 404, "NOT_FOUND", "RECORDING_NOT_FOUND")


@sqlite_only
async def test_each_way_a_recording_ends_and_the_409_rules(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    ringing = await caller.one("+15005550000")
    await caller.advance(1)
    response = await _action(caller, ringing["id"], "recording_start")
    assert_error(response, 409, "FAILED_PRECONDITION", "CALL_STATE_INVALID")
    call_id = await _answered(caller)
    assert_error(
        await _action(caller, call_id, "recording_stop"),
        409,
        "FAILED_PRECONDITION",
        "RECORDING_NOT_ACTIVE",
    )

    # Its duration ends it, and the call may record again at once (recording_id cleared).
    first = (await _action(caller, call_id, "recording_start", duration=5)).json()["recording_id"]
    assert_error(
        await _action(caller, call_id, "recording_start"),
        409,
        "FAILED_PRECONDITION",
        "RECORDING_ALREADY_ACTIVE",
    )
    await caller.advance(5)
    assert (await _recording(caller, first))["status"] == "ended"
    assert (await caller.get(call_id))["recording_id"] == EMPTY

    # Its end_of_key ends it: another key does not.
    response = await _action(caller, call_id, "recording_start", end_of_key="#")
    second = response.json()["recording_id"]
    await caller.advance(1)
    for digits in ("1", "#"):
        response = await api.client.post(
            f"/_sim/calls/{call_id}/dtmf", json={"digits": digits}, headers=api.headers
        )
        assert response.status_code == 204, response.text
        await caller.advance(1)
        assert (await _recording(caller, second))["status"] == (
            "recording" if digits == "1" else "ended"
        )

    # The call's hangup ends it straight away (no stopping).
    third = (await _action(caller, call_id, "recording_start")).json()["recording_id"]
    await caller.advance(1)
    await api.client.post(f"/v1.0/calls/{call_id}/hangup", headers=caller.headers)
    await caller.advance(0)
    assert (await _recording(caller, third))["status"] == "ended"
    assert_error(
        await _action(caller, call_id, "recording_start"),
        409,
        "FAILED_PRECONDITION",
        "CALL_ALREADY_HANGUP",
    )
    ended = await _recordings(caller, status="ended", reference_type="call")
    assert [r["id"] for r in ended] == [third, second, first]
    assert await _recordings(caller, status="recording") == []

    # A link altered, or expired, is refused.
    link = await _link(api, caller, third)
    tampered = link.replace(third, first)
    assert_error(
        await api.client.get(tampered), 403, "PERMISSION_DENIED", "RECORDING_FILE_LINK_INVALID"
    )
    assert (await api.client.get(link)).status_code == 200
    await caller.advance(3601)
    assert_error(
        await api.client.get(link), 403, "PERMISSION_DENIED", "RECORDING_FILE_LINK_INVALID"
    )


@sqlite_only
async def test_flow_actions_record_and_the_on_end_flow_reads_the_recording(
    start_app: StartApp,
) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    response = await api.client.post(
        "/v1.0/flows",
        json={"actions": [{"type": "sleep", "option": {"duration": 60000}}]},
        headers=caller.headers,
    )
    assert response.status_code == 201, response.text
    on_end = response.json()["id"]
    actions = [
        {"type": "recording_start", "option": {"end_of_key": "none", "on_end_flow_id": on_end}},
        {"type": "sleep", "option": {"duration": 10000}},
        {"type": "recording_stop"},
        {"type": "sleep", "option": {"duration": 60000}},
    ]
    response = await caller.call("+15005550000", actions=actions)
    assert response.status_code == 200, response.text
    call_id = response.json()["calls"][0]["id"]
    await caller.advance(3 + 10)
    call = await caller.get(call_id)
    (recording,) = await _recordings(caller, reference_id=call_id)
    assert recording["status"] == "ended"
    assert recording["activeflow_id"] == call["activeflow_id"]
    assert call["recording_id"] == EMPTY

    response = await api.client.get("/v1.0/activeflows", headers=caller.headers)
    (activeflow,) = [a for a in response.json()["result"] if a["flow_id"] == on_end]
    assert (activeflow["reference_type"], activeflow["reference_id"]) == (
        "recording",
        recording["id"],
    )
    state = await api.state.flows.state(api.state.db, activeflow["id"])
    assert state is not None
    variables = state.variables
    assert variables["voipbin.recording.id"] == recording["id"]
    assert variables["voipbin.recording.reference_id"] == call_id
    names = variables["voipbin.recording.filenames"].split(",")
    assert [n.removeprefix(variables["voipbin.recording.recording_name"]) for n in names] == [
        "_in.wav",
        "_out.wav",
    ]


@sqlite_only
async def test_a_balance_that_cannot_pay_a_minute_of_recording_is_402_and_records_nothing(
    start_app: StartApp,
) -> None:
    prices = '{"recording": {"token": 0, "credit": 100000000}}'  # $100 a minute
    api = await start_app(clock="virtual", jobs_poll_seconds=3600.0, billing_prices=prices)
    caller = await ready_customer(api)
    call_id = await _answered(caller)
    response = await _action(caller, call_id, "recording_start")
    error = assert_error(response, 402, "PAYMENT_REQUIRED", "INSUFFICIENT_BALANCE")
    assert "recording" in error["message"]
    assert await _recordings(caller, reference_id=call_id) == []
    call = await caller.get(call_id)
    assert call["recording_id"] == "00000000-0000-0000-0000-000000000000"
    assert call["recording_ids"] == []


@sqlite_only
async def test_an_on_end_flow_that_is_no_flow_of_the_customer_is_a_422_and_records_nothing(
    start_app: StartApp,
) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    call_id = await _answered(caller)
    missing = "2d3b7a59-90a4-4f6b-8f87-3a4a1d6a0f10"
    response = await _action(caller, call_id, "recording_start", on_end_flow_id=missing)
    error = assert_error(response, 422, "INVALID_ARGUMENT", "UNPROCESSABLE_ENTITY")
    assert [d["field"] for d in error["details"]] == ["on_end_flow_id"]
    assert await _recordings(caller, reference_id=call_id) == []
    document = (await api.client.get("/openapi.json")).json()
    operation = document["paths"]["/v1.0/calls/{id}/recording_start"]["post"]
    assert "422" in operation["responses"]
