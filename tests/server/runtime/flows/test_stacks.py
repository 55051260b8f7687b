"""Pushed stacks: fetch and fetch_flow, returning after them, looking targets up outward."""

from __future__ import annotations

import json
from typing import Any

import msgspec

from tests.server.runtime.flows.kit import act, env, on, start, uid
from voipbin.models.flows.actions import FlowAction
from voipbin.models.flows.options import EMPTY
from voipbin.server.runtime.flows import MAIN_STACK, Step, step
from voipbin.server.runtime.flows import commands as c
from voipbin.server.runtime.flows import events as e


def mark(n: int, text: str, **kw: Any) -> FlowAction:
    return act("variable_set", n, key="visits", value="${visits}" + text, **kw)


def wire(actions: list[dict[str, Any]]) -> bytes:
    return json.dumps(actions).encode()


def answer(r: Step, status: int = 200, body: bytes = b"[]") -> Step:
    assert r.state.waiting is not None
    return step(
        r.state, e.FetchAnswered(token=r.state.waiting.token, status=status, body=body), env()
    )


FETCH = act("fetch", 1, event_url="https://example.com/more")


def test_fetched_actions_run_then_the_flow_returns_after_the_fetch() -> None:
    r = start([FETCH, mark(2, "main")], reference_type="api")
    body = wire(
        [
            {"type": "variable_set", "option": {"key": "visits", "value": "${visits}f1"}},
            {"type": "variable_set", "option": {"key": "visits", "value": "${visits}f2"}},
        ]
    )
    r = answer(r, body=body)
    assert r.state.variables["visits"] == "f1f2main"
    assert r.state.status == "ended"
    assert list(r.state.stacks) == [MAIN_STACK]


def test_fetched_actions_without_ids_are_given_some() -> None:
    r = start([FETCH, act("talk", 2, text="main")])
    body = wire([{"type": "talk", "option": {"text": "fetched"}}])
    r = answer(r, body=body)
    assert r.commands[0] == c.Talk(token=2, text="fetched", seconds=c.talk_seconds("fetched"))
    assert r.state.current_action.id == msgspec.UNSET or r.state.current_action.id != EMPTY
    assert r.state.current_stack_id != MAIN_STACK
    stack = r.state.stacks[r.state.current_stack_id]
    assert stack.return_stack_id == MAIN_STACK
    assert stack.return_action_id == uid(1)


def test_a_fetch_answering_no_list_of_actions_ends_the_flow() -> None:
    for status, body, detail in [
        (500, b"[]", "fetch answered 500"),
        (0, b"", "fetch answered nothing"),
        (200, b'{"type": "talk"}', "no list of actions"),
        (200, b'[{"type": "dance"}]', "no list of actions"),
        (
            200,
            b'[{"type": "goto", "option": {"target_id": "00000000-0000-0000-0000-000000001001"}}]',
            "names no action",
        ),
    ]:
        r = answer(start([FETCH, mark(2, "never")], reference_type="api"), status, body)
        ended = r.commands[-1]
        assert isinstance(ended, c.FlowEnded), body
        assert ended.reason == "error", body
        assert detail in ended.detail, ended.detail
        assert "visits" not in r.state.variables


def test_an_empty_fetch_goes_on_after_it() -> None:
    r = answer(start([FETCH, mark(2, "main")], reference_type="api"))
    assert r.state.variables["visits"] == "main"


def test_fetch_flow_runs_the_flow_then_returns() -> None:
    r = start([act("fetch_flow", 1, flow_id=str(uid(0xF1))), mark(2, "main")], reference_type="api")
    assert r.commands == [c.LoadFlow(token=1, flow_id=uid(0xF1))]
    loaded = [mark(10, "a"), mark(11, "b")]
    r = step(r.state, e.FlowLoaded(token=1, actions=loaded), env())
    assert r.state.variables["visits"] == "abmain"


