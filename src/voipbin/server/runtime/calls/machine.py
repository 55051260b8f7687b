"""The rules of a call's life, as pure functions over data tables: which status may follow
which, what a local hangup moves to, who hung up and why, which cause we send when we hang
up, when a failed leg may try the next route, and which event each move emits.

Every table restates upstream's call-manager (``behaviour-calls-billing-numbers.md`` §1.2,
§1.3, §1.5); the service applies them with one conditional ``UPDATE`` per transition. Causes
are Q.850 codes, the language the carrier reports in (§9.1); a cause the tables do not name
is still a cause (the network may send any), and reads by each table's default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from voipbin.common.address import Address
from voipbin.models.call import CallDirection, CallStatus, HangupBy, HangupReason
from voipbin.server.runtime.carrier.base import Q850, SIP_CODES

__all__ = ["Q850", "SIP_CODES"]


#: The cause an unanswered outgoing leg is destroyed with when our dial timeout (60 s, §1.4)
#: fires: the network's "no answer", so the call reads ``remote`` / ``noanswer``.
DIAL_TIMEOUT_CAUSE: Final = Q850.NO_ANSWER
#: The cause the maximum duration (1 h, §1.4) destroys a call with. It is sent to the
#: network without the local-hangup move, so an answered call reads ``remote`` / ``timeout``
#: as upstream's does.
MAX_DURATION_CAUSE: Final = Q850.CALL_DURATION_TIMEOUT

# -- statuses ----------------------------------------------------------------------------------

#: The statuses each status may move to (§1.2, ``IsUpdatableStatus``); a status never moves
#: to itself, and ``hangup`` is final.
TRANSITIONS: Final[dict[CallStatus, frozenset[CallStatus]]] = {
    "dialing": frozenset({"ringing", "progressing", "terminating", "canceling", "hangup"}),
    "ringing": frozenset({"progressing", "terminating", "canceling", "hangup"}),
    "progressing": frozenset({"terminating", "hangup"}),
    "terminating": frozenset({"hangup"}),
    "canceling": frozenset({"hangup"}),
    "hangup": frozenset(),
}

#: The status a call is born with, per direction (§1.2): an outgoing call dials; an incoming
#: one arrives ringing (so it never gets a ``tm_ringing`` nor a ``call_ringing`` event).
ENTRY_STATUS: Final[dict[CallDirection, CallStatus]] = {
    "outgoing": "dialing",
    "incoming": "ringing",
}

#: The event each move emits, by the status moved to (§1.2, §7); nothing moves to
#: ``dialing``, so ``call_dialing`` is never emitted.
TRANSITION_EVENTS: Final[dict[CallStatus, str]] = {
    "ringing": "call_ringing",
    "progressing": "call_progressing",
    "terminating": "call_terminating",
    "canceling": "call_canceling",
    "hangup": "call_hangup",
}
CALL_CREATED: Final = "call_created"
CALL_UPDATED: Final = "call_updated"
"""A change of the running action, the route (failover), the mute direction or the chain."""
CALL_DELETED: Final = "call_deleted"
#: Every event type a call emits (§7).
CALL_EVENTS: Final[tuple[str, ...]] = (
    CALL_CREATED,
    *TRANSITION_EVENTS.values(),
    CALL_UPDATED,
    CALL_DELETED,
)

#: Statuses in which a call is still up or on its way (not ending, not ended).
LIVE_STATUSES: Final[frozenset[CallStatus]] = frozenset({"dialing", "ringing", "progressing"})
#: Statuses in which a local hangup has nothing left to do (§1.2).
ENDING_STATUSES: Final[frozenset[CallStatus]] = frozenset({"terminating", "canceling", "hangup"})


def can_move(current: CallStatus, to: CallStatus) -> bool:
    """Whether a call in ``current`` may move to ``to`` (§1.2)."""
    return to in TRANSITIONS[current]


def entry_status(direction: CallDirection) -> CallStatus:
    """The status a new call of ``direction`` is created with (§1.2)."""
    return ENTRY_STATUS[direction]


def transition_event(to: CallStatus) -> str:
    """The event type a move to ``to`` emits (``KeyError`` for ``dialing``: none moves there)."""
    return TRANSITION_EVENTS[to]


def local_hangup_status(direction: CallDirection, current: CallStatus) -> CallStatus | None:
    """Where a hangup we ask for (API, flow, groupcall, master call) moves the call (§1.2):
    ``None`` when it is already ending (the request is a no-op, which makes hangup
    idempotent); ``canceling`` for an outgoing call not yet answered; ``terminating``
    otherwise. ``hangup`` follows when the network confirms."""
    if current in ENDING_STATUSES:
        return None
    if direction == "outgoing" and current in ("dialing", "ringing"):
        return "canceling"
    return "terminating"


# -- hangup_by and hangup_reason ------------------------------------------------------------------

#: ``hangup_by`` by the status just before ``hangup`` (§1.3): a local hangup passes through
#: ``terminating`` or ``canceling``; anything else came from the network.
HANGUP_BY: Final[dict[CallStatus, HangupBy]] = {
    "dialing": "remote",
    "ringing": "remote",
    "progressing": "remote",
    "terminating": "local",
    "canceling": "local",
    "hangup": "remote",
}


@dataclass(frozen=True)
class ReasonRule:
    """One row of the hangup-reason table: for a call of ``direction`` whose last status
    is one of ``statuses``, a cause of ``causes`` reads as its reason, any other as
    ``default``."""

    direction: CallDirection
    statuses: frozenset[CallStatus]
    causes: dict[int, HangupReason]
    default: HangupReason


def _rule(
    direction: CallDirection,
    statuses: tuple[CallStatus, ...],
    default: HangupReason,
    causes: dict[int, HangupReason] | None = None,
) -> ReasonRule:
    return ReasonRule(direction, frozenset(statuses), causes or {}, default)


#: ``hangup_reason`` from (direction, last status, cause): §1.3, ``CalculateHangupReason``.
#: Every (direction, status) pair is in exactly one row.
HANGUP_REASONS: Final[tuple[ReasonRule, ...]] = (
    _rule(
        "outgoing",
        ("dialing", "ringing"),
        "failed",
        {
            Q850.NO_ANSWER: "noanswer",
            Q850.CALL_REJECTED: "noanswer",
            Q850.USER_BUSY: "busy",
            Q850.NORMAL_CLEARING: "normal",
            Q850.ANSWERED_ELSEWHERE: "normal",
            Q850.UNKNOWN: "dialout",
        },
    ),
    _rule("outgoing", ("progressing",), "normal", {Q850.CALL_DURATION_TIMEOUT: "timeout"}),
    _rule("outgoing", ("terminating",), "normal", {Q850.AMD: "amd"}),
    _rule("outgoing", ("canceling",), "cancel"),
    _rule("outgoing", ("hangup",), "normal"),
    _rule(
        "incoming",
        ("dialing", "ringing"),
        "normal",
        {Q850.NO_ANSWER: "noanswer", Q850.USER_BUSY: "busy"},
    ),
    _rule("incoming", ("progressing",), "normal", {Q850.CALL_DURATION_TIMEOUT: "timeout"}),
    _rule("incoming", ("terminating", "canceling", "hangup"), "normal"),
)

_REASON_INDEX: Final[dict[tuple[CallDirection, CallStatus], ReasonRule]] = {
    (rule.direction, status): rule for rule in HANGUP_REASONS for status in rule.statuses
}


def hangup_by(last_status: CallStatus) -> HangupBy:
    """Who ended a call whose status before ``hangup`` was ``last_status`` (§1.3)."""
    return HANGUP_BY[last_status]


def hangup_reason(direction: CallDirection, last_status: CallStatus, cause: int) -> HangupReason:
    """Why a call ended, from its direction, its status before ``hangup`` and the Q.850
    ``cause`` the network destroyed it with (§1.3)."""
    rule = _REASON_INDEX[(direction, last_status)]
    return rule.causes.get(cause, rule.default)


@dataclass(frozen=True)
class Ended:
    """What a call's row becomes when the network destroys its leg."""

    hangup_by: HangupBy
    hangup_reason: HangupReason


