"""Calls as processes: created ``dialing``, moved by the network's events, timed by durable
jobs, billed at hangup. Every move is one conditional UPDATE (its status and leg as read)
with its outbox event, in one transaction; a stale or repeated network event changes nothing.

Use (the app builds one and registers its job kinds)::

    calls = CallRuntime(rows, jobs, outbox, ledger, scripts)
    calls.register()                         # the job kinds, once per process
    await calls.create(ctx, body)            # POST /v1.0/calls
    await calls.hangup(tx, call)             # a local hangup (API, flow, job handler)
    await calls.answer(tx, call)             # answer an incoming call
    await calls.play(tx, call, Media(text="hi"), playback_id)

Job kinds: ``call.network`` (a network event, due when the network does it), ``call.dial_timeout``
(60 s after dialling) and ``call.max_duration`` (1 h after the answer). The flow engine
subscribes to what the network reports on answered calls with :meth:`CallRuntime.subscribe`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

import msgspec

from voipbin.common.address import Address
from voipbin.common.errors import ApiError, FailedPrecondition, PaymentRequired
from voipbin.common.ids import new_id
from voipbin.models.call import CallCreate, CallsCreated, CallStatus, check_call_create
from voipbin.models.flows.actions import FlowAction
from voipbin.server.billing.ledger import Ledger, Usage
from voipbin.server.billing.prices import started_minutes
from voipbin.server.resources.context import Context
from voipbin.server.resources.references import check_references
from voipbin.server.runtime.calls import machine
from voipbin.server.runtime.calls.legs import CallRow, CallRows
from voipbin.server.runtime.calls.placing import (
    GROUPCALL_TYPES,
    Placement,
    place,
    require_identity,
)
from voipbin.server.runtime.carrier.base import (
    Answered,
    CarrierEvent,
    Destroyed,
    Direction,
    Media,
    Ringing,
    Toggle,
    event_from_json,
    event_to_json,
)
from voipbin.server.runtime.carrier.sim import SimulatedNetwork
from voipbin.server.runtime.events.outbox import Outbox
from voipbin.server.runtime.jobs import Job, Jobs
from voipbin.server.runtime.rows import json_text
from voipbin.server.storage.database import Executor
from voipbin.server.storage.simulator import SimulatorScripts

log = logging.getLogger("voipbin.runtime.calls")

NETWORK_EVENT = "call.network"
DIAL_TIMEOUT = "call.dial_timeout"
MAX_DURATION = "call.max_duration"
#: Our dial timeout and the longest a call may last (§1.4).
DIAL_TIMEOUT_SECONDS = 60.0
MAX_DURATION_SECONDS = 3600.0

#: What the flow engine is told of an event the network reported on a call, after the
#: call's own move (if any) was written, in the same transaction.
Listener = Callable[[Executor, CallRow, CarrierEvent], Awaitable[None]]

CommitHook = Callable[[Executor, msgspec.Struct], Awaitable[None]]

#: Told of a call that has just hung up (its ``hangup`` written), in the same transaction:
#: what lives on the call ends with it (its recording).
HangupHook = Callable[[Executor, CallRow], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class FlowRequest:
    """What a new call runs: a stored flow (``flow_id``) or inline ``actions``, with the
    customer's ``variables``; neither: the call runs no flow."""

    flow_id: str | None = None
    actions: list[FlowAction] = field(default_factory=list)
    variables: Mapping[str, str] = field(default_factory=dict)

    @property
    def runs(self) -> bool:
        return self.flow_id is not None or bool(self.actions)


class FlowLink(Protocol):
    """The flow engine, as calls see it (``runtime/calls/flows.py``): both methods write in
    the transaction of the call's change."""

    async def attach(self, tx: Executor, call: CallRow, request: FlowRequest) -> None:
        """Create the activeflow of the new call ``call`` (its id: the call's
        ``activeflow_id``): run at once for an incoming call, on answer for an outgoing one."""
        ...

    async def hung_up(self, tx: Executor, call: CallRow) -> None:
        """The call ``call`` has hung up: its flow stops."""
        ...


class Groupcalls(Protocol):
    """The groupcalls runtime, as ``POST /v1.0/calls`` uses it for an ``agent`` or
    ``extension`` destination (``runtime/groupcalls/service.py``)."""

    async def plan(self, ctx: Context, source: Address, destination: Address, index: int) -> Any:
        """How ``destinations[index]`` rings, or the 4xx that refuses it."""
        ...

    async def start(
        self,
        tx: Executor,
        customer_id: str,
        source: Address,
        plan: Any,
        request: FlowRequest | None,
    ) -> msgspec.Struct:
        """Start the groupcall of ``plan`` in ``tx`` (its answering call runs ``request``);
        the groupcall on the wire."""
        ...


