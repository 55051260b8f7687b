"""``CallControl``: how the flow runner acts on an activeflow's call.

The flow engine asks for media and call work through commands (:mod:`.commands`); those that
need a call (``answer``, ``talk``, ``play``, ``collect_digits``, ``hangup``...) are handed to a
``CallControl``, which the calls service implements. The runner itself keeps the flow's
timing: for every command with ``seconds`` it schedules a durable job that reports
``TimerFired`` when they have passed, so a call control only reports what the call did
earlier or otherwise (``ActionFinished``, ``DigitsReceived``, ``AmdDetected``,
``CallHungUp``) through ``FlowRunner.feed``.

An activeflow with no call (``reference_type`` ``api``...) never gets these commands: the
engine skips the actions needing a call (its media gating). :class:`NoCalls`, the control a
server has until the calls service is there, carries out nothing and logs each command as
not executed: nothing is refused silently.
"""

from __future__ import annotations

import logging
import typing
from typing import Protocol, TypeAlias, Union

from voipbin.server.runtime.flows import commands as c
from voipbin.server.runtime.flows.state import FlowState
from voipbin.server.storage.database import Executor

log = logging.getLogger("voipbin.runtime.flows")

CallCommand: TypeAlias = Union[  # noqa: UP007 (read at runtime, as the engine's unions)
    c.Answer,
    c.Talk,
    c.Play,
    c.Beep,
    c.Sleep,
    c.Echo,
    c.CollectDigits,
    c.SendDigits,
    c.Amd,
    c.Hangup,
    c.StartCalls,
    c.Connect,
    c.StopMedia,
    c.RecordingStart,
    c.RecordingStop,
]
"""The commands a call control carries out."""

CALL_COMMANDS: tuple[type[c.Command], ...] = typing.get_args(CallCommand)


class CallControl(Protocol):
    """What the calls service does for the flow runner.

    Its methods run inside the transaction of the step that gave the command (``executor``):
    write through it (a call's transition, its outbox event, the jobs it schedules) so the
    step and its effects commit together. Do no network I/O there: schedule a job for it.
    """

    async def execute(self, executor: Executor, flow: FlowState, command: CallCommand) -> None:
        """Carry out ``command`` for the activeflow ``flow`` on its call
        (``flow.reference_id``; for ``start_calls``, new calls each with its own activeflow).
        ``hangup`` ends the call; the runner also sends it when a flow ends with its call
        still up (``FlowEnded.hangup_call``, reason ``normal``)."""
        ...

    async def call_status(self, executor: Executor, call_id: str) -> str:
        """The status of the call ``call_id`` (``condition_call_status`` reads it); ``""``
        when there is no such call."""
        ...

    async def moved(self, executor: Executor, flow: FlowState) -> None:
        """The cursor of ``flow`` (an activeflow of a call) moved to another action."""
        ...


class NoCalls:
    """The call control of a server without a calls service: every command is logged as not
    executed, none is refused silently."""

    async def execute(self, executor: Executor, flow: FlowState, command: CallCommand) -> None:
        log.warning(
            "activeflow %s: %s not executed: no call control for call %s",
            flow.id,
            type(command).__struct_config__.tag,
            flow.reference_id,
        )

    async def call_status(self, executor: Executor, call_id: str) -> str:
        return ""

    async def moved(self, executor: Executor, flow: FlowState) -> None:
        return None
