"""The generic cell rate algorithm: a token bucket of ``burst`` cells refilled at ``rate`` per
second, kept as one number per key, the theoretical arrival time (TAT).

All times are microseconds on the limiter's clock. A request at ``now`` is allowed when the
TAT it would leave, less the bucket's span, is not in the future; it then moves the TAT one
emission interval on. Fractional rates are exact: nothing is rounded to whole requests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

TOLERANCE = 1.0
"""Microseconds within which two times are the same. The clocks count whole microseconds
(Redis's ``TIME``), and a TAT summed from fractional intervals carries rounding (an ulp of
a time near 1e12 us is 1e-4 us) that must not refuse a request that is exactly on time."""


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
    # Work on how far the TAT is ahead of now (exactly 0 for a full bucket), not on absolute
    # times: microseconds since the epoch keep few fraction digits, and
    # ``(now + interval) - burst * interval`` could land past ``now``, refusing a full bucket
    # of one or reporting one request too few remaining.
    base = now if tat is None or tat < now else tat
    ahead = base - now
    slack = (limit.burst - 1) * interval
    if ahead > slack + TOLERANCE:
        decision = Decision(
            allowed=False,
            limit=limit.burst,
            remaining=0,
            retry_after=(ahead - slack) / 1_000_000,
            reset_after=ahead / 1_000_000,
        )
        return decision, None
    remaining = min(limit.burst - 1, math.floor((slack - ahead + TOLERANCE) / interval))
    decision = Decision(
        allowed=True,
        limit=limit.burst,
        remaining=remaining,
        retry_after=0.0,
        reset_after=(ahead + interval) / 1_000_000,
    )
    return decision, base + interval
