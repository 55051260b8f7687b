"""Calls driven by the flow engine: the link between :class:`CallRuntime` and
:class:`FlowRunner`, both ways.

- A new call with a flow gets its activeflow in the transaction that creates it
  (``reference_type: call``, the call's ``voipbin.call.*`` variables): an incoming call's
  flow runs at once, an outgoing call's when the call is answered.
- What the network reports on the call reaches its flow: key presses as digits, answering
  machine detection's result; the call hanging up stops the flow.
- What the flow asks of its call is carried out on the network (:class:`CallControl`):
  answer, media (the network's report that it has played moves the flow on), DTMF, machine
  detection, hangup (a flow ending with its call up hangs it up), ``connect`` and ``call``
  (new outgoing calls, see :mod:`.connect`).
- ``recording_start`` and ``recording_stop`` go to the recordings runtime (:class:`Recordings`).
- The call's ``action`` follows the flow's cursor (``call_updated``), as upstream shows it.

Everything happens in the transaction of the change that caused it: a step and its call's
moves commit together or not at all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol
from uuid import UUID

import msgspec

from voipbin.common.address import Address
from voipbin.common.errors import ApiError
from voipbin.common.targets import normalised_target
from voipbin.models.flows.actions import FlowAction
from voipbin.models.flows.options import EMPTY
from voipbin.models.recording import RecordingStart
from voipbin.server.resources.context import Context
from voipbin.server.runtime.calls import machine
from voipbin.server.runtime.calls.legs import CallRow
from voipbin.server.runtime.calls.placing import Placement, place, require_identity
from voipbin.server.runtime.calls.service import CallRuntime, FlowRequest
from voipbin.server.runtime.carrier.base import (
    Answered,
    CarrierEvent,
    Dtmf,
    MachineDetected,
    Media,
    PlaybackFinished,
)
from voipbin.server.runtime.carrier.sim import BEEP_SECONDS
from voipbin.server.runtime.flows import commands as c
from voipbin.server.runtime.flows import events as e
from voipbin.server.runtime.flows.control import CallCommand
from voipbin.server.runtime.flows.runner import FlowRunner, flow_of
from voipbin.server.runtime.flows.state import FlowState
from voipbin.server.storage.contacts import Owner
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


def contact_variables(owner: Owner) -> dict[str, str]:
    """The ``voipbin.contact.*`` variables of an incoming call whose caller is a contact of
    the customer (an improvement over upstream, which has none)."""
    return {
        "voipbin.contact.id": owner.id,
        "voipbin.contact.display_name": owner.display_name,
        "voipbin.contact.first_name": owner.first_name,
        "voipbin.contact.last_name": owner.last_name,
        "voipbin.contact.company": owner.company,
    }


class Contacts(Protocol):
    """The contacts' addresses (``storage/contacts.py``), as an incoming call's flow reads
    its caller's contact."""

    async def owner(
        self, customer_id: str, target_key: str, executor: Executor | None = None
    ) -> Owner | None: ...


#: The context the server places a flow's calls in, for a customer (its checks: identity,
#: whitelist, balance, routes).
ContextFor = Callable[[str], Context]


class Recordings(Protocol):
    """The recordings runtime, as a flow's ``recording_start`` and ``recording_stop`` use it
    (``runtime/recordings/service.py``), in the step's transaction."""

    async def start(
        self,
        tx: Executor,
        call: CallRow,
        options: RecordingStart,
        activeflow_id: str | None = None,
    ) -> CallRow: ...

    async def stop(self, tx: Executor, call: CallRow) -> CallRow: ...


