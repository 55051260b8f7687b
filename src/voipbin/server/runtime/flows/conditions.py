"""The tests of the ``condition_*`` actions and of ``digits_receive``'s end, pure."""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from voipbin.models.flows import options as o
from voipbin.server.runtime.flows.variables import DIGITS

_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


def compare(condition: str, left: Any, right: Any) -> bool:
    """``left <condition> right``; an unknown operator is false."""
    test = _OPERATORS.get(condition)
    return test is not None and bool(test(left, right))


def variable_value(raw: str, filled: str, variables: Mapping[str, str]) -> str:
    """What ``condition_variable`` tests: the filled-in text when its ``variable`` was a
    ``${name}`` template (upstream's form), the named variable's value when it was a bare
    name (the form upstream's documentation shows; ``""`` when unset)."""
    if "${" in raw:
        return filled
    return variables.get(raw, "")


def variable_holds(option: o.ConditionVariableOption, value: str) -> bool:
    if option.value_type == "number":
        try:
            number = float(value)
        except ValueError:
            return False
        return compare(option.condition, number, option.value_number)
    if option.value_type == "length":
        return compare(option.condition, len(value.encode()), option.value_length)
    return compare(option.condition, value, option.value_string)


def datetime_holds(option: o.ConditionDatetimeOption, now: datetime) -> bool:
    """Upstream's test, in UTC: the weekday is one of ``weekdays`` (Sunday 0) when any are
    given, then ``<option> <condition> <now>`` for the month and day when above 0 and for the
    hour and minute when 0 or above (so a left-out hour or minute is 0, and is compared)."""
    now = now.astimezone(UTC)
    weekday = (now.weekday() + 1) % 7
    if option.weekdays and weekday not in option.weekdays:
        return False
    fields = (
        (option.month, now.month, 1),
        (option.day, now.day, 1),
        (option.hour, now.hour, 0),
        (option.minute, now.minute, 0),
    )
    return all(
        compare(option.condition, given, current)
        for given, current, least in fields
        if given >= least
    )


def call_digits_hold(option: o.ConditionCallDigitsOption, variables: Mapping[str, str]) -> bool:
    digits = variables.get(DIGITS, "")
    if option.length and len(digits) >= option.length:
        return True
    return bool(option.key) and option.key in digits


def digits_done(option: o.DigitsReceiveOption, digits: str) -> bool:
    """A ``digits_receive`` has what it waits for: ``length`` digits, or any character of
    ``key`` among them (the key stays in the digits)."""
    if option.length and len(digits) >= option.length:
        return True
    return any(c in option.key for c in digits)
