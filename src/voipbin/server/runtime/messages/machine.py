"""A message target's status moves, as one table (STYLE 12).

An outgoing target is born ``queued``. The network moves it (the gateway takes it: ``sent``;
a receipt: ``delivered`` or ``failed``); our timers end the ones the network leaves
waiting: ``gw_timeout`` when the gateway has not taken it :data:`GW_TIMEOUT_SECONDS` after
it was queued, ``dlr_timeout`` when no receipt came :data:`DLR_TIMEOUT_SECONDS` after it
was sent. A move from a status the target is no longer in (a timer after the receipt) changes
nothing. A received message's target is ``received`` and never moves.
"""

from __future__ import annotations

from typing import Literal

#: Who makes a move.
By = Literal["network", "timer"]

GW_TIMEOUT_SECONDS = 30.0
DLR_TIMEOUT_SECONDS = 60.0

#: (from, to) -> who may make the move.
MOVES: dict[tuple[str, str], By] = {
    ("queued", "sent"): "network",
    ("queued", "failed"): "network",
    ("queued", "gw_timeout"): "timer",
    ("sent", "delivered"): "network",
    ("sent", "failed"): "network",
    ("sent", "dlr_timeout"): "timer",
}

#: The statuses a target ends in.
FINAL: frozenset[str] = frozenset({"received", "delivered", "failed", "gw_timeout", "dlr_timeout"})

#: The timer each status starts: (seconds, the status it ends in if still there).
TIMERS: dict[str, tuple[float, str]] = {
    "queued": (GW_TIMEOUT_SECONDS, "gw_timeout"),
    "sent": (DLR_TIMEOUT_SECONDS, "dlr_timeout"),
}


def allowed(current: str, to: str, by: By) -> bool:
    """Whether ``by`` may move a target from ``current`` to ``to``."""
    return MOVES.get((current, to)) == by
