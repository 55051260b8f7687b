"""What the simulated network does with an SMS to a number, as pure functions: the script a
number gets (:func:`message_script_for`) and the statuses it reports, with their times
(:func:`message_timeline`).

A number's script is the latest stored rule whose pattern matches the whole number, else
the built-in one of a reserved number (:data:`RESERVED_MESSAGES`), else delivered: ``sent``
at 1 s, ``delivered`` 2 s later.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from voipbin.models.simulator_messages import (
    MessageRule,
    MessageScript,
    MessageScriptBody,
    resolve_message,
)

#: The default: sent at 1 s, delivered 2 s later.
DELIVERED = resolve_message(MessageScriptBody())

#: The reserved numbers, documented in docs/simulator.md.
RESERVED_MESSAGES: dict[str, MessageScript] = {
    "+15005550101": resolve_message(MessageScriptBody(outcome="failed")),
    "+15005550102": resolve_message(MessageScriptBody(outcome="dlr_timeout")),
    "+15005550103": resolve_message(MessageScriptBody(outcome="gw_timeout")),
}


def message_script_for(number: str, rules: Sequence[MessageRule]) -> MessageScript:
    """The script of an SMS to ``number``; ``rules`` are the stored ones, earliest first."""
    for rule in reversed(rules):
        if re.fullmatch(rule.pattern, number) is not None:
            return rule
    return RESERVED_MESSAGES.get(number, DELIVERED)


def message_timeline(chosen: MessageScript) -> list[tuple[float, str]]:
    """The statuses the network reports for a target, with the seconds after it was queued
    (the timeouts are ours, not the network's: they are not here)."""
    if chosen.sent_after is None:
        return []
    steps = [(chosen.sent_after, "sent")]
    if chosen.outcome in ("delivered", "failed") and chosen.outcome_after is not None:
        steps.append((chosen.sent_after + chosen.outcome_after, chosen.outcome))
    return steps
