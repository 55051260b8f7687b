"""Campaigns as processes: a durable dialer per running campaign, on whichever process claims
it, dialling the campaign's outdial targets with its outplan's rules (:mod:`.machine`).

Use (the app builds one over the calls)::

    campaigns = CampaignRuntime(campaigns, campaigncalls, targets, outplans, outdials,
                                queues, agents, calls, context_for)
    campaigns.register()       # job kinds, the calls' events and hangups

- **Running**: ``run`` (checked: a live outplan and outdial; a queue for ``type: call``,
  actions for ``type: flow``) moves the campaign to ``run`` (``campaign_status_run``) and
  schedules its ``campaign.dial`` job (each run first clears the runs pending).
- **Dialling**: the job reads how many dials the campaign may start now
  (:func:`.machine.capacity`), takes that many due idle targets of the outdial, oldest
  first, claims each (``idle -> progressing``, its try counted, one conditional UPDATE: a
  target claimed by another dialer is skipped) and dials its next destination from the
  outplan's ``source`` as a call running the campaign's actions (``type: call``: then
  ``queue_join`` of its queue), with a campaigncall (``dialing``). The outplan's
  ``dial_timeout`` hangs up a call not answered in time. The job runs again when a
  campaigncall ends, when the next target is due, and every :data:`POLL_SECONDS` (agents
  becoming available are not announced).
- **Hearing the calls**: the call answered makes its campaigncall ``progressing``; its
  hangup makes it ``done`` (``success`` when answered, else ``fail``) and settles its
  target (:func:`.machine.target_after`).
- **Ending**: with no target idle or being dialled left, an ``end_handle: stop`` campaign
  stops (``stop_reason: end``) and its ``next_campaign_id`` is set running; ``continue``
  keeps looking for new targets. A stop (the customer's, a balance that cannot pay a dial,
  a dial refused for every target alike, an outplan, outdial or queue gone) is
  ``stopping`` while its calls are live and ``stop`` once none is.

Job kinds: ``campaign.dial`` (for a campaign), ``campaigncall.dial_timeout`` (for a
campaigncall).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec

from voipbin.common.address import Address
from voipbin.common.errors import ApiError, FieldError, PaymentRequired, Unprocessable
from voipbin.common.ids import new_id
from voipbin.models.campaign import CampaignStatus
from voipbin.models.flows.actions import ACTIONS, FlowAction
from voipbin.models.flows.check import check_actions
from voipbin.models.flows.options import QueueJoinOption
from voipbin.server.resources.context import Context
from voipbin.server.runtime.calls.legs import CallRow
from voipbin.server.runtime.calls.placing import place, require_identity
from voipbin.server.runtime.calls.service import CallRuntime, FlowRequest
from voipbin.server.runtime.campaigns import machine
from voipbin.server.runtime.campaigns.rows import (
    CampaigncallRow,
    CampaigncallRows,
    CampaignRow,
    CampaignRows,
)
from voipbin.server.runtime.campaigns.targets import Due, TargetPool, TargetRow
from voipbin.server.runtime.carrier.base import Answered, CarrierEvent
from voipbin.server.runtime.jobs import Job
from voipbin.server.runtime.queues.agents import AgentPool
from voipbin.server.runtime.rows import json_text, raw_json
from voipbin.server.storage.database import Executor
from voipbin.server.storage.repository import Repository

log = logging.getLogger("voipbin.runtime.campaigns")

DIAL = "campaign.dial"
DIAL_TIMEOUT = "campaigncall.dial_timeout"
#: How often a running campaign's dialer looks again with nothing else to wake it
#: (upstream's 5 s between two looks when it cannot dial).
POLL_SECONDS = 5.0
#: The most idle targets one look reads (the due ones among them are dialled).
SCAN = 1000
#: The most campaigncalls counted per status (more than any capacity allows).
COUNT_LIMIT = 10_001

#: What one dial of a target made of it.
DIALLED, SPENT, TAKEN = "dialled", "spent", "taken"

#: The context a campaign places its calls in, for a customer (balance, identity, routes).
ContextFor = Callable[[str], Context]

_OUTPLAN = (
    "customer_id",
    "source",
    "dial_timeout",
    "try_interval",
    *(f"max_try_count_{i}" for i in machine.INDEXES),
)
_address = msgspec.json.Decoder(Address)
_ids = msgspec.json.Decoder(list[str])


class Halt(Exception):
    """A dial refused for a reason that holds for every target: the campaign stops."""

    def __init__(self, reason: str, error: ApiError) -> None:
        super().__init__(reason)
        self.reason = reason
        self.error = error


def _about_destination(error: ApiError) -> bool:
    """Whether ``error`` refuses the destination dialled (a field of ``destinations``)."""
    return any(
        isinstance(d, FieldError) and d.field.startswith("destinations") for d in error.details
    )


@dataclass(frozen=True)
class Plan:
    """What a running campaign dials with: its outplan's rules and its outdial."""

    outplan_id: str
    outdial_id: str
    source: Address
    dial_timeout_ms: int
    try_interval_ms: int
    max_try_counts: list[int]
    queue_tag_ids: list[str] | None
    """The queue's tags (``type: call``); ``None`` for ``type: flow``."""


