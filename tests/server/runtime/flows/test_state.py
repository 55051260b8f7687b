"""The state as a stored value, its variables, ending, and on_complete chaining."""

from __future__ import annotations

import copy
from uuid import UUID

import pytest

from tests.server.runtime.flows.kit import (
    ACTIVEFLOW_ID,
    CALL_ID,
    FLOW_ID,
    NOW,
    act,
    env,
    start,
    state,
    uid,
)
from voipbin.models.activeflow import ActiveflowCreate
from voipbin.models.flows.actions import FINISH, START
from voipbin.models.flows.options import EMPTY
from voipbin.models.wire import to_wire
from voipbin.server.runtime.flows import MAX_COMPLETE_HOPS, chain, decode, encode, step
from voipbin.server.runtime.flows import commands as c
from voipbin.server.runtime.flows import events as e
from voipbin.server.runtime.flows.variables import substitute, substitute_all
from voipbin.server.runtime.flows.view import activeflow


def test_a_state_mid_flow_survives_storage_and_goes_on_the_same() -> None:
    flow = [
        act("variable_set", 1, key="a", value="1"),
        act("fetch_flow", 2, flow_id=str(uid(0xF1))),
        act("hangup", 3),
    ]
    r = start(flow, variables={"x": "y"})
    loaded = [act("goto", 10, target_id=uid(11), loop_count=3), act("talk", 11, text="${a}")]
    r = step(r.state, e.FlowLoaded(token=2, actions=loaded), env())
    stored = encode(r.state)
    back = decode(stored)
    assert back == r.state
    assert encode(back) == stored
    assert isinstance(stored, bytes)
    original = step(r.state, e.TimerFired(token=r.state.waiting.token), env())  # type: ignore[union-attr]
    restored = step(back, e.TimerFired(token=back.waiting.token), env())  # type: ignore[union-attr]
    assert restored.commands == original.commands
    assert encode(restored.state) == encode(original.state)


def test_a_step_leaves_its_input_state_alone() -> None:
    s = state([act("variable_set", 1, key="a", value="1"), act("talk", 2, text="hi")])
    before = copy.deepcopy(s)
    step(s, e.Started(), env())
    assert s == before


def test_new_state_sets_the_activeflow_variables_and_drops_reserved_ones() -> None:
    s = state(
        [],
        variables={" name ": "Ann", "voipbin.call.id": "forged", "VoIPBIN.x": "no", "": "empty"},
        system_variables={"voipbin.call.id": str(CALL_ID)},
    )
    assert s.variables == {
        "name": "Ann",
        "voipbin.call.id": str(CALL_ID),
        "voipbin.activeflow.id": str(ACTIVEFLOW_ID),
        "voipbin.activeflow.reference_type": "call",
        "voipbin.activeflow.reference_id": str(CALL_ID),
        "voipbin.activeflow.reference_activeflow_id": str(EMPTY),
        "voipbin.activeflow.flow_id": str(FLOW_ID),
        "voipbin.activeflow.complete_count": "0",
    }


@pytest.mark.parametrize(
    ("text", "filled"),
    [
        ("Hello ${name}", "Hello Ann"),
        ("${missing}!", "!"),
        ("${name}${name}", "AnnAnn"),
        ("no templates", "no templates"),
        ("${unclosed", "${unclosed"),
        ("${}", ""),
        ("$name", "$name"),
    ],
)
def test_substitution(text: str, filled: str) -> None:
    assert substitute(text, {"name": "Ann"}) == filled


def test_substitution_fills_nested_strings_and_leaves_other_values() -> None:
    value = {"a": ["${x}", 1, True, None, {"b": "${x}"}], "n": 2.5, "${x}": "key"}
    assert substitute_all(value, {"x": "X"}) == {
        "a": ["X", 1, True, None, {"b": "X"}],
        "n": 2.5,
        "${x}": "key",
    }


def test_ended_flows_ignore_events() -> None:
    r = start([act("answer")])
    assert r.state.status == "ended"
    for event in (
        e.Started(),
        e.DigitsReceived(digits="1"),
        e.TimerFired(token=1),
        e.CallHungUp(),
        e.StopRequested(),
    ):
        later = step(r.state, event, env())
        assert later.commands == []
        assert later.state is r.state


