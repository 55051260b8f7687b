"""Creation times that never repeat.

Page tokens are creation times, so two items of one resource type must never share one. The
clock hands out strictly increasing microseconds in this process, however often the wall
clock answers the same value (or goes back); a unique index on ``tm_create`` catches a clash
with another process, and the repository then retries past it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Now = Callable[[], datetime]

_TICK = timedelta(microseconds=1)


def utc_now() -> datetime:
    return datetime.now(UTC)


class CreationClock:
    """Strictly increasing, microsecond-precision UTC times."""

    def __init__(self, now: Now = utc_now) -> None:
        self._now = now
        self._last = datetime.min.replace(tzinfo=UTC)

    def now(self) -> datetime:
        """The wall clock, as injected."""
        return self._now()

    def next(self) -> datetime:
        """A time later than every time this clock has handed out or been advanced past."""
        value = self._now().astimezone(UTC)
        if value <= self._last:
            value = self._last + _TICK
        self._last = value
        return value

    def advance_past(self, value: datetime) -> None:
        """Make every later ``next()`` come after ``value`` (taken by another process)."""
        if value > self._last:
            self._last = value
