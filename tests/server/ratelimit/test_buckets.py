"""One behaviour suite for every bucket store: in memory on a clock the test moves by hand,
and in a real Redis on Redis's own clock (real time, so the figures there are checked to
within the time the test itself took)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

import anyio
import pytest

from tests.server.ratelimit.conftest import MicroClock
from voipbin.server.ratelimit.gcra import Decision, Limit
from voipbin.server.ratelimit.memory import MemoryBuckets
from voipbin.server.ratelimit.redis import RedisBuckets

REAL_TIME_SLACK = 0.05
"""Seconds a real-time figure may fall short of the exact one (the test's own run time)."""


class Bench(Protocol):
    """A bucket store and a way to let time pass for it."""

    exact: bool

    async def take(self, limit: Limit, key: str = "k") -> Decision: ...

    async def wait(self, seconds: float) -> None: ...

    def elapsed(self) -> float: ...


class MemoryBench:
    exact = True

    def __init__(self) -> None:
        self.clock = MicroClock()
        self.start = self.clock.now
        self.buckets = MemoryBuckets(self.clock)

    async def take(self, limit: Limit, key: str = "k") -> Decision:
        return await self.buckets.take(key, limit)

    async def wait(self, seconds: float) -> None:
        self.clock.advance(seconds)

    def elapsed(self) -> float:
        return (self.clock.now - self.start) / 1_000_000


class RedisBench:
    exact = False

    def __init__(self, url: str, prefix: str) -> None:
        # A generous timeout: a slow CI machine must not push the test onto the fallback.
        self.buckets = RedisBuckets(url, prefix=prefix, timeout=2.0)
        self.start = anyio.current_time()

    async def take(self, limit: Limit, key: str = "k") -> Decision:
        decision = await self.buckets.take(key, limit)
        assert not self.buckets.degraded, "Redis did not answer; the check fell back"
        return decision

    async def wait(self, seconds: float) -> None:
        # A little over: Redis's clock is not the one anyio sleeps on.
        await anyio.sleep(seconds + 0.005)

    def elapsed(self) -> float:
        return anyio.current_time() - self.start


@pytest.fixture(params=["memory", "redis"])
async def bench(request: pytest.FixtureRequest) -> AsyncIterator[Bench]:
    if request.param == "memory":
        yield MemoryBench()
        return
    redis = RedisBench(
        request.getfixturevalue("redis_url"), request.getfixturevalue("redis_prefix")
    )
    try:
        yield redis
    finally:
        await redis.buckets.close()


def assert_about(value: float, expected: float, bench: Bench) -> None:
    """Exactly ``expected`` on an injected clock; on a real one, short of it by at most the
    time the test took (time only ever brings a refill nearer)."""
    if bench.exact:
        assert value == pytest.approx(expected, abs=1e-9)
    else:
        assert expected - REAL_TIME_SLACK <= value <= expected + 1e-6


async def test_a_burst_is_allowed_then_the_next_request_is_refused(bench: Bench) -> None:
    limit = Limit(rate=1, burst=3)

    decisions = [await bench.take(limit) for _ in range(4)]

    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.limit for d in decisions] == [3, 3, 3, 3]


async def test_remaining_counts_down_to_zero(bench: Bench) -> None:
    limit = Limit(rate=1, burst=5)

    decisions = [await bench.take(limit) for _ in range(6)]

    assert [d.remaining for d in decisions] == [4, 3, 2, 1, 0, 0]


async def test_one_request_comes_back_after_one_interval(bench: Bench) -> None:
    limit = Limit(rate=10, burst=2)
    for _ in range(2):
        assert (await bench.take(limit)).allowed
    assert not (await bench.take(limit)).allowed

    await bench.wait(0.1)

    again = await bench.take(limit)
    assert again.allowed
    assert again.remaining == 0
    assert not (await bench.take(limit)).allowed


async def test_a_bucket_left_alone_for_its_window_is_full_again(bench: Bench) -> None:
    limit = Limit(rate=20, burst=4)
    for _ in range(4):
        await bench.take(limit)

    await bench.wait(limit.window)

    decisions = [await bench.take(limit) for _ in range(5)]
    assert [d.remaining for d in decisions] == [3, 2, 1, 0, 0]
    assert [d.allowed for d in decisions] == [True, True, True, True, False]


async def test_a_fractional_rate_is_exact(bench: Bench) -> None:
    # 2.5/s is one request every 0.4 s: rounded to 2 or 3 it would be 0.5 s or 0.33 s.
    limit = Limit(rate=2.5, burst=2)
    for _ in range(2):
        await bench.take(limit)
    started = bench.elapsed()

    allowed = 0
    for _ in range(5):
        refused = await bench.take(limit)
        assert not refused.allowed
        assert_about(refused.retry_after, 0.4, bench)
        await bench.wait(refused.retry_after)
        allowed += (await bench.take(limit)).allowed

    assert allowed == 5
    assert not (await bench.take(limit)).allowed
    if bench.exact:
        assert bench.elapsed() - started == 2.0


async def test_retry_after_and_reset_after_say_when_to_come_back(bench: Bench) -> None:
    limit = Limit(rate=4, burst=3)

    decisions = [await bench.take(limit) for _ in range(4)]

    for decision, reset_after in zip(decisions, [0.25, 0.5, 0.75, 0.75], strict=True):
        assert_about(decision.reset_after, reset_after, bench)
    assert [d.retry_after for d in decisions[:3]] == [0.0, 0.0, 0.0]
    assert_about(decisions[3].retry_after, 0.25, bench)


async def test_a_refused_request_takes_nothing_from_the_bucket(bench: Bench) -> None:
    limit = Limit(rate=10, burst=1)
    assert (await bench.take(limit)).allowed
    refusals = [await bench.take(limit) for _ in range(5)]
    assert not any(d.allowed for d in refusals)

    await bench.wait(0.1)

    assert (await bench.take(limit)).allowed


async def test_each_key_has_a_bucket_of_its_own(bench: Bench) -> None:
    limit = Limit(rate=1, burst=2)
    for _ in range(3):
        await bench.take(limit, "customer:a")

    decision = await bench.take(limit, "customer:b")

    assert decision.allowed
    assert decision.remaining == 1


async def test_a_bucket_of_one_allows_its_first_request(bench: Bench) -> None:
    # A full bucket of one used to be refused now and then: (now + interval) - interval
    # can round past now.
    limit = Limit(rate=3.7, burst=1)

    decisions = [await bench.take(limit, f"fresh:{n}") for n in range(50)]

    assert all(d.allowed and d.remaining == 0 for d in decisions)