def test_started_twice_runs_once() -> None:
    r = start([act("talk", 1, text="hi")])
    again = step(r.state, e.Started(), env())
    assert again.commands == []


def test_the_call_hanging_up_ends_the_flow_without_hanging_up_again() -> None:
    r = start([act("talk", 1, text="hi")], on_complete_flow_id=uid(0xF9))
    r = step(r.state, e.CallHungUp(), env())
    assert r.commands == [c.FlowEnded(reason="call_hangup", on_complete_flow_id=uid(0xF9))]
    assert r.state.status == "ended"
    assert r.state.waiting is None


def test_a_stop_request_ends_the_flow_and_its_call() -> None:
    r = start([act("talk", 1, text="hi")])
    r = step(r.state, e.StopRequested(), env())
    assert r.commands == [c.FlowEnded(reason="stopped", hangup_call=True)]


def test_on_complete_chains_copy_the_variables_up_to_the_hop_limit() -> None:
    flow = [act("variable_set", 1, key="k", value="v")]
    first = state(flow, reference_type="api", on_complete_flow_id=uid(0xF1))
    r = step(first, e.Started(), env())
    assert r.commands[-1] == c.FlowEnded(reason="finished", on_complete_flow_id=uid(0xF1))
    parent, hops = r.state, 0
    while True:
        child = chain(
            parent,
            id=UUID(int=0xC000 + hops),
            flow_id=uid(0xF1),
            actions=flow,
            on_complete_flow_id=uid(0xF1),
        )
        if child is None:
            break
        hops += 1
        assert child.complete_count == hops
        assert child.reference_activeflow_id == parent.id
        assert child.reference_type == "api"
        assert child.variables["k"] == "v"
        assert child.variables["voipbin.activeflow.reference_activeflow_id"] == str(parent.id)
        assert child.variables["voipbin.activeflow.complete_count"] == str(hops)
        ended = step(child, e.Started(), env()).commands[-1]
        assert isinstance(ended, c.FlowEnded)
        # the last hop names no flow to chain to
        assert ended.on_complete_flow_id == (uid(0xF1) if hops < MAX_COMPLETE_HOPS else EMPTY)
        parent = child
    assert hops == MAX_COMPLETE_HOPS == 4


def test_the_activeflow_model_reads_a_created_body() -> None:
    import msgspec

    body = msgspec.json.decode(
        b'{"actions": [{"type": "talk", "option": {"text": "hi"}}], "variables": {"a": "b"},'
        b' "webhook_uri": "https://example.com/hook", "webhook_method": "POST"}',
        type=ActiveflowCreate,
    )
    assert body.flow_id is None
    assert body.variables == {"a": "b"}
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(b'{"webhook_method": "PATCH"}', type=ActiveflowCreate)
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(b'{"variables": {"a": 1}}', type=ActiveflowCreate)


def test_the_activeflow_shows_where_the_flow_is_and_what_it_ran() -> None:
    r = start([act("variable_set", 1, key="who", value="Ann"), act("talk", 2, text="Hi ${who}")])
    shown = to_wire(activeflow(r.state, webhook_uri="https://example.com/h", tm_create=NOW))
    assert shown["status"] == "running"
    assert shown["reference_type"] == "call"
    assert shown["reference_id"] == str(CALL_ID)
    assert shown["reference_activeflow_id"] == str(EMPTY)
    assert shown["current_action"]["id"] == str(uid(2))
    assert shown["current_action"]["option"]["text"] == "Hi Ann"
    assert [a["id"] for a in shown["executed_actions"]] == [str(START), str(uid(1))]
    assert shown["webhook_uri"] == "https://example.com/h"
    assert "stacks" not in shown
    assert "variables" not in shown
    ended = step(r.state, e.TimerFired(token=2), env()).state
    shown = to_wire(activeflow(ended, tm_create=NOW))
    assert shown["status"] == "ended"
    assert shown["current_action"]["id"] == str(FINISH)