def ended(direction: CallDirection, last_status: CallStatus, cause: int) -> Ended:
    """``hangup_by`` and ``hangup_reason`` of a call destroyed with ``cause`` (§1.3)."""
    return Ended(hangup_by(last_status), hangup_reason(direction, last_status, cause))


#: The cause we hang a leg up with, by the reason we give (§1.3,
#: ``ConvertHangupReasonToChannelCause``); a reason not in the table (a flow's free text)
#: sends :data:`DEFAULT_HANGUP_CAUSE`.
HANGUP_CAUSES: Final[dict[str, Q850]] = {
    "": Q850.NORMAL_CLEARING,
    "normal": Q850.NORMAL_CLEARING,
    "cancel": Q850.NORMAL_CLEARING,
    "timeout": Q850.NORMAL_CLEARING,
    "busy": Q850.USER_BUSY,
    "failed": Q850.NO_USER_RESPONSE,
    "noanswer": Q850.NO_ANSWER,
    "dialout": Q850.NO_ANSWER,
    "amd": Q850.AMD,
}
DEFAULT_HANGUP_CAUSE: Final = Q850.NORMAL_CLEARING


def hangup_cause(reason: str) -> Q850:
    """The cause we send the network when we hang a leg up for ``reason`` (§1.3)."""
    return HANGUP_CAUSES.get(reason, DEFAULT_HANGUP_CAUSE)


