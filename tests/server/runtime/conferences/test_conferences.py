"""Conferences on the virtual clock, on both databases: calls join through their number's
flow (``conference_join``), run the conference's pre-flow while ``joining``, are ``joined``,
and leave (``leaving`` then ``leaved``) by a kick, a hangup, a ``connect`` conference's end,
its timeout or its deletion; a participant that leaves while its call is up runs the
post-flow, then its own flow after ``conference_join``. Recording a conference, and what
the API refuses."""

from __future__ import annotations

from typing import Any

from tests.server.conftest import Api, StartApp, assert_error
from tests.server.runtime.calls.kit import Caller, ready_customer, virtual_api

OUR_NUMBER = "+14155550100"
EMPTY = "00000000-0000-0000-0000-000000000000"
UNSET = "9999-01-01 00:00:00.000000"
#: How long the simulated network plays each talk below (seconds, rounded up).
PRE_TALK = "Welcome to the conference."
POST_TALK = "Goodbye."
AFTER_TALK = "You have left the conference."


async def _post(caller: Caller, path: str, body: Any = None) -> Any:
    return await caller.api.client.post(path, json=body or {}, headers=caller.headers)


async def _get(caller: Caller, path: str, **params: str) -> dict[str, Any]:
    response = await caller.api.client.get(path, params=params, headers=caller.headers)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def _flow(caller: Caller, actions: list[dict[str, Any]]) -> str:
    response = await _post(caller, "/v1.0/flows", {"name": "f", "actions": actions})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _conference(caller: Caller, *, pre: bool = True, **body: Any) -> dict[str, Any]:
    if pre:
        body.setdefault(
            "pre_flow_id", await _flow(caller, [{"type": "talk", "option": {"text": PRE_TALK}}])
        )
        body.setdefault(
            "post_flow_id", await _flow(caller, [{"type": "talk", "option": {"text": POST_TALK}}])
        )
    response = await _post(caller, "/v1.0/conferences", body)
    assert response.status_code == 201, response.text
    assert response.headers["location"].endswith(response.json()["id"])
    found: dict[str, Any] = response.json()
    return found


async def _number_joins(caller: Caller, conference_id: str) -> None:
    """Our number's flow: answer, join the conference, then say something."""
    flow_id = await _flow(
        caller,
        [
            {"type": "answer"},
            {"type": "conference_join", "option": {"conference_id": conference_id}},
            {"type": "talk", "option": {"text": AFTER_TALK}},
        ],
    )
    numbers = caller.api.state.services["number"].repository
    row = await numbers.find(("id",), {"number": OUR_NUMBER})
    assert row is not None
    await numbers.update(str(row[0]), {"call_flow_id": flow_id})


async def _inbound(api: Api, source: str = "+15005550000") -> dict[str, Any]:
    body = {
        "source": {"type": "tel", "target": source},
        "destination": {"type": "tel", "target": OUR_NUMBER},
    }
    response = await api.client.post("/_sim/calls", json=body, headers=api.headers)
    assert response.status_code == 201, response.text
    found: dict[str, Any] = response.json()
    return found


async def _participants(caller: Caller, conference_id: str) -> list[dict[str, Any]]:
    page = await _get(caller, "/v1.0/conferencecalls", conference_id=conference_id)
    found: list[dict[str, Any]] = page["result"]
    return found


async def _texts(caller: Caller, activeflow_id: str) -> list[str]:
    """The talks the flow has run (its executed actions, and the one running now)."""
    flow = await _get(caller, f"/v1.0/activeflows/{activeflow_id}")
    actions = [*flow["executed_actions"], flow["current_action"]]
    return [a["option"]["text"] for a in actions if a["type"] == "talk"]


async def _events(caller: Caller, conference_id: str) -> list[tuple[str, str, int]]:
    page = await _get(caller, f"/v1.0/timelines/conferences/{conference_id}/events")
    return [
        (e["event_type"], e["data"]["status"], len(e["data"]["conferencecall_ids"]))
        for e in reversed(page["result"])
    ]


