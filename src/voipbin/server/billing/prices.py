"""What things cost: one table of rates, by cost type, with upstream's figures as defaults.

A rate is per unit: a started minute of a call or a recording, one SMS target, one month of a
number. ``token`` units are paid from the account's tokens while they last (whole units
only), the rest from credit; a rate of 0 tokens is paid from credit alone. Credit is in
micro-dollars (1 USD = 1,000,000). ``VOIPBIN_BILLING_PRICES`` overrides any of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import msgspec


@dataclass(frozen=True, slots=True)
class Rate:
    credit: int
    """Micro-dollars per unit."""
    token: int = 0
    """Tokens per unit, spent before credit; 0: credit only."""
    unit: str = "unit"


#: Upstream's rates (its ``cost_type`` table).
DEFAULT_RATES: Mapping[str, Rate] = {
    "call_pstn_outgoing": Rate(10_000, unit="minute"),
    "call_pstn_incoming": Rate(10_000, unit="minute"),
    "call_vn": Rate(1_000, token=1, unit="minute"),
    "call_extension": Rate(0, unit="minute"),
    "call_direct_ext": Rate(0, unit="minute"),
    "sms": Rate(10_000, unit="message target"),
    "email": Rate(10_000, unit="email target"),
    "number": Rate(5_000_000, unit="number for a month"),
    "number_renew": Rate(5_000_000, unit="number for a month"),
    "tts": Rate(30_000, token=3, unit="minute"),
    "recording": Rate(30_000, token=3, unit="minute"),
}

#: Tokens each plan grants: a new account of the plan starts with them.
PLAN_TOKENS: Mapping[str, int] = {"free": 100, "basic": 1_000, "professional": 10_000}


class _RateOverride(msgspec.Struct, forbid_unknown_fields=True):
    credit: int | None = None
    token: int | None = None


def rates(overrides: str) -> dict[str, Rate]:
    """The rate table, with ``overrides`` applied: JSON such as
    ``{"number": {"credit": 3000000}, "recording": {"token": 0}}`` (micro-dollars and tokens
    per unit; a cost type left out keeps its default). A ``ValueError`` names what is wrong."""
    table = dict(DEFAULT_RATES)
    if not overrides.strip():
        return table
    try:
        changes = msgspec.json.decode(overrides, type=dict[str, _RateOverride])
    except msgspec.DecodeError as exc:
        raise ValueError(f"VOIPBIN_BILLING_PRICES: {exc}") from None
    for cost_type, change in changes.items():
        if cost_type not in table:
            known = ", ".join(sorted(table))
            raise ValueError(f"VOIPBIN_BILLING_PRICES: no cost type {cost_type!r} (known: {known})")
        base = table[cost_type]
        credit = base.credit if change.credit is None else change.credit
        token = base.token if change.token is None else change.token
        if credit < 0 or token < 0:
            raise ValueError(f"VOIPBIN_BILLING_PRICES: {cost_type}: a rate cannot be negative")
        table[cost_type] = Rate(credit, token, base.unit)
    return table


def started_minutes(microseconds: int) -> int:
    """Units of a timed use: every started minute counts (61 s is 2; 0 is 0)."""
    return -(-max(microseconds, 0) // 60_000_000)