# -- route failover -------------------------------------------------------------------------------

#: Causes after which the next route is not tried: the far end was reached and answered,
#: refused or did not answer, or we ended the call ourselves (§1.5, ``isRetryable``).
FINAL_CAUSES: Final[frozenset[int]] = frozenset(
    {
        Q850.NORMAL_CLEARING,
        Q850.USER_BUSY,
        Q850.NO_ANSWER,
        Q850.CALL_REJECTED,
        Q850.ANSWERED_ELSEWHERE,
        Q850.CALL_DURATION_TIMEOUT,
        Q850.AMD,
    }
)
#: The statuses in which a failed leg may still try another route (§1.5).
FAILOVER_STATUSES: Final[frozenset[CallStatus]] = frozenset({"dialing", "ringing"})


def may_fail_over(
    *,
    direction: CallDirection,
    destination_type: str,
    status: CallStatus,
    cause: int,
    flow_started: bool,
    routes_left: int,
) -> bool:
    """Whether a leg destroyed with ``cause`` dials its next route instead of hanging up
    (§1.5): an outgoing ``tel`` call, not answered, whose flow has not started early, with a
    cause that is not final and a route left. The status stays as it is (``call_updated``)."""
    return (
        direction == "outgoing"
        and destination_type == "tel"
        and status in FAILOVER_STATUSES
        and cause not in FINAL_CAUSES
        and not flow_started
        and routes_left > 0
    )


# -- billing --------------------------------------------------------------------------------------

#: Virtual numbers: calls to them are billed as ``call_vn``.
VIRTUAL_NUMBER_PREFIX = "+899"


def billed_as(direction: CallDirection, source: Address, destination: Address) -> tuple[str, str]:
    """The ledger's ``reference_type`` and ``cost_type`` of an answered call (§5.3):
    outgoing by its destination, incoming by its source (and a virtual number called)."""
    if direction == "outgoing":
        if destination.type == "tel":
            return "call", "call_pstn_outgoing"
        return "call_extension", "call_extension"
    reference_type = "call" if source.type == "tel" else "call_extension"
    if destination.type == "tel" and destination.target.startswith(VIRTUAL_NUMBER_PREFIX):
        return reference_type, "call_vn"
    if destination.type == "tel" and source.type == "tel":
        return reference_type, "call_pstn_incoming"
    if source.type == "sip" and destination.type == "extension":
        return reference_type, "call_direct_ext"
    return reference_type, "call_extension"