class CallRuntime:
    """Every call of the server."""

    def __init__(
        self,
        rows: CallRows,
        jobs: Jobs,
        outbox: Outbox,
        ledger: Ledger,
        scripts: SimulatorScripts,
    ) -> None:
        self.rows = rows
        self.jobs = jobs
        self.outbox = outbox
        self.ledger = ledger
        self.scripts = scripts
        self.db = rows.repository.db
        self._listeners: list[Listener] = []
        self._hangup_hooks: list[HangupHook] = []
        self.flows: FlowLink | None = None
        """The flow engine, once the app has linked it (calls then run their flows)."""
        self.groupcalls: Groupcalls | None = None
        """Rings ``agent`` and ``extension`` destinations, once the app has made it."""

    def register(self) -> None:
        """Register the calls' job kinds with ``jobs`` (once per process)."""
        self.jobs.register(NETWORK_EVENT, self._on_network_event)
        self.jobs.register(DIAL_TIMEOUT, self._on_dial_timeout)
        self.jobs.register(MAX_DURATION, self._on_max_duration)

    def subscribe(self, listener: Listener) -> None:
        """Tell ``listener`` every network event of a call (the flow engine's input)."""
        self._listeners.append(listener)

    def on_hangup(self, hook: HangupHook) -> None:
        """Tell ``hook`` every call that hangs up, in the transaction of its hangup."""
        self._hangup_hooks.append(hook)

    # -- the network ---------------------------------------------------------------------

    def network(self, tx: Executor, call_id: str) -> SimulatedNetwork:
        """The network, as seen from ``tx``: what it will do to the call ``call_id`` becomes
        ``call.network`` jobs written in ``tx``."""

        async def schedule(seconds: float, event: CarrierEvent) -> None:
            due = self.jobs.clock.now() + timedelta(seconds=seconds)
            payload = {"event": event_to_json(event).decode()}
            await self.jobs.schedule(tx, NETWORK_EVENT, call_id, due, payload)

        return SimulatedNetwork(self.scripts.within(tx), schedule)

    async def _emit(self, tx: Executor, call: CallRow, type: str) -> None:
        await self.outbox.emit(tx, call.customer_id, type, "call", call.id, call.wire)

    # -- creating ------------------------------------------------------------------------

    async def create(
        self, ctx: Context, body: CallCreate, commit_with: CommitHook | None = None
    ) -> msgspec.Struct:
        """``POST /v1.0/calls``: one call per destination that passes its checks; the first
        refusal when none does."""
        checked, refs = check_call_create(body)
        await require_identity(ctx, checked.destinations)
        await check_references(ctx, {"flow_id": "flow"}, {"flow_id": checked.flow_id})
        for resource, found in refs.by_resource.items():
            for path, id in found:
                await check_references(ctx, {path: resource}, {path: id})
        placements: list[Placement] = []
        plans: list[Any] = []
        refusal: Exception | None = None
        for index, destination in enumerate(checked.destinations):
            try:
                if destination.type in GROUPCALL_TYPES and self.groupcalls is not None:
                    plans.append(
                        await self.groupcalls.plan(ctx, checked.source, destination, index)
                    )
                else:
                    placements.append(await place(ctx, checked.source, destination, index))
            except ApiError as exc:
                log.info("destinations[%d] refused: %s", index, exc)
                refusal = refusal or exc
        if not placements and not plans:
            assert refusal is not None
            raise refusal
        flow_id = str(checked.flow_id) if checked.flow_id is not None else None
        request = FlowRequest(flow_id, [] if flow_id else checked.actions, checked.variables)
        async with self.db.transaction() as tx:
            calls = [await self._dial(tx, ctx.customer_id, p, request) for p in placements]
            groupcalls: list[Any] = []
            for plan in plans:
                assert self.groupcalls is not None
                start = self.groupcalls.start(tx, ctx.customer_id, checked.source, plan, request)
                groupcalls.append(await start)
            # The answer holds the calls in wire form, as the route encodes them.
            wire: list[Any] = [c.wire for c in calls]
            answer = CallsCreated(calls=wire, groupcalls=groupcalls)
            if commit_with is not None:
                await commit_with(tx, answer)
        return answer

    async def dial(
        self,
        tx: Executor,
        customer_id: str,
        placement: Placement,
        request: FlowRequest,
        master_call_id: str | None = None,
    ) -> CallRow:
        """Dial a call a flow asked for (``call``, ``connect``), in its step's ``tx``."""
        return await self._dial(tx, customer_id, placement, request, master_call_id)

    async def dial_leg(
        self,
        tx: Executor,
        customer_id: str,
        placement: Placement,
        request: FlowRequest,
        groupcall_id: str,
    ) -> CallRow:
        """Dial one leg of the groupcall ``groupcall_id`` (its ``call_created`` and timers
        in ``tx``); the leg gets its own activeflow of ``request`` now, run once it is
        answered (a leg hung up unanswered ends it having run nothing)."""
        return await self._dial(tx, customer_id, placement, request, groupcall_id=groupcall_id)

    async def _dial(
        self,
        tx: Executor,
        customer_id: str,
        placement: Placement,
        request: FlowRequest,
        master_call_id: str | None = None,
        *,
        groupcall_id: str | None = None,
    ) -> CallRow:
        """Dial one placed call in ``tx`` (``master_call_id``: the call whose flow asked)."""
        call_id = str(new_id())
        leg_id = str(new_id())
        values: dict[str, Any] = {
            "id": call_id,
            "customer_id": customer_id,
            "owner_type": "",
            "type": "flow",
            "source": json_text(placement.source),
            "destination": json_text(placement.destination),
            "status": machine.entry_status("outgoing"),
            "direction": "outgoing",
            "leg_id": leg_id,
            "routes": json_text(placement.routes),
            "route_index": 0,
        }
        if master_call_id is not None:
            values["master_call_id"] = master_call_id
        if groupcall_id is not None:
            values["groupcall_id"] = groupcall_id
        call = await self._insert(tx, values, request)
        route = placement.routes[0] if placement.routes else None
        await self.network(tx, call_id).originate(call.leg, placement.source, route)
        due = self.jobs.clock.now() + timedelta(seconds=DIAL_TIMEOUT_SECONDS)
        await self.jobs.schedule(tx, DIAL_TIMEOUT, call_id, due)
        return call

    async def receive(
        self,
        tx: Executor,
        customer_id: str,
        source: Address,
        destination: Address,
        request: FlowRequest,
    ) -> CallRow:
        """An incoming call from the network (``source``) to one of the customer's numbers
        (``destination``), born ``ringing``: its flow runs at once. A call with no flow to
        run is hung up at once (nothing would ever answer it)."""
        values: dict[str, Any] = {
            "id": str(new_id()),
            "customer_id": customer_id,
            "owner_type": "",
            "type": "flow",
            "source": json_text(source),
            "destination": json_text(destination),
            "status": machine.entry_status("incoming"),
            "direction": "incoming",
            "leg_id": str(new_id()),
        }
        call = await self._insert(tx, values, request)
        if not request.runs or self.flows is None:
            return await self.hangup(tx, call)
        return await self.rows.get(call.id, tx) or call

    async def _insert(self, tx: Executor, values: dict[str, Any], request: FlowRequest) -> CallRow:
        """Insert a new call with ``call_created``, and its activeflow when it runs one."""
        runs = request.runs and self.flows is not None
        if request.flow_id is not None:
            values["flow_id"] = request.flow_id
        if runs:
            values["activeflow_id"] = str(new_id())
        call = await self.rows.insert(values, tx)
        await self._emit(tx, call, machine.CALL_CREATED)
        if runs:
            assert self.flows is not None
            await self.flows.attach(tx, call, request)
        return call

    # -- what the network reports ----------------------------------------------------------

    async def _on_network_event(self, tx: Executor, job: Job) -> None:
        event = event_from_json(job.payload["event"])
        call = await self.rows.get(job.resource_id, tx)
        if call is None or str(call.values["leg_id"]) != event.leg_id:
            return  # an earlier leg's event (failover), or a call that is no more
        moved: CallRow | None = call
        if isinstance(event, Ringing):
            moved = await self._ringing(tx, call)
        elif isinstance(event, Answered):
            moved = await self._answered(tx, call)
        elif isinstance(event, Destroyed):
            moved = await self._destroyed(tx, call, event.cause)
        for listener in self._listeners:
            await listener(tx, moved or call, event)

    async def _move(
        self, tx: Executor, call: CallRow, to: CallStatus, values: dict[str, Any]
    ) -> CallRow | None:
        """Move ``call`` to ``to`` (if it still is as read) with its event."""
        moved = await self.rows.move(tx, call, {"status": to, **values})
        if moved is not None:
            await self._emit(tx, moved, machine.transition_event(to))
        return moved

    async def _ringing(self, tx: Executor, call: CallRow) -> CallRow | None:
        if call.status != "dialing":
            return None
        return await self._move(tx, call, "ringing", {"tm_ringing": self.jobs.clock.now()})

    async def _answered(self, tx: Executor, call: CallRow) -> CallRow | None:
        if call.status not in ("dialing", "ringing"):
            return None
        now = self.jobs.clock.now()
        moved = await self._move(tx, call, "progressing", {"tm_progressing": now})
        if moved is not None:
            await self.jobs.cancel(tx, DIAL_TIMEOUT, call.id)
            due = now + timedelta(seconds=MAX_DURATION_SECONDS)
            await self.jobs.schedule(tx, MAX_DURATION, call.id, due)
        return moved

    async def _destroyed(self, tx: Executor, call: CallRow, cause: int) -> CallRow | None:
        if call.status == "hangup":
            return None
        routes = call.routes
        if machine.may_fail_over(
            direction=call.direction,
            destination_type=call.destination.type,
            status=call.status,
            cause=cause,
            flow_started=False,
            routes_left=len(routes) - call.route_index - 1,
        ):
            return await self._fail_over(tx, call)
        return await self._finish(tx, call, cause)

    async def _fail_over(self, tx: Executor, call: CallRow) -> CallRow | None:
        """Dial the next route on a new leg; the status stays (``call_updated``, §1.5)."""
        index = call.route_index + 1
        moved = await self.rows.move(tx, call, {"leg_id": str(new_id()), "route_index": index})
        if moved is None:
            return None
        await self._emit(tx, moved, machine.CALL_UPDATED)
        source = msgspec.json.decode(_raw(moved.values["source"]), type=Address)
        await self.network(tx, moved.id).originate(moved.leg, source, call.routes[index])
        return moved

    async def _finish(self, tx: Executor, call: CallRow, cause: int) -> CallRow | None:
        """``hangup``, with who and why (§1.3), its timers cancelled and its minutes billed."""
        ended = machine.ended(call.direction, call.status, cause)
        now = self.jobs.clock.now()
        values = {
            "hangup_by": ended.hangup_by,
            "hangup_reason": ended.hangup_reason,
            "tm_hangup": now,
        }
        moved = await self._move(tx, call, "hangup", values)
        if moved is None:
            return None
        await self.jobs.cancel(tx, DIAL_TIMEOUT, call.id)
        await self.jobs.cancel(tx, MAX_DURATION, call.id)
        await self._bill(tx, moved)
        for hook in self._hangup_hooks:
            await hook(tx, moved)
        for chained_id in moved.chained_call_ids:
            chained = await self.rows.get(chained_id, tx)
            if chained is not None:
                await self.hangup(tx, chained)
        if self.flows is not None:
            await self.flows.hung_up(tx, moved)
        return moved

    async def _bill(self, tx: Executor, call: CallRow) -> None:
        """Charge an answered call per started minute, from answer to hangup."""
        start, end = call.time("tm_progressing"), call.time("tm_hangup")
        if start is None or end is None:
            return
        elapsed = end - start
        micros = elapsed // timedelta(microseconds=1)
        reference_type, cost_type = machine.billed_as(call.direction, call.source, call.destination)
        usage = Usage(
            cost_type,
            reference_type,
            call.id,
            units=started_minutes(micros),
            usage_duration=int(elapsed.total_seconds()),
            tm_billing_start=start,
            tm_billing_end=end,
        )
        try:
            async with tx.savepoint():
                await self.ledger.charge(call.customer_id, usage, tx)
        except PaymentRequired:
            # The call happened: it hangs up all the same; the balance could not pay it.
            log.warning("call %s could not be charged: the balance cannot pay it", call.id)

    # -- timers --------------------------------------------------------------------------

    async def _on_dial_timeout(self, tx: Executor, job: Job) -> None:
        call = await self.rows.get(job.resource_id, tx)
        if call is None or call.status not in ("dialing", "ringing"):
            return
        await self.network(tx, call.id).hangup(call.leg, int(machine.DIAL_TIMEOUT_CAUSE))

    async def _on_max_duration(self, tx: Executor, job: Job) -> None:
        call = await self.rows.get(job.resource_id, tx)
        if call is None or call.status != "progressing":
            return
        await self.network(tx, call.id).hangup(call.leg, int(machine.MAX_DURATION_CAUSE))

    # -- what we ask of a call -----------------------------------------------------------

    async def chain(self, tx: Executor, call_id: str, ids: list[str]) -> None:
        """Add ``ids`` to the call's ``chained_call_ids`` (they hang up with it: ``connect``
        legs, ``chained`` calls, a queue's agent), with ``call_updated``."""
        latest = await self.rows.get(call_id, tx)
        if latest is None:
            return
        moved = await self.rows.move(
            tx,
            latest,
            {"chained_call_ids": json_text([*latest.chained_call_ids, *ids])},
            expected={"leg_id": latest.values["leg_id"]},
        )
        if moved is not None:
            await self._emit(tx, moved, machine.CALL_UPDATED)

    async def hangup(self, tx: Executor, call: CallRow, reason: str = "normal") -> CallRow:
        """Hang the call up from our side (§1.2): ``canceling`` or ``terminating`` now,
        ``hangup`` when the network confirms. Already ending: the call as it is."""
        to = machine.local_hangup_status(call.direction, call.status)
        if to is None:
            return call
        moved = await self._move(tx, call, to, {})
        if moved is None:
            latest = await self.rows.get(call.id, tx)
            assert latest is not None
            return latest
        await self.network(tx, call.id).hangup(moved.leg, int(machine.hangup_cause(reason)))
        return moved

    async def delete(self, tx: Executor, call: CallRow) -> CallRow | None:
        """Hang a live call up at once (no network confirmation awaited: the call is going)
        and soft-delete it, with ``call_deleted``."""
        if call.status != "hangup":
            ending = await self.hangup(tx, call)
            if ending.status != "hangup":
                finished = await self._finish(tx, ending, int(machine.Q850.NORMAL_CLEARING))
                call = finished or ending
        deleted = await self.rows.soft_delete(tx, call)
        if deleted is not None:
            await self._emit(tx, deleted, machine.CALL_DELETED)
        return deleted

    def require_up(self, call: CallRow) -> None:
        """``409 CALL_ALREADY_HANGUP`` for a call that has hung up or is hanging up."""
        if call.status in machine.ENDING_STATUSES:
            raise FailedPrecondition(
                "CALL_ALREADY_HANGUP", f"The call is {call.status}: it has no media any more."
            )

    async def toggle(
        self, tx: Executor, call: CallRow, toggle: Toggle, on: bool, direction: Direction = "both"
    ) -> CallRow:
        """Hold, mute, music on hold or silence, on or off; a mute's direction is kept on
        the call (``call_updated``), with upstream's unmute bookkeeping."""
        self.require_up(call)
        await self.network(tx, call.id).set_toggle(call.leg, toggle, on, direction)
        if toggle != "mute":
            return call
        stored = str(call.values["mute_direction"])
        direction = direction or "both"
        kept = direction if on else unmuted(stored, direction)
        if kept == stored:
            return call
        moved = await self.rows.move(tx, call, {"mute_direction": kept})
        if moved is None:
            return call
        await self._emit(tx, moved, machine.CALL_UPDATED)
        return moved

    async def answer(self, tx: Executor, call: CallRow) -> None:
        """Answer an incoming call that rings; ``progressing`` when the network confirms."""
        if call.direction == "incoming" and call.status == "ringing":
            await self.network(tx, call.id).answer(call.leg)

    async def play(self, tx: Executor, call: CallRow, media: Media, playback_id: str) -> None:
        """Play ``media`` to the call: ``PlaybackFinished(playback_id)`` reaches the
        listeners when it has played."""
        self.require_up(call)
        await self.network(tx, call.id).play(call.leg, playback_id, media)


def unmuted(stored: str, direction: str) -> str:
    """The mute direction left after unmuting ``direction`` (upstream's bookkeeping):
    the same direction clears it; ``both`` less one side leaves the other; anything else
    keeps what was stored."""
    if direction == stored:
        return ""
    if stored == "both" and direction in ("in", "out"):
        return "out" if direction == "in" else "in"
    return stored


def _raw(value: Any) -> bytes:
    return bytes(value) if isinstance(value, msgspec.Raw) else str(value).encode()
