"""The campaign rules as data: every transition and its event, the dial capacity of both
types (upstream's formula for ``call``), which destination is dialled next, and what a
dial's end makes of its target."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from voipbin.server.runtime.campaigns import machine
from voipbin.server.runtime.campaigns.machine import Dial, TargetAfter

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_every_campaign_transition_and_its_event() -> None:
    moves = {(a, b) for a, targets in machine.TRANSITIONS.items() for b in targets}
    assert moves == {
        ("stop", "run"),
        ("run", "stopping"),
        ("run", "stop"),
        ("stopping", "stop"),
        ("stopping", "run"),
    }
    assert {to for _, to in moves} == set(machine.EVENTS)
    assert not machine.can_move("stop", "stopping")
    assert machine.stop_status(0) == "stop"
    assert machine.stop_status(3) == "stopping"


def test_every_campaigncall_transition() -> None:
    moves = {(a, b) for a, targets in machine.CALL_TRANSITIONS.items() for b in targets}
    assert moves == {("dialing", "progressing"), ("dialing", "done"), ("progressing", "done")}
    assert set(machine.LIVE) == {"dialing", "progressing"}


@pytest.mark.parametrize(
    ("agents", "level", "dialing", "expected"),
    [
        (0, 100, 0, 0),  # nobody to take a call: no dial
        (2, 100, 0, 2),  # one ringing call per available agent
        (2, 100, 1, 1),
        (2, 100, 2, 0),
        (3, 50, 0, 1),  # floor(1.5)
        (2, 250, 1, 4),  # over-dialling, betting on no-answers
        (1, 99, 0, 0),  # floor(0.99): upstream's integer division
    ],
)
def test_a_call_campaign_dials_a_share_of_the_available_agents(
    agents: int, level: int, dialing: int, expected: int
) -> None:
    # Answered calls (live, not dialing) are the queue's: they do not count.
    assert machine.capacity("call", level, agents, dialing, live=dialing + 7) == expected


@pytest.mark.parametrize(("live", "expected"), [(0, 5), (4, 1), (5, 0), (6, 0)])
def test_a_flow_campaign_holds_at_most_service_level_calls(live: int, expected: int) -> None:
    assert machine.capacity("flow", 5, available_agents=0, dialing=0, live=live) == expected


def test_destinations_are_tried_in_index_order_each_up_to_its_max() -> None:
    has = [True, True, False, True, False]
    maxes = [2, 1, 5, 1, 0]
    assert machine.next_dial(has, [0, 0, 0, 0, 0], maxes) == Dial(0, 1)
    assert machine.next_dial(has, [1, 0, 0, 0, 0], maxes) == Dial(0, 2)
    assert machine.next_dial(has, [2, 0, 0, 0, 0], maxes) == Dial(1, 1)
    # index 2 has no destination, whatever its max: index 3 is next
    assert machine.next_dial(has, [2, 1, 0, 0, 0], maxes) == Dial(3, 1)
    assert machine.next_dial(has, [2, 1, 0, 1, 0], maxes) is None


def test_a_dial_s_end_makes_its_target_done_or_due_again() -> None:
    has = [True, False, False, False, False]
    answered = machine.target_after(True, has, [1, 0, 0, 0, 0], [3, 0, 0, 0, 0], T0, 60_000)
    assert answered == TargetAfter("done", "success", None)
    again = machine.target_after(False, has, [1, 0, 0, 0, 0], [3, 0, 0, 0, 0], T0, 60_000)
    assert again == TargetAfter("idle", "", T0 + timedelta(seconds=60))
    spent = machine.target_after(False, has, [3, 0, 0, 0, 0], [3, 0, 0, 0, 0], T0, 60_000)
    assert spent == TargetAfter("done", "fail", None)


def test_an_idle_target_is_due_once_its_next_try_has_come() -> None:
    assert machine.due(None, T0)
    assert machine.due(T0, T0)
    assert not machine.due(T0 + timedelta(microseconds=1), T0)
