"""The groupcall rules (behaviour-calls-billing-numbers.md §1.7): ring_all's first answer
wins and the other legs are hung up; linear rings one destination after another and ends
when none is left; the counters count the legs alive, linear's right (upstream's is not)."""

from __future__ import annotations

from uuid import UUID

import pytest

from voipbin.server.runtime.groupcalls import machine
from voipbin.server.runtime.groupcalls.machine import Decision, GroupcallState

A, B, C = UUID(int=11), UUID(int=12), UUID(int=13)


def test_ring_all_rings_every_destination_and_counts_each_kind() -> None:
    started = machine.start("ring_all", "hangup_others", ("call", "groupcall", "call"))
    assert started.dial == (0, 1, 2)
    assert started.event == "groupcall_created"
    state = started.state
    assert (state.status, state.call_count, state.groupcall_count, state.dial_index) == (
        "progressing",
        2,
        1,
        0,
    )


def test_linear_rings_only_the_first_destination() -> None:
    started = machine.start("linear", "hangup_others", ("groupcall", "call", "call"))
    assert started.dial == (0,)
    assert (started.state.call_count, started.state.groupcall_count) == (0, 1)


def test_a_groupcall_without_destinations_cannot_start() -> None:
    with pytest.raises(ValueError, match="at least one destination"):
        machine.start("ring_all", "hangup_others", ())


def test_ring_all_first_answer_wins_and_the_others_are_hung_up() -> None:
    state = machine.start("ring_all", "hangup_others", ("call", "call", "call")).state
    first = machine.leg_answered(state, B)
    assert first.event == "groupcall_progressing"
    assert first.hang_up_legs
    assert first.keep == B
    assert first.state.answer_id == B
    assert first.state.status == "progressing"
    # A second answer (a race) changes nothing.
    assert machine.leg_answered(first.state, C) == Decision(first.state)
    # The two losers end (canceled), then the winner: only then does the groupcall end.
    after_a = machine.leg_ended(first.state, "call")
    assert (after_a.state.call_count, after_a.event, after_a.dial) == (2, None, ())
    after_c = machine.leg_ended(after_a.state, "call")
    assert (after_c.state.call_count, after_c.event) == (1, None)
    last = machine.leg_ended(after_c.state, "call")
    assert last.state.status == "hangup"
    assert last.state.call_count == 0
    assert last.event == "groupcall_hangup"


def test_without_an_answer_method_an_answer_leaves_the_other_legs_ringing() -> None:
    state = machine.start("ring_all", "", ("call", "call")).state
    answered = machine.leg_answered(state, A)
    assert answered.event == "groupcall_progressing"
    assert not answered.hang_up_legs


def test_ring_all_ends_when_every_leg_failed() -> None:
    state = machine.start("ring_all", "hangup_others", ("call", "groupcall")).state
    one = machine.leg_ended(state, "groupcall")
    assert (one.state.status, one.state.groupcall_count, one.event) == ("progressing", 0, None)
    two = machine.leg_ended(one.state, "call")
    assert (two.state.status, two.event, two.dial) == ("hangup", "groupcall_hangup", ())


def test_linear_tries_the_next_destination_on_failure_and_counts_it_right() -> None:
    state = machine.start("linear", "hangup_others", ("call", "groupcall", "call")).state
    second = machine.leg_ended(state, "call")
    assert second.dial == (1,)
    assert second.event is None
    # The next leg is a groupcall: its own counter is 1, not call_count = groupcall_count + 1.
    assert (second.state.dial_index, second.state.call_count, second.state.groupcall_count) == (
        1,
        0,
        1,
    )
    third = machine.leg_ended(second.state, "groupcall")
    assert third.dial == (2,)
    assert (third.state.dial_index, third.state.call_count, third.state.groupcall_count) == (
        2,
        1,
        0,
    )
    done = machine.leg_ended(third.state, "call")
    assert done.dial == ()
    assert (done.state.status, done.event) == ("hangup", "groupcall_hangup")


