"""The action catalogue: every action type a flow may hold, declared once.

An action is ``{id, next_id, type, option}``: ``type`` picks the option struct (a tagged
union, which the OpenAPI document shows as ``oneOf`` with a discriminator on ``type``). The
catalogue also says which media each type needs (``rtc``: a live call; ``non_rtc``: a
non-call reference such as an AI session; ``""``: none), which the flow engine uses to skip
an action its activeflow cannot run, as upstream does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Literal, TypeAlias, Union, cast
from uuid import UUID

import msgspec

from voipbin.common.address import Address
from voipbin.models.flows import options as o
from voipbin.models.flows.options import EMPTY, ActionRef, Anonymous, Destinations, FlowRef

START = UUID(int=1)
FINISH = UUID(int=2)
NEXT = UUID(int=3)
#: Ids the flow engine gives a meaning of its own; no action may use them as its id.
RESERVED_IDS: frozenset[UUID] = frozenset({EMPTY, START, FINISH, NEXT})

#: Most actions one list may hold (a flow's, or a ``call`` action's inline flow).
MAX_ACTIONS = 1000

Media = Literal["rtc", "non_rtc", ""]


class ActionBase(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, tag_field="type"):
    """What every action has besides its option. Subclasses are generated per type."""

    id: UUID = EMPTY
    """Given by the server when left out or empty."""
    next_id: ActionRef = EMPTY
    """The action to run next; the empty UUID: the next one in the list."""
    tm_execute: Annotated[str, msgspec.Meta(max_length=64)] | msgspec.UnsetType | None = (
        msgspec.UNSET
    )
    """Accepted (clients send back what they read from upstream) and never stored."""


class CallOption(o.Option, kw_only=True):
    source: Address | None = None
    destinations: Destinations = msgspec.field(default_factory=list)
    flow_id: FlowRef = EMPTY
    actions: Actions = msgspec.field(default_factory=list)
    """An inline flow for the new calls, instead of ``flow_id``."""
    chained: bool = False
    early_execution: bool = False
    anonymous: Anonymous = ""


@dataclass(frozen=True)
class ActionType:
    """One row of the catalogue."""

    name: str
    option: type[o.Option]
    media: Media


def _row(name: str, option: type[o.Option] = o.NoOption, media: Media = "") -> ActionType:
    return ActionType(name, option, media)


CATALOGUE: tuple[ActionType, ...] = (
    _row("ai_summary", o.AISummaryOption, "non_rtc"),
    _row("ai_talk", o.AITalkOption),
    _row("ai_task", o.AITaskOption, "non_rtc"),
    _row("amd", o.AMDOption, "rtc"),
    _row("answer", media="rtc"),
    _row("beep", media="rtc"),
    _row("block", media="non_rtc"),
    _row("branch", o.BranchOption),
    _row("call", CallOption),
    _row("case_create", o.CaseCreateOption),
    _row("condition_call_digits", o.ConditionCallDigitsOption, "rtc"),
    _row("condition_call_status", o.ConditionCallStatusOption, "rtc"),
    _row("condition_datetime", o.ConditionDatetimeOption),
    _row("condition_variable", o.ConditionVariableOption),
    _row("confbridge_join", o.ConfbridgeJoinOption, "rtc"),
    _row("conference_join", o.ConferenceJoinOption, "rtc"),
    _row("connect", o.ConnectOption, "rtc"),
    _row("conversation_send", o.ConversationSendOption),
    _row("digits_receive", o.DigitsReceiveOption, "rtc"),
    _row("digits_send", o.DigitsSendOption, "rtc"),
    _row("echo", o.DurationOption, "rtc"),
    _row("email_send", o.EmailSendOption),
    _row("empty"),
    _row("external_media_start", o.ExternalMediaStartOption, "rtc"),
    _row("external_media_stop", media="rtc"),
    _row("fetch", o.FetchOption),
    _row("fetch_flow", o.FetchFlowOption),
    _row("goto", o.GotoOption),
    _row("hangup", o.HangupOption, "rtc"),
    _row("message_send", o.MessageSendOption),
    _row("mute", media="rtc"),
    _row("play", o.PlayOption, "rtc"),
    _row("queue_join", o.QueueJoinOption, "rtc"),
    _row("recording_start", o.RecordingStartOption, "rtc"),
    _row("recording_stop", media="rtc"),
    _row("sleep", o.DurationOption, "rtc"),
    _row("stop"),
    _row("stream_echo", o.DurationOption, "rtc"),
    _row("talk", o.TalkOption, "rtc"),
    _row("transcribe_recording", o.TranscribeOption),
    _row("transcribe_start", o.TranscribeOption, "rtc"),
    _row("transcribe_stop", media="rtc"),
    _row("variable_set", o.VariableSetOption),
    _row("webhook_send", o.WebhookSendOption),
)
ACTION_TYPES: dict[str, ActionType] = {row.name: row for row in CATALOGUE}


#: An action struct of one type, called with ``id``, ``next_id`` and ``option``.
ActionStruct = Callable[..., ActionBase]


def _action_struct(row: ActionType) -> ActionStruct:
    name = "".join(part.capitalize() for part in row.name.split("_")) + "Action"
    struct = msgspec.defstruct(
        name,
        [("option", row.option, msgspec.field(default_factory=row.option))],
        bases=(ActionBase,),
        tag=row.name,
        kw_only=True,
        forbid_unknown_fields=True,
        module=__name__,
    )
    return cast(ActionStruct, struct)


#: The action struct of each type: ``ACTIONS["talk"](option=TalkOption(text="Hi"))``.
ACTIONS: dict[str, ActionStruct] = {row.name: _action_struct(row) for row in CATALOGUE}

if TYPE_CHECKING:
    FlowAction: TypeAlias = ActionBase
else:
    # An unknown ``type`` is upstream's INVALID_ACTION_TYPE (read by the body decoder).
    FlowAction = Annotated[
        Union[tuple(ACTIONS.values())],  # noqa: UP007 (a union built from the catalogue)
        msgspec.Meta(extra={"reason": "INVALID_ACTION_TYPE"}),
    ]

Actions = Annotated[list[FlowAction], msgspec.Meta(max_length=MAX_ACTIONS)]
