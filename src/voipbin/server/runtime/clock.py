"""One clock for every timestamp and delay of the server.

``RealClock`` reads the wall clock. ``VirtualClock`` (``VOIPBIN_CLOCK=virtual``) stands still
until it is moved, and only forwards, so a 60 s dial timeout or a one-hour call limit is tested
in milliseconds (``Jobs.advance`` moves it from due job to due job). The app's creation clock
reads the same clock, so resource timestamps and job due times agree in both modes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol

from voipbin.server.storage.clock import Now, utc_now

ClockMode = Literal["real", "virtual"]
CLOCK_MODES: tuple[ClockMode, ...] = ("real", "virtual")


class Clock(Protocol):
    """What the runtime reads time from."""

    @property
    def mode(self) -> ClockMode: ...

    def now(self) -> datetime:
        """The current time, aware, in UTC."""
        ...


class RealClock:
    """The wall clock (``now`` is injectable for tests)."""

    def __init__(self, now: Now = utc_now) -> None:
        self._now = now

    @property
    def mode(self) -> ClockMode:
        return "real"

    def now(self) -> datetime:
        return self._now().astimezone(UTC)


class VirtualClock:
    """A clock that moves only when told to, and never backwards."""

    def __init__(self, start: datetime | None = None) -> None:
        self._value = (start or utc_now()).astimezone(UTC)

    @property
    def mode(self) -> ClockMode:
        return "virtual"

    def now(self) -> datetime:
        return self._value

    def move_to(self, when: datetime) -> datetime:
        """Move to ``when`` if it is later than now; the time after."""
        when = when.astimezone(UTC)
        if when > self._value:
            self._value = when
        return self._value

    def advance(self, seconds: float) -> datetime:
        """Move ``seconds`` (0 or more) forward; the time after."""
        if not seconds >= 0:
            raise ValueError(f"a clock does not move by {seconds!r} seconds")
        return self.move_to(self._value + timedelta(seconds=seconds))


def clock_for(mode: str, now: Now = utc_now) -> RealClock | VirtualClock:
    """The clock of a ``VOIPBIN_CLOCK`` mode; a virtual one starts at ``now()``."""
    if mode == "virtual":
        return VirtualClock(now())
    if mode == "real":
        return RealClock(now)
    raise ValueError(f"VOIPBIN_CLOCK: {mode!r} is neither real nor virtual")