def test_linear_stops_at_the_answer() -> None:
    state = machine.start("linear", "hangup_others", ("call", "call")).state
    answered = machine.leg_answered(state, A)
    assert answered.hang_up_legs  # nothing else rings: a no-op
    assert answered.keep == A
    done = machine.leg_ended(answered.state, "call")
    assert done.dial == ()
    assert (done.state.status, done.event) == ("hangup", "groupcall_hangup")


def test_linear_does_not_ring_on_when_its_master_has_ended() -> None:
    state = machine.start("linear", "hangup_others", ("call", "call")).state
    done = machine.leg_ended(state, "call", master_alive=False)
    assert done.dial == ()
    assert done.state.status == "hangup"


def test_a_hangup_request_hangs_every_leg_up_then_waits_for_them() -> None:
    state = machine.start("ring_all", "hangup_others", ("call", "call")).state
    asked = machine.hangup_requested(state)
    assert asked.state.status == "hangingup"
    assert asked.hang_up_legs
    assert asked.keep is None
    assert asked.event is None  # hangingup has no event
    # Asking again is a no-op.
    assert machine.hangup_requested(asked.state) == Decision(asked.state)
    # An answer while hanging up is not taken.
    assert machine.leg_answered(asked.state, A) == Decision(asked.state)
    one = machine.leg_ended(asked.state, "call")
    assert (one.state.status, one.event) == ("hangingup", None)
    two = machine.leg_ended(one.state, "call")
    assert (two.state.status, two.event, two.dial) == ("hangup", "groupcall_hangup", ())


def test_a_hangup_request_on_a_linear_groupcall_does_not_ring_the_next_leg() -> None:
    state = machine.start("linear", "hangup_others", ("call", "call")).state
    asked = machine.hangup_requested(state)
    done = machine.leg_ended(asked.state, "call")
    assert done.dial == ()
    assert done.state.status == "hangup"


def test_a_hangup_request_with_no_leg_alive_ends_at_once() -> None:
    state = GroupcallState("progressing", "ring_all", "hangup_others", ("call",))
    ended = machine.hangup_requested(state)
    assert (ended.state.status, ended.event, ended.hang_up_legs) == (
        "hangup",
        "groupcall_hangup",
        False,
    )


def test_an_ended_groupcall_ignores_late_leg_ends() -> None:
    state = GroupcallState("hangup", "ring_all", "hangup_others", ("call",))
    assert machine.leg_ended(state, "call") == Decision(state)


@pytest.mark.parametrize(
    ("current", "to", "allowed"),
    [
        ("progressing", "hangingup", True),
        ("progressing", "hangup", True),
        ("hangingup", "hangup", True),
        ("hangingup", "progressing", False),
        ("hangup", "progressing", False),
        ("hangup", "hangingup", False),
        ("progressing", "progressing", False),
        ("hangingup", "hangingup", False),
        ("hangup", "hangup", False),
    ],
)
def test_groupcall_statuses_move_forward_only(current: str, to: str, allowed: bool) -> None:
    assert machine.can_move(current, to) is allowed  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("address_type", "kind"),
    [
        ("tel", "call"),
        ("sip", "call"),
        ("agent", "groupcall"),
        ("extension", "groupcall"),
        ("conference", None),
        ("email", None),
    ],
)
def test_each_destination_type_rings_as_a_call_or_a_nested_groupcall(
    address_type: str, kind: str | None
) -> None:
    assert machine.leg_kind(address_type) == kind


def test_an_empty_ring_method_is_ring_all_and_an_unknown_one_is_refused() -> None:
    assert machine.ring_method("") == "ring_all"
    assert machine.ring_method("ring_all") == "ring_all"
    assert machine.ring_method("linear") == "linear"
    with pytest.raises(ValueError, match="unknown ring method 'random'"):
        machine.ring_method("random")
