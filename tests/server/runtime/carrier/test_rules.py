"""The simulated network's timelines: every reserved number and SIP name, rule precedence,
pattern matching by type, scripted key presses and extensions' devices."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from voipbin.common.address import Address
from voipbin.models.simulator import DtmfPress, Rule, RuleCreate, Script, ScriptBody, resolve
from voipbin.server.runtime.carrier.base import (
    Answered,
    Destroyed,
    Dtmf,
    Ringing,
    event_from_json,
    event_to_json,
)
from voipbin.server.runtime.carrier.rules import (
    BUILT_IN,
    device_address,
    device_of,
    originate_timeline,
    script_for,
)

LEG = "leg-1"

# (seconds, event) as plain tuples: ("ringing",), ("answered",), ("destroyed", cause), ...
RESERVED: list[tuple[str, str, list[tuple[float, tuple[Any, ...]]]]] = [
    ("+15005550000", "answer", [(1.0, ("ringing",)), (3.0, ("answered",))]),
    ("+15005550001", "busy", [(1.0, ("ringing",)), (2.0, ("destroyed", 17))]),
    ("+15005550002", "noanswer", [(1.0, ("ringing",))]),
    ("+15005550003", "fail", [(0.5, ("destroyed", 34))]),
    (
        "+15005550004",
        "hangup",
        [(1.0, ("ringing",)), (3.0, ("answered",)), (13.0, ("destroyed", 16))],
    ),
    ("+15005550005", "reject", [(1.0, ("ringing",)), (2.0, ("destroyed", 21))]),
    ("+15005550006", "unallocated", [(0.5, ("destroyed", 1))]),
    ("+15005550007", "machine", [(1.0, ("ringing",)), (2.0, ("answered",))]),
]


def plain(steps: list[tuple[float, Any]]) -> list[tuple[float, tuple[Any, ...]]]:
    out: list[tuple[float, tuple[Any, ...]]] = []
    for due, event in steps:
        assert event.leg_id == LEG
        if isinstance(event, Ringing):
            out.append((due, ("ringing",)))
        elif isinstance(event, Answered):
            out.append((due, ("answered",)))
        elif isinstance(event, Destroyed):
            out.append((due, ("destroyed", event.cause)))
        elif isinstance(event, Dtmf):
            out.append((due, ("dtmf", event.digits)))
        else:
            raise AssertionError(event)
    return out


def tel(number: str) -> Address:
    return Address(type="tel", target=number)


def sip(target: str) -> Address:
    return Address(type="sip", target=target)


def rule(type: str, pattern: str, **script: Any) -> Rule:
    body = RuleCreate(type=type, pattern=pattern, **script)  # type: ignore[arg-type]
    resolved = resolve(body)
    return Rule(
        id=uuid.uuid4(),
        type=body.type,
        pattern=pattern,
        tm_create=datetime.now(UTC),
        outcome=resolved.outcome,
        ring_after=resolved.ring_after,
        answer_after=resolved.answer_after,
        outcome_after=resolved.outcome_after,
        hangup_after=resolved.hangup_after,
        dtmf=resolved.dtmf,
        amd=resolved.amd,
    )


def timeline(
    target: Address, rules: Sequence[Rule] = (), devices: dict[str, list[Script]] | None = None
) -> Any:
    return plain(originate_timeline(LEG, target, rules, devices or {}))


@pytest.mark.parametrize(("number", "name", "expected"), RESERVED)
def test_each_reserved_number_plays_its_timeline(
    number: str, name: str, expected: list[tuple[float, tuple[Any, ...]]]
) -> None:
    assert timeline(tel(number)) == expected


@pytest.mark.parametrize(("number", "name", "expected"), RESERVED)
def test_each_reserved_sip_name_plays_the_same_timeline(
    number: str, name: str, expected: list[tuple[float, tuple[Any, ...]]]
) -> None:
    assert timeline(sip(f"{name}@sim.invalid")) == expected
    # SIP names are case-insensitive, as SIP hosts are.
    assert timeline(sip(f"{name.upper()}@SIM.invalid")) == expected


def test_only_the_machine_number_is_detected_as_a_machine() -> None:
    assert script_for(tel("+15005550007"), [], {}).amd == "machine"
    assert script_for(sip("machine@sim.invalid"), [], {}).amd == "machine"
    assert script_for(tel("+15005550000"), [], {}).amd == "human"
    assert script_for(tel("+4930123456"), [], {}).amd == "human"


@pytest.mark.parametrize(
    "target",
    [tel("+4930123456"), tel("+15005550008"), sip("alice@example.com"), sip("busy@other.test")],
)
def test_anything_not_scripted_rings_at_1_and_answers_at_3(target: Address) -> None:
    assert timeline(target) == [(1.0, ("ringing",)), (3.0, ("answered",))]


def test_a_rule_overrides_a_built_in_number() -> None:
    busy = rule("tel", r"\+15005550000", outcome="busy", outcome_after=4.0)
    assert timeline(tel("+15005550000"), [busy]) == [(1.0, ("ringing",)), (4.0, ("destroyed", 17))]


def test_the_latest_matching_rule_wins() -> None:
    first = rule("tel", r"\+1.*", outcome="reject")
    second = rule("tel", r"\+1500.*", outcome="fail", outcome_after=0.2)
    third = rule("tel", r"\+44.*", outcome="busy")
    assert timeline(tel("+15005550000"), [first, second, third]) == [(0.2, ("destroyed", 34))]
    # Earlier rules still apply where later ones do not match.
    assert timeline(tel("+12025550100"), [first, second, third]) == [
        (1.0, ("ringing",)),
        (2.0, ("destroyed", 21)),
    ]


def test_a_pattern_must_match_the_whole_target() -> None:
    partial = rule("tel", r"\+1500", outcome="busy")
    assert timeline(tel("+15005550000"), [partial]) == [(1.0, ("ringing",)), (3.0, ("answered",))]


def test_a_rule_applies_only_to_its_own_type() -> None:
    any_target = rule("sip", ".*", outcome="unallocated")
    assert timeline(sip("bob@example.com"), [any_target]) == [(0.5, ("destroyed", 1))]
    assert timeline(tel("+4930123456"), [any_target]) == [(1.0, ("ringing",)), (3.0, ("answered",))]
    tel_only = rule("tel", ".*", outcome="reject")
    assert timeline(sip("busy@sim.invalid"), [tel_only]) == [
        (1.0, ("ringing",)),
        (2.0, ("destroyed", 17)),
    ]


def test_a_ring_at_or_after_the_answer_is_left_out_and_no_ring_means_none() -> None:
    assert timeline(tel("+1"), [rule("tel", r".*", ring_after=3.0)]) == [(3.0, ("answered",))]
    assert timeline(tel("+1"), [rule("tel", r".*", ring_after=None, answer_after=0.0)]) == [
        (0.0, ("answered",))
    ]


def test_scripted_presses_come_after_the_answer_in_time_order_and_stop_at_hangup() -> None:
    scripted = rule(
        "tel",
        ".*",
        answer_after=2.0,
        hangup_after=6.0,
        dtmf=[
            DtmfPress(at=5.0, digits="9"),
            DtmfPress(at=1.5, digits="12#"),
            DtmfPress(at=6.0, digits="0"),  # the far end is gone by then
        ],
    )
    assert timeline(tel("+4930123456"), [scripted]) == [
        (1.0, ("ringing",)),
        (2.0, ("answered",)),
        (3.5, ("dtmf", "12#")),
        (7.0, ("dtmf", "9")),
        (8.0, ("destroyed", 16)),
    ]


def test_an_extensions_devices_ring_as_scripted() -> None:
    extension = str(uuid.uuid4())
    devices = [
        resolve(ScriptBody(outcome="noanswer", ring_after=0.5)),
        resolve(ScriptBody(outcome="answer", answer_after=7.0)),
    ]
    first, second, gone = (device_address(extension, i) for i in range(3))
    assert device_of(second) == (extension, 1)
    assert timeline(first, devices={extension: devices}) == [(0.5, ("ringing",))]
    assert timeline(second, devices={extension: devices}) == [
        (1.0, ("ringing",)),
        (7.0, ("answered",)),
    ]
    # A device that is no longer registered is not there to call.
    assert timeline(gone, devices={extension: devices}) == [(0.5, ("destroyed", 1))]
    # A rule on everything does not change a device: its own script does.
    everything = rule("sip", ".*", outcome="busy")
    assert timeline(first, [everything], {extension: devices}) == [(0.5, ("ringing",))]


def test_events_round_trip_through_json() -> None:
    for _, event in originate_timeline(LEG, tel("+15005550004"), [], {}):
        data = event_to_json(event)
        assert event_from_json(data) == event
    assert event_to_json(Destroyed(leg_id="x", cause=17)) == (
        b'{"event":"destroyed","leg_id":"x","cause":17}'
    )


def test_the_docs_list_exactly_the_built_in_destinations() -> None:
    page = (Path(__file__).resolve().parents[4] / "docs" / "simulator.md").read_text()
    rows = re.findall(r"^\| `(\+1500555000\d)`.*?\| `(\w+)@sim\.invalid` \|", page, re.M)
    assert rows == [(r.number, r.sip_name) for r in BUILT_IN]
