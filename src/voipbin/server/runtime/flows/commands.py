"""What the flow engine asks of the outside world after a step.

Each command is a tagged struct (``{"type": "talk", ...}``), so it can be stored with the
step that produced it. A command with a ``token`` leaves the activeflow waiting: the engine
moves on when an event with the same token arrives (:mod:`.events`). Durations are seconds;
the runtime turns each into a durable job that reports :class:`~.events.TimerFired` when due.

- ``answer``, ``start_calls``: the next action runs at once.
- ``talk`` (not ``async``), ``play``, ``beep``, ``sleep``, ``echo``, ``send_digits``: the
  flow waits for ``TimerFired`` (or ``ActionFinished``) after ``seconds``. Media lasts as
  long as the simulated network plays it (:func:`talk_seconds`...): its report of the end
  and the flow's timer fall due together, and the second changes nothing.
- ``collect_digits``: the flow waits for ``DigitsReceived`` completing it, or for
  ``TimerFired`` after ``seconds``.
- ``amd`` (not ``async``): the flow waits for ``AmdDetected``; a machine hangs up the call
  when ``machine_handle`` is ``hangup``.
- ``fetch``: the flow waits for ``FetchAnswered`` (within ``timeout`` seconds, else give
  status 0); the fetched actions run next.
- ``load_flow``: the flow waits for ``FlowLoaded``; the flow's actions run next.
- ``connect``: the flow waits for ``ActionFinished`` once the bridge is over.
- ``send_message``: the flow waits for ``MessageSent`` (an error ends it, as upstream).
- ``hangup``: hang up the call; the flow has ended.
- ``stop_media``: cut the media playing now (a talk interrupted by a digit).
- ``send_email``: send an email (``email_send``); the next action runs at once, whatever
  becomes of it (upstream's email is never fatal to a flow).
- ``recording_start``, ``recording_stop``: record the call, or stop; the next action runs at
  once.
- ``conference_join``: the flow waits for ``ConferenceJoining`` (the participant made, or
  why none was); ``confbridge_join``: the flow waits for ``ActionFinished`` once the
  participant has left the conference.
- ``queue_join``: the flow waits for ``QueueWaiting`` (the wait flow then loops), then for
  ``QueueServing`` (the agent is bridged) and ``QueueLeft`` (the flow goes on after it).
- ``not_executed``: a log line for an action skipped (a type not run yet, media its
  reference cannot give, an option invalid once filled in).
- ``flow_ended``: the activeflow ended; start ``on_complete_flow_id`` when set.
"""

from __future__ import annotations

from typing import Literal, TypeAlias, Union
from uuid import UUID

import msgspec

from voipbin.common.address import Address
from voipbin.models.flows.actions import FlowAction
from voipbin.models.flows.options import EMPTY, Attachment
from voipbin.server.runtime.carrier.base import Media
from voipbin.server.runtime.carrier.sim import BEEP_SECONDS, dtmf_seconds, playing_seconds

FETCH_TIMEOUT_SECONDS = 10.0
"""How long a ``fetch`` waits for its answer (upstream waits forever)."""


class Command(msgspec.Struct, kw_only=True, tag_field="type"):
    """The base of every command."""


class Answer(Command, kw_only=True, tag="answer"):
    """Answer the call."""


class Talk(Command, kw_only=True, tag="talk"):
    token: int
    text: str
    language: str = ""
    gender: str = ""
    provider: str = ""
    voice_id: str = ""
    seconds: float
    digits_handle: str = ""
    """``next``: a digit ends the talk."""
    async_: bool = msgspec.field(default=False, name="async")
    """The flow moved on at once; nothing reports back."""


class Play(Command, kw_only=True, tag="play"):
    token: int
    stream_urls: list[str]
    seconds: float


class Beep(Command, kw_only=True, tag="beep"):
    token: int
    seconds: float


class Sleep(Command, kw_only=True, tag="sleep"):
    token: int
    seconds: float


class Echo(Command, kw_only=True, tag="echo"):
    token: int
    seconds: float


class CollectDigits(Command, kw_only=True, tag="collect_digits"):
    """Collect digits into ``voipbin.call.digits`` for up to ``seconds``; ``length`` digits
    or any character of ``key`` end it early."""

    token: int
    seconds: float
    key: str = ""
    length: int = 0


class SendDigits(Command, kw_only=True, tag="send_digits"):
    token: int
    digits: str
    duration: int
    """Milliseconds per digit."""
    interval: int
    """Milliseconds between digits."""
    seconds: float


class Amd(Command, kw_only=True, tag="amd"):
    token: int
    machine_handle: str = ""
    async_: bool = msgspec.field(default=False, name="async")


class Hangup(Command, kw_only=True, tag="hangup"):
    reason: str = "normal"
    reference_id: UUID = EMPTY
    """Another call whose hangup reason this call takes, when set."""


class Fetch(Command, kw_only=True, tag="fetch"):
    """Request ``url``; a ``200`` with a JSON array of actions runs them next."""

    token: int
    url: str
    method: str
    body: dict[str, str]
    timeout: float = FETCH_TIMEOUT_SECONDS


