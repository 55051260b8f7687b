"""The boundary between the core and the network: what the core asks of a carrier, and the
events a carrier reports back.

The core owns every rule (statuses, hangup reasons, billing, events to customers); a carrier
only does what it is asked on the network and reports what the network did. Every request
returns once it is *sent*: its result arrives later as an event, maybe out of order, maybe
never (a leg that rings forever), maybe twice or for a leg the core has already ended (a
remote hangup crossing ours). The core applies an event only when it still fits the leg's
state, so a stale or repeated one changes nothing.

Causes are Q.850 integers (:class:`Q850`), as a SIP carrier carries them in the ``Reason``
header. Events are msgspec structs tagged by ``event``, so a durable job row can hold one as
JSON (:func:`event_to_json`, :func:`event_from_json`).
"""

from __future__ import annotations

from enum import IntEnum
from typing import Final, Literal, Protocol

import msgspec

from voipbin.common.address import Address


class Q850(IntEnum):
    """The Q.850 causes the carriers report and the core sends, with two of upstream's own
    above 127 (the call rules name them, ``behaviour-calls-billing-numbers.md`` §1.3)."""

    UNKNOWN = 0
    UNALLOCATED = 1
    NO_ROUTE_TO_DESTINATION = 3
    NORMAL_CLEARING = 16
    USER_BUSY = 17
    NO_USER_RESPONSE = 18
    NO_ANSWER = 19
    CALL_REJECTED = 21
    ANSWERED_ELSEWHERE = 26
    CIRCUIT_CONGESTION = 34
    NETWORK_OUT_OF_ORDER = 38
    CALL_DURATION_TIMEOUT = 200
    """Internal: the call reached its maximum duration."""
    AMD = 201
    """Internal: the ``amd`` action hung up on a machine."""

    @property
    def sip(self) -> int | None:
        """The SIP response code the cause travels as, if it has one (§1.3)."""
        return SIP_CODES.get(self)


#: The SIP response of each cause that has one (§1.3, ``hangup_code.go``).
SIP_CODES: Final[dict[Q850, int]] = {
    Q850.UNALLOCATED: 404,
    Q850.NO_ROUTE_TO_DESTINATION: 404,
    Q850.USER_BUSY: 486,
    Q850.NO_USER_RESPONSE: 408,
    Q850.NO_ANSWER: 480,
    Q850.CALL_REJECTED: 403,
    Q850.CIRCUIT_CONGESTION: 503,
    Q850.NETWORK_OUT_OF_ORDER: 500,
}

# -- events -------------------------------------------------------------------------------------


class CarrierEvent(msgspec.Struct, frozen=True, kw_only=True, tag_field="event"):
    """Something the network did to a leg (``leg_id``: the core's id of the leg)."""

    leg_id: str


class Ringing(CarrierEvent, frozen=True, kw_only=True, tag="ringing"):
    """The far end rings (SIP 180/183): early media may flow from now on."""


class Answered(CarrierEvent, frozen=True, kw_only=True, tag="answered"):
    """The leg is answered (SIP 200): an outgoing leg's far end picked up, or an incoming
    leg's answer, which the core asked for, took effect."""


class Destroyed(CarrierEvent, frozen=True, kw_only=True, tag="destroyed"):
    """The leg is gone: refused before an answer (busy, rejected, failed...) or hung up
    after one, by either end. ``cause`` is the Q.850 cause."""

    cause: int


class Dtmf(CarrierEvent, frozen=True, kw_only=True, tag="dtmf"):
    """The far end pressed ``digits`` (RFC 4733), in order."""

    digits: str


class DtmfSent(CarrierEvent, frozen=True, kw_only=True, tag="dtmf_sent"):
    """The digits of :meth:`Carrier.send_dtmf` have been played to the far end."""


class PlaybackFinished(CarrierEvent, frozen=True, kw_only=True, tag="playback_finished"):
    """The playback ``playback_id`` ended: played to its end, or ``stopped``."""

    playback_id: str
    stopped: bool = False


class MachineDetected(CarrierEvent, frozen=True, kw_only=True, tag="machine_detected"):
    """What answered the leg, as :meth:`Carrier.detect_machine` found."""

    result: Literal["human", "machine"]


class RecordingStarted(CarrierEvent, frozen=True, kw_only=True, tag="recording_started"):
    recording_id: str


