"""Buckets shared by every server process through Redis: one atomic script per check, on
Redis's own clock, so processes on different machines agree.

When Redis is down, slow or refuses, checks fall back to buckets in this process (the same
limit, per process) and the server keeps serving; the fallback and the recovery are logged
once each. While degraded, Redis is tried again at most every ``retry_seconds``.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time

from voipbin.server.ratelimit.gcra import TOLERANCE, Decision, Limit
from voipbin.server.ratelimit.memory import MemoryBuckets
from voipbin.server.ratelimit.resp import Connection, Reply, ReplyError, command

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


def _numbers(reply: Reply) -> tuple[float, float, float, float]:
    """The script's four numbers; ``ValueError`` for any other reply."""
    if not isinstance(reply, list) or len(reply) != 4:
        raise ValueError(f"unexpected reply from the limiter script: {reply!r}")
    a, b, c, d = (float(v) if isinstance(v, bytes) else float("nan") for v in reply)
    return a, b, c, d


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
        self.url = url
        self.timeout = timeout
        self.retry_seconds = retry_seconds
        self.prefix = prefix.encode()
        self.fallback = fallback or MemoryBuckets()
        self._sha = hashlib.sha1(GCRA_SCRIPT.encode()).hexdigest().encode()
        self._connection: Connection | None = None
        self._connecting = asyncio.Lock()
        # The command for a limit without its key: built once per limit.
        self._commands: dict[Limit, tuple[bytes, bytes]] = {}
        self._down_until = 0.0
        self.degraded = False

    async def _connected(self) -> Connection:
        connection = self._connection
        if connection is not None and not connection.closed:
            return connection
        async with self._connecting:
            if self._connection is None or self._connection.closed:
                self._connection = await Connection.open(self.url)
            return self._connection

    def _command(self, key: str, limit: Limit) -> bytes:
        parts = self._commands.get(limit)
        if parts is None:
            whole = command(
                b"EVALSHA",
                self._sha,
                b"1",
                b"\0",
                repr(limit.interval).encode(),
                str(limit.burst).encode(),
                repr(TOLERANCE).encode(),
            )
            # Split around the key's placeholder (a one-byte bulk string).
            head, _, tail = whole.partition(b"$1\r\n\0\r\n")
            parts = self._commands[limit] = (head, tail)
        name = self.prefix + key.encode()
        return b"%s$%d\r\n%s\r\n%s" % (parts[0], len(name), name, parts[1])

    async def _run(self, key: str, limit: Limit) -> Reply:
        connection = await self._connected()
        try:
            return await connection.send(self._command(key, limit))
        except ReplyError as exc:
            if not str(exc).startswith("NOSCRIPT"):
                raise
        # A restarted (or flushed) Redis has forgotten the script: load it, then run again.
        await connection.send(command(b"SCRIPT", b"LOAD", GCRA_SCRIPT.encode()))
        return await connection.send(self._command(key, limit))

    async def take(self, key: str, limit: Limit) -> Decision:
        if self.degraded and time.monotonic() < self._down_until:
            return self.fallback.check(key, limit)
        try:
            async with asyncio.timeout(self.timeout):
                result = await self._run(key, limit)
            allowed, remaining, retry_us, reset_us = _numbers(result)
        except (OSError, TimeoutError, ConnectionError, ReplyError, ValueError) as exc:
            if not self.degraded:
                log.warning(
                    "Redis is unavailable (%s); limiting per process until it is back",
                    type(exc).__name__,
                )
            self.degraded = True
            self._down_until = time.monotonic() + self.retry_seconds
            # Replies of a slow or broken connection would arrive out of turn: start afresh.
            if self._connection is not None:
                self._connection.close()
                self._connection = None
            return self.fallback.check(key, limit)
        if self.degraded:
            log.warning("Redis is back; limits are shared again")
            self.degraded = False
        return Decision(
            allowed=bool(allowed),
            limit=limit.burst,
            remaining=int(remaining),
            retry_after=retry_us / 1_000_000,
            reset_after=reset_us / 1_000_000,
        )

    async def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
