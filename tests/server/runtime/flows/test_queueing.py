"""A call's flow in a queue (``queue_join``), on the pure engine: the wait flow loops past
the step cap, a wait flow that never waits is stopped, an agent's answer stops the wait
flow's media and holds the flow, and leaving the queue goes on after ``queue_join``."""

from __future__ import annotations

from uuid import UUID

from tests.server.runtime.flows.kit import act, env, on, start, tags
from voipbin.server.runtime.flows import Step, step
from voipbin.server.runtime.flows import commands as c
from voipbin.server.runtime.flows import events as e

QUEUE_ID = UUID(int=0x0E)


def _joined(wait_actions: list[object]) -> tuple[Step, c.QueueJoin]:
    r = start([act("queue_join", 1, queue_id=str(QUEUE_ID)), act("talk", 2, text="Goodbye.")])
    (join,) = r.commands
    assert isinstance(join, c.QueueJoin)
    assert (r.state.waiting is not None and r.state.waiting.kind) == "queue"
    answer = e.QueueWaiting(
        token=join.token,
        queuecall_id=join.queuecall_id,
        actions=wait_actions,  # type: ignore[arg-type]
        variables={"voipbin.queue.name": "support"},
    )
    return step(r.state, answer, env()), join


def test_the_wait_flow_loops_past_the_step_cap_and_leaving_goes_on_after_queue_join() -> None:
    r, join = _joined([act("talk", 10, text="Please hold.")])
    assert tags(r.commands) == ["talk"]
    assert r.state.variables["voipbin.queue.name"] == "support"
    for _ in range(300):  # three times upstream's cap of 100 moves
        assert r.state.waiting is not None
        r = step(r.state, e.TimerFired(token=r.state.waiting.token), env())
        assert tags(r.commands) == ["talk"]
    assert (r.state.status, r.state.execute_count > 300) == ("running", True)

    token = r.state.waiting.token if r.state.waiting else 0
    served = step(r.state, e.QueueServing(queuecall_id=join.queuecall_id), env())
    assert served.commands == [c.StopMedia(token=token)]
    assert on(served.state) == "queue_join"
    assert step(served.state, e.TimerFired(token=token), env()).commands == []

    other = step(served.state, e.QueueLeft(queuecall_id=UUID(int=1)), env())
    assert other.commands == []  # another queuecall's news changes nothing
    left = step(served.state, e.QueueLeft(queuecall_id=join.queuecall_id), env())
    assert (tags(left.commands), on(left.state)) == (["talk"], "talk")
    assert len(left.state.stacks) == 1


def test_a_wait_flow_that_never_waits_ends_the_flow_and_a_missing_queue_too() -> None:
    r, _ = _joined([act("variable_set", 10, key="k", value="v")])
    ended = r.commands[-1]
    assert isinstance(ended, c.FlowEnded)
    assert (ended.reason, "waited for none" in ended.detail) == ("error", True)

    r = start([act("queue_join", 1, queue_id=str(QUEUE_ID))])
    (join,) = r.commands
    assert isinstance(join, c.QueueJoin)
    refused = e.QueueWaiting(token=join.token, queuecall_id=join.queuecall_id, error="no queue")
    ended = step(r.state, refused, env()).commands[-1]
    assert isinstance(ended, c.FlowEnded)
    assert (ended.reason, ended.detail) == ("error", "queue_join: no queue")


def test_with_no_wait_flow_the_flow_waits_on_queue_join_until_kicked() -> None:
    r, join = _joined([])
    assert (r.commands, on(r.state)) == ([], "queue_join")
    left = step(r.state, e.QueueLeft(queuecall_id=join.queuecall_id), env())
    assert tags(left.commands) == ["talk"]
