"""Queuecalls on the virtual clock, on both databases (behaviour-flows-webhooks.md §6.1 and
our fixes): every transition a caller can go through, with its queue's lists and counters,
its agent's status and its flow going on after ``queue_join``."""

from __future__ import annotations

from tests.server.conftest import StartApp, assert_error
from tests.server.runtime.queues.kit import Center, center

EMPTY = "00000000-0000-0000-0000-000000000000"
#: A wait flow that talks (about 3 s a pass): the caller hears it in a loop while waiting.
MUSIC = [{"type": "talk", "option": {"text": "Please hold, your call matters to us."}}]


async def _flow_after_queue(c: Center, activeflow_id: str) -> tuple[str, str]:
    """Where the caller's flow is: its status and its current action's type."""
    flow = await c.get(f"/v1.0/activeflows/{activeflow_id}")
    return flow["status"], flow["current_action"]["type"]


async def test_a_caller_hears_the_wait_flow_past_the_step_cap_then_is_served_and_goes_on(
    start_app: StartApp,
) -> None:
    c = await center(start_app)
    await c.rule(r"ann@agents\.example", answer_after=5, hangup_after=30)
    ann = await c.agent("ann")
    away = await c.api.client.put(
        f"/v1.0/agents/{ann}/status", json={"status": "away"}, headers=c.headers
    )
    assert away.status_code == 200
    queue = await c.queue(wait_flow_id=await c.flow(MUSIC), routing_method="longest_idle")
    await c.number_joins(queue["id"])
    call = await c.inbound()
    await c.advance(0)
    queuecall = await c.queuecall_of(call["id"])
    assert (queuecall["status"], queuecall["position"]) == ("waiting", 1)
    shown = await c.get(f"/v1.0/queues/{queue['id']}")
    assert (shown["wait_queuecall_ids"], shown["total_incoming_count"]) == ([queuecall["id"]], 1)

    # Ten minutes of hold music: some 200 passes, twice upstream's cap of 100 moves.
    await c.advance(600)
    assert await _flow_after_queue(c, call["activeflow_id"]) == ("running", "talk")
    assert (await c.queuecall_of(call["id"]))["status"] == "waiting"

    back = await c.api.client.put(
        f"/v1.0/agents/{ann}/status", json={"status": "available"}, headers=c.headers
    )
    assert back.status_code == 200
    await c.advance(1)  # the dispatcher looks every second: Ann rings
    ringing = await c.queuecall_of(call["id"])
    assert (ringing["status"], ringing["service_agent_id"]) == ("connecting", ann)
    assert ringing["service_groupcall_id"] != EMPTY
    assert await c.agent_status(ann) == "ringing"

    await c.advance(5)  # Ann answers: bridged, the hold music stops
    served = await c.queuecall_of(call["id"])
    assert served["status"] == "service"
    assert served["service_call_id"] != EMPTY
    assert served["duration_waiting"] >= 600_000
    assert await c.agent_status(ann) == "busy"
    assert await _flow_after_queue(c, call["activeflow_id"]) == ("running", "queue_join")
    assert (await c.get(f"/v1.0/calls/{call['id']}"))["chained_call_ids"] == [
        served["service_call_id"]
    ]
    shown = await c.get(f"/v1.0/queues/{queue['id']}")
    assert (shown["wait_queuecall_ids"], shown["service_queuecall_ids"]) == ([], [served["id"]])

    await c.advance(30)  # Ann hangs up: done; the caller hears "Goodbye." and is hung up
    done = await c.queuecall_of(call["id"])
    assert (done["status"], done["duration_service"]) == ("done", 30_000)
    assert await c.agent_status(ann) == "available"
    await c.advance(10)
    assert await _flow_after_queue(c, call["activeflow_id"]) == ("ended", "hangup")
    ended = await c.get(f"/v1.0/calls/{call['id']}")
    assert (ended["status"], ended["hangup_by"]) == ("hangup", "local")
    shown = await c.get(f"/v1.0/queues/{queue['id']}")
    counts = [shown[f"total_{k}_count"] for k in ("incoming", "serviced", "abandoned")]
    assert counts == [1, 1, 0]
    assert (shown["wait_queuecall_ids"], shown["service_queuecall_ids"]) == ([], [])
    assert await c.events("queuecalls", done["id"]) == [
        "queuecall_created",
        "queuecall_waiting",
        "queuecall_connecting",
        "queuecall_serviced",
        "queuecall_done",
    ]


