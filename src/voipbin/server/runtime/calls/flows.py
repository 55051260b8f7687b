"""Calls driven by the flow engine: the link between :class:`CallRuntime` and
:class:`FlowRunner`, both ways.

- A new call with a flow gets its activeflow in the transaction that creates it
  (``reference_type: call``, the call's ``voipbin.call.*`` variables): an incoming call's
  flow runs at once, an outgoing call's when the call is answered.
- What the network reports on the call reaches its flow: key presses as digits, answering
  machine detection's result; the call hanging up stops the flow.
- What the flow asks of its call is carried out on the network (:class:`CallControl`):
  answer, media (the flow's own timers say when a media action has played), DTMF, machine
  detection, hangup (a flow ending with its call up hangs it up), ``connect`` and ``call``
  (new outgoing calls, see :mod:`.connect`).
- The call's ``action`` follows the flow's cursor (``call_updated``), as upstream shows it.

Everything happens in the transaction of the change that caused it: a step and its call's
moves commit together or not at all.
"""

from __future__ import annotations

import logging
from uuid import UUID

import msgspec

from voipbin.common.errors import ApiError
from voipbin.models.flows.actions import FlowAction
from voipbin.models.flows.options import EMPTY
from voipbin.server.runtime.calls import machine
from voipbin.server.runtime.calls.legs import CallRow
from voipbin.server.runtime.calls.service import CallRuntime, FlowRequest
from voipbin.server.runtime.carrier.base import (
    Answered,
    CarrierEvent,
    Dtmf,
    MachineDetected,
    Media,
)
from voipbin.server.runtime.flows import commands as c
from voipbin.server.runtime.flows import events as e
from voipbin.server.runtime.flows.control import CallCommand
from voipbin.server.runtime.flows.runner import FlowRunner, flow_of
from voipbin.server.runtime.flows.state import FlowState
from voipbin.server.storage.database import Executor

log = logging.getLogger("voipbin.runtime.calls")

_address_fields = ("name", "detail", "target", "target_name", "type")


def call_variables(call: CallRow) -> dict[str, str]:
    """The ``voipbin.call.*`` variables of ``call`` (upstream's names)."""
    variables = {
        "voipbin.call.id": call.id,
        "voipbin.call.direction": call.direction,
        "voipbin.call.master_call_id": str(call.values["master_call_id"] or EMPTY),
        "voipbin.call.digits": "",
    }
    for side, address in (("source", call.source), ("destination", call.destination)):
        for name in _address_fields:
            variables[f"voipbin.call.{side}.{name}"] = str(getattr(address, name, "") or "")
    return variables


