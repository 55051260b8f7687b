"""What the simulated network does with a leg, as pure functions: the script a destination
gets (:func:`script_for`), and the timeline of events that script plays out
(:func:`timeline`). No state and no clock: the same inputs give the same timeline.

A destination's script is, in order:

1. for a device contact of an extension (:func:`device_address`), that device's script (a
   device no longer registered is an unallocated number);
2. the latest stored rule whose ``type`` is the destination's and whose ``pattern`` matches
   the whole target;
3. the built-in rule of a reserved number or SIP name (:data:`BUILT_IN`);
4. otherwise :data:`DEFAULT`: rings at 1 s, answers at 3 s, stays up.

The outcomes are network terms only (SIP responses as Q.850 causes); what a call's status
and hangup reason become is the core's business.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from voipbin.common.address import Address
from voipbin.models.simulator import Outcome, Rule, Script, ScriptBody, resolve
from voipbin.server.runtime.carrier.base import (
    Q850,
    Answered,
    CarrierEvent,
    Destroyed,
    Dtmf,
    Ringing,
)

#: A scheduled event: seconds after the request, and the event.
Step = tuple[float, CarrierEvent]

#: The Q.850 cause each refusing outcome ends a leg with (SIP response in the comment).
OUTCOME_CAUSES: dict[Outcome, Q850] = {
    "busy": Q850.USER_BUSY,  # 486 Busy Here
    "reject": Q850.CALL_REJECTED,  # 403 Forbidden
    "fail": Q850.CIRCUIT_CONGESTION,  # 503 Service Unavailable
    "unallocated": Q850.UNALLOCATED,  # 404 Not Found
}


def script(**fields: Any) -> Script:
    """The complete script a body of ``fields`` asks for (each outcome's defaults)."""
    return resolve(ScriptBody(**fields))


#: Anything not scripted: rings at 1 s, answers at 3 s, stays up.
DEFAULT = script(outcome="answer")


@dataclass(frozen=True)
class Reserved:
    """A built-in rule: a reserved number and the SIP name (``<name>@sim.invalid``) that
    behave as ``script``."""

    number: str
    sip_name: str
    script: Script


#: The reserved destinations, documented in docs/simulator.md.
BUILT_IN: tuple[Reserved, ...] = (
    Reserved("+15005550000", "answer", DEFAULT),
    Reserved("+15005550001", "busy", script(outcome="busy")),
    Reserved("+15005550002", "noanswer", script(outcome="noanswer")),
    Reserved("+15005550003", "fail", script(outcome="fail")),
    Reserved("+15005550004", "hangup", script(outcome="answer", hangup_after=10.0)),
    Reserved("+15005550005", "reject", script(outcome="reject")),
    Reserved("+15005550006", "unallocated", script(outcome="unallocated")),
    Reserved("+15005550007", "machine", script(outcome="answer", answer_after=2.0, amd="machine")),
)
SIP_DOMAIN = "sim.invalid"
_BY_NUMBER = {r.number: r.script for r in BUILT_IN}
_BY_SIP = {f"{r.sip_name}@{SIP_DOMAIN}": r.script for r in BUILT_IN}

#: Where an extension's devices are reached: ``<extension id>.<n>@devices.sim.invalid``.
DEVICES_DOMAIN = f"devices.{SIP_DOMAIN}"
_DEVICE = re.compile(
    r"(?P<extension>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
    r"\.(?P<index>[0-9]{1,2})@" + re.escape(DEVICES_DOMAIN)
)


def device_address(extension_id: str, index: int) -> Address:
    """The contact of the extension's ``index``-th device (from 0)."""
    return Address(type="sip", target=f"{extension_id}.{index}@{DEVICES_DOMAIN}")


def device_of(target: Address) -> tuple[str, int] | None:
    """The (extension id, device index) a device contact names; ``None`` for any other."""
    if target.type != "sip":
        return None
    found = _DEVICE.fullmatch(target.target.lower())
    return None if found is None else (found["extension"], int(found["index"]))


def matches(rule: Rule, target: Address) -> bool:
    """Whether ``rule`` applies to ``target``: the same type, and its pattern matches the
    whole target (``re`` caches compiled patterns)."""
    return rule.type == target.type and re.fullmatch(rule.pattern, target.target) is not None


def script_for(
    target: Address, rules: Sequence[Rule], devices: Mapping[str, Sequence[Script]]
) -> Script:
    """The script of ``target``: ``rules`` are the stored ones, earliest first; ``devices``
    the registered devices by extension id (only the target's extension is needed)."""
    device = device_of(target)
    if device is not None:
        extension_id, index = device
        registered = devices.get(extension_id, ())
        return registered[index] if index < len(registered) else script(outcome="unallocated")
    for rule in reversed(rules):
        if matches(rule, target):
            return rule
    if target.type == "tel":
        return _BY_NUMBER.get(target.target, DEFAULT)
    if target.type == "sip":
        return _BY_SIP.get(target.target.lower(), DEFAULT)
    return DEFAULT


def timeline(leg_id: str, chosen: Script) -> list[Step]:
    """What the network does after a leg to a destination with script ``chosen`` is
    originated, in time order (ties keep the order they happen in). A ring at or after the
    final answer is left out: the network answered first. Key presses at or after the far
    end's hangup never happen."""
    steps: list[Step] = []
    final = chosen.answer_after if chosen.outcome == "answer" else chosen.outcome_after
    ring = chosen.ring_after
    if ring is not None and (final is None or ring < final):
        steps.append((ring, Ringing(leg_id=leg_id)))
    if chosen.outcome == "answer":
        answered = chosen.answer_after or 0.0
        steps.append((answered, Answered(leg_id=leg_id)))
        end = chosen.hangup_after
        for press in chosen.dtmf:
            if end is None or press.at < end:
                steps.append((answered + press.at, Dtmf(leg_id=leg_id, digits=press.digits)))
        if end is not None:
            cleared = Destroyed(leg_id=leg_id, cause=int(Q850.NORMAL_CLEARING))
            steps.append((answered + end, cleared))
    elif chosen.outcome != "noanswer":
        cause = OUTCOME_CAUSES[chosen.outcome]
        steps.append((final or 0.0, Destroyed(leg_id=leg_id, cause=int(cause))))
    return sorted(steps, key=lambda step: step[0])


def originate_timeline(
    leg_id: str,
    target: Address,
    rules: Sequence[Rule],
    devices: Mapping[str, Sequence[Script]],
) -> list[Step]:
    """The timeline of a leg originated to ``target``: :func:`timeline` of
    :func:`script_for`."""
    return timeline(leg_id, script_for(target, rules, devices))