async def test_with_no_agent_the_wait_times_out_and_kicks_end_the_wait(
    start_app: StartApp,
) -> None:
    c = await center(start_app)
    queue = await c.queue(wait_timeout=10_000)  # no wait flow: callers wait in silence
    await c.number_joins(queue["id"])
    timed_out = await c.inbound()
    await c.advance(9)
    assert (await c.queuecall_of(timed_out["id"]))["status"] == "waiting"
    await c.advance(1)
    abandoned = await c.queuecall_of(timed_out["id"])
    assert (abandoned["status"], abandoned["duration_waiting"]) == ("abandoned", 10_000)
    assert await _flow_after_queue(c, timed_out["activeflow_id"]) == ("running", "talk")

    kicked = await c.inbound()
    await c.advance(2)
    queuecall = await c.queuecall_of(kicked["id"])
    answer = await c.post(f"/v1.0/queuecalls/{queuecall['id']}/kick", status=200)
    assert answer["status"] == "abandoned"
    await c.advance(0)
    assert await _flow_after_queue(c, kicked["activeflow_id"]) == ("running", "talk")
    again = await c.api.client.post(f"/v1.0/queuecalls/{queuecall['id']}/kick", headers=c.headers)
    assert_error(again, 409, "FAILED_PRECONDITION", "QUEUECALL_STATE_INVALID")

    deleted = await c.inbound()  # deleting a waiting queuecall kicks it first
    await c.advance(1)
    queuecall = await c.queuecall_of(deleted["id"])
    gone = await c.api.client.delete(f"/v1.0/queuecalls/{queuecall['id']}", headers=c.headers)
    assert gone.status_code == 204
    shown = await c.get(f"/v1.0/queuecalls/{queuecall['id']}")
    assert (shown["status"], shown["tm_delete"] != "9999-01-01 00:00:00.000000") == (
        "abandoned",
        True,
    )
    queue = await c.get(f"/v1.0/queues/{queue['id']}")
    counts = [queue[f"total_{k}_count"] for k in ("incoming", "serviced", "abandoned")]
    assert (counts, queue["wait_queuecall_ids"]) == ([3, 0, 3], [])


async def test_an_agent_answering_after_the_caller_hung_up_is_hung_up_and_free_again(
    start_app: StartApp,
) -> None:
    c = await center(start_app)
    await c.rule(r"bob@agents\.example", answer_after=10)
    bob = await c.agent("bob")
    queue = await c.queue()
    await c.number_joins(queue["id"])
    call = await c.inbound()
    await c.advance(3)
    assert (await c.queuecall_of(call["id"]))["status"] == "connecting"
    await c.hang_up(call["id"])
    await c.advance(0)
    abandoned = await c.queuecall_of(call["id"])
    assert abandoned["status"] == "abandoned"
    assert await c.agent_status(bob) == "ringing"  # his phone rings on

    await c.advance(8)  # he answers: nobody to talk to, his call is hung up
    assert await c.agent_status(bob) == "available"
    group = await c.get(f"/v1.0/groupcalls/{abandoned['service_groupcall_id']}")
    (leg,) = group["call_ids"]
    leg_call = await c.get(f"/v1.0/calls/{leg}")
    assert (leg_call["status"], leg_call["hangup_by"]) == ("hangup", "local")
    after = await c.queuecall_of(call["id"])
    assert (after["status"], after["tm_service"]) == ("abandoned", "9999-01-01 00:00:00.000000")
    assert await c.events("queuecalls", after["id"]) == [
        "queuecall_created",
        "queuecall_waiting",
        "queuecall_connecting",
        "queuecall_abandoned",
    ]
    queue = await c.get(f"/v1.0/queues/{queue['id']}")
    counts = [queue[f"total_{k}_count"] for k in ("incoming", "serviced", "abandoned")]
    assert counts == [1, 0, 1]


