"""What only the Redis store does: one bucket for every process, kept to the microsecond,
and gone from Redis once it is full again."""

from __future__ import annotations

import anyio
import pytest
from redis.asyncio import Redis

from voipbin.server.ratelimit.gcra import Limit
from voipbin.server.ratelimit.redis import RedisBuckets


async def test_two_stores_on_one_redis_share_each_bucket(redis_url: str, redis_prefix: str) -> None:
    limit = Limit(rate=0.01, burst=6)
    first = RedisBuckets(redis_url, prefix=redis_prefix, timeout=2.0)
    second = RedisBuckets(redis_url, prefix=redis_prefix, timeout=2.0)
    try:
        decisions = [
            await (first if n % 2 else second).take("customer:c1", limit) for n in range(7)
        ]
        assert not first.degraded
        assert not second.degraded
    finally:
        await first.close()
        await second.close()

    assert [d.remaining for d in decisions] == [5, 4, 3, 2, 1, 0, 0]
    assert [d.allowed for d in decisions] == [True] * 6 + [False]


async def test_the_bucket_kept_in_redis_is_not_rounded(redis_url: str, redis_prefix: str) -> None:
    # 3/s is an interval of 333333.33 us; Lua's tostring would keep 14 digits of a TAT near
    # 1.8e15 us, rounding it to 100 us each request and letting 3.0003/s through.
    limit = Limit(rate=3, burst=100)
    buckets = RedisBuckets(redis_url, prefix=redis_prefix, timeout=2.0)
    client = Redis.from_url(redis_url)
    try:
        seconds, micros = await client.time()
        seeded = (seconds + 10) * 1_000_000 + micros
        await client.set(redis_prefix + "k", str(seeded), px=60_000)

        assert (await buckets.take("k", limit)).allowed

        stored = await client.get(redis_prefix + "k")
    finally:
        await buckets.close()
        await client.aclose()
    assert stored is not None
    assert float(stored) == pytest.approx(seeded + limit.interval, abs=0.01)


async def test_a_bucket_that_is_full_again_is_gone_from_redis(
    redis_url: str, redis_prefix: str
) -> None:
    limit = Limit(rate=20, burst=2)
    buckets = RedisBuckets(redis_url, prefix=redis_prefix, timeout=2.0)
    client = Redis.from_url(redis_url)
    try:
        decision = await buckets.take("k", limit)
        ttl = await client.pttl(redis_prefix + "k")
        assert 0 < ttl <= decision.reset_after * 1000 + 1

        await anyio.sleep(decision.reset_after + 0.02)

        assert await client.exists(redis_prefix + "k") == 0
    finally:
        await buckets.close()
        await client.aclose()