def test_fetch_flow_of_no_flow_ends_the_flow() -> None:
    r = start([act("fetch_flow", 1, flow_id=str(uid(0xF1))), mark(2, "main")], reference_type="api")
    r = step(r.state, e.FlowLoaded(token=1, actions=None), env())
    ended = r.commands[-1]
    assert isinstance(ended, c.FlowEnded)
    assert ended.reason == "error"


def test_nested_stacks_return_outward_in_order() -> None:
    r = start([act("fetch_flow", 1, flow_id=str(uid(0xF1))), mark(2, "main")], reference_type="api")
    outer = [mark(10, "o1"), act("fetch_flow", 11, flow_id=str(uid(0xF2))), mark(12, "o2")]
    r = step(r.state, e.FlowLoaded(token=1, actions=outer), env())
    assert len(r.state.stacks) == 2
    assert r.state.waiting is not None
    inner = [mark(20, "i")]
    r = step(r.state, e.FlowLoaded(token=r.state.waiting.token, actions=inner), env())
    assert r.state.variables["visits"] == "o1io2main"
    assert list(r.state.stacks) == [MAIN_STACK]


def test_a_goto_in_a_pushed_stack_finds_a_target_outward_and_leaves_the_stack() -> None:
    r = start(
        [
            mark(1, "m1", next_id=uid(3)),
            mark(2, "m2"),
            act("fetch_flow", 3, flow_id=str(uid(0xF1))),
            mark(4, "end"),
        ],
        reference_type="api",
    )
    loaded = [mark(10, "f"), act("goto", 11, target_id=uid(2), loop_count=1), mark(12, "never")]
    r = step(
        r.state,
        e.FlowLoaded(token=r.state.waiting.token if r.state.waiting else 0, actions=loaded),
        env(),
    )
    # back in the main stack at m2, then the fetch_flow again (a fresh stack, loop count anew)
    assert r.state.variables["visits"] == "m1fm2"
    assert on(r.state) == "fetch_flow"
    assert list(r.state.stacks) == [MAIN_STACK]
    r = step(
        r.state,
        e.FlowLoaded(token=r.state.waiting.token if r.state.waiting else 0, actions=loaded),
        env(),
    )
    assert r.state.variables["visits"] == "m1fm2fm2"


def test_targets_are_not_looked_up_in_inner_stacks() -> None:
    r = start(
        [
            act("fetch_flow", 1, flow_id=str(uid(0xF1))),
            act("goto", 2, target_id=uid(10), loop_count=1),
        ],
        reference_type="api",
    )
    r = step(r.state, e.FlowLoaded(token=1, actions=[mark(10, "f")]), env())
    ended = r.commands[-1]
    assert isinstance(ended, c.FlowEnded)
    assert ended.reason == "error"
    assert "names no action" in ended.detail


def test_the_stack_count_is_capped() -> None:
    from voipbin.server.runtime.flows import Limits

    limits = env(limits=Limits(max_stacks=3))
    flow = [act("fetch_flow", 1, flow_id=str(uid(0xF1)))]
    r = step(start(flow, limits, reference_type="api").state, e.Started(), limits)
    r = start(flow, limits, reference_type="api")
    for _ in range(3):
        assert r.state.waiting is not None
        again = [act("fetch_flow", 50 + len(r.state.stacks), flow_id=str(uid(0xF1)))]
        r = step(r.state, e.FlowLoaded(token=r.state.waiting.token, actions=again), limits)
    ended = r.commands[-1]
    assert isinstance(ended, c.FlowEnded)
    assert "more than 3 stacks" in ended.detail


def test_an_answer_for_another_wait_changes_nothing() -> None:
    r = start([FETCH, mark(2, "main")], reference_type="api")
    stale = step(r.state, e.FetchAnswered(token=99, status=200, body=b"[]"), env())
    assert stale.commands == []
    assert stale.state is r.state
    other = step(r.state, e.FlowLoaded(token=1, actions=[]), env())
    assert other.commands == []
    assert other.state is r.state
