"""Acting on a call: hold, mute, music on hold and silence on and off, talk (204), their
409 once the call has hung up, and deleting a call (hung up first)."""

from __future__ import annotations

import pytest

from tests.server.conftest import StartApp, assert_error
from tests.server.runtime.calls.kit import ready_customer, virtual_api


@pytest.mark.parametrize("name", ["hold", "mute", "moh", "silence"])
async def test_a_toggle_goes_on_and_off_until_the_call_has_hung_up(
    start_app: StartApp, name: str
) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    created = await caller.one("+15005550000")
    await caller.advance(3)
    path = f"/v1.0/calls/{created['id']}/{name}"
    for method in ("POST", "DELETE"):
        response = await api.client.request(method, path, headers=caller.headers)
        assert response.status_code == 204, response.text
        assert response.content == b""

    await api.client.post(f"/v1.0/calls/{created['id']}/hangup", headers=caller.headers)
    await caller.advance(0)
    for method in ("POST", "DELETE"):
        response = await api.client.request(method, path, headers=caller.headers)
        assert_error(response, 409, "FAILED_PRECONDITION", "CALL_ALREADY_HANGUP")


async def test_mute_keeps_its_direction_on_the_call(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    created = await caller.one("+15005550000")
    path = f"/v1.0/calls/{created['id']}/mute"
    response = await api.client.post(path, json={}, headers=caller.headers)
    assert response.status_code == 204, response.text
    assert (await caller.get(created["id"]))["mute_direction"] == "both"
    response = await api.client.request(
        "DELETE", path, json={"direction": "in"}, headers=caller.headers
    )
    assert response.status_code == 204, response.text
    assert (await caller.get(created["id"]))["mute_direction"] == "out"
    response = await api.client.post(path, json={"direction": "sideways"}, headers=caller.headers)
    assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    assert (await caller.events(created["id"])).count("call_updated") == 2


async def test_talk_speaks_on_a_live_call(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    created = await caller.one("+15005550000")
    await caller.advance(3)
    path = f"/v1.0/calls/{created['id']}/talk"
    response = await api.client.post(path, json={"text": "hello"}, headers=caller.headers)
    assert response.status_code == 204, response.text
    await caller.advance(5)  # the playback ends; the call stays up
    assert (await caller.get(created["id"]))["status"] == "progressing"
    response = await api.client.post(path, json={}, headers=caller.headers)
    assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    # hangup has no undo
    response = await api.client.delete(
        f"/v1.0/calls/{created['id']}/hangup", headers=caller.headers
    )
    assert response.status_code == 405, response.text


async def test_deleting_a_live_call_hangs_it_up_first(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    created = await caller.one("+15005550000")
    await caller.advance(3)
    response = await api.client.delete(f"/v1.0/calls/{created['id']}", headers=caller.headers)
    assert response.status_code == 204, response.text
    await caller.advance(5)

    response = await api.client.get(
        "/v1.0/calls", params={"deleted": "true"}, headers=caller.headers
    )
    assert response.status_code == 200, response.text
    (call,) = response.json()["result"]
    assert (call["status"], call["hangup_by"], call["hangup_reason"]) == (
        "hangup",
        "local",
        "normal",
    )
    assert call["tm_delete"] != "9999-01-01 00:00:00.000000"
    assert await caller.events(created["id"]) == [
        "call_created",
        "call_ringing",
        "call_progressing",
        "call_terminating",
        "call_hangup",
        "call_deleted",
    ]
    response = await api.client.post(f"/v1.0/calls/{created['id']}/hangup", headers=caller.headers)
    assert_error(response, 409, "FAILED_PRECONDITION", "CALL_STATE_INVALID")
