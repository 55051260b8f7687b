"""Jumps: next_id, goto and its loop count, the cursor cap, branch and the conditions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.server.runtime.flows.kit import act, env, on, start, uid
from voipbin.models.flows.actions import FlowAction
from voipbin.server.runtime.flows import Limits
from voipbin.server.runtime.flows import commands as c


def said(commands: list[c.AnyCommand]) -> list[str]:
    """The texts of the ``variable_set`` marks a flow went through (see :func:`mark`)."""
    return [x.reason for x in commands if isinstance(x, c.NotExecuted)]


def mark(n: int, text: str) -> FlowAction:
    """An action that shows up in the commands as ``not_executed`` with reason ``text``...
    for an ``api`` activeflow, a ``talk`` is skipped; instead we record visits through
    variables, see :func:`visits`."""
    return act("variable_set", n, key="visits", value="${visits}" + text)


def visits(actions: list[FlowAction], **kw: Any) -> str:
    r = start(actions, reference_type="api", **kw)
    return r.state.variables.get("visits", "")


def end_of(actions: list[FlowAction], **kw: Any) -> c.FlowEnded:
    r = start(actions, reference_type="api", **kw)
    ended = r.commands[-1]
    assert isinstance(ended, c.FlowEnded)
    return ended


def test_next_id_jumps_forward_and_the_flow_goes_on_from_there() -> None:
    flow = [mark(1, "a"), act("empty", 2, next_id=uid(4)), mark(3, "b"), mark(4, "c"), mark(5, "d")]
    assert visits(flow) == "acd"


def test_a_next_id_naming_nothing_finishes_the_flow() -> None:
    flow = [mark(1, "a"), act("empty", 2, next_id=uid(99)), mark(3, "b")]
    assert visits(flow) == "a"
    assert end_of(flow).reason == "finished"


def test_goto_jumps_loop_count_times_then_falls_through() -> None:
    flow = [mark(1, "x"), act("goto", 2, target_id=uid(1), loop_count=2), mark(3, "!")]
    assert visits(flow) == "xxx!"


def test_goto_without_a_loop_count_never_jumps() -> None:
    flow = [mark(1, "x"), act("goto", 2, target_id=uid(1)), mark(3, "!")]
    assert visits(flow) == "x!"


def test_goto_to_nowhere_ends_the_flow_with_an_error() -> None:
    ended = end_of([act("goto", 1, target_id=uid(9), loop_count=1), mark(2, "never")])
    assert ended.reason == "error"
    assert "goto.target_id" in ended.detail
    assert "names no action" in ended.detail


def test_a_loop_that_never_ends_stops_at_the_cursor_cap() -> None:
    r = start(
        [mark(1, "x"), act("goto", 2, target_id=uid(1), loop_count=1000)], reference_type="api"
    )
    ended = r.commands[-1]
    assert isinstance(ended, c.FlowEnded)
    assert ended.reason == "error"
    assert "more than 100 times" in ended.detail
    assert r.state.execute_count == 101
    assert r.state.variables["visits"] == "x" * 51


def test_the_cursor_cap_is_configurable() -> None:
    flow = [mark(1, "x"), act("goto", 2, target_id=uid(1), loop_count=1000)]
    r = start(flow, env(limits=Limits(max_moves=10)), reference_type="api")
    assert r.state.execute_count == 11
    assert r.state.status == "ended"


def test_a_flow_of_exactly_the_cap_finishes() -> None:
    flow = [act("empty", i) for i in range(100)]
    ended = end_of(flow)
    assert ended.reason == "finished"


def test_branch_jumps_on_the_variable_and_empties_it() -> None:
    flow = [
        act(
            "branch",
            1,
            variable="choice",
            default_target_id=uid(4),
            target_ids={"1": uid(2), "2": uid(3)},
        ),
        mark(2, "one"),
        mark(3, "two"),
        mark(4, "other"),
    ]
    r = start(flow, reference_type="api", variables={"choice": "2"})
    assert r.state.variables["visits"] == "twoother"
    assert r.state.variables["choice"] == ""
    assert visits(flow, variables={"choice": "7"}) == "other"


def test_branch_reads_the_digits_by_default() -> None:
    flow = [act("branch", 1, target_ids={"5": uid(2)}), act("hangup", 2)]
    r = start(flow, system_variables={"voipbin.call.digits": "5"})
    assert r.commands[0] == c.Hangup(reason="normal")
    assert r.state.variables["voipbin.call.digits"] == ""


def test_branch_with_no_match_and_no_default_ends_the_flow() -> None:
    ended = end_of([act("branch", 1, variable="v", target_ids={"1": uid(2)}), mark(2, "x")])
    assert ended.reason == "error"
    assert "branch" in ended.detail


@pytest.mark.parametrize(
    ("option", "variables", "holds"),
    [
        ({"variable": "${v}", "value_string": "abc"}, {"v": "abc"}, True),
        ({"variable": "${v}", "value_string": "abc"}, {"v": "abd"}, False),
        ({"variable": "v", "value_string": "abc"}, {"v": "abc"}, True),
        ({"variable": "unset", "value_string": ""}, {}, True),
        ({"variable": "${v}", "condition": ">", "value_string": "abb"}, {"v": "abc"}, True),
        (
            {"variable": "${n}", "value_type": "number", "condition": ">=", "value_number": 2.5},
            {"n": "3"},
            True,
        ),
        (
            {"variable": "${n}", "value_type": "number", "condition": "<", "value_number": 2.5},
            {"n": "3"},
            False,
        ),
        (
            {"variable": "${n}", "value_type": "number", "condition": "!=", "value_number": 1},
            {"n": "x"},
            False,
        ),
        (
            {"variable": "${s}", "value_type": "length", "condition": "==", "value_length": 4},
            {"s": "héé"},
            False,
        ),
        (
            {"variable": "${s}", "value_type": "length", "condition": "==", "value_length": 5},
            {"s": "héé"},
            True,
        ),
    ],
)
def test_condition_variable(option: dict[str, Any], variables: dict[str, str], holds: bool) -> None:
    flow = [
        act("condition_variable", 1, false_target_id=uid(3), **option),
        mark(2, "T"),
        mark(3, "F"),
    ]
    assert visits(flow, variables=variables) == ("TF" if holds else "F")


def test_a_failed_condition_without_a_false_target_ends_the_flow() -> None:
    ended = end_of([act("condition_variable", 1, variable="${v}", value_string="x"), mark(2, "T")])
    assert ended.reason == "error"
    assert "false_target_id is not set" in ended.detail


WEDNESDAY_1030 = datetime(2026, 3, 4, 10, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("option", "holds"),
    [
        ({"condition": "==", "hour": 10, "minute": 30}, True),
        ({"condition": "==", "hour": 10}, False),  # a left-out minute is 0, and compared
        ({"condition": "==", "hour": 10, "minute": -1}, True),
        ({"condition": "<=", "hour": 9, "minute": -1}, True),  # 9 <= the hour now
        ({"condition": ">=", "hour": 9, "minute": -1}, False),
        ({"condition": "==", "month": 3, "day": 4, "hour": -1, "minute": -1}, True),
        ({"condition": "==", "month": 4, "hour": -1, "minute": -1}, False),
        ({"condition": "==", "weekdays": [3], "hour": -1, "minute": -1}, True),
        ({"condition": "==", "weekdays": [0, 6], "hour": -1, "minute": -1}, False),
    ],
)
def test_condition_datetime_in_utc(option: dict[str, Any], holds: bool) -> None:
    flow = [
        act("condition_datetime", 1, false_target_id=uid(3), **option),
        mark(2, "T"),
        mark(3, "F"),
    ]
    assert visits(flow) == ("TF" if holds else "F")


def test_condition_datetime_reads_the_time_in_utc() -> None:
    from datetime import timedelta, timezone

    tokyo = WEDNESDAY_1030.astimezone(timezone(timedelta(hours=9)))
    flow = [
        act("condition_datetime", 1, false_target_id=uid(3), hour=10, minute=30),
        mark(2, "T"),
        mark(3, "F"),
    ]
    r = start(flow, env(now=tokyo), reference_type="api")
    assert r.state.variables["visits"] == "TF"


def test_condition_datetime_weekdays_survive_templates_elsewhere() -> None:
    # Filling templates leaves the numbers of a list alone (upstream made them strings).
    flow = [
        act("variable_set", 1, key="k", value="${x}"),
        act("condition_datetime", 2, false_target_id=uid(4), weekdays=[3], hour=-1, minute=-1),
        mark(3, "T"),
        mark(4, "F"),
    ]
    assert visits(flow, variables={"x": "1"}) == "TF"


@pytest.mark.parametrize(
    ("option", "digits", "holds"),
    [
        ({"length": 3}, "123", True),
        ({"length": 3}, "12", False),
        ({"key": "#"}, "12#", True),
        ({"key": "#"}, "12", False),
        ({}, "", False),
    ],
)
def test_condition_call_digits(option: dict[str, Any], digits: str, holds: bool) -> None:
    flow = [
        act("condition_call_digits", 1, false_target_id=uid(3), **option),
        act("hangup", 2, reason="busy"),
        act("hangup", 3),
    ]
    r = start(flow, system_variables={"voipbin.call.digits": digits})
    assert r.commands[0] == c.Hangup(reason="busy" if holds else "normal")


@pytest.mark.parametrize(("status", "holds"), [("progressing", True), ("ringing", False)])
def test_condition_call_status(status: str, holds: bool) -> None:
    flow = [
        act("condition_call_status", 1, status="progressing", false_target_id=uid(3)),
        act("hangup", 2, reason="busy"),
        act("hangup", 3),
    ]
    r = start(flow, env(call_status=status))
    assert r.commands[0] == c.Hangup(reason="busy" if holds else "normal")


def test_variable_set_fills_the_value_twice_and_the_key_once() -> None:
    r = start(
        [act("variable_set", 1, key="${name}", value="${template}")],
        reference_type="api",
        variables={"name": "greeting", "template": "hello ${who}", "who": "Ann"},
    )
    assert r.state.variables["greeting"] == "hello Ann"


def test_the_executed_actions_carry_their_filled_in_options() -> None:
    r = start([act("talk", 1, text="Hi ${who}, ${missing}!")], variables={"who": "Ann"})
    assert r.state.current_action.option.text == "Hi Ann, !"  # type: ignore[attr-defined]
    assert on(r.state) == "talk"


def test_an_option_broken_by_its_templates_is_passed() -> None:
    r = start(
        [act("call", 1, destinations=[{"type": "tel", "target": "${to}"}]), act("hangup", 2)],
        variables={"to": "not a number"},
    )
    assert [type(x) for x in r.commands] == [c.NotExecuted, c.Hangup, c.FlowEnded]
    skipped = r.commands[0]
    assert isinstance(skipped, c.NotExecuted)
    assert skipped.reason.startswith("option.destinations[0]")


def test_an_address_filled_in_by_a_template_is_checked_and_used() -> None:
    r = start(
        [act("call", 1, destinations=[{"type": "tel", "target": "${to}"}])],
        variables={"to": "+15005550001"},
    )
    calls = r.commands[0]
    assert isinstance(calls, c.StartCalls), r.commands
    assert calls.destinations[0].target == "+15005550001"
