"""The call rules against upstream's tables (behaviour-calls-billing-numbers.md §1.2, §1.3,
§1.5), written out here cell by cell: every status pair, every direction x status x cause."""

from __future__ import annotations

import itertools

import pytest

from voipbin.common.address import Address
from voipbin.models.call import CallDirection, CallStatus
from voipbin.server.runtime.calls import machine
from voipbin.server.runtime.calls.machine import Q850

STATUSES: tuple[CallStatus, ...] = (
    "dialing",
    "ringing",
    "progressing",
    "terminating",
    "canceling",
    "hangup",
)
DIRECTIONS: tuple[CallDirection, ...] = ("outgoing", "incoming")

# §1.2: "from \ to", a row per status; only these moves are allowed.
ALLOWED = {
    ("dialing", "ringing"),
    ("dialing", "progressing"),
    ("dialing", "terminating"),
    ("dialing", "canceling"),
    ("dialing", "hangup"),
    ("ringing", "progressing"),
    ("ringing", "terminating"),
    ("ringing", "canceling"),
    ("ringing", "hangup"),
    ("progressing", "terminating"),
    ("progressing", "hangup"),
    ("terminating", "hangup"),
    ("canceling", "hangup"),
}


@pytest.mark.parametrize(("current", "to"), list(itertools.product(STATUSES, STATUSES)))
def test_every_status_pair_moves_exactly_as_upstream_allows(
    current: CallStatus, to: CallStatus
) -> None:
    assert machine.can_move(current, to) is ((current, to) in ALLOWED)


def test_an_outgoing_call_dials_and_an_incoming_one_is_born_ringing() -> None:
    assert machine.entry_status("outgoing") == "dialing"
    assert machine.entry_status("incoming") == "ringing"


@pytest.mark.parametrize(
    ("to", "event"),
    [
        ("ringing", "call_ringing"),
        ("progressing", "call_progressing"),
        ("terminating", "call_terminating"),
        ("canceling", "call_canceling"),
        ("hangup", "call_hangup"),
    ],
)
def test_each_move_emits_its_event(to: CallStatus, event: str) -> None:
    assert machine.transition_event(to) == event


def test_nothing_moves_to_dialing_so_no_call_dialing_event_exists() -> None:
    with pytest.raises(KeyError):
        machine.transition_event("dialing")
    assert "call_dialing" not in machine.CALL_EVENTS
    assert set(machine.CALL_EVENTS) == {
        "call_created",
        "call_ringing",
        "call_progressing",
        "call_terminating",
        "call_canceling",
        "call_hangup",
        "call_updated",
        "call_deleted",
    }


# §1.2 local hangup: None is "no-op, the call is returned unchanged".
LOCAL_HANGUP: dict[tuple[CallDirection, CallStatus], CallStatus | None] = {
    ("outgoing", "dialing"): "canceling",
    ("outgoing", "ringing"): "canceling",
    ("outgoing", "progressing"): "terminating",
    ("outgoing", "terminating"): None,
    ("outgoing", "canceling"): None,
    ("outgoing", "hangup"): None,
    ("incoming", "dialing"): "terminating",
    ("incoming", "ringing"): "terminating",
    ("incoming", "progressing"): "terminating",
    ("incoming", "terminating"): None,
    ("incoming", "canceling"): None,
    ("incoming", "hangup"): None,
}


@pytest.mark.parametrize(("direction", "status"), list(LOCAL_HANGUP))
def test_a_local_hangup_cancels_an_unanswered_outgoing_call_and_terminates_the_rest(
    direction: CallDirection, status: CallStatus
) -> None:
    moved = machine.local_hangup_status(direction, status)
    assert moved == LOCAL_HANGUP[(direction, status)]
    if moved is not None:
        assert machine.can_move(status, moved)


# §1.3 hangup_by: only the status before hangup counts.
HANGUP_BY = {
    "dialing": "remote",
    "ringing": "remote",
    "progressing": "remote",
    "terminating": "local",
    "canceling": "local",
    "hangup": "remote",
}

# Every cause of the §1.3 cause table, and one it does not name.
CAUSES = (0, 1, 3, 16, 17, 18, 19, 21, 26, 34, 38, 200, 201, 99)


def expected_reason(direction: str, status: str, cause: int) -> str:
    """§1.3 hangup_reason, as the behaviour file's table reads."""
    if direction == "outgoing":
        if status in ("dialing", "ringing"):
            return {19: "noanswer", 21: "noanswer", 17: "busy", 16: "normal", 26: "normal"}.get(
                cause, "dialout" if cause == 0 else "failed"
            )
        if status == "progressing":
            return "timeout" if cause == 200 else "normal"
        if status == "terminating":
            return "amd" if cause == 201 else "normal"
        if status == "canceling":
            return "cancel"
        return "normal"
    if status in ("dialing", "ringing"):
        return {19: "noanswer", 17: "busy"}.get(cause, "normal")
    if status == "progressing":
        return "timeout" if cause == 200 else "normal"
    return "normal"


@pytest.mark.parametrize(
    ("direction", "status", "cause"), list(itertools.product(DIRECTIONS, STATUSES, CAUSES))
)
def test_hangup_by_and_reason_for_every_direction_status_and_cause(
    direction: CallDirection, status: CallStatus, cause: int
) -> None:
    ended = machine.ended(direction, status, cause)
    assert ended.hangup_by == HANGUP_BY[status]
    assert ended.hangup_reason == expected_reason(direction, status, cause)
    assert machine.hangup_by(status) == ended.hangup_by
    assert machine.hangup_reason(direction, status, cause) == ended.hangup_reason


