"""The simulated carrier as the core sees it: each request hands its scripted events to the
scheduler, with the delays the network takes, read from the shared scripts."""

from __future__ import annotations

import uuid

from voipbin.common.address import Address
from voipbin.models.simulator import Rule, Script, ScriptBody, resolve
from voipbin.server.runtime.carrier.base import (
    Answered,
    CarrierEvent,
    Destroyed,
    DtmfSent,
    Leg,
    MachineDetected,
    Media,
    PlaybackFinished,
    RecordingFinished,
    RecordingStarted,
    Ringing,
    event_from_json,
    event_to_json,
)
from voipbin.server.runtime.carrier.sim import SimulatedNetwork


class Book:
    """Scripts held in memory, as the database would answer them."""

    def __init__(self) -> None:
        self.stored_rules: list[Rule] = []
        self.stored_devices: dict[str, list[Script]] = {}

    async def rules(self) -> list[Rule]:
        return self.stored_rules

    async def devices(self, extension_id: str) -> list[Script]:
        return self.stored_devices.get(extension_id, [])


class Jobs:
    """A scheduler that keeps what it is given, as a job row would: JSON."""

    def __init__(self) -> None:
        self.due: list[tuple[float, bytes]] = []

    async def __call__(self, seconds: float, event: CarrierEvent) -> None:
        self.due.append((seconds, event_to_json(event)))

    def events(self) -> list[tuple[float, CarrierEvent]]:
        return [(seconds, event_from_json(data)) for seconds, data in self.due]


def network() -> tuple[SimulatedNetwork, Book, Jobs]:
    book, jobs = Book(), Jobs()
    return SimulatedNetwork(book, jobs), book, jobs


def leg(target: str, type: str = "tel") -> Leg:
    return Leg(id="leg-1", remote=Address(type=type, target=target))


SOURCE = Address(type="tel", target="+14155550100")


async def test_originate_schedules_the_destinations_timeline() -> None:
    sim, _, jobs = network()
    await sim.originate(leg("+15005550001"), SOURCE, None)
    assert jobs.events() == [
        (1.0, Ringing(leg_id="leg-1")),
        (2.0, Destroyed(leg_id="leg-1", cause=17)),
    ]


async def test_requests_on_a_leg_complete_with_their_events() -> None:
    sim, _, jobs = network()
    call = leg("+15005550000")
    await sim.answer(call)
    await sim.play(call, "p1", Media(text="x" * 20))  # 20 characters: 3 s
    await sim.play(call, "p2", Media(text="hi"))  # at least 1 s
    await sim.play(call, "p3", Media(urls=("https://example.com/a.wav",) * 2))
    await sim.stop_media(call, "p3")
    await sim.send_dtmf(call, "123", 100, 50)
    await sim.start_recording(call, "r1", 60.0)
    await sim.stop_recording(call, "r1")
    await sim.hangup(call, 16)
    assert jobs.events() == [
        (0.0, Answered(leg_id="leg-1")),
        (3.0, PlaybackFinished(leg_id="leg-1", playback_id="p1")),
        (1.0, PlaybackFinished(leg_id="leg-1", playback_id="p2")),
        (6.0, PlaybackFinished(leg_id="leg-1", playback_id="p3")),
        (0.0, PlaybackFinished(leg_id="leg-1", playback_id="p3", stopped=True)),
        (0.4, DtmfSent(leg_id="leg-1")),  # three keys of 100 ms, two gaps of 50 ms
        (0.0, RecordingStarted(leg_id="leg-1", recording_id="r1")),
        (60.0, RecordingFinished(leg_id="leg-1", recording_id="r1")),
        (0.0, RecordingFinished(leg_id="leg-1", recording_id="r1")),
        (0.0, Destroyed(leg_id="leg-1", cause=16)),
    ]


async def test_machine_detection_tells_what_the_script_says() -> None:
    sim, _, jobs = network()
    await sim.detect_machine(leg("+15005550007"))
    await sim.detect_machine(leg("answer@sim.invalid", "sip"))
    assert jobs.events() == [
        (2.0, MachineDetected(leg_id="leg-1", result="machine")),
        (2.0, MachineDetected(leg_id="leg-1", result="human")),
    ]


async def test_contacts_are_the_registered_devices_and_each_rings_as_scripted() -> None:
    sim, book, jobs = network()
    extension = str(uuid.uuid4())
    assert await sim.contacts(extension) == []
    book.stored_devices[extension] = [
        resolve(ScriptBody(outcome="busy", ring_after=None, outcome_after=1.0)),
        resolve(ScriptBody()),
    ]
    contacts = await sim.contacts(extension)
    assert [c.target for c in contacts] == [
        f"{extension}.0@devices.sim.invalid",
        f"{extension}.1@devices.sim.invalid",
    ]
    await sim.originate(Leg(id="a", remote=contacts[0]), SOURCE, None)
    await sim.originate(Leg(id="b", remote=contacts[1]), SOURCE, None)
    assert jobs.events() == [
        (1.0, Destroyed(leg_id="a", cause=17)),
        (1.0, Ringing(leg_id="b")),
        (3.0, Answered(leg_id="b")),
    ]