class LoadFlow(Command, kw_only=True, tag="load_flow"):
    """Read the actions of the customer's flow ``flow_id``."""

    token: int
    flow_id: UUID


class StartCalls(Command, kw_only=True, tag="start_calls"):
    """Place new outgoing calls, each with its own activeflow (the ``call`` action)."""

    source: Address | None = None
    destinations: list[Address]
    flow_id: UUID = EMPTY
    actions: list[FlowAction] = msgspec.field(default_factory=list)
    chained: bool = False
    early_execution: bool = False
    anonymous: str = ""


class Connect(Command, kw_only=True, tag="connect"):
    """Call ``destinations`` and bridge them with this call."""

    token: int
    source: Address | None = None
    destinations: list[Address]
    early_media: bool = False
    relay_reason: bool = False
    """When the bridge ends, hang up this call with the reason the far end's call ended."""
    anonymous: str = ""


class SendMessage(Command, kw_only=True, tag="send_message"):
    """Send an SMS (the ``message_send`` action), carried out by the messages service."""

    token: int
    source: Address
    destinations: list[Address]
    text: str


class WebhookSend(Command, kw_only=True, tag="webhook_send"):
    """Send ``data`` (JSON, compacted) to ``uri``, signed as the customer's webhooks are;
    with a ``token`` (``sync``) the flow waits for the first attempt's outcome."""

    token: int = 0
    uri: str
    method: str
    content_type: str
    data: str


class StopMedia(Command, kw_only=True, tag="stop_media"):
    token: int


class SendEmail(Command, kw_only=True, tag="send_email"):
    """Send an email to ``destinations`` (the ``email_send`` action, templates filled in)."""

    destinations: list[Address]
    subject: str
    content: str
    attachments: list[Attachment] = msgspec.field(default_factory=list)


class RecordingStart(Command, kw_only=True, tag="recording_start"):
    """Start recording the call (the next action runs at once); a beep first with
    ``beep_start``. Refused (a call not answered, one recording already) it is logged and
    the flow goes on, as upstream's failed call actions."""

    format: str = "wav"
    end_of_silence: int = 0
    end_of_key: str = ""
    duration: int = 0
    beep_start: bool = False
    on_end_flow_id: UUID = EMPTY


class RecordingStop(Command, kw_only=True, tag="recording_stop"):
    """Stop the call's recording (the next action runs at once)."""


class ConferenceJoin(Command, kw_only=True, tag="conference_join"):
    """Join the call to the conference (the ``conference_join`` action), carried out by the
    conferences service."""

    token: int
    conference_id: UUID


class ConfbridgeJoin(Command, kw_only=True, tag="confbridge_join"):
    """Put the call in the room of the participant ``confbridge_id`` (the last action of
    the stack a ``conference_join`` pushes); the flow goes on once it has left."""

    token: int
    confbridge_id: UUID


class QueueJoin(Command, kw_only=True, tag="queue_join"):
    """Put the call in the queue ``queue_id`` as the queuecall ``queuecall_id``; the
    queues runtime answers with ``QueueWaiting``."""

    token: int
    queue_id: UUID
    queuecall_id: UUID


class NotExecuted(Command, kw_only=True, tag="not_executed"):
    action_id: UUID
    action_type: str
    reason: str


EndReason = Literal["finished", "stopped", "hangup", "call_hangup", "error"]


class FlowEnded(Command, kw_only=True, tag="flow_ended"):
    reason: EndReason
    """``finished``: ran to its end (or a ``stop`` action); ``stopped``: stopped through the
    API; ``hangup``: a ``hangup`` action; ``call_hangup``: its call hung up; ``error``: an
    action failed or a limit was reached (``detail`` says which)."""
    detail: str = ""
    hangup_call: bool = False
    """The activeflow's call is still up and ends with it (reason ``normal``)."""
    on_complete_flow_id: UUID = EMPTY
    """The flow to run next for the same reference (see ``chain``); empty when there is
    none or the chain is at its hop limit."""


AnyCommand: TypeAlias = Union[  # noqa: UP007 (msgspec reads the union at runtime)
    Answer,
    Talk,
    Play,
    Beep,
    Sleep,
    Echo,
    CollectDigits,
    SendDigits,
    Amd,
    Hangup,
    Fetch,
    LoadFlow,
    StartCalls,
    Connect,
    SendMessage,
    StopMedia,
    SendEmail,
    RecordingStart,
    RecordingStop,
    WebhookSend,
    ConferenceJoin,
    ConfbridgeJoin,
    QueueJoin,
    NotExecuted,
    FlowEnded,
]


def talk_seconds(text: str) -> float:
    """How long a talk of ``text`` plays on the simulated network."""
    return playing_seconds(Media(text=text))


def play_seconds(urls: list[str]) -> float:
    """How long media files play on the simulated network."""
    return playing_seconds(Media(urls=tuple(urls)))


def beep_seconds() -> float:
    """How long a beep sounds on the simulated network."""
    return playing_seconds(Media(tone_seconds=BEEP_SECONDS))


def digits_seconds(digits: str, duration_ms: int, interval_ms: int) -> float:
    """How long sending DTMF ``digits`` takes on the simulated network."""
    return dtmf_seconds(digits, duration_ms, interval_ms)
