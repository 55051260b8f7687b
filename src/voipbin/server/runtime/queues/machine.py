"""The rules of a queuecall, as data and pure functions (``behaviour-flows-webhooks.md``
§6.1): which status may follow which, the event each emits, what each move does to its
queue's lists and counters, and the order agents are offered callers in.

A queuecall is born ``initiating`` and waits at once (``waiting``). The dispatcher rings an
agent (``connecting``); the agent answering bridges the two (``service``), the agent not
answering puts the caller back in line at its place (``waiting``). The service ends
``done``; a caller who leaves unserved (hangs up, is kicked, times out) is ``abandoned``.
``kicking`` is declared (upstream's) and never set, as upstream.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from voipbin.models.queue import QueuecallStatus

#: The statuses each status may move to.
TRANSITIONS: Final[dict[QueuecallStatus, frozenset[QueuecallStatus]]] = {
    "initiating": frozenset({"waiting", "abandoned"}),
    "waiting": frozenset({"connecting", "abandoned"}),
    "connecting": frozenset({"service", "waiting", "abandoned"}),
    "kicking": frozenset(),
    "service": frozenset({"done"}),
    "done": frozenset(),
    "abandoned": frozenset(),
}
#: The statuses of a caller still in the queue.
ACTIVE: Final[frozenset[QueuecallStatus]] = frozenset(
    {"initiating", "waiting", "connecting", "service"}
)

QUEUECALL_CREATED: Final = "queuecall_created"
QUEUECALL_DELETED: Final = "queuecall_deleted"
#: The event a move to each status emits (upstream's names).
EVENTS: Final[dict[QueuecallStatus, str]] = {
    "waiting": "queuecall_waiting",
    "connecting": "queuecall_connecting",
    "service": "queuecall_serviced",
    "done": "queuecall_done",
    "abandoned": "queuecall_abandoned",
}


def can_move(current: QueuecallStatus, to: QueuecallStatus) -> bool:
    return to in TRANSITIONS[current]


@dataclass(frozen=True)
class QueueChange:
    """What a queuecall's move does to its queue."""

    incoming: int = 0
    serviced: int = 0
    abandoned: int = 0
    wait_add: bool = False
    wait_remove: bool = False
    service_add: bool = False
    service_remove: bool = False

    @property
    def empty(self) -> bool:
        return self == QueueChange()


def queue_change(current: QueuecallStatus, to: QueuecallStatus) -> QueueChange:
    """The queue's side of ``current -> to``: a caller counts as incoming when it starts
    waiting, is in ``wait_queuecall_ids`` while waiting or ringing an agent, in
    ``service_queuecall_ids`` while served; serviced when an agent answers, abandoned when
    it leaves unserved."""
    if to == "waiting" and current == "initiating":
        return QueueChange(incoming=1, wait_add=True)
    if to == "service":
        return QueueChange(serviced=1, wait_remove=True, service_add=True)
    if to == "done":
        return QueueChange(service_remove=True)
    if to == "abandoned":
        return QueueChange(abandoned=1, wait_remove=current != "initiating")
    return QueueChange()


def applied(ids: list[str], id: str, add: bool, remove: bool) -> list[str]:
    """``ids`` with ``id`` appended (once) or taken out."""
    if add and id not in ids:
        return [*ids, id]
    if remove:
        return [i for i in ids if i != id]
    return ids


@dataclass(frozen=True)
class Candidate:
    """An available agent, as routing reads it."""

    id: str
    tm_available: datetime | None
    """When it last became available (``None``: never since this was recorded)."""
    tm_create: datetime


def routed(method: str, candidates: Sequence[Candidate], rng: random.Random) -> list[str]:
    """The order the agents are offered the caller in: ``longest_idle``, the agent
    available the longest first (one never recorded available first of all, then the
    oldest agent); ``random`` (and any other), a shuffle."""
    if method == "longest_idle":
        floor = datetime.min.replace(tzinfo=None)
        ranked = sorted(
            candidates,
            key=lambda c: (
                c.tm_available.replace(tzinfo=None) if c.tm_available else floor,
                c.tm_create.replace(tzinfo=None),
            ),
        )
        return [c.id for c in ranked]
    ids = [c.id for c in candidates]
    rng.shuffle(ids)
    return ids


def milliseconds(start: datetime | None, end: datetime) -> int:
    """Milliseconds from ``start`` to ``end``, to the nearest (0 without a start)."""
    if start is None:
        return 0
    return max(0, round((end - start).total_seconds() * 1000))