class RecordingFinished(CarrierEvent, frozen=True, kw_only=True, tag="recording_finished"):
    """The recording ``recording_id`` ended (stopped, limit reached, or the leg went)."""

    recording_id: str


AnyEvent = (
    Ringing
    | Answered
    | Destroyed
    | Dtmf
    | DtmfSent
    | PlaybackFinished
    | MachineDetected
    | RecordingStarted
    | RecordingFinished
)

_encoder = msgspec.json.Encoder()
_decoder: msgspec.json.Decoder[AnyEvent] = msgspec.json.Decoder(AnyEvent)


def event_to_json(event: CarrierEvent) -> bytes:
    """The event as JSON, ``event`` naming its kind: what a job row stores."""
    return _encoder.encode(event)


def event_from_json(data: bytes | str) -> AnyEvent:
    """The event :func:`event_to_json` wrote."""
    return _decoder.decode(data)


# -- requests -----------------------------------------------------------------------------------


class Leg(msgspec.Struct, frozen=True, kw_only=True):
    """A leg as the core knows it: its id and the far end's address (the destination of an
    outgoing leg, the caller of an incoming one)."""

    id: str
    remote: Address


class CarrierRoute(msgspec.Struct, frozen=True, kw_only=True):
    """The provider a leg goes out through (the core chooses it and fails over)."""

    provider_id: str
    hostname: str
    tech_prefix: str = ""
    tech_postfix: str = ""
    tech_headers: dict[str, str] = {}


class Media(msgspec.Struct, frozen=True, kw_only=True):
    """What a playback plays: a text spoken in ``language``, media files by URL, or a tone
    (a beep) of ``tone_seconds``."""

    text: str = ""
    language: str = ""
    urls: tuple[str, ...] = ()
    tone_seconds: float = 0.0


Toggle = Literal["hold", "mute", "moh", "silence"]
Direction = Literal["in", "out", "both"]


class Carrier(Protocol):
    """The network, as the core uses it. Each method sends a request and returns; what the
    network did arrives later as a :class:`CarrierEvent` of the leg."""

    async def originate(self, leg: Leg, source: Address, route: CarrierRoute | None) -> None:
        """Call ``leg.remote`` from ``source`` (through ``route`` for a ``tel`` destination).
        Then: :class:`Ringing` (maybe), :class:`Answered` or :class:`Destroyed` (maybe
        neither: the core's dial timeout ends a leg that only rings)."""
        ...

    async def answer(self, leg: Leg) -> None:
        """Answer an incoming leg: :class:`Answered`."""
        ...

    async def hangup(self, leg: Leg, cause: int) -> None:
        """End the leg (cancel it, if not answered) with Q.850 ``cause``: :class:`Destroyed`."""
        ...

    async def play(self, leg: Leg, playback_id: str, media: Media) -> None:
        """Play ``media`` to the far end: :class:`PlaybackFinished` when it ends."""
        ...

    async def stop_media(self, leg: Leg, playback_id: str) -> None:
        """Stop the playback: :class:`PlaybackFinished` with ``stopped`` (unless it had
        already finished)."""
        ...

    async def send_dtmf(self, leg: Leg, digits: str, duration_ms: int, interval_ms: int) -> None:
        """Play DTMF ``digits`` to the far end: :class:`DtmfSent` when done."""
        ...

    async def detect_machine(self, leg: Leg) -> None:
        """Listen to the answered leg: :class:`MachineDetected`."""
        ...

    async def set_toggle(
        self, leg: Leg, toggle: Toggle, on: bool, direction: Direction = "both"
    ) -> None:
        """Hold, mute, music on hold or silence, on or off (no event: the core records the
        state itself)."""
        ...

    async def start_recording(
        self, leg: Leg, recording_id: str, max_seconds: float, end_key: str = ""
    ) -> None:
        """Record the leg: :class:`RecordingStarted`, then :class:`RecordingFinished` when
        stopped, at ``max_seconds`` (0: no limit), on ``end_key`` or when the leg goes. A
        carrier that cannot hear keys itself (the simulated one) leaves ``end_key`` to the
        core, which stops the recording on the :class:`Dtmf` it is told of."""
        ...

    async def stop_recording(self, leg: Leg, recording_id: str) -> None:
        """Stop the recording: :class:`RecordingFinished`."""
        ...

    async def contacts(self, extension_id: str) -> list[Address]:
        """Where the extension's registered devices are reached, each a destination for
        :meth:`originate`; ``[]`` when none is registered."""
        ...
