"""The simulated network (``VOIPBIN_CARRIER=sim``): a :class:`~.base.Carrier` that answers
every request with a scripted timeline of events, handed to a scheduler.

It keeps no state of its own: what a destination does comes from the rules and devices in
the database (shared by every server instance, see :mod:`.rules`), and each event is given to
``schedule(seconds_from_now, event)``, which the runtime backs with durable jobs (events are
JSON-serialisable, see :func:`~.base.event_to_json`). Events already scheduled for a leg are
not taken back when the leg ends early: the core drops those that no longer fit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from voipbin.common.address import Address
from voipbin.models.simulator import Rule, Script
from voipbin.server.runtime.carrier.base import (
    Answered,
    CarrierEvent,
    CarrierRoute,
    Destroyed,
    Direction,
    DtmfSent,
    Leg,
    MachineDetected,
    Media,
    PlaybackFinished,
    RecordingFinished,
    RecordingStarted,
    Toggle,
)
from voipbin.server.runtime.carrier.rules import (
    device_address,
    device_of,
    originate_timeline,
    script_for,
)

#: Hands an event to the scheduler, due ``seconds`` from now (0: as soon as possible).
Schedule = Callable[[float, CarrierEvent], Awaitable[None]]

#: How long the network takes to speak a text: seconds per character, and at least this long.
SPEECH_SECONDS_PER_CHARACTER = 0.15
MIN_SPEECH_SECONDS = 1.0
#: How long one media file plays.
MEDIA_FILE_SECONDS = 3.0
#: How long a beep sounds.
BEEP_SECONDS = 1.0
#: How long answering machine detection listens before it tells.
DETECTION_SECONDS = 2.0


class Scripts(Protocol):
    """Where the simulated network reads its scripts (the database, for a server)."""

    async def rules(self) -> list[Rule]:
        """The stored rules, earliest first."""
        ...

    async def devices(self, extension_id: str) -> list[Script]:
        """The extension's registered devices."""
        ...


def playing_seconds(media: Media) -> float:
    """How long the simulated network takes to play ``media``."""
    spoken = len(media.text) * SPEECH_SECONDS_PER_CHARACTER if media.text else 0.0
    files = len(media.urls) * MEDIA_FILE_SECONDS
    return round(max(MIN_SPEECH_SECONDS, spoken + files + media.tone_seconds), 3)


def dtmf_seconds(digits: str, duration_ms: int, interval_ms: int) -> float:
    """How long the simulated network takes to send DTMF ``digits``: each key for its
    duration, the interval between two keys."""
    n = len(digits)
    return (duration_ms * n + interval_ms * max(n - 1, 0)) / 1000


class SimulatedNetwork:
    """The built-in carrier: scripted outcomes by destination (docs/simulator.md)."""

    def __init__(self, scripts: Scripts, schedule: Schedule) -> None:
        self.scripts = scripts
        self.schedule = schedule

    async def _scripts_for(self, remote: Address) -> tuple[Sequence[Rule], dict[str, list[Script]]]:
        """What :func:`.rules.script_for` needs for ``remote``: a device contact needs its
        extension's devices, anything else the rules."""
        device = device_of(remote)
        devices = {} if device is None else {device[0]: await self.scripts.devices(device[0])}
        rules = [] if device is not None else await self.scripts.rules()
        return rules, devices

    async def originate(self, leg: Leg, source: Address, route: CarrierRoute | None) -> None:
        # Every route reaches the same destination: the script is the destination's.
        rules, devices = await self._scripts_for(leg.remote)
        for due, event in originate_timeline(leg.id, leg.remote, rules, devices):
            await self.schedule(due, event)

    async def answer(self, leg: Leg) -> None:
        await self.schedule(0.0, Answered(leg_id=leg.id))

    async def hangup(self, leg: Leg, cause: int) -> None:
        await self.schedule(0.0, Destroyed(leg_id=leg.id, cause=cause))

    async def play(self, leg: Leg, playback_id: str, media: Media) -> None:
        finished = PlaybackFinished(leg_id=leg.id, playback_id=playback_id)
        await self.schedule(playing_seconds(media), finished)

    async def stop_media(self, leg: Leg, playback_id: str) -> None:
        stopped = PlaybackFinished(leg_id=leg.id, playback_id=playback_id, stopped=True)
        await self.schedule(0.0, stopped)

    async def send_dtmf(self, leg: Leg, digits: str, duration_ms: int, interval_ms: int) -> None:
        seconds = dtmf_seconds(digits, duration_ms, interval_ms)
        await self.schedule(seconds, DtmfSent(leg_id=leg.id))

    async def detect_machine(self, leg: Leg) -> None:
        rules, devices = await self._scripts_for(leg.remote)
        result = script_for(leg.remote, rules, devices).amd
        await self.schedule(DETECTION_SECONDS, MachineDetected(leg_id=leg.id, result=result))

    async def set_toggle(
        self, leg: Leg, toggle: Toggle, on: bool, direction: Direction = "both"
    ) -> None:
        return None

    async def start_recording(
        self, leg: Leg, recording_id: str, max_seconds: float, end_key: str = ""
    ) -> None:
        # The core ends it on ``end_key`` (it hears the keys pressed); 0 s: no limit.
        await self.schedule(0.0, RecordingStarted(leg_id=leg.id, recording_id=recording_id))
        if max_seconds > 0:
            finished = RecordingFinished(leg_id=leg.id, recording_id=recording_id)
            await self.schedule(max_seconds, finished)

    async def stop_recording(self, leg: Leg, recording_id: str) -> None:
        await self.schedule(0.0, RecordingFinished(leg_id=leg.id, recording_id=recording_id))

    async def contacts(self, extension_id: str) -> list[Address]:
        registered = await self.scripts.devices(extension_id)
        return [device_address(extension_id, index) for index in range(len(registered))]