# §1.3 "resulting common outcomes": (direction, status before hangup, cause) -> by/reason.
@pytest.mark.parametrize(
    ("direction", "last", "cause", "by", "reason"),
    [
        ("outgoing", "progressing", 16, "remote", "normal"),  # callee hangs up
        ("outgoing", "terminating", 16, "local", "normal"),  # API/flow hangs up
        ("outgoing", "canceling", 16, "local", "cancel"),  # API hangs up while ringing
        ("outgoing", "ringing", 17, "remote", "busy"),  # 486
        ("outgoing", "ringing", 19, "remote", "noanswer"),  # 480, and our dial timeout
        ("outgoing", "ringing", 21, "remote", "noanswer"),  # 403
        ("outgoing", "dialing", 1, "remote", "failed"),  # 404
        ("outgoing", "dialing", 38, "remote", "failed"),  # 500
        ("outgoing", "dialing", 34, "remote", "failed"),  # 503
        ("outgoing", "progressing", 200, "remote", "timeout"),  # 1 h limit
        ("outgoing", "terminating", 201, "local", "amd"),
        ("incoming", "ringing", 16, "remote", "normal"),
        ("incoming", "progressing", 16, "remote", "normal"),
        ("incoming", "terminating", 16, "local", "normal"),
    ],
)
def test_the_common_outcomes_of_the_behaviour_file(
    direction: CallDirection, last: CallStatus, cause: int, by: str, reason: str
) -> None:
    assert machine.ended(direction, last, cause) == machine.Ended(by, reason)  # type: ignore[arg-type]


def test_the_timers_end_calls_as_upstream_reads_them() -> None:
    # The dial timeout is the network's no answer; the 1 h cut skips the local move.
    assert machine.ended("outgoing", "ringing", machine.DIAL_TIMEOUT_CAUSE) == machine.Ended(
        "remote", "noanswer"
    )
    assert machine.ended("outgoing", "progressing", machine.MAX_DURATION_CAUSE) == machine.Ended(
        "remote", "timeout"
    )


@pytest.mark.parametrize(
    ("reason", "cause"),
    [
        ("", 16),
        ("normal", 16),
        ("cancel", 16),
        ("timeout", 16),
        ("busy", 17),
        ("failed", 18),
        ("noanswer", 19),
        ("dialout", 19),
        ("amd", 201),
        ("whatever the flow said", 16),
    ],
)
def test_our_own_hangups_send_the_cause_of_their_reason(reason: str, cause: int) -> None:
    assert machine.hangup_cause(reason) == cause


@pytest.mark.parametrize(
    ("cause", "sip"),
    [
        (0, None),
        (1, 404),
        (3, 404),
        (16, None),
        (17, 486),
        (18, 408),
        (19, 480),
        (21, 403),
        (26, None),
        (34, 503),
        (38, 500),
        (200, None),
        (201, None),
    ],
)
def test_each_cause_travels_as_its_sip_code(cause: int, sip: int | None) -> None:
    assert Q850(cause).sip == sip


def test_the_causes_are_exactly_the_tables() -> None:
    assert sorted(Q850) == [0, 1, 3, 16, 17, 18, 19, 21, 26, 34, 38, 200, 201]


# §1.5: only these causes stop a failover.
NOT_RETRYABLE = {16, 17, 19, 21, 26, 200, 201}
FAILOVER_CASES = list(
    itertools.product(DIRECTIONS, ("tel", "sip"), STATUSES, CAUSES, (False, True), (0, 1))
)


@pytest.mark.parametrize(
    ("direction", "kind", "status", "cause", "flow_started", "routes_left"), FAILOVER_CASES
)
def test_failover_needs_an_unanswered_outgoing_tel_call_a_retryable_cause_and_a_route(
    direction: CallDirection,
    kind: str,
    status: CallStatus,
    cause: int,
    flow_started: bool,
    routes_left: int,
) -> None:
    expected = (
        direction == "outgoing"
        and kind == "tel"
        and status in ("dialing", "ringing")
        and cause not in NOT_RETRYABLE
        and not flow_started
        and routes_left > 0
    )
    assert (
        machine.may_fail_over(
            direction=direction,
            destination_type=kind,
            status=status,
            cause=cause,
            flow_started=flow_started,
            routes_left=routes_left,
        )
        is expected
    )


def test_an_unknown_cause_is_retryable_and_so_is_cause_0() -> None:
    for cause in (0, 99):
        assert machine.may_fail_over(
            direction="outgoing",
            destination_type="tel",
            status="dialing",
            cause=cause,
            flow_started=False,
            routes_left=2,
        )


@pytest.mark.parametrize(
    ("direction", "source", "destination", "billed"),
    [
        ("outgoing", "tel", "tel", ("call", "call_pstn_outgoing")),
        ("outgoing", "tel", "sip", ("call_extension", "call_extension")),
        ("outgoing", "sip", "extension", ("call_extension", "call_extension")),
        ("incoming", "tel", "tel", ("call", "call_pstn_incoming")),
        ("incoming", "tel", "tel+899", ("call", "call_vn")),
        ("incoming", "sip", "tel+899", ("call_extension", "call_vn")),
        ("incoming", "sip", "extension", ("call_extension", "call_direct_ext")),
        ("incoming", "sip", "tel", ("call_extension", "call_extension")),
        ("incoming", "tel", "sip", ("call", "call_extension")),
    ],
)
def test_an_answered_call_is_billed_as_upstream_bills_it(
    direction: CallDirection, source: str, destination: str, billed: tuple[str, str]
) -> None:
    targets = {"tel": "+14155550100", "tel+899": "+899123456", "sip": "a@b.invalid"}
    targets["extension"] = "1001"

    def address(kind: str) -> Address:
        return Address(type=kind.split("+")[0], target=targets[kind])

    assert machine.billed_as(direction, address(source), address(destination)) == billed