async def _joined(caller: Caller, conference_id: str, *sources: str) -> list[dict[str, Any]]:
    """Inbound calls from ``sources`` join the conference (pre-flow played): their calls."""
    calls = [await _inbound(caller.api, source) for source in sources]
    await caller.advance(5)
    found = await _participants(caller, conference_id)
    assert [p["status"] for p in found] == ["joined"] * len(sources)
    return calls


async def test_a_call_joins_through_the_pre_flow_and_a_kick_runs_the_post_flow(
    start_app: StartApp,
) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    conference = await _conference(
        caller, name="standup", detail="daily", data={"room": 7}, timeout=0
    )
    assert (conference["type"], conference["status"]) == ("conference", "progressing")
    assert (conference["name"], conference["data"]) == ("standup", {"room": 7})
    assert (conference["conferencecall_ids"], conference["recording_ids"]) == ([], [])
    assert (conference["recording_id"], conference["tm_end"]) == (EMPTY, UNSET)
    await _number_joins(caller, conference["id"])

    call = await _inbound(api)
    await caller.advance(0)  # answered; the participant is made and plays the pre-flow
    (joining,) = await _participants(caller, conference["id"])
    assert joining["status"] == "joining"
    assert (joining["reference_type"], joining["reference_id"]) == ("call", call["id"])
    assert joining["activeflow_id"] == call["activeflow_id"]
    assert (await _texts(caller, call["activeflow_id"])) == [PRE_TALK]

    await caller.advance(5)  # the pre-flow has played: in the room
    path = f"/v1.0/conferencecalls/{joining['id']}"
    assert (await _get(caller, path))["status"] == "joined"
    room = await _get(caller, f"/v1.0/conferences/{conference['id']}")
    assert room["conferencecall_ids"] == [joining["id"]]

    kicked = await api.client.delete(path, headers=caller.headers)
    assert kicked.status_code == 204, kicked.text
    assert (await _get(caller, path))["status"] == "leaving"
    await caller.advance(0)  # the network takes it out
    left = await _get(caller, path)
    assert (left["status"], left["tm_delete"]) == ("leaved", UNSET)
    room = await _get(caller, f"/v1.0/conferences/{conference['id']}")
    assert (room["status"], room["conferencecall_ids"]) == ("progressing", [])
    await caller.advance(5)  # the post-flow plays, then the flow after conference_join
    assert (await _texts(caller, call["activeflow_id"])) == [PRE_TALK, POST_TALK, AFTER_TALK]
    assert (await caller.get(call["id"]))["status"] == "progressing"
    again = await api.client.delete(path, headers=caller.headers)
    assert again.status_code == 204
    assert (await _get(caller, path))["status"] == "leaved"
    assert await _events(caller, conference["id"]) == [
        ("conference_created", "progressing", 0),
        ("conference_updated", "progressing", 1),
        ("conference_updated", "progressing", 0),
    ]


async def test_a_caller_hanging_up_leaves_at_once_and_runs_no_post_flow(
    start_app: StartApp,
) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    conference = await _conference(caller, type="connect")
    await _number_joins(caller, conference["id"])
    (call,) = await _joined(caller, conference["id"], "+15005550000")
    room_path = f"/v1.0/conferences/{conference['id']}"

    # One hanging up while it runs the pre-flow was never in the room: nothing ends.
    late = await _inbound(api, "+15005550001")
    await caller.advance(0)
    joining = [p for p in await _participants(caller, conference["id"]) if p["status"] == "joining"]
    assert [p["reference_id"] for p in joining] == [late["id"]]
    await api.client.post(f"/_sim/calls/{late['id']}/hangup", headers=api.headers)
    await caller.advance(0)
    gone = await _get(caller, f"/v1.0/conferencecalls/{joining[0]['id']}")
    assert gone["status"] == "leaved"
    room = await _get(caller, room_path)
    assert (room["status"], len(room["conferencecall_ids"])) == ("progressing", 1)

    response = await api.client.post(f"/_sim/calls/{call['id']}/hangup", headers=api.headers)
    assert response.status_code == 204, response.text
    await caller.advance(0)
    statuses = {
        p["reference_id"]: p["status"] for p in await _participants(caller, conference["id"])
    }
    assert statuses == {call["id"]: "leaved", late["id"]: "leaved"}
    room = await _get(caller, room_path)  # a connect conference with nobody left ends
    assert (room["status"], room["conferencecall_ids"]) == ("terminated", [])
    flow = await _get(caller, f"/v1.0/activeflows/{call['activeflow_id']}")
    assert flow["status"] == "ended"
    assert (await _texts(caller, call["activeflow_id"])) == [PRE_TALK]