class CampaignRuntime:
    """Every campaign and campaigncall of the server."""

    def __init__(
        self,
        campaigns: CampaignRows,
        campaigncalls: CampaigncallRows,
        targets: TargetPool,
        outplans: Repository,
        outdials: Repository,
        queues: Repository,
        agents: AgentPool,
        calls: CallRuntime,
        context_for: ContextFor,
    ) -> None:
        self.campaigns = campaigns
        self.campaigncalls = campaigncalls
        self.targets = targets
        self.outplans = outplans
        self.outdials = outdials
        self.queues = queues
        self.agents = agents
        self.calls = calls
        self.jobs = calls.jobs
        self.context_for = context_for
        self.db = campaigns.repository.db

    def register(self) -> None:
        """Register the job kinds and hear the calls (once per process)."""
        self.jobs.register(DIAL, self._on_dial)
        self.jobs.register(DIAL_TIMEOUT, self._on_dial_timeout)
        self.calls.subscribe(self._on_call_event)
        self.calls.on_hangup(self._on_hangup)

    def _now(self) -> datetime:
        return self.jobs.clock.now()

    async def emit(self, tx: Executor, row: CampaignRow | CampaigncallRow, type: str) -> None:
        kind = "campaign" if isinstance(row, CampaignRow) else "campaigncall"
        await self.calls.outbox.emit(tx, row.customer_id, type, kind, row.id, row.wire)

    # -- a campaign's status ---------------------------------------------------------------

    async def _move(
        self, tx: Executor, campaign: CampaignRow, to: CampaignStatus, reason: str
    ) -> CampaignRow | None:
        """``campaign -> to`` (if still as read), with its event and what it starts."""
        if not machine.can_move(campaign.status, to):
            return None
        moved = await self.campaigns.move(
            tx, campaign, {"status": to, "stop_reason": "" if to == "run" else reason}
        )
        if moved is None:
            return None
        await self.emit(tx, moved, machine.EVENTS[to])
        if to == "run":
            await self.wake(tx, moved.id)
        elif to == "stop" and reason == machine.AT_END:
            await self._run_next(tx, moved)
        return moved

    async def run(self, tx: Executor, campaign: CampaignRow) -> CampaignRow:
        """Start the campaign's dialer; ``422 CAMPAIGN_NOT_RUNNABLE`` naming what it lacks.
        A running campaign is answered as it is."""
        if campaign.status == "run":
            return campaign
        plan = await self._plan(tx, campaign)
        if not isinstance(plan, Plan):
            raise Unprocessable.field(plan[0], plan[1], "CAMPAIGN_NOT_RUNNABLE")
        moved = await self._move(tx, campaign, "run", "")
        return moved or campaign

    async def stop(self, tx: Executor, campaign: CampaignRow, reason: str) -> CampaignRow:
        """No new dials: ``stopping`` while its calls are live, ``stop`` once none is (a
        stopped or stopping campaign is answered as it is)."""
        if campaign.status != "run":
            return campaign
        live = await self.campaigncalls.live(tx, campaign.id, 1)
        moved = await self._move(tx, campaign, machine.stop_status(live), reason)
        return moved or campaign

    async def _stopped(self, tx: Executor, campaign_id: str) -> None:
        """A ``stopping`` campaign whose last call ended is ``stop``."""
        campaign = await self.campaigns.get(campaign_id, tx)
        if campaign is None or campaign.status != "stopping":
            return
        if await self.campaigncalls.live(tx, campaign.id, 1) == 0:
            await self._move(tx, campaign, "stop", str(campaign.values["stop_reason"]))

    async def _run_next(self, tx: Executor, campaign: CampaignRow) -> None:
        """The campaign ended with its targets: its next campaign runs (if it can)."""
        next_id = campaign.ref("next_campaign_id")
        if next_id is None or next_id == campaign.id:
            return
        following = await self.campaigns.get(next_id, tx)
        if following is None or not following.live:
            return
        if following.customer_id != campaign.customer_id:
            return
        try:
            async with tx.savepoint():
                await self.run(tx, following)
        except ApiError as error:
            log.info("campaign %s: next campaign %s cannot run: %s", campaign.id, next_id, error)

    async def wake(self, tx: Executor, campaign_id: str, seconds: float = 0.0) -> None:
        """Run the campaign's dialer ``seconds`` from now. Only the dialer cancels its
        pending runs, as the first write of each run: a request or a call's hangup that
        deleted a job row the dialer holds, while the dialer waits for a row they hold,
        would deadlock the two (a stopped or deleted campaign's runs do nothing)."""
        due = self._now() + timedelta(seconds=seconds)
        await self.jobs.schedule(tx, DIAL, campaign_id, due)

    # -- what a campaign dials with ----------------------------------------------------------

    async def _plan(self, tx: Executor, campaign: CampaignRow) -> Plan | tuple[str, str]:
        """The campaign's plan, or the field (and why) that keeps it from running."""
        customer_id = campaign.customer_id
        outplan_id = campaign.ref("outplan_id")
        outplan = None
        if outplan_id is not None:
            outplan = await self.outplans.find(_OUTPLAN, {"id": outplan_id}, executor=tx)
        if outplan_id is None or outplan is None or str(outplan[0]) != customer_id:
            return ("outplan_id", "the campaign needs a live outplan of the customer")
        outdial_id = campaign.ref("outdial_id")
        outdial = None
        if outdial_id is not None:
            wanted = {"id": outdial_id, "customer_id": customer_id}
            outdial = await self.outdials.find(("id",), wanted, executor=tx)
        if outdial_id is None or outdial is None:
            return ("outdial_id", "the campaign needs a live outdial of the customer")
        tag_ids: list[str] | None = None
        if campaign.values["type"] == "call":
            queue_id = campaign.ref("queue_id")
            queue = None
            if queue_id is not None:
                wanted = {"id": queue_id, "customer_id": customer_id}
                queue = await self.queues.find(("tag_ids",), wanted, executor=tx)
            if queue_id is None or queue is None:
                return ("queue_id", "a campaign of type call needs a live queue of the customer")
            tag_ids = _ids.decode(raw_json(queue[0]))
        elif not campaign.actions:
            return ("actions", "a campaign of type flow needs actions to run on its calls")
        return Plan(
            outplan_id=outplan_id,
            outdial_id=outdial_id,
            source=_address.decode(raw_json(outplan[1])),
            dial_timeout_ms=int(outplan[2]),
            try_interval_ms=int(outplan[3]),
            max_try_counts=[int(outplan[4 + i]) for i in machine.INDEXES],
            queue_tag_ids=tag_ids,
        )

    def _actions(self, campaign: CampaignRow) -> list[FlowAction]:
        """What a campaign's answered call runs: its actions, then (``type: call``) the
        ``queue_join`` of its queue (upstream's ``createFlowActions``)."""
        actions = list(campaign.actions)
        queue_id = campaign.ref("queue_id")
        if campaign.values["type"] == "call" and queue_id is not None:
            join = ACTIONS["queue_join"](option=QueueJoinOption(queue_id=UUID(queue_id)))
            actions.append(join)
        checked, _ = check_actions(actions)
        return checked

    # -- dialling ----------------------------------------------------------------------------

    async def _on_dial(self, tx: Executor, job: Job) -> None:
        await self.dial_once(tx, job.resource_id)

    async def dial_once(self, tx: Executor, campaign_id: str) -> int:
        """One look of the campaign's dialer, in ``tx``: dial what it may now, then run
        again when there may be more; how many calls it dialled."""
        await self.jobs.cancel(tx, DIAL, campaign_id)  # first: see :meth:`wake`
        campaign = await self.campaigns.get(campaign_id, tx)
        if campaign is None:
            return 0
        if campaign.status == "stopping":
            await self._stopped(tx, campaign.id)
            return 0
        if campaign.status != "run":
            return 0
        plan = await self._plan(tx, campaign)
        if not isinstance(plan, Plan) or not campaign.live:
            await self.stop(tx, campaign, machine.INVALID_RESOURCE)
            return 0
        now = self._now()
        room = await self._room(tx, campaign, plan)
        looked = Due([], None)
        if room > 0:
            looked = await self.targets.due(tx, plan.outdial_id, now, room, SCAN)
        dialled = spent = 0
        for target in looked.targets:
            try:
                made = await self._dial(tx, campaign, plan, target)
                dialled += made == DIALLED
                spent += made == SPENT
            except Halt as halt:
                log.info("campaign %s stops: %s", campaign.id, halt.error)
                latest = await self.campaigns.get(campaign.id, tx)
                await self.stop(tx, latest or campaign, halt.reason)
                return dialled
        if room > 0 and not looked.targets and looked.next_due is None:
            left = await self.targets.any_of(tx, plan.outdial_id, ("idle", "progressing"))
            if not left and campaign.values["end_handle"] == "stop":
                await self.stop(tx, campaign, machine.AT_END)
                return dialled
        seconds = 0.0 if spent else POLL_SECONDS
        if looked.next_due is not None:
            seconds = min(seconds, max(0.0, (looked.next_due - now).total_seconds()))
        await self.wake(tx, campaign.id, seconds)
        return dialled

    async def _room(self, tx: Executor, campaign: CampaignRow, plan: Plan) -> int:
        """How many dials the campaign may start now."""
        dialing = await self.campaigncalls.count(tx, campaign.id, "dialing", COUNT_LIMIT)
        progressing = 0
        agents = 0
        if plan.queue_tag_ids is None:
            progressing = await self.campaigncalls.count(
                tx, campaign.id, "progressing", COUNT_LIMIT
            )
        else:
            available = await self.agents.available(tx, campaign.customer_id, plan.queue_tag_ids)
            agents = len(available)
        level = int(campaign.values["service_level"])
        kind = str(campaign.values["type"])
        return machine.capacity(kind, level, agents, dialing, dialing + progressing)

    async def _dial(
        self, tx: Executor, campaign: CampaignRow, plan: Plan, target: TargetRow
    ) -> str:
        """Dial the target's next destination: :data:`DIALLED`, or :data:`SPENT` (no try
        left: it is ``done``), or :data:`TAKEN` (claimed by another dialer meanwhile: left
        alone). :class:`Halt` (nothing written) when the call is refused for a reason that
        holds for every target: the balance, the customer's identity, the source; a refusal
        of this destination (its country not whitelisted, no route) is a failed try."""
        dial = machine.next_dial(target.has_destination, target.try_counts, plan.max_try_counts)
        if dial is None:
            spent = machine.TargetAfter("done", "fail", None)
            await self.targets.settle(tx, target.id, spent, "idle")
            return SPENT
        destination = target.destination(dial.index)
        assert destination is not None
        ctx = self.context_for(campaign.customer_id)
        refusal: ApiError | None = None
        try:
            await require_identity(ctx, [destination], tx)
            placement = await place(ctx, plan.source, destination, 0, tx)
        except PaymentRequired as error:
            raise Halt(machine.CANNOT_PAY, error) from None
        except ApiError as error:
            if not _about_destination(error):
                raise Halt(machine.REFUSED, error) from None
            log.info("campaign %s: target %s not dialled: %s", campaign.id, target.id, error)
            refusal = error
        if not await self.targets.claim(tx, target, dial):
            return TAKEN
        campaigncall_id = str(new_id())
        values: dict[str, Any] = {
            "id": campaigncall_id,
            "customer_id": campaign.customer_id,
            "campaign_id": campaign.id,
            "outplan_id": plan.outplan_id,
            "outdial_id": plan.outdial_id,
            "outdial_target_id": target.id,
            "queue_id": str(campaign.values["queue_id"]),
            "reference_type": "call",
            "status": "dialing",
            "source": json_text(plan.source),
            "destination": json_text(destination),
            "destination_index": dial.index,
            "try_count": dial.try_count,
        }
        if refusal is None:
            variables = {
                "voipbin.campaign.id": campaign.id,
                "voipbin.campaigncall.id": campaigncall_id,
                "voipbin.outdial_target.id": target.id,
                "voipbin.outdial_target.data": str(target.values["data"]),
            }
            request = FlowRequest(None, self._actions(campaign), variables)
            call = await self.calls.dial(tx, campaign.customer_id, placement, request)
            values["reference_id"] = call.id
            values["activeflow_id"] = str(call.values["activeflow_id"])
        campaigncall = await self.campaigncalls.insert(values, tx)
        await self.emit(tx, campaigncall, machine.CAMPAIGNCALL_CREATED)
        if refusal is not None:  # the try counts, as a call that failed at once
            await self._done(tx, campaigncall, answered=False)
            return DIALLED
        due = self._now() + timedelta(milliseconds=plan.dial_timeout_ms)
        # In the call's lane: never at once with what the network does to the call.
        await self.jobs.schedule(tx, DIAL_TIMEOUT, campaigncall_id, due, lane=call.id)
        return DIALLED

    # -- what the calls do -------------------------------------------------------------------

    async def _on_call_event(self, tx: Executor, call: CallRow, event: CarrierEvent) -> None:
        """A campaign's call answered: its campaigncall is ``progressing``."""
        if call.direction != "outgoing" or not isinstance(event, Answered):
            return  # a campaign dials out: an incoming call is none of its
        if call.status != "progressing":
            return
        campaigncall = await self.campaigncalls.of_call(tx, call.id)
        if campaigncall is None or campaigncall.status != "dialing":
            return
        moved = await self.campaigncalls.move(tx, campaigncall, {"status": "progressing"})
        if moved is not None:
            await self.emit(tx, moved, machine.CAMPAIGNCALL_UPDATED)
            if moved.ref("queue_id") is not None:  # one ringing less: room for a dial
                await self.wake(tx, str(moved.values["campaign_id"]))

    async def _on_hangup(self, tx: Executor, call: CallRow) -> None:
        """A campaign's call ended: its campaigncall is ``done``."""
        if call.direction != "outgoing":
            return
        campaigncall = await self.campaigncalls.of_call(tx, call.id)
        if campaigncall is None or campaigncall.status not in machine.LIVE:
            return
        await self._done(tx, campaigncall, answered=call.time("tm_progressing") is not None)

    async def _done(self, tx: Executor, campaigncall: CampaigncallRow, answered: bool) -> None:
        """The campaigncall is over: its result, its target settled, its campaign told."""
        result = "success" if answered else "fail"
        moved = await self.campaigncalls.move(
            tx, campaigncall, {"status": "done", "result": result}
        )
        if moved is None:
            return
        await self.emit(tx, moved, machine.CAMPAIGNCALL_UPDATED)
        target_id = moved.ref("outdial_target_id")
        if target_id is not None:
            await self._settle(tx, moved, target_id, answered)
        campaign_id = str(moved.values["campaign_id"])
        campaign = await self.campaigns.get(campaign_id, tx)
        if campaign is None:
            return
        if campaign.status == "stopping":
            await self._stopped(tx, campaign_id)
        elif campaign.status == "run":
            await self.wake(tx, campaign_id)

    async def _settle(
        self, tx: Executor, campaigncall: CampaigncallRow, target_id: str, answered: bool
    ) -> None:
        target = await self.targets.get_live(tx, target_id)
        if target is None or target.status != "progressing":
            return
        outplan_id = campaigncall.ref("outplan_id")
        maxes = target.try_counts  # the outplan gone: no try left
        interval = 0
        if outplan_id is not None:
            outplan = await self.outplans.find(_OUTPLAN, {"id": outplan_id}, executor=tx)
            if outplan is not None:
                interval = int(outplan[3])
                maxes = [int(outplan[4 + i]) for i in machine.INDEXES]
        after = machine.target_after(
            answered, target.has_destination, target.try_counts, maxes, self._now(), interval
        )
        await self.targets.settle(tx, target.id, after, "progressing")

    async def _on_dial_timeout(self, tx: Executor, job: Job) -> None:
        """The outplan's ``dial_timeout``: a call still ringing is hung up."""
        campaigncall = await self.campaigncalls.get(job.resource_id, tx)
        if campaigncall is None or campaigncall.status != "dialing":
            return
        call_id = campaigncall.ref("reference_id")
        call = None if call_id is None else await self.calls.rows.get(call_id, tx)
        if call is not None and call.status in ("dialing", "ringing"):
            await self.calls.hangup(tx, call)

    # -- the resources' requests ------------------------------------------------------------

    async def delete(self, tx: Executor, campaign: CampaignRow) -> bool:
        """Stop the campaign (``stop`` at once: its live calls finish on their own) and
        soft-delete it."""
        if campaign.status != "stop":
            reason = str(campaign.values["stop_reason"]) or machine.BY_USER
            campaign = await self._move(tx, campaign, "stop", reason) or campaign
        deleted = await self.campaigns.soft_delete(tx, campaign)
        if deleted is None:
            return False
        await self.emit(tx, deleted, machine.CAMPAIGN_DELETED)
        return True
