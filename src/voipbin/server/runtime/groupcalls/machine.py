"""The rules of a groupcall, as pure functions: which destinations ring, what a leg's answer
and a leg's end do, and when the groupcall itself ends (``behaviour-calls-billing-numbers.md``
§1.7).

A groupcall's legs are calls (a ``tel`` or ``sip`` destination) and nested groupcalls (an
``agent`` or ``extension`` destination, resolved by the service into addresses). The state
the rules read is :class:`GroupcallState`; each rule answers the next state and what the
service must do (dial, hang legs up, emit an event), so that the service writes the state and
its effects in one transaction.

Fixes over upstream (§8.8): a linear groupcall's next leg sets its own counter to 1 (upstream
wrote ``groupcall_count + 1`` into ``call_count``), and an answer is taken once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final, Literal
from uuid import UUID

from voipbin.models.groupcall import AnswerMethod, GroupcallStatus

#: A ring method as the rules read it (``""`` declared is ``ring_all``: :func:`ring_method`).
RingMethod = Literal["ring_all", "linear"]
#: What a destination rings as: a call, or a nested groupcall.
LegKind = Literal["call", "groupcall"]

#: The leg kind of each destination type a groupcall can ring (§1.7); any other type
#: (conference, ai, email...) cannot be a leg.
LEG_KINDS: Final[dict[str, LegKind]] = {
    "tel": "call",
    "sip": "call",
    "agent": "groupcall",
    "extension": "groupcall",
}

#: The statuses each status may move to (§1.7): ``hangingup`` only by a hangup request.
TRANSITIONS: Final[dict[GroupcallStatus, frozenset[GroupcallStatus]]] = {
    "progressing": frozenset({"hangingup", "hangup"}),
    "hangingup": frozenset({"hangup"}),
    "hangup": frozenset(),
}

GROUPCALL_CREATED: Final = "groupcall_created"
GROUPCALL_PROGRESSING: Final = "groupcall_progressing"
"""A leg answered (the status stays ``progressing``)."""
GROUPCALL_HANGUP: Final = "groupcall_hangup"
GROUPCALL_DELETED: Final = "groupcall_deleted"
#: Every event type a groupcall emits (§1.7); ``hangingup`` emits none.
GROUPCALL_EVENTS: Final[tuple[str, ...]] = (
    GROUPCALL_CREATED,
    GROUPCALL_PROGRESSING,
    GROUPCALL_HANGUP,
    GROUPCALL_DELETED,
)


def ring_method(declared: str) -> RingMethod:
    """The ring method a declared one means: ``""`` is ``ring_all`` (§1.7); ``ValueError``
    for anything else than the three."""
    if declared in ("", "ring_all"):
        return "ring_all"
    if declared == "linear":
        return "linear"
    raise ValueError(f"unknown ring method {declared!r}")


def leg_kind(address_type: str) -> LegKind | None:
    """What a destination of ``address_type`` rings as; ``None``: it cannot be a leg."""
    return LEG_KINDS.get(address_type)


def can_move(current: GroupcallStatus, to: GroupcallStatus) -> bool:
    """Whether a groupcall in ``current`` may move to ``to`` (§1.7)."""
    return to in TRANSITIONS[current]


@dataclass(frozen=True)
class GroupcallState:
    """What the rules read of a groupcall: its row's counters and answer, and the kind of
    each of its destinations in order."""

    status: GroupcallStatus
    ring_method: RingMethod
    answer_method: AnswerMethod
    legs: tuple[LegKind, ...]
    """The kind of each destination, in the order given."""
    dial_index: int = 0
    call_count: int = 0
    """Call legs alive."""
    groupcall_count: int = 0
    """Nested groupcall legs alive."""
    answer_id: UUID | None = None
    """The leg (a call or a groupcall) that answered."""

    @property
    def alive(self) -> int:
        return self.call_count + self.groupcall_count

    @property
    def answered(self) -> bool:
        return self.answer_id is not None


@dataclass(frozen=True)
class Decision:
    """The state after a rule, and what the service does for it.

    ``dial``: the destination indexes to ring now. ``hang_up_legs``: hang up every leg
    still alive (each as a local hangup, so an unanswered one ends ``canceling`` ->
    ``local`` / ``cancel``), except ``keep``, the leg that answered. ``event``: the event
    the change emits, if any.
    """

    state: GroupcallState
    dial: tuple[int, ...] = ()
    hang_up_legs: bool = False
    keep: UUID | None = None
    event: str | None = None


def _counted(state: GroupcallState, indexes: tuple[int, ...]) -> GroupcallState:
    kinds = [state.legs[i] for i in indexes]
    return replace(
        state,
        call_count=kinds.count("call"),
        groupcall_count=kinds.count("groupcall"),
    )


def start(
    ring_method: RingMethod, answer_method: AnswerMethod, legs: tuple[LegKind, ...]
) -> Decision:
    """A new groupcall (``groupcall_created``): ``ring_all`` rings every destination,
    ``linear`` the first; the counters count what rings. ``ValueError`` without legs."""
    if not legs:
        raise ValueError("a groupcall needs at least one destination")
    state = GroupcallState("progressing", ring_method, answer_method, legs)
    dial = tuple(range(len(legs))) if ring_method == "ring_all" else (0,)
    return Decision(_counted(state, dial), dial=dial, event=GROUPCALL_CREATED)


def leg_answered(state: GroupcallState, leg_id: UUID) -> Decision:
    """A leg answered. The first answer is the groupcall's (``groupcall_progressing``);
    with ``hangup_others`` every other leg is hung up. A later answer, or one after a hangup
    request, changes nothing (the service hangs that leg up when the groupcall is ending)."""
    if state.answered or state.status != "progressing":
        return Decision(state)
    answered = replace(state, answer_id=leg_id)
    return Decision(
        answered,
        hang_up_legs=state.answer_method == "hangup_others",
        keep=leg_id,
        event=GROUPCALL_PROGRESSING,
    )


def leg_ended(state: GroupcallState, kind: LegKind, *, master_alive: bool = True) -> Decision:
    """A leg of ``kind`` hung up. While other legs are alive nothing else happens. When
    none is: a linear groupcall not answered nor ending rings its next destination (if one
    is left and its master call or groupcall is still alive); otherwise the groupcall ends
    (``groupcall_hangup``)."""
    if state.status == "hangup":
        return Decision(state)
    counted = replace(
        state,
        call_count=max(0, state.call_count - (kind == "call")),
        groupcall_count=max(0, state.groupcall_count - (kind == "groupcall")),
    )
    if counted.alive > 0:
        return Decision(counted)
    next_index = counted.dial_index + 1
    if (
        counted.ring_method == "linear"
        and counted.status == "progressing"
        and not counted.answered
        and master_alive
        and next_index < len(counted.legs)
    ):
        moved = _counted(replace(counted, dial_index=next_index), (next_index,))
        return Decision(moved, dial=(next_index,))
    return Decision(replace(counted, status="hangup"), event=GROUPCALL_HANGUP)


def hangup_requested(state: GroupcallState) -> Decision:
    """A hangup asked for (``POST .../hangup``, delete, the master ending): every live leg
    is hung up and the groupcall waits in ``hangingup`` (no event) for them to end; with no
    leg alive it ends at once. Already ending or ended: nothing (idempotent)."""
    if state.status != "progressing":
        return Decision(state)
    if state.alive == 0:
        return Decision(replace(state, status="hangup"), event=GROUPCALL_HANGUP)
    return Decision(replace(state, status="hangingup"), hang_up_legs=True)


def deleted(state: GroupcallState) -> Decision:
    """A groupcall deleted (its hangup asked for first): it ends at once
    (``groupcall_hangup``); its legs, already hung up, end on their own and count no more."""
    if state.status == "hangup":
        return Decision(state)
    ended = replace(state, status="hangup", call_count=0, groupcall_count=0)
    return Decision(ended, event=GROUPCALL_HANGUP)
