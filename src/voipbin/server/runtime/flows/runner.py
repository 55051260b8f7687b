"""The flow runner: activeflows run on the pure engine (:func:`step`), stored and timed by the
runtime.

Each activeflow is one row of ``activeflow_activeflows``: the public fields, the engine's
state (JSON) and ``version``, the count of steps applied. Applying an event
(:meth:`FlowRunner.feed`) is, in the caller's transaction:

1. read the row, decode the state, ``step`` it (a ``load_flow`` is answered at once from the
   customer's flows, so one feed may take several steps);
2. store the new state with one UPDATE conditional on the version read: a process that
   stepped the same activeflow meanwhile makes this one fail (:class:`Conflict`; a job is
   retried, an API stop tries again), never two steps applied on one state;
3. record ``activeflow_updated`` in the outbox (one event per feed that changed the
   activeflow: a cursor move, its end);
4. carry out the commands: one with ``seconds`` becomes a durable job that feeds
   ``TimerFired`` back when due; a call's command goes to the :class:`CallControl`; ``fetch``
   becomes a job too (below); a command of another service (``message_send``...) goes to
   the effect it registered (:meth:`FlowRunner.carry_out`); a skipped action is logged; the
   end cancels the activeflow's
   pending jobs, hangs up its call if still up and starts its ``on_complete_flow_id`` flow
   (``chain``: same reference, a copy of the variables, at most four hops).

``fetch`` runs off every transaction: its job starts the HTTP request (httpx, the command's
timeout) in the background and returns; the answer (status 0 for none) is fed back by a job
due at once. A second job, due a little after the timeout, feeds "no answer" in case the
process died in between; whichever comes second changes nothing (its token is stale).

Jobs: ``activeflow.event`` (payload ``{"event": <the event as JSON>}``) and
``activeflow.fetch`` (payload ``{"command": <the fetch command as JSON>}``), each for the
activeflow's id.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Any
from uuid import UUID

import httpx
import msgspec

from voipbin.common.errors import Unavailable
from voipbin.common.ids import new_id
from voipbin.common.timestamps import SENTINEL_TEXT
from voipbin.models.activeflow import Activeflow, ReferenceType
from voipbin.models.flows.actions import Actions, FlowAction
from voipbin.models.flows.options import EMPTY
from voipbin.server.runtime.clock import Clock
from voipbin.server.runtime.events.outbox import Outbox
from voipbin.server.runtime.flows import commands as c
from voipbin.server.runtime.flows import events as e
from voipbin.server.runtime.flows.control import CALL_COMMANDS, CallCommand, CallControl, NoCalls
from voipbin.server.runtime.flows.engine import step
from voipbin.server.runtime.flows.run import Env
from voipbin.server.runtime.flows.state import FlowState, Limits, chain, decode, encode, new_state
from voipbin.server.runtime.jobs import Job, Jobs
from voipbin.server.storage.clock import CreationClock
from voipbin.server.storage.database import Database, Executor, Row
from voipbin.server.storage.repository import Repository
from voipbin.server.storage.tables import activeflow_activeflows

log = logging.getLogger("voipbin.runtime.flows")

JOB_EVENT = "activeflow.event"
JOB_FETCH = "activeflow.fetch"
#: How long after a fetch's timeout the "no answer" job is due (its answer's own job runs
#: first when the process lives).
FETCH_GRACE = timedelta(seconds=5)
#: The most of a fetch answer's body read (a list of actions is far smaller).
FETCH_MAX_BYTES = 1024 * 1024
#: How many times a stop through the API tries again when another step came first.
STOP_ATTEMPTS = 5

#: The public fields, in the resource's order; the row adds the state and its version.
PUBLIC_FIELDS: tuple[str, ...] = Activeflow.__struct_fields__
FIELDS = (*PUBLIC_FIELDS, "state", "version")
_STATE = FIELDS.index("state")
_VERSION = FIELDS.index("version")
_DELETED = FIELDS.index("tm_delete")
_PUBLIC = len(PUBLIC_FIELDS)

_event_decoder = msgspec.json.Decoder(e.AnyEvent)
_fetch_decoder = msgspec.json.Decoder(c.Fetch)
_actions_decoder = msgspec.json.Decoder(Actions)


class Conflict(Exception):
    """Another process stepped the activeflow between this one's read and write."""