async def test_a_connect_conference_ends_when_one_participant_is_left(
    start_app: StartApp,
) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    conference = await _conference(caller, type="connect")
    await _number_joins(caller, conference["id"])
    first, second = await _joined(caller, conference["id"], "+15005550000", "+15005550001")

    await api.client.post(f"/_sim/calls/{first['id']}/hangup", headers=api.headers)
    await caller.advance(0)
    room = await _get(caller, f"/v1.0/conferences/{conference['id']}")
    assert (room["status"], room["conferencecall_ids"]) == ("terminated", [])
    assert room["tm_end"] != UNSET
    assert {p["status"] for p in await _participants(caller, conference["id"])} == {"leaved"}
    await caller.advance(5)  # the one left runs the post-flow and goes on
    assert (await _texts(caller, second["activeflow_id"])) == [PRE_TALK, POST_TALK, AFTER_TALK]
    assert (await caller.get(second["id"]))["status"] == "progressing"
    assert (await _events(caller, conference["id"]))[-4:] == [
        ("conference_updated", "progressing", 1),  # the first left
        ("conference_updated", "terminating", 1),
        ("conference_updated", "terminating", 0),  # the second sent away
        ("conference_deleted", "terminated", 0),
    ]
    # A call joining an ended conference moves on past conference_join.
    late = await _inbound(api, "+15005550002")
    await caller.advance(5)
    assert (await _texts(caller, late["activeflow_id"])) == [AFTER_TALK]
    assert len(await _participants(caller, conference["id"])) == 2


