"""The generic cell rate algorithm: a token bucket of ``burst`` cells refilled at ``rate`` per
second, kept as one number per key, the theoretical arrival time (TAT).

All times are microseconds on the limiter's clock. A request at ``now`` is allowed when the
TAT it would leave, less the bucket's span, is not in the future; it then moves the TAT one
emission interval on. Fractional rates are exact: nothing is rounded to whole requests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limit:
    """``rate`` requests a second with bursts of ``burst``; a rate of 0 turns it off."""

    rate: float
    burst: int

    @property
    def enabled(self) -> bool:
        return self.rate > 0 and self.burst > 0

    @property
    def interval(self) -> float:
        """Microseconds between two cells."""
        return 1_000_000 / self.rate

    @property
    def window(self) -> float:
        """Seconds an empty bucket takes to fill."""
        return self.burst / self.rate


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of one check of one bucket."""

    allowed: bool
    limit: int
    remaining: int
    retry_after: float
    """Seconds until this request would be allowed (0 when it was)."""
    reset_after: float
    """Seconds until the bucket is full again."""


def check(tat: float | None, now: float, limit: Limit) -> tuple[Decision, float | None]:
    """Decide a request at ``now`` against a bucket whose TAT is ``tat`` (``None``: full).

    Returns the decision and the TAT to store (``None`` when nothing changes: a refusal).
    """
    interval = limit.interval
    span = limit.burst * interval
    base = now if tat is None or tat < now else tat
    new_tat = base + interval
    allow_at = new_tat - span
    if allow_at > now:
        decision = Decision(
            allowed=False,
            limit=limit.burst,
            remaining=0,
            retry_after=(allow_at - now) / 1_000_000,
            reset_after=(base - now) / 1_000_000,
        )
        return decision, None
    remaining = min(limit.burst - 1, math.floor((now - allow_at) / interval + 1e-9))
    decision = Decision(
        allowed=True,
        limit=limit.burst,
        remaining=max(remaining, 0),
        retry_after=0.0,
        reset_after=(new_tat - now) / 1_000_000,
    )
    return decision, new_tat
