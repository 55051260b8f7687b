"""A message target's moves, walked exhaustively: only the table's moves happen, by whom it
says; a final status never moves; every waiting status has the timer that ends it."""

from __future__ import annotations

import itertools
from typing import get_args

from voipbin.models.message import TARGET_STATUSES
from voipbin.server.runtime.messages import machine


def test_only_the_tables_moves_happen_and_final_statuses_never_move() -> None:
    bys: tuple[machine.By, ...] = get_args(machine.By)
    for current, to, by in itertools.product(TARGET_STATUSES, TARGET_STATUSES, bys):
        expected = machine.MOVES.get((current, to)) == by
        assert machine.allowed(current, to, by) is expected, (current, to, by)
        if current in machine.FINAL:
            assert not machine.allowed(current, to, by)
    assert set(TARGET_STATUSES) == machine.FINAL | {"queued", "sent"}


def test_each_waiting_status_has_a_timer_to_a_final_one_the_timer_may_make() -> None:
    for waiting in ("queued", "sent"):
        seconds, ends_in = machine.TIMERS[waiting]
        assert seconds > 0
        assert ends_in in machine.FINAL
        assert machine.allowed(waiting, ends_in, "timer")
