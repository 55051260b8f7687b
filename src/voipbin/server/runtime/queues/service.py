"""Queuecalls as processes (``behaviour-flows-webhooks.md`` §6.1, with our fixes): made by a
call flow's ``queue_join``, served by a durable dispatcher, moved by what the caller's and the
agent's calls do. The rules are :mod:`.machine`'s; every move is one UPDATE conditional on
the queuecall's status, written with its event, its queue's lists and counters, the agent's
status and the jobs it schedules, in the transaction of what caused it.

Use (the app builds one over the calls, groupcalls and flows)::

    queues = QueueRuntime(queues, queuecalls, agents, calls, groupcalls, runner, context_for)
    queues.register()          # job kinds, the flows' queue_join, the calls' events

- **Joining**: ``queue_join`` makes the queuecall (``queuecall_created``, then
  ``queuecall_waiting``), arms the wait timeout and answers the flow with the queue's wait
  flow, which the caller hears in a loop (:mod:`voipbin.server.runtime.flows.queueing`).
- **Dispatching**: a ``queue.dispatch`` job per queue runs while callers wait, on whichever
  process claims it: it takes the caller who came first, claims an available agent sharing a
  tag with the queue (``available -> ringing``, one conditional UPDATE) and rings the agent's
  addresses as a groupcall (``connecting``); with no agent free it looks again a second later.
- **Serving**: the agent's leg answering bridges it with the caller (chained to the caller's
  call, as ``connect`` does) and the caller's wait flow stops (``service``; the agent
  ``busy``). Either side hanging up ends the service (``done``; the agent ``available``);
  the caller's flow, if its call is still up, goes on after ``queue_join``.
- **Not served**: the agent not answering puts the caller back in line at its place and the
  agent back to ``available`` (upstream leaves the agent's status alone; an agent rung in
  vain is free again at once here). A caller hanging up before service is ``abandoned``; an
  agent still ringing for it rings on (its call was placed, as upstream's), and is hung up
  if it answers; either way it is ``available`` again. Kicks and timeouts
  (``wait_timeout`` while waiting, ``service_timeout`` while served) take the caller out:
  its flow goes on after ``queue_join``.

Job kinds: ``queue.dispatch`` (for a queue), ``queuecall.wait_timeout`` and
``queuecall.service_timeout`` (for a queuecall).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from voipbin.common.address import Address
from voipbin.common.errors import ApiError, FailedPrecondition
from voipbin.common.ids import EMPTY_UUID_TEXT
from voipbin.models.flows.actions import FlowAction
from voipbin.models.queue import QueuecallStatus
from voipbin.server.resources.context import Context
from voipbin.server.runtime.calls import machine as call_machine
from voipbin.server.runtime.calls.legs import CallRow
from voipbin.server.runtime.calls.service import CallRuntime
from voipbin.server.runtime.carrier.base import Answered, CarrierEvent
from voipbin.server.runtime.flows import commands as c
from voipbin.server.runtime.flows import events as e
from voipbin.server.runtime.flows.runner import FlowRunner, flow_of
from voipbin.server.runtime.flows.state import FlowState
from voipbin.server.runtime.groupcalls.service import GroupcallRuntime
from voipbin.server.runtime.jobs import Job
from voipbin.server.runtime.queues import machine
from voipbin.server.runtime.queues.agents import AgentPool
from voipbin.server.runtime.queues.rows import QueuecallRow, QueuecallRows, QueueRow, QueueRows
from voipbin.server.runtime.rows import json_text
from voipbin.server.storage.database import Executor

log = logging.getLogger("voipbin.runtime.queues")

DISPATCH = "queue.dispatch"
WAIT_TIMEOUT = "queuecall.wait_timeout"
SERVICE_TIMEOUT = "queuecall.service_timeout"
#: How long the dispatcher waits to look again when no agent could be rung (upstream's).
RETRY_SECONDS = 1.0

#: The context a queue rings its agents in, for a customer (balance, identity, routes).
ContextFor = Callable[[str], Context]


class QueueRuntime:
    """Every queue and queuecall of the server."""

    def __init__(
        self,
        queues: QueueRows,
        queuecalls: QueuecallRows,
        agents: AgentPool,
        calls: CallRuntime,
        groupcalls: GroupcallRuntime,
        runner: FlowRunner,
        context_for: ContextFor,
        rng: random.Random | None = None,
    ) -> None:
        self.queues = queues
        self.queuecalls = queuecalls
        self.agents = agents
        self.calls = calls
        self.groupcalls = groupcalls
        self.runner = runner
        self.jobs = calls.jobs
        self.context_for = context_for
        self.rng = rng or random.Random()
        self.db = queuecalls.repository.db

    def register(self) -> None:
        """Register the job kinds, carry out the flows' ``queue_join`` and hear the calls
        (once per process, after the groupcalls have registered)."""
        self.jobs.register(DISPATCH, self._on_dispatch)
        self.jobs.register(WAIT_TIMEOUT, self._on_wait_timeout)
        self.jobs.register(SERVICE_TIMEOUT, self._on_service_timeout)
        self.runner.carry_out(c.QueueJoin, self._join)
        self.calls.subscribe(self._on_call_event)
        self.calls.on_hangup(self._on_hangup)

    def _now(self) -> datetime:
        return self.jobs.clock.now()

    # -- moving a queuecall ----------------------------------------------------------------

    async def _move(
        self,
        tx: Executor,
        queuecall: QueuecallRow,
        to: QueuecallStatus,
        values: dict[str, Any] | None = None,
    ) -> QueuecallRow | None:
        """``queuecall -> to`` (if still as read) with its event and its queue's change."""
        if not machine.can_move(queuecall.status, to):
            return None
        now = self._now()
        written: dict[str, Any] = {"status": to, **(values or {})}
        if to in ("done", "abandoned"):
            written["tm_end"] = now
            await self.jobs.cancel(tx, WAIT_TIMEOUT, queuecall.id)
            await self.jobs.cancel(tx, SERVICE_TIMEOUT, queuecall.id)
        if to == "abandoned" or to == "service":
            start = queuecall.time("tm_create")
            written["duration_waiting"] = machine.milliseconds(start, now)
        if to == "done":
            written["duration_service"] = machine.milliseconds(queuecall.time("tm_service"), now)
        moved = await self.queuecalls.move(tx, queuecall, written)
        if moved is None:
            return None
        await self._emit(tx, moved, machine.EVENTS[to])
        change = machine.queue_change(queuecall.status, to)
        await self.queues.change(tx, str(moved.values["queue_id"]), moved.id, change)
        return moved

    async def _emit(self, tx: Executor, queuecall: QueuecallRow, type: str) -> None:
        await self.calls.outbox.emit(
            tx, queuecall.customer_id, type, "queuecall", queuecall.id, queuecall.wire
        )

    async def _dispatch_soon(self, tx: Executor, queue_id: str, seconds: float = 0.0) -> None:
        """Run the queue's dispatcher ``seconds`` from now (one pending run per queue)."""
        await self.jobs.cancel(tx, DISPATCH, queue_id)
        due = self._now() + timedelta(seconds=seconds)
        await self.jobs.schedule(tx, DISPATCH, queue_id, due)

    async def _flow_goes_on(self, tx: Executor, queuecall: QueuecallRow) -> None:
        """The caller's flow continues after its ``queue_join`` (if its call is up)."""
        activeflow_id = queuecall.ref("reference_activeflow_id")
        if activeflow_id is not None:
            event = e.QueueLeft(queuecall_id=UUID(queuecall.id))
            await self.runner.schedule(tx, activeflow_id, event, due_in=0)

    async def _release(self, tx: Executor, agent_id: str | None, current: str) -> None:
        """The agent is free again (from ``current``): ``available``."""
        if agent_id is not None:
            await self.agents.move(tx, agent_id, current, "available", self._now())

    # -- joining ---------------------------------------------------------------------------

    async def _join(self, tx: Executor, flow: FlowState, command: c.Command) -> None:
        """``queue_join``: the caller waits in the queue; the flow is told so (or why not)."""
        assert isinstance(command, c.QueueJoin)
        activeflow_id = str(flow.id)
        queuecall_id = str(command.queuecall_id)
        queue = await self.queues.get(str(command.queue_id), tx)
        call = None
        if flow.reference_type == "call":
            call = await self.calls.rows.get(str(flow.reference_id), tx)
        error = ""
        if queue is None or not queue.live or queue.customer_id != str(flow.customer_id):
            error = f"queue {command.queue_id} is no live queue of the customer"
        elif call is None or call.status in call_machine.ENDING_STATUSES:
            error = "the call is not up"
        if error or queue is None or call is None:
            answer = e.QueueWaiting(
                token=command.token, queuecall_id=command.queuecall_id, error=error
            )
            await self.runner.schedule(tx, activeflow_id, answer, due_in=0)
            return
        queuecall = await self._insert(tx, queue, call, activeflow_id, queuecall_id)
        waiting = await self._move(tx, queuecall, "waiting")
        assert waiting is not None
        timeout = int(queue.values["wait_timeout"])
        if timeout > 0:
            due = self._now() + timedelta(milliseconds=timeout)
            await self.jobs.schedule(tx, WAIT_TIMEOUT, queuecall_id, due)
        answer = e.QueueWaiting(
            token=command.token,
            queuecall_id=command.queuecall_id,
            actions=await self._wait_actions(tx, queue),
            variables=_variables(queue, waiting),
        )
        await self.runner.schedule(tx, activeflow_id, answer, due_in=0)
        await self._dispatch_soon(tx, queue.id)

    async def _insert(
        self, tx: Executor, queue: QueueRow, call: CallRow, activeflow_id: str, id: str
    ) -> QueuecallRow:
        q = queue.values
        values = {
            "id": id,
            "customer_id": queue.customer_id,
            "queue_id": queue.id,
            "reference_type": "call",
            "reference_id": call.id,
            "reference_activeflow_id": activeflow_id,
            "status": "initiating",
            "source": json_text(call.source),
            "routing_method": q["routing_method"],
            "tag_ids": json_text(queue.ids("tag_ids")),
            "timeout_wait": int(q["wait_timeout"]),
            "timeout_service": int(q["service_timeout"]),
        }
        queuecall = await self.queuecalls.insert(values, tx)
        await self._emit(tx, queuecall, machine.QUEUECALL_CREATED)
        return queuecall

    async def _wait_actions(self, tx: Executor, queue: QueueRow) -> list[FlowAction]:
        flow_id = str(queue.values["wait_flow_id"])
        if flow_id == EMPTY_UUID_TEXT:
            return []
        found = await flow_of(self.runner.flows, queue.customer_id, UUID(flow_id), tx)
        if found is None:
            log.info(
                "queue %s: its wait flow %s is gone; callers wait in silence", queue.id, flow_id
            )
            return []
        return found[0]

    # -- dispatching -----------------------------------------------------------------------

    async def _on_dispatch(self, tx: Executor, job: Job) -> None:
        queue = await self.queues.get(job.resource_id, tx)
        if queue is None:
            return
        line = await self.queuecalls.line(tx, queue.id)
        if not line:
            return  # nobody waits: the dispatcher rests until someone joins
        if not queue.live:
            for queuecall in line:  # a deleted queue serves nobody: its callers go on
                await self.kick(tx, queuecall)
            return
        first = line[0]
        if await self._offer(tx, first):
            if len(line) > 1:
                await self._dispatch_soon(tx, queue.id)
            return
        await self._dispatch_soon(tx, queue.id, RETRY_SECONDS)

    async def _offer(self, tx: Executor, queuecall: QueuecallRow) -> bool:
        """Ring an available agent for ``queuecall`` (the first claimed that has an address
        to ring); whether one rings."""
        caller = await self.calls.rows.get(str(queuecall.values["reference_id"]), tx)
        if caller is None or caller.status in call_machine.ENDING_STATUSES:
            return False  # its hangup abandons it
        candidates = await self.agents.available(tx, queuecall.customer_id, queuecall.tag_ids)
        ctx = self.context_for(queuecall.customer_id)
        # The agent sees our side of the call: the number called, for an incoming call.
        source = caller.destination if caller.direction == "incoming" else caller.source
        for agent_id in machine.routed(
            str(queuecall.values["routing_method"]), candidates, self.rng
        ):
            if not await self.agents.move(tx, agent_id, "available", "ringing", self._now()):
                continue  # taken meanwhile (another dispatcher, the agent itself)
            destination = Address(type="agent", target=agent_id)
            try:
                plan = await self.groupcalls.plan(ctx, source, destination, 0, tx)
            except ApiError as error:
                log.info("queuecall %s: agent %s cannot be rung: %s", queuecall.id, agent_id, error)
                await self._release(tx, agent_id, "ringing")
                continue
            groupcall = await self.groupcalls.start(tx, queuecall.customer_id, source, plan, None)
            values = {
                "service_agent_id": agent_id,
                "service_groupcall_id": str(getattr(groupcall, "id")),  # noqa: B009
            }
            if await self._move(tx, queuecall, "connecting", values) is None:
                await self._release(tx, agent_id, "ringing")
                return False
            return True
        return False

    # -- what the calls do -----------------------------------------------------------------

    async def _on_call_event(self, tx: Executor, call: CallRow, event: CarrierEvent) -> None:
        """An agent's leg answered or ended (after its groupcall heard it)."""
        groupcall_id = str(call.values["groupcall_id"])
        if groupcall_id == EMPTY_UUID_TEXT:
            return
        if not (isinstance(event, Answered) and call.status == "progressing") and (
            call.status != "hangup"
        ):
            return
        queuecall = await self.queuecalls.of_groupcall(tx, groupcall_id)
        if queuecall is None:
            return
        if call.status == "progressing":
            await self._agent_answered(tx, queuecall, call)
        else:
            await self._agent_leg_ended(tx, queuecall, call, groupcall_id)

    async def _agent_answered(self, tx: Executor, queuecall: QueuecallRow, leg: CallRow) -> None:
        agent_id = queuecall.ref("service_agent_id")
        caller = await self.calls.rows.get(str(queuecall.values["reference_id"]), tx)
        up = caller is not None and caller.status not in call_machine.ENDING_STATUSES
        if queuecall.status != "connecting" or not up or caller is None:
            # Nobody to bridge with (the caller left): the agent's call ends, the agent is
            # free; the queuecall keeps what it is.
            await self.calls.hangup(tx, leg)
            if queuecall.status == "abandoned":
                await self._forget_agent(tx, queuecall, "ringing")
            return
        now = self._now()
        served = await self._move(
            tx, queuecall, "service", {"service_call_id": leg.id, "tm_service": now}
        )
        if served is None:
            await self.calls.hangup(tx, leg)
            return
        if agent_id is not None:
            await self.agents.move(tx, agent_id, "ringing", "busy", now)
        # Bridged as a ``connect`` leg is: chained, it hangs up with the caller.
        await self.calls.chain(tx, caller.id, [leg.id])
        activeflow_id = served.ref("reference_activeflow_id")
        if activeflow_id is not None:
            event = e.QueueServing(queuecall_id=UUID(served.id))
            await self.runner.schedule(tx, activeflow_id, event, due_in=0)
        timeout = int(served.values["timeout_service"])
        if timeout > 0:
            due = now + timedelta(milliseconds=timeout)
            await self.jobs.schedule(tx, SERVICE_TIMEOUT, served.id, due)

    async def _agent_leg_ended(
        self, tx: Executor, queuecall: QueuecallRow, leg: CallRow, groupcall_id: str
    ) -> None:
        if queuecall.status == "service":
            if leg.id == queuecall.ref("service_call_id"):
                await self._service_over(tx, queuecall)
            return
        groupcall = await self.groupcalls.rows.get(groupcall_id, tx)
        if groupcall is None or groupcall.status != "hangup" or groupcall.answer_id is not None:
            return  # other addresses still ring
        if queuecall.status == "connecting":
            await self._unanswered(tx, queuecall)
        elif queuecall.status == "abandoned":
            await self._forget_agent(tx, queuecall, "ringing")

    async def _unanswered(self, tx: Executor, queuecall: QueuecallRow) -> None:
        """The agent rung did not answer: free again; the caller back in line at its place
        (its ``tm_create`` keeps it there), or out when its wait is over."""
        agent_id = queuecall.ref("service_agent_id")
        back = await self._move(
            tx,
            queuecall,
            "waiting",
            {"service_agent_id": EMPTY_UUID_TEXT, "service_groupcall_id": EMPTY_UUID_TEXT},
        )
        if back is None:
            return
        await self._release(tx, agent_id, "ringing")
        timeout = int(back.values["timeout_wait"])
        created = back.time("tm_create")
        over = created is not None and self._now() >= created + timedelta(milliseconds=timeout)
        if timeout > 0 and over:
            await self.kick(tx, back)
            return
        await self._dispatch_soon(tx, str(back.values["queue_id"]))

    async def _forget_agent(self, tx: Executor, queuecall: QueuecallRow, current: str) -> None:
        """The agent rung for a caller who left is free again (once: the queuecall lets go
        of the groupcall in the same conditional write)."""
        agent_id = queuecall.ref("service_agent_id")
        moved = await self.queuecalls.update(
            tx,
            queuecall.id,
            {"service_groupcall_id": EMPTY_UUID_TEXT},
            {
                "status": queuecall.status,
                "service_groupcall_id": queuecall.values["service_groupcall_id"],
            },
        )
        if moved is not None:
            await self._release(tx, agent_id, current)
            await self._dispatch_soon(tx, str(queuecall.values["queue_id"]))

    async def _service_over(self, tx: Executor, queuecall: QueuecallRow) -> None:
        """The agent's side of the service ended: ``done``, the agent free, the caller's
        flow goes on."""
        done = await self._move(tx, queuecall, "done")
        if done is None:
            return
        await self._release(tx, done.ref("service_agent_id"), "busy")
        await self._flow_goes_on(tx, done)
        await self._dispatch_soon(tx, str(done.values["queue_id"]))

    async def _on_hangup(self, tx: Executor, call: CallRow) -> None:
        """A caller hung up: unserved it is ``abandoned``, served the service is ``done``
        (its agent's leg, chained, hangs up with it)."""
        if str(call.values["groupcall_id"]) != EMPTY_UUID_TEXT:
            return  # an agent's leg: heard by _on_call_event
        queuecall = await self.queuecalls.active_of_call(tx, call.id)
        if queuecall is None:
            return
        if queuecall.status == "service":
            done = await self._move(tx, queuecall, "done")
            if done is not None:
                await self._release(tx, done.ref("service_agent_id"), "busy")
                await self._dispatch_soon(tx, str(done.values["queue_id"]))
            return
        await self._move(tx, queuecall, "abandoned")

    # -- kicks and timeouts ----------------------------------------------------------------

    async def kick(self, tx: Executor, queuecall: QueuecallRow) -> QueuecallRow:
        """Take the caller out of the queue: unserved it is ``abandoned``, served the agent's
        call is hung up and the service is ``done``; its flow goes on after ``queue_join``.
        ``409 QUEUECALL_STATE_INVALID`` for a queuecall that is over."""
        if queuecall.status == "service":
            leg_id = queuecall.ref("service_call_id")
            leg = None if leg_id is None else await self.calls.rows.get(leg_id, tx)
            moved = await self._move(tx, queuecall, "done")
            if moved is not None:
                await self._release(tx, moved.ref("service_agent_id"), "busy")
                if leg is not None:
                    await self.calls.hangup(tx, leg)
                await self._dispatch_soon(tx, str(moved.values["queue_id"]))
        elif queuecall.status in machine.ACTIVE:
            moved = await self._move(tx, queuecall, "abandoned")
        else:
            raise FailedPrecondition(
                "QUEUECALL_STATE_INVALID", f"The queuecall is {queuecall.status}: it is over."
            )
        if moved is None:
            raise FailedPrecondition("QUEUECALL_STATE_INVALID", "The queuecall moved meanwhile.")
        await self._flow_goes_on(tx, moved)
        return moved

    async def _on_wait_timeout(self, tx: Executor, job: Job) -> None:
        queuecall = await self.queuecalls.get(job.resource_id, tx)
        if queuecall is not None and queuecall.status == "waiting":
            await self.kick(tx, queuecall)
        # connecting: the agent rung decides; back in line past its time, it is kicked then

    async def _on_service_timeout(self, tx: Executor, job: Job) -> None:
        queuecall = await self.queuecalls.get(job.resource_id, tx)
        if queuecall is not None and queuecall.status == "service":
            await self.kick(tx, queuecall)

    async def delete(self, tx: Executor, queuecall: QueuecallRow) -> None:
        """Kick the queuecall if it is not over, then soft-delete it (``queuecall_deleted``)."""
        if queuecall.status in machine.ACTIVE:
            queuecall = await self.kick(tx, queuecall)
        deleted = await self.queuecalls.soft_delete(tx, queuecall)
        if deleted is not None:
            await self._emit(tx, deleted, machine.QUEUECALL_DELETED)


def _variables(queue: QueueRow, queuecall: QueuecallRow) -> dict[str, str]:
    """The ``voipbin.queue.*`` and ``voipbin.queuecall.*`` variables (upstream's names)."""
    return {
        "voipbin.queue.id": queue.id,
        "voipbin.queue.name": str(queue.values["name"]),
        "voipbin.queue.detail": str(queue.values["detail"]),
        "voipbin.queuecall.id": queuecall.id,
        "voipbin.queuecall.timeout_wait": str(queuecall.values["timeout_wait"]),
        "voipbin.queuecall.timeout_service": str(queuecall.values["timeout_service"]),
    }
