"""Conferences as processes: made by ``POST /v1.0/conferences``, joined by calls through a
flow's ``conference_join`` action, left by a kick (``DELETE /v1.0/conferencecalls/{id}``),
the conference's end or the call's hangup; ended by a ``DELETE``, their ``timeout`` or (a
``connect`` conference) their last but one participant leaving. The rules are
:mod:`.machine`'s; each move is one conditional UPDATE with its event, in the transaction of
what caused it.

Use (the app builds one over the calls, the flows and the recordings)::

    conferences = ConferenceRuntime(rows, participants, calls, runner, recordings)
    conferences.register()             # job kinds, flow commands, call hangups (once)

A joining call runs, in its own flow, the stack upstream pushes (§6.2): the conference's
pre-flow, the room (``confbridge_join``, waiting while it is a participant), then the
post-flow. Leaving the room resumes the flow after it (so the post-flow runs only while the
call is up: a hangup ends the flow), then after ``conference_join``.

Job kinds: ``conference.timeout`` (delete the conference when its ``timeout`` has passed) and
``conference.left`` (the network has taken a kicked participant out of the room).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from uuid import UUID

import msgspec

from voipbin.common.errors import FailedPrecondition, NotFound
from voipbin.common.ids import EMPTY_UUID_TEXT, new_id
from voipbin.models.conference import ConferenceCreate, ConferenceRecordingStart
from voipbin.models.flows.options import EMPTY
from voipbin.server.resources.context import CommitHook, Context
from voipbin.server.runtime.calls.legs import CallRow
from voipbin.server.runtime.calls.service import CallRuntime
from voipbin.server.runtime.conferences import machine
from voipbin.server.runtime.conferences.rows import (
    ConferencecallRow,
    ConferencecallRows,
    ConferenceRow,
    ConferenceRows,
)
from voipbin.server.runtime.flows import commands as c
from voipbin.server.runtime.flows import events as e
from voipbin.server.runtime.flows.runner import FlowRunner
from voipbin.server.runtime.flows.state import FlowState
from voipbin.server.runtime.jobs import Job
from voipbin.server.runtime.recordings.rows import RecordingRow
from voipbin.server.runtime.recordings.service import RecordingRuntime
from voipbin.server.runtime.rows import json_text
from voipbin.server.storage.database import Executor

log = logging.getLogger("voipbin.runtime.conferences")

TIMEOUT_JOB = "conference.timeout"
LEFT_JOB = "conference.left"
#: How often a change is tried again when the conference moved under it (another
#: participant's move, on another process): each try re-reads it.
_TRIES = 8


class ConferenceRuntime:
    """Every conference of the server."""

    def __init__(
        self,
        rows: ConferenceRows,
        participants: ConferencecallRows,
        calls: CallRuntime,
        runner: FlowRunner,
        recordings: RecordingRuntime,
    ) -> None:
        self.rows = rows
        self.participants = participants
        self.calls = calls
        self.runner = runner
        self.recordings = recordings
        self.jobs = calls.jobs
        self.outbox = calls.outbox
        self.db = rows.repository.db

    def register(self) -> None:
        """Register the job kinds, carry out the flows' conference commands and hear the
        calls' hangups (once per process)."""
        self.jobs.register(TIMEOUT_JOB, self._on_timeout)
        self.jobs.register(LEFT_JOB, self._on_left)
        self.runner.carry_out(c.ConferenceJoin, self._join)
        self.runner.carry_out(c.ConfbridgeJoin, self._enter)
        self.calls.on_hangup(self._call_hung_up)
        self.recordings.conference_ended = self._recording_ended

    async def _emit(self, tx: Executor, conference: ConferenceRow, type: str) -> None:
        await self.outbox.emit(
            tx, conference.customer_id, type, "conference", conference.id, conference.wire
        )

    async def _reread(self, tx: Executor, conference_id: str) -> ConferenceRow:
        latest = await self.rows.get(conference_id, tx)
        if latest is None:
            raise NotFound("CONFERENCE_NOT_FOUND")
        return latest

    # -- what the API asks ---------------------------------------------------------------

    async def create(
        self, ctx: Context, body: ConferenceCreate, commit_with: CommitHook | None = None
    ) -> msgspec.Struct:
        """``POST /v1.0/conferences``: the conference, ``progressing``, its timeout armed,
        with ``conference_created``."""
        values: dict[str, Any] = {
            "id": str(new_id()),
            "customer_id": ctx.customer_id,
            "type": body.type or "conference",
            "status": "progressing",
            "name": body.name,
            "detail": body.detail,
            "data": json_text(body.data),
            "timeout": machine.timeout_seconds(body.timeout),
            "pre_flow_id": str(body.pre_flow_id),
            "post_flow_id": str(body.post_flow_id),
        }
        async with self.db.transaction() as tx:
            conference = await self.rows.insert(values, tx)
            await self._arm_timeout(tx, conference)
            await self._emit(tx, conference, machine.CONFERENCE_CREATED)
            if commit_with is not None:
                await commit_with(tx, conference.wire)
        return conference.wire

    async def update(self, conference_id: str, values: dict[str, Any]) -> ConferenceRow:
        """``PUT``: write the changed columns (a new ``timeout`` counts from now), with
        ``conference_updated``; ``409`` once the conference is ending."""
        if "timeout" in values:
            values["timeout"] = machine.timeout_seconds(int(values["timeout"]))
        for _ in range(_TRIES):
            async with self.db.transaction() as tx:
                conference = await self._reread(tx, conference_id)
                if conference.status in ("terminating", "terminated"):
                    raise FailedPrecondition(
                        "CONFERENCE_STATE_INVALID", f"The conference is {conference.status}."
                    )
                moved = await self.rows.move(tx, conference, values)
                if moved is None:
                    continue
                if "timeout" in values:
                    await self._arm_timeout(tx, moved)
                await self._emit(tx, moved, machine.CONFERENCE_UPDATED)
                return moved
        raise RuntimeError(f"conference {conference_id} kept changing while it was updated")

    async def delete(self, conference_id: str) -> bool:
        """End the conference (its participants are kicked) and soft-delete it, with
        ``conference_deleted``; ``False`` when it was deleted already."""
        async with self.db.transaction() as tx:
            return await self._delete(tx, conference_id)

    async def recording_start(
        self, conference_id: str, options: ConferenceRecordingStart
    ) -> ConferenceRow:
        """Record the conference (``409 CONFERENCE_STATE_INVALID`` unless it is
        progressing, ``RECORDING_ALREADY_ACTIVE`` while one runs); the conference after."""
        async with self.db.transaction() as tx:
            conference = await self._reread(tx, conference_id)
            self._require_progressing(conference)
            if conference.recording_id is not None:
                raise FailedPrecondition(
                    "RECORDING_ALREADY_ACTIVE", "The conference is being recorded already."
                )
            recording = await self.recordings.start_conference(
                tx, conference.customer_id, conference.id, options
            )
            values = {
                "recording_id": recording.id,
                "recording_ids": json_text([*conference.ids("recording_ids"), recording.id]),
            }
            moved = await self.rows.move(tx, conference, values)
            if moved is None:  # another start won meanwhile
                raise FailedPrecondition(
                    "RECORDING_ALREADY_ACTIVE", "The conference is being recorded already."
                )
            await self._emit(tx, moved, machine.CONFERENCE_UPDATED)
            return moved

    async def recording_stop(self, conference_id: str) -> ConferenceRow:
        """Stop the conference's recording (``409 RECORDING_NOT_ACTIVE`` when none runs);
        the conference after, its ``recording_id`` cleared."""
        async with self.db.transaction() as tx:
            conference = await self._reread(tx, conference_id)
            self._require_progressing(conference)
            if conference.recording_id is None:
                raise FailedPrecondition(
                    "RECORDING_NOT_ACTIVE", "The conference is not being recorded."
                )
            await self.recordings.stop_conference(tx, conference.recording_id)
            return await self._reread(tx, conference_id)

    async def kick(self, conferencecall_id: str) -> None:
        """``DELETE /v1.0/conferencecalls/{id}``: the participant leaves (``leaving`` until
        the network has taken it out); one that is leaving or has left stays as it is."""
        async with self.db.transaction() as tx:
            participant = await self.participants.get(conferencecall_id, tx)
            if participant is None:
                raise NotFound("CONFERENCECALL_NOT_FOUND")
            await self._kick(tx, participant)

    @staticmethod
    def _require_progressing(conference: ConferenceRow) -> None:
        if conference.status != "progressing":
            raise FailedPrecondition(
                "CONFERENCE_STATE_INVALID",
                f"The conference is {conference.status}: only a progressing one is recorded.",
            )

    # -- the conference's end ------------------------------------------------------------

    async def _arm_timeout(self, tx: Executor, conference: ConferenceRow) -> None:
        await self.jobs.cancel(tx, TIMEOUT_JOB, conference.id)
        seconds = int(conference.values["timeout"])
        if seconds > 0:
            due = self.jobs.clock.now() + timedelta(seconds=seconds)
            await self.jobs.schedule(tx, TIMEOUT_JOB, conference.id, due)

    async def _on_timeout(self, tx: Executor, job: Job) -> None:
        await self._delete(tx, job.resource_id)

    async def _delete(self, tx: Executor, conference_id: str) -> bool:
        conference = await self.rows.get(conference_id, tx)
        if conference is None or conference.deleted:
            return False
        await self.jobs.cancel(tx, TIMEOUT_JOB, conference_id)
        await self._terminate(tx, conference)
        latest = await self._reread(tx, conference_id)
        deleted = await self.rows.soft_delete(tx, latest)
        if deleted is None:
            return False
        await self._emit(tx, deleted, machine.CONFERENCE_DELETED)
        return True

    async def _terminate(self, tx: Executor, conference: ConferenceRow) -> None:
        """End the conference: ``terminating``, its recording stopped, its participants
        sent away (each ``leaving`` then ``leaved``, its flow going on), then
        ``terminated``, all in this transaction (a deleted conference changes no more)."""
        for _ in range(_TRIES):
            to = machine.next_status(conference.status, "terminate")
            if to is None:
                return
            moved = await self.rows.move(tx, conference, {"status": to})
            if moved is not None:
                break
            conference = await self._reread(tx, conference.id)
        else:
            raise RuntimeError(f"conference {conference.id} kept changing while it ended")
        await self._emit(tx, moved, machine.EVENTS[to])
        if moved.recording_id is not None:
            await self.recordings.stop_conference(tx, moved.recording_id)
        ids = moved.ids("conferencecall_ids")
        for participant_id in ids:
            participant = await self.participants.get(participant_id, tx)
            if participant is None:
                continue
            if participant.status in machine.IN_CONFERENCE:
                participant = await self._move_participant(tx, participant, "kick")
            if participant is not None and participant.status == "leaving":
                await self._leave(tx, participant, resume=True)
        if not ids:
            await self._conference_moved(tx, moved.id, "emptied")

    async def _conference_moved(
        self, tx: Executor, conference_id: str, happening: machine.Happening
    ) -> None:
        if happening == "terminate":
            await self._terminate(tx, await self._reread(tx, conference_id))
            return
        for _ in range(_TRIES):
            conference = await self._reread(tx, conference_id)
            to = machine.next_status(conference.status, happening)
            if to is None:
                return
            values: dict[str, Any] = {"status": to}
            if to == "terminated":
                values["tm_end"] = self.jobs.clock.now()
            moved = await self.rows.move(tx, conference, values)
            if moved is not None:
                await self._emit(tx, moved, machine.EVENTS[to])
                return
        raise RuntimeError(f"conference {conference_id} kept changing while it ended")

    async def _recording_ended(self, tx: Executor, recording: RecordingRow) -> None:
        """The conference's recording ended (a stop, its duration, the conference's end):
        the conference may record again."""
        for _ in range(_TRIES):
            conference = await self.rows.get(recording.reference_id, tx)
            if conference is None or conference.deleted or conference.recording_id != recording.id:
                return
            moved = await self.rows.move(tx, conference, {"recording_id": EMPTY_UUID_TEXT})
            if moved is not None:
                await self._emit(tx, moved, machine.CONFERENCE_UPDATED)
                return
        raise RuntimeError(f"conference {recording.reference_id} kept changing")

    # -- the flows' commands -------------------------------------------------------------

    async def _join(self, tx: Executor, flow: FlowState, command: c.Command) -> None:
        """``conference_join``: the participant (``joining``), answered to the flow with
        the stack it runs; a conference the customer does not have ends the flow (as
        upstream), one that is ending lets it move on."""
        assert isinstance(command, c.ConferenceJoin)
        flow_id = str(flow.id)
        conference = await self.rows.get(str(command.conference_id), tx)
        if (
            conference is None
            or conference.deleted
            or conference.customer_id != str(flow.customer_id)
        ):
            error = f"{command.conference_id} names no conference of the customer"
            answer = e.ConferenceJoining(token=command.token, error=error)
            await self.runner.schedule(tx, flow_id, answer, due_in=0)
            return
        if conference.status not in ("starting", "progressing"):
            log.info(
                "activeflow %s: conference %s is %s", flow_id, conference.id, conference.status
            )
            await self.runner.schedule(
                tx, flow_id, e.ConferenceJoining(token=command.token), due_in=0
            )
            return
        participant = await self.participants.insert(
            {
                "id": str(new_id()),
                "customer_id": conference.customer_id,
                "activeflow_id": flow_id,
                "conference_id": conference.id,
                "reference_type": "call",
                "reference_id": str(flow.reference_id),
                "status": "joining",
            },
            tx,
        )
        answer = e.ConferenceJoining(
            token=command.token,
            conferencecall_id=UUID(participant.id),
            pre_flow_id=UUID(conference.flow("pre_flow_id") or EMPTY_UUID_TEXT),
            post_flow_id=UUID(conference.flow("post_flow_id") or EMPTY_UUID_TEXT),
        )
        await self.runner.schedule(tx, flow_id, answer, due_in=0)

    async def _enter(self, tx: Executor, flow: FlowState, command: c.Command) -> None:
        """``confbridge_join``: the participant is in the room (``joined``, added to the
        conference's ``conferencecall_ids``); the flow waits until it leaves. One that is
        not joining (kicked meanwhile, or no participant of this flow) moves the flow on."""
        assert isinstance(command, c.ConfbridgeJoin)
        flow_id = str(flow.id)
        participant = None
        if command.confbridge_id != EMPTY:
            participant = await self.participants.get(str(command.confbridge_id), tx)
        if (
            participant is None
            or participant.activeflow_id != flow_id
            or participant.status != "joining"
        ):
            done = e.ActionFinished(token=command.token)
            await self.runner.schedule(tx, flow_id, done, due_in=0)
            return
        entered = await self._move_participant(tx, participant, "entered")
        if entered is None:
            return
        for _ in range(_TRIES):
            conference = await self._reread(tx, entered.conference_id)
            if conference.status not in ("starting", "progressing"):
                await self._kick(tx, entered)  # it ended while the call ran the pre-flow
                return
            ids = [*conference.ids("conferencecall_ids"), entered.id]
            moved = await self.rows.move(tx, conference, {"conferencecall_ids": json_text(ids)})
            if moved is not None:
                await self._emit(tx, moved, machine.CONFERENCE_UPDATED)
                return
        raise RuntimeError(f"conference {entered.conference_id} kept changing while a call joined")

    # -- participants leaving ------------------------------------------------------------

    async def _move_participant(
        self, tx: Executor, participant: ConferencecallRow, happening: machine.CallHappening
    ) -> ConferencecallRow | None:
        to = machine.next_call_status(participant.status, happening)
        if to is None:
            return None
        return await self.participants.move(tx, participant, {"status": to})

    async def _kick(self, tx: Executor, participant: ConferencecallRow) -> None:
        """``leaving``; the network takes it out of the room at once (a ``conference.left``
        job due now)."""
        leaving = await self._move_participant(tx, participant, "kick")
        if leaving is not None:
            await self.jobs.schedule(tx, LEFT_JOB, leaving.id, self.jobs.clock.now())

    async def _on_left(self, tx: Executor, job: Job) -> None:
        participant = await self.participants.get(job.resource_id, tx)
        if participant is not None and participant.status == "leaving":
            await self._leave(tx, participant, resume=True)

    async def _call_hung_up(self, tx: Executor, call: CallRow) -> None:
        """A participant's call hung up: it leaves at once (``leaving``, then ``leaved``);
        its flow has ended with the call, so no post-flow runs."""
        for participant in await self.participants.of_call(tx, call.id):
            if participant.status in machine.IN_CONFERENCE:
                leaving = await self._move_participant(tx, participant, "kick")
                if leaving is not None:
                    await self._leave(tx, leaving, resume=False)
            elif participant.status == "leaving":
                await self._leave(tx, participant, resume=False)

    async def _leave(self, tx: Executor, participant: ConferencecallRow, *, resume: bool) -> None:
        """``leaved``: out of the conference's ``conferencecall_ids`` (which may end the
        conference) and, when ``resume``, its flow goes on after the room."""
        left = await self._move_participant(tx, participant, "left")
        if left is None:
            return
        for _ in range(_TRIES):
            conference = await self._reread(tx, left.conference_id)
            if conference.deleted:  # it ended before it was deleted: nothing changes
                break
            ids = conference.ids("conferencecall_ids")
            if left.id not in ids:  # it left before it was in the room: nothing changes
                break
            remaining = [id for id in ids if id != left.id]
            values = {"conferencecall_ids": json_text(remaining)}
            moved = await self.rows.move(tx, conference, values)
            if moved is None:
                continue
            await self._emit(tx, moved, machine.CONFERENCE_UPDATED)
            happening = machine.ends_after_leave(moved.type, moved.status, len(remaining))
            if happening is not None:
                await self._conference_moved(tx, moved.id, happening)
            break
        else:
            raise RuntimeError(f"conference {left.conference_id} kept changing while a call left")
        if resume:
            await self._resume(tx, left)

    async def _resume(self, tx: Executor, participant: ConferencecallRow) -> None:
        """The participant's flow, waiting in its room, goes on."""
        flow_id = participant.activeflow_id
        if flow_id is None:
            return
        state = await self.runner.state(tx, flow_id)
        if state is None or state.waiting is None or state.waiting.kind != "conference":
            return
        option = state.current_action.option  # type: ignore[attr-defined]
        if str(getattr(option, "confbridge_id", "")) != participant.id:
            return
        done = e.ActionFinished(token=state.waiting.token)
        await self.runner.schedule(tx, flow_id, done, due_in=0)
