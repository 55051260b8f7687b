"""The rate table and its setting: upstream's figures, overrides in micro-dollars and
tokens, clear errors for a bad setting, and per-started-minute units."""

from __future__ import annotations

import pytest

from voipbin.server.billing.ledger import split
from voipbin.server.billing.prices import DEFAULT_RATES, Rate, rates, started_minutes
from voipbin.server.settings import Settings


def test_the_defaults_are_upstreams() -> None:
    table = rates("")
    assert table["number"] == Rate(5_000_000, unit="number for a month")
    assert (table["recording"].credit, table["recording"].token) == (30_000, 3)
    assert (table["call_vn"].credit, table["call_vn"].token) == (1_000, 1)
    assert table["call_pstn_outgoing"].credit == 10_000
    assert table == dict(DEFAULT_RATES)


def test_an_override_changes_only_what_it_names() -> None:
    table = rates('{"number": {"credit": 3000000}, "recording": {"token": 0}}')
    assert (table["number"].credit, table["number"].token) == (3_000_000, 0)
    assert (table["recording"].credit, table["recording"].token) == (30_000, 0)
    assert table["sms"] == DEFAULT_RATES["sms"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ('{"numbr": {"credit": 1}}', "no cost type 'numbr'"),
        ('{"number": {"credit": -1}}', "cannot be negative"),
        ('{"number": {"credit": 1.5}}', "VOIPBIN_BILLING_PRICES"),
        ('{"number": {"cost": 1}}', "VOIPBIN_BILLING_PRICES"),
        ("not json", "VOIPBIN_BILLING_PRICES"),
    ],
)
def test_a_bad_setting_is_one_clear_error(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Settings.from_env({"VOIPBIN_BILLING_PRICES": raw})


@pytest.mark.parametrize(
    ("microseconds", "units"),
    [(0, 0), (1, 1), (60_000_000, 1), (60_000_001, 2), (61_000_000, 2), (3_600_000_000, 60)],
)
def test_timed_use_is_billed_per_started_minute(microseconds: int, units: int) -> None:
    assert started_minutes(microseconds) == units


@pytest.mark.parametrize(
    ("units", "tokens", "expected"),
    [
        (40, 100, (99, 7 * 30_000)),  # 33 minutes from tokens, 7 from credit
        (10, 100, (30, 0)),
        (1, 2, (0, 30_000)),  # not enough tokens for a whole unit
        (5, 0, (0, 150_000)),
    ],
)
def test_tokens_pay_whole_units_first(units: int, tokens: int, expected: tuple[int, int]) -> None:
    assert split(DEFAULT_RATES["recording"], units, tokens) == expected
    assert split(DEFAULT_RATES["number"], 1, tokens) == (0, 5_000_000)
