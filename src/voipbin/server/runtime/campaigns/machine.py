"""The rules of campaigns and campaigncalls, as data and pure functions: which status may
follow which and the event each emits, how many dials a campaign may start now, which of a
target's destinations is dialled next, and what a dial's end makes of its target.

A campaign is ``stop`` when made. ``run`` starts its dialer; a stop (the customer's, its
targets being done, a balance that cannot pay, a resource gone) is ``stopping`` while
calls it dialled are live and ``stop`` once none is (at once when none is). ``stopping ->
run`` takes a stop back.

A campaigncall is born ``dialing`` (its call rings), is ``progressing`` once the call is
answered, and ``done`` when the call hangs up: ``success`` when it was answered, ``fail``
when not (upstream derives the result from the hangup reason; an answered call the far end
hangs up on is a success here too, as it was reached).

**How many dials at once** (upstream's ``isDialable``, bin-campaign-manager
``campaignhandler/execute.go``): a ``type: call`` campaign dials while its campaigncalls
still ``dialing`` are fewer than ``floor(available agents of its queue * service_level /
100)``: calls already answered are the queue's to serve and do not count. So a service
level of 100 keeps one call ringing per available agent, 200 two (betting on no-answers),
and no available agent stops the dialing. A ``type: flow`` campaign has no queue: upstream
dials it without any limit; here ``service_level`` is the most calls up at once, ringing or
answered (the flow runs on the call for as long as it lasts).

**Which destination** (upstream's ``getTargetDestination``): the first index, 0 to 4, with a
destination whose tries are fewer than the outplan's ``max_try_count_<index>``; the try is
that count plus one. A target with none left is done.

**After a dial**: answered, the target is ``done`` with ``result: success``; not answered,
the target is ``idle`` again and due ``try_interval`` after the dial ended (upstream: after
its last update) if a destination has tries left, else ``done`` with ``result: fail``
(upstream leaves such a target ``idle`` forever and skips it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from voipbin.models.campaign import CAMPAIGNCALL_LIVE, CampaigncallStatus, CampaignStatus

#: The statuses each campaign status may move to.
TRANSITIONS: Final[dict[CampaignStatus, frozenset[CampaignStatus]]] = {
    "stop": frozenset({"run"}),
    "run": frozenset({"stopping", "stop"}),
    "stopping": frozenset({"stop", "run"}),
}
#: The event a campaign's move to each status emits (upstream's names).
EVENTS: Final[dict[CampaignStatus, str]] = {
    "run": "campaign_status_run",
    "stopping": "campaign_status_stopping",
    "stop": "campaign_status_stop",
}
CAMPAIGN_CREATED: Final = "campaign_created"
CAMPAIGN_UPDATED: Final = "campaign_updated"
CAMPAIGN_DELETED: Final = "campaign_deleted"

#: The statuses each campaigncall status may move to.
CALL_TRANSITIONS: Final[dict[CampaigncallStatus, frozenset[CampaigncallStatus]]] = {
    "dialing": frozenset({"progressing", "done"}),
    "progressing": frozenset({"done"}),
    "done": frozenset(),
}
#: The statuses of a campaigncall whose call is live.
LIVE: Final = CAMPAIGNCALL_LIVE
CAMPAIGNCALL_CREATED: Final = "campaigncall_created"
CAMPAIGNCALL_UPDATED: Final = "campaigncall_updated"
CAMPAIGNCALL_DELETED: Final = "campaigncall_deleted"

#: Why a campaign stops (its ``stop_reason``).
BY_USER: Final = "user"
AT_END: Final = "end"
CANNOT_PAY: Final = "insufficient_balance"
REFUSED: Final = "refused"
INVALID_RESOURCE: Final = "invalid_resource"

#: Destination indexes of a target (``destination_0..4``).
INDEXES: Final = range(5)


def can_move(current: CampaignStatus, to: CampaignStatus) -> bool:
    return to in TRANSITIONS[current]


def can_move_call(current: CampaigncallStatus, to: CampaigncallStatus) -> bool:
    return to in CALL_TRANSITIONS[current]


def stop_status(live_calls: int) -> CampaignStatus:
    """What a stop makes of a running campaign: ``stopping`` while calls it dialled are
    live, ``stop`` when none is."""
    return "stopping" if live_calls > 0 else "stop"


def capacity(type: str, service_level: int, available_agents: int, dialing: int, live: int) -> int:
    """How many dials the campaign may start now (0 or more): ``type: call``,
    ``available_agents * service_level // 100`` less the ``dialing`` ones; ``type: flow``,
    ``service_level`` less the ``live`` ones (ringing or answered)."""
    if type == "call":
        return max(0, available_agents * service_level // 100 - dialing)
    return max(0, service_level - live)


@dataclass(frozen=True)
class Dial:
    """Which of a target's destinations to dial, and the how-manieth try it is."""

    index: int
    try_count: int


def next_dial(
    has_destination: Sequence[bool], try_counts: Sequence[int], max_try_counts: Sequence[int]
) -> Dial | None:
    """The first index with a destination and tries left; ``None``: the target is spent."""
    for index in INDEXES:
        if has_destination[index] and try_counts[index] < max_try_counts[index]:
            return Dial(index, try_counts[index] + 1)
    return None


@dataclass(frozen=True)
class TargetAfter:
    """What a dial's end makes of its target."""

    status: str
    result: str
    due: datetime | None
    """When it may be dialled again (``idle``); ``None`` otherwise."""


def target_after(
    answered: bool,
    has_destination: Sequence[bool],
    try_counts: Sequence[int],
    max_try_counts: Sequence[int],
    ended: datetime,
    try_interval_ms: int,
) -> TargetAfter:
    """The target after its dial ended at ``ended`` (``try_counts`` counting that dial)."""
    if answered:
        return TargetAfter("done", "success", None)
    if next_dial(has_destination, try_counts, max_try_counts) is None:
        return TargetAfter("done", "fail", None)
    return TargetAfter("idle", "", ended + timedelta(milliseconds=try_interval_ms))


def due(next_try: datetime | None, now: datetime) -> bool:
    """Whether an idle target may be dialled now (never tried again yet: at once)."""
    return next_try is None or next_try <= now
