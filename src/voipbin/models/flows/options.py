"""The options of each flow action type: one struct per type, with upstream's field names and
enums, every string and list bounded, unknown keys refused.

A field the upstream document gives no value for defaults to its empty form, so a stored
action always shows every option (the flow engine reads them without guessing). Ids that
point at another action of the flow are :data:`ActionRef`; ids that point at another resource
are :func:`ref` of that resource's name, which the server checks where the resource exists.
Strings may hold ``${variable}`` templates, filled in when the action runs.
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

import msgspec

from voipbin.common.address import Address

EMPTY = UUID(int=0)
"""The empty UUID: no reference."""

#: Where an id field of an option points: ``{"references": "flow"}`` in its ``Meta.extra``.
REFERENCES = "references"


def _ref(resource: str) -> msgspec.Meta:
    """The metadata of an option field holding the id of a ``resource`` (its spec name)."""
    return msgspec.Meta(
        description=f"The id of a {resource}; the empty UUID for none.",
        extra={REFERENCES: resource},
    )


ActionRef = Annotated[UUID, _ref("action")]
"""Another action of the same flow (checked against the flow's action ids)."""
FlowRef = Annotated[UUID, _ref("flow")]
QueueRef = Annotated[UUID, _ref("queue")]
ConferenceRef = Annotated[UUID, _ref("conference")]
ConfbridgeRef = Annotated[UUID, _ref("confbridge")]
CallRef = Annotated[UUID, _ref("call")]
ConversationRef = Annotated[UUID, _ref("conversation")]
AIRef = Annotated[UUID, _ref("ai")]

Short = Annotated[str, msgspec.Meta(max_length=255)]
Text = Annotated[str, msgspec.Meta(max_length=16384)]
Url = Annotated[str, msgspec.Meta(max_length=2048)]
#: A duration in milliseconds (up to a day), or 0 for none.
Millis = Annotated[int, msgspec.Meta(ge=0, le=86_400_000)]
#: A duration in seconds (up to a day), or 0 for none.
Seconds = Annotated[int, msgspec.Meta(ge=0, le=86_400)]
Count = Annotated[int, msgspec.Meta(ge=0, le=1000)]

MAX_DESTINATIONS = 100
Destinations = Annotated[list[Address], msgspec.Meta(max_length=MAX_DESTINATIONS)]

Anonymous = Annotated[
    Literal["", "yes", "no", "auto"],
    msgspec.Meta(description="Hide the caller id.", extra={"reason": "INVALID_ANONYMOUS_VALUE"}),
]
Condition = Literal["==", "!=", ">", ">=", "<", "<="]
Provider = Literal["", "gcp", "aws"]
TranscribeDirection = Literal["both", "in", "out"]
HttpMethod = Literal["", "POST", "GET", "PUT", "DELETE"]


class Option(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The base of every option struct. Subclasses repeat ``kw_only=True``."""


class NoOption(Option, kw_only=True):
    """The option of an action that takes none (``answer``, ``stop``...)."""


class AISummaryOption(Option, kw_only=True):
    on_end_flow_id: FlowRef = EMPTY
    reference_type: Literal["", "call", "conference", "transcribe", "recording"] = ""
    reference_id: UUID = EMPTY
    language: Short = ""


class AITalkOption(Option, kw_only=True):
    ai_id: AIRef = EMPTY
    assistance_type: Literal["", "ai", "team"] = ""
    assistance_id: UUID = EMPTY
    resume: bool = False
    gender: Short = ""
    language: Short = ""
    duration: Seconds = 0


class AITaskOption(Option, kw_only=True):
    ai_id: AIRef = EMPTY


class AMDOption(Option, kw_only=True):
    machine_handle: Literal["", "hangup", "continue"] = ""
    async_: bool = msgspec.field(default=False, name="async")


class BranchOption(Option, kw_only=True):
    variable: Short = ""
    """A bare variable name; ``voipbin.call.digits`` when empty."""
    default_target_id: ActionRef = EMPTY
    target_ids: Annotated[dict[Short, ActionRef], msgspec.Meta(max_length=100)] = msgspec.field(
        default_factory=dict
    )


class CaseCreateOption(Option, kw_only=True):
    name: Short = ""
    detail: Text = ""
    note: Text = ""
    sync: bool = False


class ConditionCallDigitsOption(Option, kw_only=True):
    length: Count = 0
    key: Short = ""
    false_target_id: ActionRef = EMPTY


class ConditionCallStatusOption(Option, kw_only=True):
    status: Literal[
        "", "dialing", "ringing", "progressing", "terminating", "canceling", "hangup"
    ] = ""
    false_target_id: ActionRef = EMPTY


class ConditionDatetimeOption(Option, kw_only=True):
    condition: Condition = "=="
    minute: Annotated[int, msgspec.Meta(ge=-1, le=59)] = 0
    hour: Annotated[int, msgspec.Meta(ge=-1, le=23)] = 0
    day: Annotated[int, msgspec.Meta(ge=0, le=31)] = 0
    month: Annotated[int, msgspec.Meta(ge=0, le=12)] = 0
    weekdays: Annotated[
        list[Annotated[int, msgspec.Meta(ge=0, le=6)]], msgspec.Meta(max_length=7)
    ] = msgspec.field(default_factory=list)
    """Sunday is 0."""
    false_target_id: ActionRef = EMPTY


class ConditionVariableOption(Option, kw_only=True):
    condition: Condition = "=="
    variable: Short = ""
    value_type: Literal["string", "number", "length"] = "string"
    value_string: Text = ""
    value_number: float = 0.0
    value_length: Annotated[int, msgspec.Meta(ge=0)] = 0
    false_target_id: ActionRef = EMPTY


class ConfbridgeJoinOption(Option, kw_only=True):
    confbridge_id: ConfbridgeRef = EMPTY


class ConferenceJoinOption(Option, kw_only=True):
    conference_id: ConferenceRef = EMPTY


class ConnectOption(Option, kw_only=True):
    source: Address | None = None
    destinations: Destinations = msgspec.field(default_factory=list)
    early_media: bool = False
    relay_reason: bool = False
    anonymous: Anonymous = ""


class ConversationSendOption(Option, kw_only=True):
    conversation_id: ConversationRef = EMPTY
    text: Text = ""
    sync: bool = False


class DigitsReceiveOption(Option, kw_only=True):
    duration: Millis = 0
    key: Short = ""
    length: Count = 0


class DigitsSendOption(Option, kw_only=True):
    digits: Annotated[str, msgspec.Meta(max_length=100, pattern="^[0-9ABCD#*]*$")] = ""
    duration: Annotated[int, msgspec.Meta(ge=100, le=1000)] = 250
    interval: Annotated[int, msgspec.Meta(ge=0, le=5000)] = 100


class DurationOption(Option, kw_only=True):
    """``echo``, ``sleep``, ``stream_echo``: how long, in milliseconds."""

    duration: Millis = 0


class Attachment(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    reference_type: Literal["recording"]
    reference_id: UUID


class EmailSendOption(Option, kw_only=True):
    destinations: Destinations = msgspec.field(default_factory=list)
    subject: Text = ""
    content: Text = ""
    attachments: Annotated[list[Attachment], msgspec.Meta(max_length=100)] = msgspec.field(
        default_factory=list
    )


class ExternalMediaStartOption(Option, kw_only=True):
    external_host: Short = ""
    type: Short = ""
    encapsulation: Short = ""
    transport: Short = ""
    connection_type: Short = ""
    format: Short = ""
    direction: Short = ""
    direction_listen: Short = ""
    direction_speak: Short = ""
    data: Text = ""
    transport_data: Text = ""


class FetchOption(Option, kw_only=True):
    event_url: Url = ""
    event_method: HttpMethod = ""


class FetchFlowOption(Option, kw_only=True):
    flow_id: FlowRef = EMPTY


class GotoOption(Option, kw_only=True):
    target_id: ActionRef = EMPTY
    loop_count: Count = 0
    """How many times to jump before falling through."""


class HangupOption(Option, kw_only=True):
    reason: Short = ""
    reference_id: CallRef = EMPTY


class MessageSendOption(Option, kw_only=True):
    source: Address | None = None
    destinations: Destinations = msgspec.field(default_factory=list)
    text: Text = ""


class PlayOption(Option, kw_only=True):
    stream_urls: Annotated[list[Url], msgspec.Meta(max_length=100)] = msgspec.field(
        default_factory=list
    )


class QueueJoinOption(Option, kw_only=True):
    queue_id: QueueRef = EMPTY


class RecordingStartOption(Option, kw_only=True):
    format: Literal["", "wav", "mp3", "ogg"] = ""
    end_of_silence: Seconds = 0
    end_of_key: Short = ""
    duration: Seconds = 0
    beep_start: bool = False
    on_end_flow_id: FlowRef = EMPTY


class TalkOption(Option, kw_only=True):
    text: Text = ""
    gender: Short = ""
    language: Short = ""
    provider: Provider = ""
    voice_id: Short = ""
    digits_handle: Literal["", "next"] = ""
    async_: bool = msgspec.field(default=False, name="async")


class TranscribeOption(Option, kw_only=True):
    """``transcribe_start`` and ``transcribe_recording``."""

    language: Short = ""
    on_end_flow_id: FlowRef = EMPTY
    provider: Provider = ""
    direction: TranscribeDirection = "both"


class VariableSetOption(Option, kw_only=True):
    key: Short = ""
    value: Text = ""


class WebhookSendOption(Option, kw_only=True):
    sync: bool = False
    uri: Url = ""
    method: HttpMethod = ""
    data_type: Short = ""
    data: Text = ""
