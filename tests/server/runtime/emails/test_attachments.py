"""Emails' attachments: recordings of the customer (else a 422), attached as upstream does
(``<recording id>.zip``, ``application/zip``, the recording's two WAVs), waited for while
their files are not written, left out past the size limit; seen in the local outbox and in
what an SMTP server receives."""

from __future__ import annotations

import asyncio
import email
import email.policy
import hashlib
import io
import shutil
import zipfile
from typing import Any

import pytest

from tests.server.conftest import Api, StartApp, assert_error
from tests.server.runtime.calls.kit import Caller, ready_customer, virtual_api
from tests.server.runtime.emails.conftest import SmtpServer

sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
TO = [{"type": "email", "target": "alice@example.com"}]


def _body(*recording_ids: str) -> dict[str, Any]:
    attachments = [{"reference_type": "recording", "reference_id": r} for r in recording_ids]
    return {
        "destinations": TO,
        "subject": "Voicemail",
        "content": "Attached.",
        "attachments": attachments,
    }


async def _recording(caller: Caller, *, stop: bool = True) -> str:
    """A recording of an answered call: ended and its files written, or still running."""
    call = await caller.one("+15005550000")
    await caller.advance(3)
    path = f"/v1.0/calls/{call['id']}/recording_start"
    response = await caller.api.client.post(path, json={}, headers=caller.headers)
    assert response.status_code == 200, response.text
    recording_id = str(response.json()["recording_id"])
    await caller.advance(5)
    if stop:
        await _stop(caller, call["id"])
    return recording_id


async def _stop(caller: Caller, call_id: str) -> None:
    path = f"/v1.0/calls/{call_id}/recording_stop"
    response = await caller.api.client.post(path, json={}, headers=caller.headers)
    assert response.status_code == 200, response.text
    await caller.advance(0)
    await caller.api.state.recordings.settle()


async def _send(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    response = await caller.api.client.post("/v1.0/emails", json=body, headers=caller.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def _status(caller: Caller, email_id: str) -> str:
    response = await caller.api.client.get(f"/v1.0/emails/{email_id}", headers=caller.headers)
    return str(response.json()["status"])


async def _step(caller: Caller, seconds: float) -> None:
    await caller.advance(seconds)
    await caller.api.state.emails.settle()


async def _delivered(api: Api, email_id: str) -> list[dict[str, Any]]:
    response = await api.client.get(f"/_sim/emails?email_id={email_id}", headers=api.headers)
    [delivered] = response.json()["result"]
    attachments: list[dict[str, Any]] = delivered["attachments"]
    return attachments


async def _download(api: Api, caller: Caller, recording_id: str) -> bytes:
    """The recording's zip, as ``GET /v1.0/recordingfiles/{id}`` gives it."""
    link = await api.client.get(f"/v1.0/recordingfiles/{recording_id}", headers=caller.headers)
    assert link.status_code == 307, link.text
    return (await api.client.get(link.headers["location"])).content


@sqlite_only
async def test_an_attachment_that_is_no_live_recording_of_the_customer_is_a_422(
    start_app: StartApp,
) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    other = await ready_customer(api, source="+14155550199")
    theirs = await _recording(other)
    mine = await _recording(caller)
    missing = "8d8c6d67-7a3d-4a55-9d7c-6f0f8b7c0a11"
    for attachments, i in (([missing], 0), ([mine, theirs], 1)):
        response = await caller.api.client.post(
            "/v1.0/emails", json=_body(*attachments), headers=caller.headers
        )
        error = assert_error(response, 422, "INVALID_ARGUMENT", "UNPROCESSABLE_ENTITY")
        assert error["details"][0]["field"] == f"attachments[{i}].reference_id"
    # A flow's email_send naming another customer's recording makes nothing; the flow goes on.
    option = {"destinations": TO, "attachments": _body(theirs)["attachments"]}
    actions = [{"type": "email_send", "option": option}]
    response = await api.client.post(
        "/v1.0/activeflows", json={"actions": actions}, headers=caller.headers
    )
    assert response.status_code == 201, response.text
    await caller.advance(0)
    assert (await api.client.get("/v1.0/emails", headers=caller.headers)).json()["result"] == []


@sqlite_only
async def test_an_email_waits_for_its_recordings_files_and_the_outbox_shows_each_zip(
    start_app: StartApp,
) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    running = await _recording(caller, stop=False)
    created = await _send(caller, _body(running, running))
    await _step(caller, 60)
    assert await _status(caller, created["id"]) == "initiated"  # its files are not written

    [call] = (await api.client.get("/v1.0/calls", headers=caller.headers)).json()["result"]
    await _stop(caller, call["id"])
    zipped = await _download(api, caller, running)
    # Room for one zip: the second copy is left out.
    attachments = api.state.emails.attachments
    assert attachments is not None
    attachments.limit = len(zipped) + 10
    await _step(caller, 30)
    assert await _status(caller, created["id"]) == "delivered"
    fields = {
        "reference_type": "recording",
        "reference_id": running,
        "filename": f"{running}.zip",
        "content_type": "application/zip",
        "size": len(zipped),
        "sha256": hashlib.sha256(zipped).hexdigest(),
    }
    assert await _delivered(api, created["id"]) == [
        {**fields, "status": "attached"},
        {**fields, "status": "too_large"},
    ]

    # Files that never come: the send waits an hour, then goes without them.
    shutil.rmtree(api.state.recordings.files.directory(running))
    late = await _send(caller, _body(running))
    await _step(caller, 3540)
    assert await _status(caller, late["id"]) == "initiated"
    await _step(caller, 60)
    assert await _status(caller, late["id"]) == "delivered"
    [left_out] = await _delivered(api, late["id"])
    assert (left_out["status"], left_out["size"], left_out["sha256"]) == ("not_ready", 0, "")


@sqlite_only
async def test_through_smtp_each_recording_arrives_as_its_zip(
    start_app: StartApp, smtp_server: SmtpServer
) -> None:
    url = f"smtp://127.0.0.1:{smtp_server.port}?from=service@example.com&timeout=5"
    api = await virtual_api(start_app, smtp_url=url)
    caller = await ready_customer(api)
    recording_id = await _recording(caller)
    created = await _send(caller, _body(recording_id))
    await _step(caller, 0)
    assert await _status(caller, created["id"]) == "delivered"

    [raw] = smtp_server.messages
    message = email.message_from_bytes(raw, policy=email.policy.SMTP)
    assert message.get_content_type() == "multipart/mixed"
    [text, attached] = list(message.iter_parts())
    assert text.get_content().strip() == "Attached."
    assert attached.get_content_type() == "application/zip"
    assert attached.get_filename() == f"{recording_id}.zip"
    data = attached.get_content()
    assert data == await _download(api, caller, recording_id)
    directory = api.state.recordings.files.directory(recording_id)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = sorted(archive.namelist())
        assert [n.rsplit("_", 1)[1] for n in names] == ["in.wav", "out.wav"]
        for name in names:
            assert archive.read(name) == await asyncio.to_thread((directory / name).read_bytes)
