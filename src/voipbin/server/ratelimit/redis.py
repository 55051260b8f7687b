"""Buckets shared by every server process through Redis: one atomic script per check, on
Redis's own clock, so processes on different machines agree.

When Redis is down, slow or refuses, checks fall back to buckets in this process (the same
limit, per process) and the server keeps serving; the fallback and the recovery are logged
once each. While degraded, Redis is tried again at most every ``retry_seconds``.
"""

from __future__ import annotations

import asyncio
import logging
import time

from redis.asyncio import Redis
from redis.exceptions import RedisError

from voipbin.server.ratelimit.gcra import TOLERANCE, Decision, Limit
from voipbin.server.ratelimit.memory import MemoryBuckets

log = logging.getLogger("voipbin.ratelimit")

# KEYS[1] the bucket; ARGV[1] emission interval (us), ARGV[2] burst, ARGV[3] tolerance (us).
# The same arithmetic as gcra.check. Numbers leave as '%.17g' text: Lua's tostring keeps 14
# digits, which would round a TAT near 1.8e15 us to 100 us and bend fractional rates.
# Returns {allowed, remaining, retry_after_us, reset_after_us} as strings.
GCRA_SCRIPT = """
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tolerance = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat == nil or tat < now then tat = now end
local ahead = tat - now
local slack = (burst - 1) * interval
if ahead > slack + tolerance then
  return {'0', '0', string.format('%.17g', ahead - slack), string.format('%.17g', ahead)}
end
local new_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.17g', new_tat),
           'PX', math.ceil((ahead + interval) / 1000) + 1)
local remaining = math.floor((slack - ahead + tolerance) / interval)
if remaining > burst - 1 then remaining = burst - 1 end
return {'1', tostring(remaining), '0', string.format('%.17g', ahead + interval)}
"""


class RedisBuckets:
    def __init__(
        self,
        url: str,
        *,
        timeout: float = 0.1,
        retry_seconds: float = 1.0,
        prefix: str = "voipbin:rl:",
        fallback: MemoryBuckets | None = None,
    ) -> None:
        self.client = Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, retry=None
        )
        self.timeout = timeout
        self.retry_seconds = retry_seconds
        self.prefix = prefix
        self.fallback = fallback or MemoryBuckets()
        self._script = self.client.register_script(GCRA_SCRIPT)
        self._down_until = 0.0
        self.degraded = False

    async def take(self, key: str, limit: Limit) -> Decision:
        if self.degraded and time.monotonic() < self._down_until:
            return self.fallback.check(key, limit)
        try:
            async with asyncio.timeout(self.timeout * 2):
                result = await self._script(
                    keys=[self.prefix + key],
                    args=[repr(limit.interval), limit.burst, repr(TOLERANCE)],
                )
        except (RedisError, OSError, TimeoutError) as exc:
            if not self.degraded:
                log.warning(
                    "Redis is unavailable (%s); limiting per process until it is back",
                    type(exc).__name__,
                )
            self.degraded = True
            self._down_until = time.monotonic() + self.retry_seconds
            return self.fallback.check(key, limit)
        if self.degraded:
            log.warning("Redis is back; limits are shared again")
            self.degraded = False
        allowed, remaining, retry_us, reset_us = (float(v) for v in result)
        return Decision(
            allowed=bool(allowed),
            limit=limit.burst,
            remaining=int(remaining),
            retry_after=retry_us / 1_000_000,
            reset_after=reset_us / 1_000_000,
        )

    async def close(self) -> None:
        await self.client.aclose()