#: Carries out a command that is no call's (``message_send``, ``email_send``...), in the
#: transaction of the step that gave it; an answer it owes the flow is fed back later
#: (:meth:`FlowRunner.schedule`), never from inside the step.
Effect = Callable[[Executor, FlowState, c.Command], Awaitable[None]]


def columns(state: FlowState) -> dict[str, Any]:
    """The stored columns that follow from ``state`` (the public view and the state)."""
    return {
        "status": state.status,
        "current_action": msgspec.json.encode(state.current_action).decode(),
        "forward_action_id": str(state.forward_action_id),
        "executed_actions": msgspec.json.encode(state.executed_actions).decode(),
        "state": encode(state).decode(),
    }


def lane_of(state: FlowState) -> str | None:
    """The jobs lane an activeflow's jobs run in: its call's, when it runs on a call (the
    call's network reports and the flow's timers touch the same rows, and fall due together
    at the end of every talk), else its own."""
    if state.reference_type == "call" and state.reference_id != EMPTY:
        return str(state.reference_id)
    return None


def public(row: Row) -> dict[str, Any]:
    """The public fields of a stored row, by name, in wire form (an event's ``data``)."""
    return dict(zip(PUBLIC_FIELDS, row[:_PUBLIC], strict=True))


def _state_of(row: Row) -> FlowState:
    raw = row[_STATE]
    return decode(bytes(raw) if isinstance(raw, msgspec.Raw) else str(raw).encode())