async def test_an_agent_not_answering_puts_the_caller_back_first_in_line(
    start_app: StartApp,
) -> None:
    c = await center(start_app)
    await c.rule(r"cleo@agents\.example", outcome="busy", outcome_after=2)
    tag = (await c.post("/v1.0/tags", {"name": "billing"}))["id"]
    cleo = await c.agent("cleo", tag_ids=[tag])
    await c.agent("untagged")  # never rung: it shares no tag with the queue
    queue = await c.queue(tag_ids=[tag], service_timeout=5_000)
    await c.number_joins(queue["id"])
    first = await c.inbound()
    await c.advance(1)
    second = await c.inbound()
    await c.advance(0)
    one, two = await c.queuecall_of(first["id"]), await c.queuecall_of(second["id"])
    assert (one["status"], two["status"], two["position"]) == ("connecting", "waiting", 1)

    await c.advance(1)  # Cleo is busy: the first caller is back first in line, rung again
    assert await c.agent_status(cleo) == "ringing"
    again = await c.queuecall_of(first["id"])
    assert again["status"] == "connecting"
    assert again["service_groupcall_id"] != one["service_groupcall_id"]
    assert (await c.queuecall_of(second["id"]))["position"] == 1
    assert await c.events("queuecalls", one["id"]) == [
        "queuecall_created",
        "queuecall_waiting",
        "queuecall_connecting",
        "queuecall_waiting",
        "queuecall_connecting",
    ]
    queue = await c.get(f"/v1.0/queues/{queue['id']}")
    assert queue["wait_queuecall_ids"] == [one["id"], two["id"]]

    await c.hang_up(first["id"])
    await c.hang_up(second["id"])
    await c.advance(3)
    assert await c.agent_status(cleo) == "available"
    queue = await c.get(f"/v1.0/queues/{queue['id']}")
    counts = [queue[f"total_{k}_count"] for k in ("incoming", "serviced", "abandoned")]
    assert (counts, queue["wait_queuecall_ids"]) == ([2, 0, 2], [])


async def test_the_service_timeout_hangs_the_agent_up_and_a_deleted_queue_lets_callers_go(
    start_app: StartApp,
) -> None:
    c = await center(start_app)
    await c.rule(r"dan@agents\.example", answer_after=1, hangup_after=600)
    dan = await c.agent("dan")
    queue = await c.queue(service_timeout=5_000)
    await c.number_joins(queue["id"])
    call = await c.inbound()
    await c.advance(1)
    served = await c.queuecall_of(call["id"])
    assert (served["status"], await c.agent_status(dan)) == ("service", "busy")
    await c.advance(5)  # served 5 s: the service is over, Dan's call hung up
    done = await c.queuecall_of(call["id"])
    assert (done["status"], done["duration_service"]) == ("done", 5_000)
    leg = await c.get(f"/v1.0/calls/{done['service_call_id']}")
    assert (leg["status"], leg["hangup_by"]) == ("hangup", "local")
    assert await c.agent_status(dan) == "available"
    assert await _flow_after_queue(c, call["activeflow_id"]) == ("running", "talk")

    busy = await c.api.client.put(
        f"/v1.0/agents/{dan}/status", json={"status": "away"}, headers=c.headers
    )
    assert busy.status_code == 200
    waiting = await c.inbound()
    await c.advance(1)
    gone = await c.api.client.delete(f"/v1.0/queues/{queue['id']}", headers=c.headers)
    assert gone.status_code == 204
    await c.advance(1)  # the dispatcher finds the queue deleted: its caller goes on
    assert (await c.queuecall_of(waiting["id"]))["status"] == "abandoned"
    assert await _flow_after_queue(c, waiting["activeflow_id"]) == ("running", "talk")
