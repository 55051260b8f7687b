"""Buckets in this process's memory, on an injectable clock."""

from __future__ import annotations

import time
from collections.abc import Callable

from voipbin.server.ratelimit.gcra import Decision, Limit, check

Clock = Callable[[], float]
"""Microseconds, monotonic."""


def monotonic_us() -> float:
    return time.monotonic_ns() / 1000


class MemoryBuckets:
    """GCRA buckets by key. A full bucket needs no entry, so the table is pruned of them."""

    def __init__(self, clock: Clock = monotonic_us, prune_at: int = 100_000) -> None:
        self.clock = clock
        self._tats: dict[str, float] = {}
        self._prune_at = prune_at

    async def take(self, key: str, limit: Limit) -> Decision:
        return self.check(key, limit)

    def check(self, key: str, limit: Limit) -> Decision:
        now = self.clock()
        decision, tat = check(self._tats.get(key), now, limit)
        if tat is not None:
            if len(self._tats) >= self._prune_at:
                self._tats = {k: v for k, v in self._tats.items() if v > now}
            self._tats[key] = tat
        return decision
