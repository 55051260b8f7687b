"""What an attempt's outcome means for its delivery, and when the next attempt is due: data
and pure functions (no I/O), so the rules are read and tested in one place.

- 2xx and 3xx (a redirect the sender did not follow is the endpoint's answer) are delivered.
- No answer (a refused or reset connection, a timeout, a name that does not resolve), 408,
  429 and 5xx are retried after the schedule's next wait (plus up to 25% at random, so
  endpoints coming back are not hit by every sender at once), or after the ``Retry-After``
  the endpoint gave with a 429 or 503; after the schedule's last wait the delivery is dead.
- Any other 4xx, a target address refused by the SSRF guard, and more redirects than allowed
  are final: the delivery is dead at once (retrying would get the same answer).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Literal

Verdict = Literal["delivered", "retry", "failed"]

#: The statuses retried besides 5xx.
RETRIED = frozenset({408, 429})
#: The statuses whose ``Retry-After`` is honoured.
RETRY_AFTER = frozenset({429, 503})
#: Each wait is the schedule's plus up to this share of it, at random.
JITTER = 0.25
#: The longest ``Retry-After`` honoured (a day): a longer one waits this long.
RETRY_AFTER_MOST = 24 * 3600.0


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt got."""

    status_code: int
    """The endpoint's HTTP status; 0 for none."""
    latency_ms: int
    error: str = ""
    """Why it is not delivered (``""`` for a 2xx)."""
    retry_after: float | None = None
    """The seconds the endpoint asked to wait (429, 503)."""
    final: bool = False
    """Not worth retrying whatever the status (a refused address, too many redirects)."""


def verdict(outcome: Outcome) -> Verdict:
    """Whether ``outcome`` delivered, is retried or kills the delivery."""
    code = outcome.status_code
    if outcome.final:
        return "failed"
    if code == 0 or code in RETRIED or code >= 500:
        return "retry"
    if 200 <= code < 400:
        return "delivered"
    return "failed"


def next_wait(
    schedule: Sequence[float],
    attempts: int,
    outcome: Outcome,
    random: Callable[[], float],
) -> float | None:
    """Seconds until the next attempt after the ``attempts``-th of this round (counting from
    1) was retried; ``None`` when the schedule is used up (the delivery is dead)."""
    if attempts < 1 or attempts > len(schedule):
        return None
    if outcome.retry_after is not None and outcome.status_code in RETRY_AFTER:
        return min(outcome.retry_after, RETRY_AFTER_MOST)
    wait = schedule[attempts - 1]
    return wait * (1 + JITTER * random())


def retry_after(value: str | None, now: datetime) -> float | None:
    """The seconds a ``Retry-After`` header asks for (delay-seconds or an HTTP date);
    ``None`` when there is none or it cannot be read."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    seconds = (when - now).total_seconds()
    return max(seconds, 0.0) if math.isfinite(seconds) else None