class CallFlows:
    """The link: made once per app with :meth:`link`."""

    def __init__(self, calls: CallRuntime, runner: FlowRunner) -> None:
        self.calls = calls
        self.runner = runner

    @classmethod
    def link(cls, calls: CallRuntime, runner: FlowRunner) -> CallFlows:
        """Link ``calls`` and ``runner`` both ways."""
        link = cls(calls, runner)
        calls.flows = link
        calls.subscribe(link.on_network_event)
        runner.calls = link
        return link

    # -- calls -> flows ----------------------------------------------------------------------

    async def attach(self, tx: Executor, call: CallRow, request: FlowRequest) -> None:
        activeflow_id = call.activeflow_id
        assert activeflow_id is not None
        actions: list[FlowAction] = list(request.actions)
        on_complete = EMPTY
        flow_id = EMPTY
        if request.flow_id is not None:
            flow_id = UUID(request.flow_id)
            found = await flow_of(self.runner.flows, call.customer_id, flow_id, tx)
            if found is not None:
                actions, on_complete = found
        await self.runner.create(
            tx,
            customer_id=call.customer_id,
            actions=actions,
            reference_type="call",
            reference_id=UUID(call.id),
            flow_id=flow_id,
            on_complete_flow_id=on_complete,
            variables=request.variables,
            system_variables=call_variables(call),
            id=UUID(activeflow_id),
            start=call.direction == "incoming",
        )

    async def hung_up(self, tx: Executor, call: CallRow) -> None:
        activeflow_id = call.activeflow_id
        if activeflow_id is not None:
            await self.runner.feed(tx, activeflow_id, e.CallHungUp())

    async def on_network_event(self, tx: Executor, call: CallRow, event: CarrierEvent) -> None:
        """What the network reported on ``call`` (after the call's own move), for its flow."""
        activeflow_id = call.activeflow_id
        if activeflow_id is None:
            return
        if isinstance(event, Answered):
            if call.direction == "outgoing" and call.status == "progressing":
                await self.runner.feed(tx, activeflow_id, e.Started())
        elif isinstance(event, Dtmf):
            await self.runner.feed(tx, activeflow_id, e.DigitsReceived(digits=event.digits))
        elif isinstance(event, MachineDetected):
            state = await self.runner.state(tx, activeflow_id)
            if state is not None and state.waiting is not None and state.waiting.kind == "amd":
                detected = e.AmdDetected(token=state.waiting.token, result=event.result)
                await self.runner.feed(tx, activeflow_id, detected)

    # -- flows -> calls (CallControl) ---------------------------------------------------------

    async def call_status(self, executor: Executor, call_id: str) -> str:
        call = await self.calls.rows.get(call_id, executor)
        return "" if call is None else call.status

    async def moved(self, executor: Executor, flow: FlowState) -> None:
        """The flow's cursor moved: the call shows the action running now."""
        call = await self._call(executor, flow)
        if call is None or call.status == "hangup":
            return
        action = msgspec.json.encode(flow.current_action).decode()
        moved = await self.calls.rows.move(
            executor, call, {"action": action}, expected={"leg_id": call.values["leg_id"]}
        )
        if moved is not None:
            await self.calls.outbox.emit(
                executor, moved.customer_id, machine.CALL_UPDATED, "call", moved.id, moved.wire
            )

    async def execute(self, executor: Executor, flow: FlowState, command: CallCommand) -> None:
        call = await self._call(executor, flow)
        if call is None:
            log.warning("activeflow %s: its call %s is not there", flow.id, flow.reference_id)
            return
        try:
            await self._execute(executor, flow, call, command)
        except ApiError as error:  # the call is ending: its hangup stops the flow
            log.info("activeflow %s: %s on call %s: %s", flow.id, _tag(command), call.id, error)

    async def _call(self, executor: Executor, flow: FlowState) -> CallRow | None:
        if flow.reference_type != "call" or flow.reference_id == EMPTY:
            return None
        return await self.calls.rows.get(str(flow.reference_id), executor)

    async def _execute(
        self, tx: Executor, flow: FlowState, call: CallRow, command: CallCommand
    ) -> None:
        runtime = self.calls
        network = runtime.network(tx, call.id)
        playback = f"{flow.id}:{getattr(command, 'token', 0)}"
        if isinstance(command, c.Answer):
            await runtime.answer(tx, call)
        elif isinstance(command, c.Talk):
            await runtime.play(
                tx, call, Media(text=command.text, language=command.language), playback
            )
        elif isinstance(command, c.Play):
            await runtime.play(tx, call, Media(urls=tuple(command.stream_urls)), playback)
        elif isinstance(command, c.Beep):
            await runtime.play(tx, call, Media(urls=("beep",)), playback)
        elif isinstance(command, c.StopMedia):
            await network.stop_media(call.leg, playback)
        elif isinstance(command, c.SendDigits):
            runtime.require_up(call)
            await network.send_dtmf(call.leg, command.digits, command.duration, command.interval)
        elif isinstance(command, c.Amd):
            runtime.require_up(call)
            await network.detect_machine(call.leg)
        elif isinstance(command, c.Hangup):
            await runtime.hangup(tx, call, await self._reason(tx, command))
        elif isinstance(command, c.Sleep | c.Echo | c.CollectDigits):
            runtime.require_up(
                call
            )  # the flow's own timer ends it; digits come as they are pressed
        else:
            log.info("activeflow %s: %s not executed", flow.id, _tag(command))

    async def _reason(self, tx: Executor, command: c.Hangup) -> str:
        """The hangup reason: the action's, or another call's when it names one that hung up."""
        if command.reference_id != EMPTY:
            other = await self.calls.rows.get(str(command.reference_id), tx)
            if other is not None and other.values["hangup_reason"]:
                return str(other.values["hangup_reason"])
        return command.reason


def _tag(command: c.Command) -> str:
    return str(type(command).__struct_config__.tag)
