"""The rules of conferences and their participants, as tables (``behaviour-flows-webhooks.md``
§6.2; upstream's ``cf/pkg/conferencehandler`` and ``conferencecallhandler``).

A participant (conferencecall) is ``joining`` while its call runs the conference's pre-flow,
``joined`` once in the room, ``leaving`` once kicked (a ``DELETE``, the conference ending)
until the network has taken it out, then ``leaved``. A call that hangs up leaves at once
(``leaving`` then ``leaved`` in one move).

A conference is ``progressing`` from its creation, ``terminating`` once asked to end (its
participants are kicked), ``terminated`` once none is left. A ``connect`` conference ends when
a participant leaves and one is left.
"""

from __future__ import annotations

from typing import Final, Literal

from voipbin.models.conference import ConferencecallStatus, ConferenceStatus

#: What happens to a participant: the network put it in the room, it was asked to leave,
#: the network took it out (or its call hung up).
CallHappening = Literal["entered", "kick", "left"]

CALL_TRANSITIONS: Final[dict[tuple[ConferencecallStatus, CallHappening], ConferencecallStatus]] = {
    ("joining", "entered"): "joined",
    ("joining", "kick"): "leaving",
    ("joined", "kick"): "leaving",
    ("joining", "left"): "leaved",
    ("joined", "left"): "leaved",
    ("leaving", "left"): "leaved",
}

#: Participants that count as in the conference (kickable, as upstream's ``isKickable``).
IN_CONFERENCE: Final[frozenset[ConferencecallStatus]] = frozenset({"joining", "joined"})

#: What happens to a conference: asked to end (a ``DELETE``, its timeout, a ``connect``
#: conference down to one participant), or its last participant left while it ends.
Happening = Literal["terminate", "emptied"]

TRANSITIONS: Final[dict[tuple[ConferenceStatus, Happening], ConferenceStatus]] = {
    ("starting", "terminate"): "terminating",
    ("progressing", "terminate"): "terminating",
    ("terminating", "emptied"): "terminated",
}

CONFERENCE_CREATED: Final = "conference_created"
CONFERENCE_UPDATED: Final = "conference_updated"
CONFERENCE_DELETED: Final = "conference_deleted"
#: The event of each status a conference enters: ``terminated`` is announced as deleted,
#: as upstream's ``Destroy`` does.
EVENTS: Final[dict[ConferenceStatus, str]] = {
    "starting": CONFERENCE_UPDATED,
    "progressing": CONFERENCE_UPDATED,
    "terminating": CONFERENCE_UPDATED,
    "terminated": CONFERENCE_DELETED,
}

#: Upstream raises a timeout of 1-59 seconds to a day (``defaultConferenceTimeout``).
DEFAULT_TIMEOUT: Final = 86_400


def next_call_status(
    status: ConferencecallStatus, happening: CallHappening
) -> ConferencecallStatus | None:
    """Where ``happening`` moves a participant that is ``status``; ``None``: it stays."""
    return CALL_TRANSITIONS.get((status, happening))


def next_status(status: ConferenceStatus, happening: Happening) -> ConferenceStatus | None:
    """Where ``happening`` moves a conference that is ``status``; ``None``: it stays."""
    return TRANSITIONS.get((status, happening))


def ends_after_leave(type: str, status: ConferenceStatus, remaining: int) -> Happening | None:
    """What a participant's leave does to its conference, ``remaining`` participants left:
    a terminating one with nobody left is ``emptied``; a ``connect`` one with one left is
    to ``terminate``; otherwise nothing."""
    if status == "terminating" and remaining == 0:
        return "emptied"
    if type == "connect" and status in ("starting", "progressing") and remaining <= 1:
        return "terminate"
    return None


def timeout_seconds(timeout: int) -> int:
    """The seconds a conference's ``timeout`` means (0: none; 1-59: a day, as upstream)."""
    if 0 < timeout < 60:
        return DEFAULT_TIMEOUT
    return timeout
