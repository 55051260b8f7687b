"""Groupcalls as processes: made by ``POST /v1.0/groupcalls`` (or by ``POST /v1.0/calls`` for
an ``agent`` or ``extension`` destination), moved by what their legs do. The rules are
:mod:`.machine`'s; this service reads a groupcall, asks the rules, and writes the answer (one
conditional UPDATE) with its effects (legs dialled or hung up, its event) in the transaction
of the leg's change that caused it.

Use (the app builds one over the calls' runtime)::

    groupcalls = GroupcallRuntime(rows, calls)
    groupcalls.register()                     # hears every call's network events
    await groupcalls.create(ctx, body)        # POST /v1.0/groupcalls
    await groupcalls.hangup(tx, groupcall)    # POST .../hangup, delete

A leg is a call (its ``groupcall_id`` names the groupcall, which upstream never showed) or a
nested groupcall (``master_groupcall_id``); a nested one's answer and end are its master's
leg's. Each leg ends once: the groupcall keeps the ids of its legs still alive, so a repeated
or late network event of an ended leg counts nothing.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from voipbin.common.address import Address, validate_address
from voipbin.common.ids import EMPTY_UUID_TEXT, new_id
from voipbin.models.flows.check import check_actions
from voipbin.models.groupcall import AnswerMethod, GroupcallCreate
from voipbin.server.resources.context import CommitHook, Context
from voipbin.server.resources.references import check_references
from voipbin.server.runtime.calls.legs import CallRow
from voipbin.server.runtime.calls.service import CallRuntime, FlowRequest
from voipbin.server.runtime.carrier.base import Answered, CarrierEvent
from voipbin.server.runtime.carrier.sim import SimulatedNetwork
from voipbin.server.runtime.groupcalls import machine, planning
from voipbin.server.runtime.groupcalls.machine import Decision, LegKind
from voipbin.server.runtime.groupcalls.rows import (
    GroupcallRow,
    GroupcallRows,
    Nested,
    Plan,
)
from voipbin.server.runtime.rows import json_text
from voipbin.server.storage.database import Executor

#: How often a change is tried again when the groupcall moved under it (another leg's
#: event, on another process): each try re-reads it.
_TRIES = 8


async def _never(seconds: float, event: CarrierEvent) -> None:
    raise AssertionError("reading contacts schedules nothing")


class GroupcallRuntime:
    """Every groupcall of the server."""

    def __init__(self, rows: GroupcallRows, calls: CallRuntime) -> None:
        self.rows = rows
        self.calls = calls
        self.db = rows.repository.db

    def register(self) -> None:
        """Hear the calls' network events, and ring ``POST /v1.0/calls``' agents and
        extensions (once per process)."""
        self.calls.subscribe(self._on_call_event)
        self.calls.groupcalls = self

    async def _contacts(self, extension_id: str) -> list[Address]:
        return await SimulatedNetwork(self.calls.scripts, _never).contacts(extension_id)

    async def _emit(self, tx: Executor, groupcall: GroupcallRow, type: str) -> None:
        await self.calls.outbox.emit(
            tx, groupcall.customer_id, type, "groupcall", groupcall.id, groupcall.wire
        )

    # -- creating ------------------------------------------------------------------------

    async def create(
        self, ctx: Context, body: GroupcallCreate, commit_with: CommitHook | None = None
    ) -> msgspec.Struct:
        """``POST /v1.0/groupcalls``: every destination checked and placed, then the
        groupcall and the legs it rings first, in one transaction."""
        source = validate_address(body.source, "source")
        destinations = [
            validate_address(a, f"destinations[{i}]") for i, a in enumerate(body.destinations)
        ]
        ring = machine.ring_method(body.ring_method)
        _, refs = check_actions(body.actions)
        await check_references(ctx, {"flow_id": "flow"}, {"flow_id": body.flow_id})
        for resource, found in refs.by_resource.items():
            for path, id in found:
                await check_references(ctx, {path: resource}, {path: id})
        flow_id = str(body.flow_id) if body.flow_id is not None else None
        request = FlowRequest(flow_id, [] if flow_id else list(body.actions))
        planned = await planning.plans(ctx, source, destinations, self._contacts)
        plans = [_running(plan, request) for plan in planned]
        async with self.db.transaction() as tx:
            groupcall = await self._start(
                tx,
                ctx.customer_id,
                source,
                destinations,
                plans,
                ring,
                body.answer_method,
                flow_id,
            )
            if commit_with is not None:
                await commit_with(tx, groupcall.wire)
        return groupcall.wire

    async def plan(
        self,
        ctx: Context,
        source: Address,
        destination: Address,
        index: int,
        executor: Executor | None = None,
    ) -> Any:
        """``POST /v1.0/calls``' ``destinations[index]`` (an agent or extension): the
        addresses it rings, placed (read through ``executor``'s transaction, if given)."""
        if executor is None:
            return await planning.nested(ctx, source, destination, index, self._contacts)

        async def contacts(extension_id: str) -> list[Address]:
            network = SimulatedNetwork(self.calls.scripts.within(executor), _never)
            return await network.contacts(extension_id)

        return await planning.nested(ctx, source, destination, index, contacts, executor)

    async def start(
        self,
        tx: Executor,
        customer_id: str,
        source: Address,
        plan: Any,
        request: FlowRequest | None,
    ) -> msgspec.Struct:
        """The groupcall of a ``POST /v1.0/calls`` destination: every address at once, the
        first to answer wins (``ring_all``, ``hangup_others``, as upstream); the call that
        answers runs ``request`` (none: the legs run nothing, as a queue's agent legs)."""
        assert isinstance(plan, Nested)
        request = request or FlowRequest()
        legs = [_running(Plan(placement=p), request) for p in plan.placements]
        row = await self._start(
            tx,
            customer_id,
            source,
            plan.destinations,
            legs,
            "ring_all",
            "hangup_others",
            request.flow_id,
        )
        return row.wire

    async def _start(
        self,
        tx: Executor,
        customer_id: str,
        source: Address,
        destinations: list[Address],
        plans: list[Plan],
        ring: machine.RingMethod,
        answer: AnswerMethod,
        flow_id: str | None,
        master_groupcall_id: str | None = None,
    ) -> GroupcallRow:
        kinds: tuple[LegKind, ...] = tuple(
            "call" if p.placement is not None else "groupcall" for p in plans
        )
        decision = machine.start(ring, answer, kinds)
        state = decision.state
        values: dict[str, Any] = {
            "id": str(new_id()),
            "customer_id": customer_id,
            "status": state.status,
            "source": json_text(source),
            "destinations": json_text(destinations),
            "ring_method": ring,
            "answer_method": answer,
            "call_count": state.call_count,
            "groupcall_count": state.groupcall_count,
            "dial_index": state.dial_index,
            "plans": json_text(plans),
        }
        if flow_id is not None:
            values["flow_id"] = flow_id
        if master_groupcall_id is not None:
            values["master_groupcall_id"] = master_groupcall_id
        groupcall = await self.rows.insert(values, tx)
        groupcall = await self._dial(tx, groupcall, decision.dial)
        await self._emit(tx, groupcall, machine.GROUPCALL_CREATED)
        return groupcall

    async def _dial(
        self, tx: Executor, groupcall: GroupcallRow, indexes: tuple[int, ...]
    ) -> GroupcallRow:
        """Ring ``indexes`` of the groupcall's destinations; the groupcall with their ids."""
        plans = groupcall.plans
        call_ids = groupcall.ids("call_ids")
        groupcall_ids = groupcall.ids("groupcall_ids")
        live = groupcall.ids("live_ids")
        flow_id = str(groupcall.values["flow_id"])
        flow = None if flow_id == EMPTY_UUID_TEXT else flow_id
        for index in indexes:
            plan = plans[index]
            if plan.placement is not None:
                request = FlowRequest(flow, plan.actions, plan.variables)
                call = await self.calls.dial_leg(
                    tx, groupcall.customer_id, plan.placement, request, groupcall.id
                )
                call_ids.append(call.id)
                live.append(call.id)
            else:
                assert plan.nested is not None
                nested = plan.nested
                source = msgspec.json.decode(_raw(groupcall.values["source"]), type=Address)
                child = await self._start(
                    tx,
                    groupcall.customer_id,
                    source,
                    nested.destinations,
                    [
                        Plan(placement=p, actions=plan.actions, variables=plan.variables)
                        for p in nested.placements
                    ],
                    machine.ring_method(nested.ring_method),
                    "hangup_others",
                    flow,
                    master_groupcall_id=groupcall.id,
                )
                groupcall_ids.append(child.id)
                live.append(child.id)
        updated = await self.rows.repository.update(
            groupcall.id,
            {
                "call_ids": json_text(call_ids),
                "groupcall_ids": json_text(groupcall_ids),
                "live_ids": json_text(live),
            },
            executor=tx,
        )
        assert updated is not None
        return GroupcallRow(dict(zip(self.rows.repository.fields, updated, strict=True)))

    # -- applying a rule -----------------------------------------------------------------

    async def _apply(
        self,
        tx: Executor,
        groupcall: GroupcallRow,
        decision: Decision,
        *,
        live: list[str] | None = None,
        answered_by: LegKind = "call",
    ) -> bool:
        """Write ``decision`` (if the groupcall is still as read) and do what it asks;
        whether it was written."""
        state = decision.state
        values: dict[str, Any] = {
            "status": state.status,
            "call_count": state.call_count,
            "groupcall_count": state.groupcall_count,
            "dial_index": state.dial_index,
        }
        if live is not None:
            values["live_ids"] = json_text(live)
        answer = str(state.answer_id) if state.answer_id is not None else None
        if answer is not None and answer != groupcall.answer_id:
            values[f"answer_{answered_by}_id"] = answer
        moved = await self.rows.move(tx, groupcall, values)
        if moved is None:
            return False
        if decision.dial:
            moved = await self._dial(tx, moved, decision.dial)
        if decision.event is not None:
            await self._emit(tx, moved, decision.event)
        if decision.hang_up_legs:
            keep = str(decision.keep) if decision.keep is not None else None
            await self._hang_up_legs(tx, moved, keep)
        master = str(moved.values["master_groupcall_id"])
        if master != EMPTY_UUID_TEXT:
            if decision.event == machine.GROUPCALL_PROGRESSING:
                await self._leg_answered(tx, master, moved.id, "groupcall")
            elif decision.event == machine.GROUPCALL_HANGUP:
                await self._leg_ended(tx, master, moved.id, "groupcall")
        return True

    async def _hang_up_legs(self, tx: Executor, groupcall: GroupcallRow, keep: str | None) -> None:
        """A local hangup of every live leg but ``keep`` (a ringing call ends ``cancel``)."""
        nested = set(groupcall.ids("groupcall_ids"))
        for leg_id in groupcall.ids("live_ids"):
            if leg_id == keep:
                continue
            if leg_id in nested:
                child = await self.rows.get(leg_id, tx)
                if child is not None:
                    await self.hangup(tx, child)
                continue
            call = await self.calls.rows.get(leg_id, tx)
            if call is not None:
                await self.calls.hangup(tx, call)

    async def _leg_answered(
        self, tx: Executor, groupcall_id: str, leg_id: str, kind: LegKind
    ) -> None:
        for _ in range(_TRIES):
            groupcall = await self.rows.get(groupcall_id, tx)
            if groupcall is None or leg_id not in groupcall.ids("live_ids"):
                return
            decision = machine.leg_answered(groupcall.state, UUID(leg_id))
            if decision.event is None:
                return
            if await self._apply(tx, groupcall, decision, answered_by=kind):
                return
        raise RuntimeError(f"groupcall {groupcall_id} kept changing while a leg answered")

    async def _leg_ended(self, tx: Executor, groupcall_id: str, leg_id: str, kind: LegKind) -> None:
        for _ in range(_TRIES):
            groupcall = await self.rows.get(groupcall_id, tx)
            if groupcall is None or groupcall.status == "hangup":
                return
            live = groupcall.ids("live_ids")
            if leg_id not in live:
                return
            decision = machine.leg_ended(
                groupcall.state, kind, master_alive=await self._master_alive(tx, groupcall)
            )
            remaining = [id for id in live if id != leg_id]
            if await self._apply(tx, groupcall, decision, live=remaining):
                return
        raise RuntimeError(f"groupcall {groupcall_id} kept changing while a leg ended")

    async def _master_alive(self, tx: Executor, groupcall: GroupcallRow) -> bool:
        master = str(groupcall.values["master_groupcall_id"])
        if master == EMPTY_UUID_TEXT:
            return True
        found = await self.rows.get(master, tx)
        return found is not None and found.status == "progressing"

    async def _on_call_event(self, tx: Executor, call: CallRow, event: CarrierEvent) -> None:
        """A leg's answer, or its end, is its groupcall's (in the call's transaction)."""
        groupcall_id = str(call.values["groupcall_id"])
        if groupcall_id == EMPTY_UUID_TEXT:
            return
        if isinstance(event, Answered) and call.status == "progressing":
            await self._leg_answered(tx, groupcall_id, call.id, "call")
        elif call.status == "hangup":
            await self._leg_ended(tx, groupcall_id, call.id, "call")

    # -- what we ask of a groupcall ------------------------------------------------------

    async def hangup(self, tx: Executor, groupcall: GroupcallRow) -> GroupcallRow:
        """Hang up every leg (``hangingup`` until they have ended, then ``hangup``).
        Already ending: the groupcall as it is."""
        for _ in range(_TRIES):
            decision = machine.hangup_requested(groupcall.state)
            if decision.state.status == groupcall.status:
                return groupcall
            if await self._apply(tx, groupcall, decision):
                break
            latest = await self.rows.get(groupcall.id, tx)
            assert latest is not None
            groupcall = latest
        latest = await self.rows.get(groupcall.id, tx)
        assert latest is not None
        return latest

    async def delete(self, tx: Executor, groupcall: GroupcallRow) -> None:
        """Hang every leg up and end the groupcall at once (its legs end on their own),
        then soft-delete it, with ``groupcall_deleted``."""
        groupcall = await self.hangup(tx, groupcall)
        if groupcall.status == "hangingup":
            await self._apply(tx, groupcall, machine.deleted(groupcall.state), live=[])
            latest = await self.rows.get(groupcall.id, tx)
            assert latest is not None
            groupcall = latest
        deleted = await self.rows.soft_delete(tx, groupcall)
        if deleted is not None:
            await self._emit(tx, deleted, machine.GROUPCALL_DELETED)


def _running(plan: Plan, request: FlowRequest) -> Plan:
    """``plan`` with what its calls run besides the groupcall's flow: ``request``'s inline
    actions (none when it names a flow: the flow wins) and variables."""
    actions = [] if request.flow_id is not None else list(request.actions)
    return msgspec.structs.replace(plan, actions=actions, variables=dict(request.variables))


def _raw(value: Any) -> bytes:
    return bytes(value) if isinstance(value, msgspec.Raw) else str(value).encode()