class CallFlows:
    """The link: made once per app with :meth:`link`."""

    def __init__(self, calls: CallRuntime, runner: FlowRunner, context_for: ContextFor) -> None:
        self.calls = calls
        self.runner = runner
        self.context_for = context_for
        self.recordings: Recordings | None = None
        """Records the calls, once the app has made the recordings runtime."""
        self.contacts: Contacts | None = None
        """Finds an incoming call's caller among the customer's contacts."""

    @classmethod
    def link(cls, calls: CallRuntime, runner: FlowRunner, context_for: ContextFor) -> CallFlows:
        """Link ``calls`` and ``runner`` both ways."""
        link = cls(calls, runner, context_for)
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
            system_variables={**call_variables(call), **await self._caller(tx, call)},
            id=UUID(activeflow_id),
            start=call.direction == "incoming",
        )

    async def _caller(self, tx: Executor, call: CallRow) -> dict[str, str]:
        """The ``voipbin.contact.*`` of an incoming call from a contact: one read of the
        contacts' target index, in the call's transaction."""
        source = call.source
        if self.contacts is None or call.direction != "incoming":
            return {}
        key = normalised_target(source.type, source.target)
        if key is None:
            return {}
        owner = await self.contacts.owner(call.customer_id, key, tx)
        return {} if owner is None else contact_variables(owner)

    async def hung_up(self, tx: Executor, call: CallRow) -> None:
        activeflow_id = call.activeflow_id
        if activeflow_id is not None:
            await self.runner.feed(tx, activeflow_id, e.CallHungUp())
        elif call.master_call_id is not None:
            await self._leg_ended(tx, call, call.master_call_id)

    async def on_network_event(self, tx: Executor, call: CallRow, event: CarrierEvent) -> None:
        """What the network reported on ``call`` (after the call's own move), for its flow."""
        activeflow_id = call.activeflow_id
        if activeflow_id is None:
            if isinstance(event, Answered) and call.master_call_id is not None:
                await self._leg_answered(tx, call, call.master_call_id)
            return
        if isinstance(event, Answered):
            if call.direction == "outgoing" and call.status == "progressing":
                await self.runner.feed(tx, activeflow_id, e.Started())
        elif isinstance(event, Dtmf):
            await self.runner.feed(tx, activeflow_id, e.DigitsReceived(digits=event.digits))
        elif isinstance(event, PlaybackFinished) and not event.stopped:
            flow_id, _, token = event.playback_id.partition(":")
            if flow_id == activeflow_id and token.isdigit():
                finished = e.ActionFinished(token=int(token))
                await self.runner.feed(tx, activeflow_id, finished)
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
            await runtime.play(tx, call, Media(tone_seconds=BEEP_SECONDS), playback)
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
        elif isinstance(command, c.StartCalls):
            await self._start_calls(tx, call, command)
        elif isinstance(command, c.Connect):
            await self._connect(tx, flow, call, command)
        elif isinstance(command, c.RecordingStart | c.RecordingStop):
            await self._record(tx, flow, call, command)
        elif isinstance(command, c.Sleep | c.Echo | c.CollectDigits):
            runtime.require_up(
                call
            )  # the flow's own timer ends it; digits come as they are pressed
        else:
            log.info("activeflow %s: %s not executed", flow.id, _tag(command))

    async def _record(
        self,
        tx: Executor,
        flow: FlowState,
        call: CallRow,
        command: c.RecordingStart | c.RecordingStop,
    ) -> None:
        """``recording_start`` (a beep first with ``beep_start``) and ``recording_stop``."""
        if self.recordings is None:
            log.info("activeflow %s: %s not executed: no recordings", flow.id, _tag(command))
            return
        if isinstance(command, c.RecordingStop):
            await self.recordings.stop(tx, call)
            return
        if command.beep_start:
            beep = Media(tone_seconds=BEEP_SECONDS)
            await self.calls.play(tx, call, beep, f"{flow.id}:beep")
        options = RecordingStart(
            format="wav",
            end_of_silence=command.end_of_silence,
            end_of_key=command.end_of_key,
            duration=command.duration,
            on_end_flow_id=command.on_end_flow_id,
        )
        await self.recordings.start(tx, call, options, activeflow_id=str(flow.id))

    # -- call and connect ----------------------------------------------------------------------

    async def _place(
        self, tx: Executor, call: CallRow, source: Address | None, destinations: list[Address]
    ) -> list[Placement]:
        """The placements of the destinations that pass their checks (each refusal logged:
        a flow has no one to answer a 4xx to). The source, when not given: our side of the
        call (the number called, for an incoming call)."""
        ctx = self.context_for(call.customer_id)
        shown = source or (call.destination if call.direction == "incoming" else call.source)
        placed: list[Placement] = []
        for index, destination in enumerate(destinations):
            try:
                await require_identity(ctx, [destination], tx)
                placed.append(await place(ctx, shown, destination, index, tx))
            except ApiError as error:
                log.info("call %s: destinations[%d] not called: %s", call.id, index, error)
        return placed

    async def _start_calls(self, tx: Executor, call: CallRow, command: c.StartCalls) -> None:
        """The ``call`` action: new outgoing calls, each running its own flow; ``chained``
        ones hang up with this call."""
        if command.early_execution:
            log.info("call %s: early_execution not executed: flows run on answer", call.id)
        flow_id = str(command.flow_id) if command.flow_id != EMPTY else None
        request = FlowRequest(flow_id, [] if flow_id else command.actions)
        made = [
            await self.calls.dial(tx, call.customer_id, p, request, master_call_id=call.id)
            for p in await self._place(tx, call, command.source, command.destinations)
        ]
        if command.chained and made:
            await self.calls.chain(tx, call.id, [m.id for m in made])

    async def _connect(
        self, tx: Executor, flow: FlowState, call: CallRow, command: c.Connect
    ) -> None:
        """The ``connect`` action: call the destinations (legs with no flow of their own,
        chained to this call); the first to answer is bridged with it and the others are
        hung up; the flow goes on once every leg has ended (or, with ``relay_reason``, the
        call hangs up with the reason the bridged leg ended with)."""
        placed = await self._place(tx, call, command.source, command.destinations)
        legs = [
            await self.calls.dial(tx, call.customer_id, p, FlowRequest(), master_call_id=call.id)
            for p in placed
        ]
        if not legs:
            await self.runner.schedule(
                tx, str(flow.id), e.ActionFinished(token=command.token), due_in=0
            )
            return
        await self.calls.chain(tx, call.id, [leg.id for leg in legs])

    async def _legs(self, tx: Executor, master: CallRow) -> list[CallRow]:
        """The master's ``connect`` legs: its chained calls running no flow."""
        legs = [await self.calls.rows.get(i, tx) for i in master.chained_call_ids]
        return [leg for leg in legs if leg is not None and leg.activeflow_id is None]

    async def _leg_answered(self, tx: Executor, leg: CallRow, master_id: str) -> None:
        """A ``connect`` leg answered: it is bridged; its siblings still ringing hang up."""
        master = await self.calls.rows.get(master_id, tx)
        if master is None:
            return
        for other in await self._legs(tx, master):
            if other.id != leg.id and other.status in ("dialing", "ringing"):
                await self.calls.hangup(tx, other)

    async def _leg_ended(self, tx: Executor, leg: CallRow, master_id: str) -> None:
        """A ``connect`` leg ended: once none is left up, the master's flow goes on (or the
        master hangs up with the leg's reason, with ``relay_reason``)."""
        master = await self.calls.rows.get(master_id, tx)
        if master is None or master.activeflow_id is None or master.status == "hangup":
            return
        if any(other.status != "hangup" for other in await self._legs(tx, master)):
            return
        state = await self.runner.state(tx, master.activeflow_id)
        if state is None or state.waiting is None or state.waiting.kind != "connect":
            return
        option = state.current_action.option  # type: ignore[attr-defined]
        if option.relay_reason:
            await self.calls.hangup(tx, master, str(leg.values["hangup_reason"]) or "normal")
            return
        await self.runner.feed(
            tx, master.activeflow_id, e.ActionFinished(token=state.waiting.token)
        )

    async def _reason(self, tx: Executor, command: c.Hangup) -> str:
        """The hangup reason: the action's, or another call's when it names one that hung up."""
        if command.reference_id != EMPTY:
            other = await self.calls.rows.get(str(command.reference_id), tx)
            if other is not None and other.values["hangup_reason"]:
                return str(other.values["hangup_reason"])
        return command.reason


def _tag(command: c.Command) -> str:
    return str(type(command).__struct_config__.tag)
