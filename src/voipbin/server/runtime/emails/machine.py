"""An email's delivery, as a table: what each report of the transport does to its status.

An email is made ``initiated``. Each attempt to send it ends in one report:

- ``delivered``: the transport took it (the local outbox stored it, the SMTP server accepted
  it for at least one recipient);
- ``temporary``: it could not be sent now (no connection, a 4xx answer, a timeout): the
  email is ``deferred`` and tried again after :data:`RETRY_SECONDS`;
- ``permanent``: the server refused it for good (a 5xx answer to the sender, every
  recipient or the message): ``bounce``;
- ``exhausted``: a temporary failure after the last retry: ``dropped``.

A report on an email in any other status (delivered, bounced, dropped) changes nothing.
"""

from __future__ import annotations

from typing import Literal

Report = Literal["delivered", "temporary", "permanent", "exhausted"]

#: The statuses an email may still be sent from.
SENDABLE: tuple[str, ...] = ("initiated", "deferred")

#: (status now, report) -> the status after.
_AFTER: tuple[tuple[Report, str], ...] = (
    ("delivered", "delivered"),
    ("temporary", "deferred"),
    ("permanent", "bounce"),
    ("exhausted", "dropped"),
)
TRANSITIONS: dict[tuple[str, Report], str] = {
    (status, report): after for status in SENDABLE for report, after in _AFTER
}

#: Seconds before each retry after a temporary failure: four retries, the last an hour on.
RETRY_SECONDS: tuple[float, ...] = (60.0, 300.0, 900.0, 3600.0)


def after(status: str, report: Report) -> str | None:
    """The status ``report`` moves an email in ``status`` to; ``None`` for no change."""
    return TRANSITIONS.get((status, report))


def retry_in(attempt: int) -> float | None:
    """Seconds before the attempt after ``attempt`` (0 is the first) failed temporarily;
    ``None`` when that was the last."""
    return RETRY_SECONDS[attempt] if attempt < len(RETRY_SECONDS) else None
