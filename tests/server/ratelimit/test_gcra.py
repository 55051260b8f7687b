"""The GCRA arithmetic alone, on microseconds: the bound it keeps in every window, the
refill it promises, and the figures it reports."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voipbin.server.ratelimit.gcra import TOLERANCE, Decision, Limit, check

SECOND = 1_000_000.0

rates = st.floats(min_value=0.01, max_value=10_000, allow_nan=False, allow_infinity=False)
bursts = st.integers(min_value=1, max_value=50)
gaps = st.lists(st.integers(min_value=0, max_value=3_000_000), min_size=1, max_size=200)


def run(limit: Limit, times: list[float]) -> list[tuple[float, Decision]]:
    """Every request at its time (microseconds, ascending) and what the bucket said."""
    tat: float | None = None
    decisions = []
    for now in times:
        decision, new_tat = check(tat, now, limit)
        if new_tat is not None:
            tat = new_tat
        decisions.append((now, decision))
    return decisions


def arrivals(start: int, steps: list[int]) -> list[float]:
    times, now = [], float(start)
    for step in steps:
        now += step
        times.append(now)
    return times


@given(rates, bursts, st.integers(0, 10**15), gaps)
def test_no_window_ever_holds_more_than_the_burst_and_the_refill(
    rate: float, burst: int, start: int, steps: list[int]
) -> None:
    limit = Limit(rate, burst)
    allowed = [now for now, d in run(limit, arrivals(start, steps)) if d.allowed]

    for first in range(len(allowed)):
        for last in range(first, len(allowed)):
            # Times within the tolerance of each other count as one.
            elapsed = (allowed[last] - allowed[first] + TOLERANCE) / SECOND
            assert last - first + 1 <= burst + rate * elapsed


@given(rates, bursts, st.integers(0, 10**15), gaps)
def test_a_refused_request_is_allowed_once_its_retry_after_has_passed(
    rate: float, burst: int, start: int, steps: list[int]
) -> None:
    limit = Limit(rate, burst)
    tat: float | None = None
    for now in arrivals(start, steps):
        decision, new_tat = check(tat, now, limit)
        if new_tat is not None:
            tat = new_tat
            continue
        assert decision.retry_after > 0
        later = now + math.ceil(decision.retry_after * SECOND)
        assert check(tat, later, limit)[0].allowed
        # And not a microsecond sooner than the tolerance allows.
        earlier = now + decision.retry_after * SECOND - TOLERANCE - 1
        assert not check(tat, earlier, limit)[0].allowed


@given(rates, bursts, st.integers(0, 10**13), gaps)
def test_remaining_is_how_many_more_the_same_instant_allows(
    rate: float, burst: int, start: int, steps: list[int]
) -> None:
    limit = Limit(rate, burst)
    tat: float | None = None
    for now in arrivals(start, steps):
        decision, new_tat = check(tat, now, limit)
        if new_tat is None:
            assert decision.remaining == 0
            continue
        tat = new_tat
        probe: float | None = tat
        for _ in range(decision.remaining):
            more, probe = check(probe, now, limit)
            assert more.allowed
        assert not check(probe, now, limit)[0].allowed


@given(rates, bursts, st.integers(0, 10**15), gaps)
def test_a_bucket_left_alone_for_its_window_is_full_again(
    rate: float, burst: int, start: int, steps: list[int]
) -> None:
    limit = Limit(rate, burst)
    tat: float | None = None
    now = float(start)
    for now in arrivals(start, steps):
        decision, new_tat = check(tat, now, limit)
        tat = new_tat if new_tat is not None else tat
    last = check(tat, now, limit)[0]
    later = now + math.ceil(last.reset_after * SECOND)

    decision, _ = check(tat, later, limit)

    assert decision.allowed
    assert decision.remaining == burst - 1


@pytest.mark.parametrize(
    ("rate", "interval"),
    [(2.5, 400_000.0), (0.5, 2_000_000.0), (16.7, 1_000_000 / 16.7), (200.0, 5_000.0)],
)
def test_fractional_rates_are_not_rounded(rate: float, interval: float) -> None:
    assert Limit(rate, 1).interval == interval


def test_figures_of_a_burst_then_a_refusal() -> None:
    limit = Limit(rate=4, burst=3)
    decisions = [d for _, d in run(limit, [0.0, 0.0, 0.0, 0.0])]

    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert [d.limit for d in decisions] == [3, 3, 3, 3]
    assert [d.retry_after for d in decisions] == [0.0, 0.0, 0.0, 0.25]
    assert [d.reset_after for d in decisions] == [0.25, 0.5, 0.75, 0.75]


def test_a_rate_or_burst_of_zero_is_off() -> None:
    assert Limit(16.7, 33).enabled
    assert not Limit(0, 33).enabled
    assert not Limit(16.7, 0).enabled


@given(rates, bursts, st.integers(0, 2 * 10**15), st.one_of(st.none(), st.integers(0, 10**15)))
def test_a_full_bucket_allows_with_the_whole_burst_left_at_any_clock_reading(
    rate: float, burst: int, now: int, idle_since: int | None
) -> None:
    # Clocks read near 1e15 microseconds (Redis's TIME); a full bucket is exact there too.
    tat = None if idle_since is None else float(min(idle_since, now))
    limit = Limit(rate, burst)

    decision, new_tat = check(tat, float(now), limit)

    assert decision.allowed
    assert decision.remaining == burst - 1
    assert decision.reset_after == limit.interval / SECOND
    assert new_tat == now + limit.interval