class FlowRunner:
    """Runs the activeflows of one server process (any process may step any activeflow)."""

    def __init__(
        self,
        db: Database,
        clock: CreationClock,
        runtime_clock: Clock,
        jobs: Jobs,
        outbox: Outbox,
        flows: Repository,
        *,
        calls: CallControl | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.db = db
        self.clock = runtime_clock
        self.jobs = jobs
        self.outbox = outbox
        self.flows = flows
        """The customers' flows (``fetch_flow``, ``on_complete_flow_id``)."""
        self.calls: CallControl = calls or NoCalls()
        """The calls service's control; :class:`NoCalls` until there is one."""
        self.limits = limits or Limits()
        self.transport: httpx.AsyncBaseTransport | None = None
        """The transport ``fetch`` requests go through (``None``: the network; a test gives
        an ``httpx.MockTransport``)."""
        self.repository = Repository(db, activeflow_activeflows, FIELDS, clock)
        self._fetches: set[asyncio.Task[None]] = set()
        self._effects: dict[type[c.Command], Effect] = {}
        jobs.register(JOB_EVENT, self._on_event)
        jobs.register(JOB_FETCH, self._on_fetch)

    def carry_out(self, command: type[c.Command], effect: Effect) -> None:
        """Carry out every ``command`` the engine gives with ``effect`` (one per type): how
        the services the flows use (messages, emails, recordings) plug in."""
        if command in self._effects:
            raise ValueError(f"{command.__name__} is carried out already")
        self._effects[command] = effect

    # -- creating ----------------------------------------------------------------------------

    async def create(
        self,
        executor: Executor,
        *,
        customer_id: str,
        actions: list[FlowAction],
        reference_type: ReferenceType,
        reference_id: UUID = EMPTY,
        flow_id: UUID = EMPTY,
        on_complete_flow_id: UUID = EMPTY,
        variables: Mapping[str, str] | None = None,
        system_variables: Mapping[str, str] | None = None,
        webhook_uri: str = "",
        webhook_method: str = "",
        id: UUID | None = None,
        start: bool = True,
    ) -> Row:
        """Create an activeflow running ``actions`` (checked, with ids) and run its first
        step, in ``executor``'s transaction; its public row as created. For the calls
        service: ``reference_type="call"``, the call's id, and its ``voipbin.call.*``
        variables as ``system_variables``; ``start=False`` leaves it waiting for
        :class:`~.events.Started` (an outgoing call's flow runs when the call answers)."""
        state = new_state(
            id=id or new_id(),
            customer_id=UUID(customer_id),
            flow_id=flow_id,
            actions=actions,
            reference_type=reference_type,
            reference_id=reference_id,
            on_complete_flow_id=on_complete_flow_id,
            variables=variables,
            system_variables=system_variables,
        )
        values = initial_values(state, webhook_uri=webhook_uri, webhook_method=webhook_method)
        row = await self.repository.insert(values, executor)
        created = public(row)
        await self.start(executor, created, run=start)
        return row[:_PUBLIC]

    async def start(
        self, executor: Executor, activeflow: Mapping[str, object], *, run: bool = True
    ) -> None:
        """Record ``activeflow_created`` for the activeflow just inserted and (``run``) run
        its first step, in ``executor``'s transaction."""
        id = str(activeflow["id"])
        await self.outbox.emit(
            executor,
            str(activeflow["customer_id"]),
            "activeflow_created",
            "activeflow",
            id,
            activeflow,
        )
        if run:
            await self.feed(executor, id, e.Started())

    async def state(self, executor: Executor, activeflow_id: str) -> FlowState | None:
        """The engine's state of the live activeflow ``activeflow_id``; ``None`` when there
        is none."""
        row = await self.repository.get(activeflow_id, executor)
        if row is None or row[_DELETED] != SENTINEL_TEXT:
            return None
        return _state_of(row)

    # -- stepping ----------------------------------------------------------------------------

    async def feed(self, executor: Executor, activeflow_id: str, event: e.AnyEvent) -> bool:
        """Apply ``event`` to the activeflow in ``executor``'s transaction and carry out what
        follows; whether it changed. ``Conflict`` when another step came first (roll back
        and try again); an activeflow deleted or not there changes nothing."""
        row = await self.repository.get(activeflow_id, executor)
        if row is None or row[_DELETED] != SENTINEL_TEXT:
            return False
        state, version = _state_of(row), int(row[_VERSION])
        env = Env(
            now=self.clock.now(),
            call_status=await self._call_status(executor, state),
            limits=self.limits,
        )
        done: list[c.AnyCommand] = []
        pending: list[e.AnyEvent] = [event]
        changed = state
        while pending:
            result = step(changed, pending.pop(0), env)
            changed = result.state
            for command in result.commands:
                if isinstance(command, c.LoadFlow):
                    pending.append(await self._load(executor, changed, command))
                else:
                    done.append(command)
        if changed is state:
            return False
        values = {**columns(changed), "version": version + 1}
        updated = await self.repository.update(
            activeflow_id, values, expected={"version": version}, executor=executor
        )
        if updated is None:
            raise Conflict(f"activeflow {activeflow_id} was stepped by another process")
        await self.outbox.emit(
            executor,
            str(changed.customer_id),
            "activeflow_updated",
            "activeflow",
            activeflow_id,
            public(updated),
        )
        if (
            changed.reference_type == "call"
            and changed.current_action.id != state.current_action.id
        ):
            await self.calls.moved(executor, changed)
        for command in done:
            await self._carry_out(executor, changed, command)
        return True

    async def _call_status(self, executor: Executor, state: FlowState) -> str:
        if state.reference_type != "call" or state.reference_id == EMPTY:
            return ""
        return await self.calls.call_status(executor, str(state.reference_id))

    async def _load(self, executor: Executor, state: FlowState, command: c.LoadFlow) -> e.AnyEvent:
        found = await flow_of(self.flows, str(state.customer_id), command.flow_id, executor)
        return e.FlowLoaded(token=command.token, actions=None if found is None else found[0])

    async def _carry_out(self, executor: Executor, state: FlowState, command: c.AnyCommand) -> None:
        id = str(state.id)
        if isinstance(command, c.NotExecuted):
            log.info(
                "activeflow %s: action %s (%s) not executed: %s",
                id,
                command.action_id,
                command.action_type,
                command.reason,
            )
        elif isinstance(command, c.FlowEnded):
            await self._ended(executor, state, command)
        elif isinstance(command, c.Fetch):
            now = self.clock.now()
            payload = {"command": msgspec.json.encode(command).decode()}
            await self.jobs.schedule(executor, JOB_FETCH, id, now, payload)
            unanswered = e.FetchAnswered(token=command.token, status=0)
            due = now + timedelta(seconds=command.timeout) + FETCH_GRACE
            await self.schedule(executor, id, unanswered, due_in=(due - now).total_seconds())
        elif type(command) in self._effects:
            await self._effects[type(command)](executor, state, command)
        elif isinstance(command, CALL_COMMANDS):
            await self.calls.execute(executor, state, command)  # type: ignore[arg-type]
            seconds = _timed(command)  # type: ignore[arg-type]
            if seconds is not None:
                token: int = command.token  # type: ignore[union-attr]
                await self.schedule(
                    executor, id, e.TimerFired(token=token), due_in=seconds, lane=lane_of(state)
                )
        else:
            log.warning("activeflow %s: command %s not executed", id, type(command).__name__)

    async def schedule(
        self,
        executor: Executor,
        activeflow_id: str,
        event: e.AnyEvent,
        *,
        due_in: float,
        lane: str | None = None,
    ) -> int:
        """Feed ``event`` to the activeflow ``due_in`` seconds from now (a durable job in
        ``executor``'s transaction, run in ``lane``: see :func:`lane_of`); the job's id."""
        payload = {"event": msgspec.json.encode(event).decode()}
        due = self.clock.now() + timedelta(seconds=due_in)
        return await self.jobs.schedule(executor, JOB_EVENT, activeflow_id, due, payload, lane=lane)

    async def _ended(self, executor: Executor, state: FlowState, ended: c.FlowEnded) -> None:
        id = str(state.id)
        await self.jobs.cancel(executor, JOB_EVENT, id)
        await self.jobs.cancel(executor, JOB_FETCH, id)
        log.info("activeflow %s ended: %s %s", id, ended.reason, ended.detail)
        if ended.hangup_call:
            await self.calls.execute(executor, state, c.Hangup(reason="normal"))
        if ended.on_complete_flow_id != EMPTY:
            await self._chain(executor, state, ended.on_complete_flow_id)

    async def _chain(self, executor: Executor, parent: FlowState, flow_id: UUID) -> None:
        found = await flow_of(self.flows, str(parent.customer_id), flow_id, executor)
        if found is None:
            log.warning(
                "activeflow %s: on_complete_flow_id %s names no live flow; nothing runs next",
                parent.id,
                flow_id,
            )
            return
        actions, on_complete = found
        child = chain(
            parent, id=new_id(), flow_id=flow_id, actions=actions, on_complete_flow_id=on_complete
        )
        if child is None:
            log.warning("activeflow %s: the on_complete chain is at its hop limit", parent.id)
            return
        row = await self.repository.insert(initial_values(child), executor)
        await self.start(executor, public(row))

    # -- jobs --------------------------------------------------------------------------------

    async def _on_event(self, executor: Executor, job: Job) -> None:
        await self.feed(executor, job.resource_id, _event_decoder.decode(job.payload["event"]))

    async def _on_fetch(self, executor: Executor, job: Job) -> None:
        command = _fetch_decoder.decode(job.payload["command"])
        task = asyncio.get_running_loop().create_task(
            self._fetch(job.resource_id, command), name=f"fetch {job.resource_id}"
        )
        self._fetches.add(task)
        task.add_done_callback(self._fetches.discard)

    async def _fetch(self, activeflow_id: str, command: c.Fetch) -> None:
        status, body = await self.request(command)
        answer = e.FetchAnswered(token=command.token, status=status, body=body)
        try:
            async with self.db.transaction() as tx:
                await self.schedule(tx, activeflow_id, answer, due_in=0)
        except Exception:
            # The "no answer" job scheduled with the fetch moves the flow on.
            log.exception("activeflow %s: the answer of its fetch was lost", activeflow_id)

    async def request(self, command: c.Fetch) -> tuple[int, bytes]:
        """Send ``command``'s request; its status and body, ``(0, b"")`` for no answer (a
        timeout, a refused connection, a body over ``FETCH_MAX_BYTES``)."""
        method = command.method.upper()
        sent: dict[str, Any] = {"json": command.body}
        if method == "GET":
            sent = {"params": command.body}
        try:
            async with (
                httpx.AsyncClient(transport=self.transport, timeout=command.timeout) as client,
                client.stream(method, command.url, **sent) as response,
            ):
                body = b""
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > FETCH_MAX_BYTES:
                        return 0, b""
                return response.status_code, body
        except (httpx.HTTPError, httpx.InvalidURL, ValueError) as error:
            log.info("fetch %s %s: no answer (%s)", method, command.url, error)
            return 0, b""

    async def settle(self) -> None:
        """Wait for the fetches running now (tests, and a stopping server)."""
        while self._fetches:
            await asyncio.gather(*self._fetches, return_exceptions=True)

    async def close(self) -> None:
        """Cancel the fetches running now (their "no answer" jobs stand in for them)."""
        for task in list(self._fetches):
            task.cancel()
        await asyncio.gather(*self._fetches, return_exceptions=True)

    # -- the API's stop and delete -----------------------------------------------------------

    async def stop(self, activeflow_id: str) -> Row:
        """Stop the activeflow (an ended one is left as it is); its public row after."""
        for _ in range(STOP_ATTEMPTS):
            try:
                async with self.db.transaction() as tx:
                    await self.feed(tx, activeflow_id, e.StopRequested())
                    row = await self.repository.get(activeflow_id, tx)
            except Conflict:
                continue
            assert row is not None
            return row[:_PUBLIC]
        raise Unavailable("SERVICE_UNAVAILABLE", "The activeflow is too busy to stop; try again.")

    async def delete(self, activeflow_id: str) -> bool:
        """Stop the activeflow, then delete it (``activeflow_deleted``), in one transaction;
        ``False`` when it was deleted already."""
        for _ in range(STOP_ATTEMPTS):
            try:
                async with self.db.transaction() as tx:
                    await self.feed(tx, activeflow_id, e.StopRequested())
                    if not await self.repository.soft_delete(activeflow_id, executor=tx):
                        return False
                    row = await self.repository.get(activeflow_id, tx)
                    assert row is not None
                    await self.outbox.emit(
                        tx,
                        str(row[FIELDS.index("customer_id")]),
                        "activeflow_deleted",
                        "activeflow",
                        activeflow_id,
                        public(row),
                    )
                    return True
            except Conflict:
                continue
        raise Unavailable("SERVICE_UNAVAILABLE", "The activeflow is too busy to delete; try again.")


async def flow_of(
    flows: Repository, customer_id: str, flow_id: UUID, executor: Executor | None = None
) -> tuple[list[FlowAction], UUID] | None:
    """The actions and ``on_complete_flow_id`` of the customer's live flow ``flow_id``
    (``flows``: the flows' repository); ``None`` when there is none."""
    row = await flows.find(
        ("actions", "on_complete_flow_id"),
        {"id": str(flow_id), "customer_id": customer_id},
        executor=executor,
    )
    if row is None:
        return None
    raw = row[0]
    text = bytes(raw) if isinstance(raw, msgspec.Raw) else str(raw).encode()
    return list(_actions_decoder.decode(text)), UUID(str(row[1]))


def initial_values(
    state: FlowState, *, webhook_uri: str = "", webhook_method: str = ""
) -> dict[str, Any]:
    """The columns of a new activeflow's row (its id included)."""
    return {
        "id": str(state.id),
        "customer_id": str(state.customer_id),
        "flow_id": str(state.flow_id),
        "reference_type": state.reference_type,
        "reference_id": str(state.reference_id),
        "reference_activeflow_id": str(state.reference_activeflow_id),
        "on_complete_flow_id": str(state.on_complete_flow_id),
        "webhook_uri": webhook_uri,
        "webhook_method": webhook_method,
        **columns(state),
        "version": 0,
    }


def _timed(command: CallCommand) -> float | None:
    """The seconds after which ``command`` reports ``TimerFired``; ``None`` for a command
    that waits for no timer."""
    if isinstance(command, c.Talk) and command.async_:
        return None
    seconds = getattr(command, "seconds", None)
    return None if seconds is None else float(seconds)