async def test_a_conference_is_deleted_when_its_timeout_passes(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    conference = await _conference(caller, pre=False, timeout=120)
    await _number_joins(caller, conference["id"])
    (call,) = await _joined(caller, conference["id"], "+15005550000")
    # A change counts the timeout from now.
    response = await caller.api.client.put(
        f"/v1.0/conferences/{conference['id']}", json={"timeout": 100}, headers=caller.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["timeout"] == 100

    await caller.advance(99)
    assert (await _get(caller, f"/v1.0/conferences/{conference['id']}"))["status"] == "progressing"
    await caller.advance(1)
    room = await _get(caller, f"/v1.0/conferences/{conference['id']}")
    assert (room["status"], room["conferencecall_ids"]) == ("terminated", [])
    assert room["tm_delete"] != UNSET
    (participant,) = await _participants(caller, conference["id"])
    assert participant["status"] == "leaved"
    await caller.advance(5)  # no post-flow: its flow goes on after conference_join
    assert (await _texts(caller, call["activeflow_id"])) == [AFTER_TALK]
    assert (await _events(caller, conference["id"]))[-1][:2] == ("conference_deleted", "terminated")


async def test_deleting_a_conference_sends_its_participants_away(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    conference = await _conference(caller)
    await _number_joins(caller, conference["id"])
    await _joined(caller, conference["id"], "+15005550000", "+15005550001")
    path = f"/v1.0/conferences/{conference['id']}"

    response = await api.client.delete(path, headers=caller.headers)
    assert response.status_code == 204, response.text
    room = await _get(caller, path)
    assert (room["status"], room["conferencecall_ids"]) == ("terminated", [])
    assert room["tm_delete"] != UNSET
    assert {p["status"] for p in await _participants(caller, conference["id"])} == {"leaved"}
    again = await api.client.delete(path, headers=caller.headers)
    assert again.status_code == 204
    changed = await api.client.put(path, json={"name": "x"}, headers=caller.headers)
    assert_error(changed, 409, "FAILED_PRECONDITION", "CONFERENCE_STATE_INVALID")
    record = await _post(caller, f"{path}/recording_start")
    assert_error(record, 409, "FAILED_PRECONDITION", "CONFERENCE_STATE_INVALID")
    page = await _get(caller, "/v1.0/conferences")
    assert conference["id"] not in [c["id"] for c in page["result"]]


async def test_a_conference_recording_runs_until_stopped_and_refuses_what_calls_refuse(
    start_app: StartApp,
) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    conference = await _conference(caller, pre=False)
    path = f"/v1.0/conferences/{conference['id']}"
    stop = await _post(caller, f"{path}/recording_stop")
    assert_error(stop, 409, "FAILED_PRECONDITION", "RECORDING_NOT_ACTIVE")

    started = await _post(caller, f"{path}/recording_start", {"format": "wav", "duration": 30})
    assert started.status_code == 200, started.text
    recording_id = started.json()["recording_id"]
    assert started.json()["recording_ids"] == [recording_id]
    twice = await _post(caller, f"{path}/recording_start")
    assert_error(twice, 409, "FAILED_PRECONDITION", "RECORDING_ALREADY_ACTIVE")
    recording = await _get(caller, f"/v1.0/recordings/{recording_id}")
    assert (recording["reference_type"], recording["reference_id"]) == (
        "conference",
        conference["id"],
    )
    assert recording["status"] == "recording"

    await caller.advance(30)  # its duration ends it
    assert (await _get(caller, f"/v1.0/recordings/{recording_id}"))["status"] == "ended"
    room = await _get(caller, path)
    assert (room["recording_id"], room["recording_ids"]) == (EMPTY, [recording_id])
    listed = await _get(caller, "/v1.0/recordings", reference_type="conference")
    assert [r["id"] for r in listed["result"]] == [recording_id]


async def test_what_the_api_refuses(start_app: StartApp) -> None:
    api = await virtual_api(start_app)
    caller = await ready_customer(api)
    missing = "5f0e2b4c-0000-4000-8000-000000000000"
    response = await _post(caller, "/v1.0/conferences", {"type": "party"})
    assert_error(response, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
    response = await _post(caller, "/v1.0/conferences", {"pre_flow_id": missing})
    error = assert_error(response, 422, "INVALID_ARGUMENT", "UNPROCESSABLE_ENTITY")
    assert error["details"][0]["field"] == "pre_flow_id"
    response = await api.client.get(f"/v1.0/conferencecalls/{missing}", headers=caller.headers)
    assert_error(response, 404, "NOT_FOUND", "CONFERENCECALL_NOT_FOUND")
    # A flow naming no conference of the customer is refused; one whose conference was
    # deleted since ends with an error when it runs (as upstream's failed join).
    join = {"type": "conference_join", "option": {"conference_id": missing}}
    response = await _post(caller, "/v1.0/flows", {"name": "f", "actions": [join]})
    error = assert_error(response, 422, "INVALID_ARGUMENT", "UNPROCESSABLE_ENTITY")
    assert error["details"][0]["field"] == "actions[0].option.conference_id"
    conference = await _conference(caller, pre=False)
    await _number_joins(caller, conference["id"])
    gone = await api.client.delete(f"/v1.0/conferences/{conference['id']}", headers=caller.headers)
    assert gone.status_code == 204
    call = await _inbound(api)
    await caller.advance(1)
    flow = await _get(caller, f"/v1.0/activeflows/{call['activeflow_id']}")
    assert flow["status"] == "ended"
    assert (await caller.get(call["id"]))["status"] == "hangup"
    assert await _participants(caller, conference["id"]) == []
