"""Activeflow variables: ``${name}`` templates and the ``voipbin.*`` names the engine sets.

A template is ``${`` a name ``}`` (no escaping, nesting or default); a name with no value
becomes ``""``. Templates are filled in every string of an action's option, in nested
objects and lists, when the cursor moves onto the action. Other values are left as they
are (upstream turns the numbers of a list into strings, which breaks
``condition_datetime.weekdays``).

Names the engine sets (the runtime seeds the call's own, ``voipbin.call.*``, when it
creates the activeflow, and for an incoming call from a contact of the customer
``voipbin.contact.{id, display_name, first_name, last_name, company}``, which upstream
lacks):

- ``voipbin.activeflow.{id, reference_type, reference_id, reference_activeflow_id,
  flow_id, complete_count}``: when the activeflow is created.
- ``voipbin.call.digits``: the digits pressed; appended to while a ``digits_receive``
  waits, replaced by the latest digit at any other time; emptied by a ``branch`` on it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

RESERVED_PREFIX = "voipbin."
DIGITS = "voipbin.call.digits"
_TEMPLATE = re.compile(r"\$\{(.*?)\}")


def substitute(text: str, variables: Mapping[str, str]) -> str:
    """``text`` with each ``${name}`` replaced by its value (``""`` when unset)."""
    if "${" not in text:
        return text
    return _TEMPLATE.sub(lambda m: variables.get(m.group(1), ""), text)


def substitute_all(value: Any, variables: Mapping[str, str]) -> Any:
    """``value`` (JSON-like builtins) with every string substituted; dict keys and
    non-string values stay as they are."""
    if isinstance(value, str):
        return substitute(value, variables)
    if isinstance(value, dict):
        return {k: substitute_all(v, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute_all(v, variables) for v in value]
    return value


def external(variables: Mapping[str, str]) -> dict[str, str]:
    """Variables a customer seeds: keys trimmed, empty keys and ``voipbin.`` ones dropped."""
    kept: dict[str, str] = {}
    for key, value in variables.items():
        name = key.strip()
        if name and not name.lower().startswith(RESERVED_PREFIX):
            kept[name] = value
    return kept
