"""When to try a call again, and how long to wait first (CONVENTIONS.md §10).

- ``429``: wait what ``Retry-After`` says (at most ``max_retry_after``); without it, back off.
- ``502``, ``503`` (any ``Unavailable``), a request whose idempotency key is still in use, and
  connection errors: exponential backoff with full jitter, a random wait between 0 and
  ``min(max_backoff, backoff * 2 ** (attempt - 1))``.
- Anything else is final. Every POST carries an idempotency key, so retrying one is safe.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from voipbin.common.errors import ApiError, FailedPrecondition, ResourceExhausted, Unavailable

Jitter = Callable[[], float]
"""A random number in ``[0, 1)``: ``random.random``, or a fixed one in tests."""


@dataclass(frozen=True)
class RetryPolicy:
    """How a client retries. ``max_attempts`` counts the first try; 1 turns retries off."""

    max_attempts: int = 4
    backoff: float = 0.5
    """Seconds: the ceiling of the first backoff, doubled on each further attempt."""
    max_backoff: float = 8.0
    max_retry_after: float = 60.0
    """The longest wait a ``Retry-After`` can ask for; longer ones are cut to this."""

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if min(self.backoff, self.max_backoff, self.max_retry_after) < 0:
            raise ValueError("waits must not be negative")

    def delay(self, attempt: int, error: Exception | None, jitter: Jitter) -> float | None:
        """Seconds to wait before trying again after ``attempt`` (1 for the first try)
        failed with ``error`` (an API error, or the connection error); ``None``: give up."""
        if attempt >= self.max_attempts or not retryable(error):
            return None
        if isinstance(error, ResourceExhausted) and error.retry_after is not None:
            return min(error.retry_after, self.max_retry_after)
        ceiling = min(self.max_backoff, self.backoff * 2.0 ** (attempt - 1))
        return jitter() * ceiling


def retryable(error: Exception | None) -> bool:
    """Whether a call that failed with ``error`` may succeed when tried again unchanged."""
    if not isinstance(error, ApiError):
        return True  # the connection failed (the shells only report connection errors)
    return isinstance(error, ResourceExhausted | Unavailable) or (
        isinstance(error, FailedPrecondition) and error.reason == "IDEMPOTENCY_KEY_IN_USE"
    )
