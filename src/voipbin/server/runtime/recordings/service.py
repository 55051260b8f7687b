"""Recordings as processes: started on an answered call, moved by what the network reports
(:mod:`.machine`), ended by a stop, their ``duration``, their ``end_of_key`` or the call's
hangup; billed, their files written and their ``on_end_flow_id`` flow started when they end.
Every move is one conditional UPDATE with its outbox event, in the transaction of what
caused it.

Use (the app builds one and registers it)::

    recordings = RecordingRuntime(rows, calls, files, runner)
    recordings.register()                          # job kind + call listeners, once
    call = await recordings.start(tx, call, RecordingStart(duration=60))
    call = await recordings.stop(tx, call)
    await recordings.delete(recording_id)          # ends it, deletes it and its files

A conference's recording (:meth:`RecordingRuntime.start_conference`) has no call leg: it
records from its start (``recording`` at once) until it is stopped, its ``duration`` passes
(job ``recording.duration``) or the conference ends; its files are written as a call's.

Job kind: ``recording.files`` (write an ended recording's files, off every transaction: the
job starts the write in a worker thread and looks again later, writing again whatever a
dead process left unwritten, a few times at most; a deleted recording's files are removed).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

from voipbin.common.errors import FailedPrecondition, PaymentRequired
from voipbin.common.ids import EMPTY_UUID_TEXT, new_id
from voipbin.models.conference import ConferenceRecordingStart
from voipbin.models.recording import RecordingStart
from voipbin.server.billing.ledger import Usage
from voipbin.server.billing.prices import started_minutes
from voipbin.server.runtime.calls.legs import CallRow
from voipbin.server.runtime.calls.service import CallRuntime
from voipbin.server.runtime.carrier.base import (
    CarrierEvent,
    Dtmf,
    RecordingFinished,
    RecordingStarted,
)
from voipbin.server.runtime.flows.runner import FlowRunner, flow_of
from voipbin.server.runtime.jobs import Job
from voipbin.server.runtime.recordings import machine
from voipbin.server.runtime.recordings.files import RecordingFiles
from voipbin.server.runtime.recordings.rows import RecordingRow, RecordingRows
from voipbin.server.runtime.rows import json_text
from voipbin.server.storage.database import Executor

log = logging.getLogger("voipbin.runtime.recordings")

FILES_JOB = "recording.files"
DURATION_JOB = "recording.duration"
#: Told of a conference's recording that has just ended, in the same transaction (the
#: conference clears its ``recording_id``).
EndedHook = Callable[[Executor, RecordingRow], Awaitable[None]]
#: When the files job looks again whether the files it started writing are there.
FILES_RECHECK_SECONDS = 30.0
#: How many times it writes again what is missing before it gives up (and logs it).
FILES_ATTEMPTS = 5


def recording_variables(recording: RecordingRow) -> dict[str, str]:
    """The ``voipbin.recording.*`` variables of ``recording`` (upstream's names;
    ``filenames`` comma-separated)."""
    return {
        "voipbin.recording.id": recording.id,
        "voipbin.recording.reference_type": str(recording.values["reference_type"]),
        "voipbin.recording.reference_id": recording.reference_id,
        "voipbin.recording.format": str(recording.values["format"]),
        "voipbin.recording.recording_name": recording.recording_name,
        "voipbin.recording.filenames": ",".join(recording.filenames),
    }


class RecordingRuntime:
    """Every recording of the server."""

    def __init__(
        self,
        rows: RecordingRows,
        calls: CallRuntime,
        files: RecordingFiles,
        runner: FlowRunner | None = None,
    ) -> None:
        self.rows = rows
        self.calls = calls
        self.files = files
        self.runner = runner
        self.jobs = calls.jobs
        self.db = rows.repository.db
        self._tasks: set[asyncio.Task[None]] = set()
        self.conference_ended: EndedHook | None = None
        """Told when a conference's recording ends (set by the conferences runtime)."""

    def register(self) -> None:
        """Register the job kinds and listen to the calls (once per process)."""
        self.jobs.register(FILES_JOB, self._on_files)
        self.jobs.register(DURATION_JOB, self._on_duration)
        self.calls.subscribe(self.on_network_event)
        self.calls.on_hangup(self.call_hung_up)

    # -- what we ask ---------------------------------------------------------------------

    def _require_answered(self, call: CallRow) -> None:
        self.calls.require_up(call)
        if call.status != "progressing":
            raise FailedPrecondition(
                "CALL_STATE_INVALID",
                f"The call is {call.status}: only an answered call is recorded.",
            )

    async def start(
        self,
        tx: Executor,
        call: CallRow,
        options: RecordingStart,
        activeflow_id: str | None = None,
    ) -> CallRow:
        """Start recording the answered ``call`` (``409 CALL_STATE_INVALID`` when it is not
        answered, ``RECORDING_ALREADY_ACTIVE`` while one runs, ``402`` when the balance
        cannot pay a minute); the call after."""
        self._require_answered(call)
        if call.recording_id is not None:
            raise FailedPrecondition("RECORDING_ALREADY_ACTIVE")
        recording = await self._insert(
            tx, call.customer_id, "call", call.id, options, activeflow_id, options.end_of_key
        )
        recording_id = recording.id
        moved = await self.calls.rows.move(
            tx,
            call,
            {
                "recording_id": recording_id,
                "recording_ids": json_text([*call.recording_ids, recording_id]),
            },
            expected={"leg_id": call.values["leg_id"], "recording_id": EMPTY_UUID_TEXT},
        )
        if moved is None:  # another start won meanwhile (or the call went)
            raise FailedPrecondition("RECORDING_ALREADY_ACTIVE")
        network = self.calls.network(tx, call.id)
        await network.start_recording(
            call.leg, recording_id, float(options.duration), options.end_of_key
        )
        return moved

    async def stop(self, tx: Executor, call: CallRow) -> CallRow:
        """Stop the call's recording (``409 RECORDING_NOT_ACTIVE`` when none runs): it is
        ``stopping`` until the network reports its end; the call after, its
        ``recording_id`` cleared."""
        self._require_answered(call)
        recording_id = call.recording_id
        if recording_id is None:
            raise FailedPrecondition("RECORDING_NOT_ACTIVE")
        recording = await self.rows.get(recording_id, tx)
        if recording is not None:
            await self._apply(tx, recording, "stop")
        await self.calls.network(tx, call.id).stop_recording(call.leg, recording_id)
        return await self._clear(tx, call.id, recording_id) or call

    async def start_conference(
        self,
        tx: Executor,
        customer_id: str,
        conference_id: str,
        options: ConferenceRecordingStart,
    ) -> RecordingRow:
        """Record the conference ``conference_id`` from now (``402`` when the balance cannot
        pay a minute); the recording, ``recording`` already (no leg to wait for)."""
        recording = await self._insert(tx, customer_id, "conference", conference_id, options)
        started = await self._apply(tx, recording, "started")
        assert started is not None
        if options.duration:
            due = self.jobs.clock.now() + timedelta(seconds=options.duration)
            await self.jobs.schedule(tx, DURATION_JOB, recording.id, due)
        return started

    async def _insert(
        self,
        tx: Executor,
        customer_id: str,
        reference_type: str,
        reference_id: str,
        options: RecordingStart | ConferenceRecordingStart,
        activeflow_id: str | None = None,
        end_of_key: str = "",
    ) -> RecordingRow:
        """A new ``initiating`` recording of the call or conference, once the customer can
        pay a minute (``402`` otherwise); named as upstream names its files."""
        await self.calls.ledger.require(customer_id, "recording", 1, tx)
        now = self.jobs.clock.now()
        name = f"{reference_type}_{reference_id}_{now:%Y-%m-%dT%H:%M:%SZ}"
        values: dict[str, Any] = {
            "id": str(new_id()),
            "customer_id": customer_id,
            "activeflow_id": activeflow_id or EMPTY_UUID_TEXT,
            "reference_type": reference_type,
            "reference_id": reference_id,
            "status": "initiating",
            "format": options.format or "wav",
            "on_end_flow_id": str(options.on_end_flow_id),
            "recording_name": name,
            "filenames": json_text([f"{name}_in.wav", f"{name}_out.wav"]),
            "end_of_key": end_of_key,
            "duration": options.duration,
        }
        return await self.rows.insert(values, tx)

    async def stop_conference(self, tx: Executor, recording_id: str) -> None:
        """End a conference's recording now (``stopping``, then ``ended``); nothing when it
        has ended already."""
        recording = await self.rows.get(recording_id, tx)
        if recording is None or recording.status not in machine.ACTIVE:
            return
        stopping = await self._apply(tx, recording, "stop") or recording
        await self._apply(tx, stopping, "finished")

    async def _on_duration(self, tx: Executor, job: Job) -> None:
        await self.stop_conference(tx, job.resource_id)

    async def delete(self, recording_id: str) -> bool:
        """End the recording if it runs, soft-delete it, then delete its files; ``False``
        when it was deleted already."""
        async with self.db.transaction() as tx:
            recording = await self.rows.get(recording_id, tx)
            if recording is None or recording.deleted:
                return False
            if recording.status in machine.ACTIVE:
                call = await self.calls.rows.get(recording.reference_id, tx)
                if call is not None:
                    await self.calls.network(tx, call.id).stop_recording(call.leg, recording.id)
                await self._apply(tx, recording, "finished")
                recording = await self.rows.get(recording_id, tx) or recording
            if await self.rows.soft_delete(tx, recording) is None:
                return False
        await asyncio.to_thread(self.files.remove, recording_id)
        return True

    # -- what the network and the calls report --------------------------------------------

    async def on_network_event(self, tx: Executor, call: CallRow, event: CarrierEvent) -> None:
        """A recording's start or end on the network, or keys that end one."""
        if isinstance(event, RecordingStarted | RecordingFinished):
            recording = await self.rows.get(event.recording_id, tx)
            if recording is None or recording.reference_id != call.id:
                return
            happening: machine.Happening = (
                "started" if isinstance(event, RecordingStarted) else "finished"
            )
            await self._apply(tx, recording, happening)
        elif isinstance(event, Dtmf) and call.recording_id is not None:
            recording = await self.rows.get(call.recording_id, tx)
            if (
                recording is not None
                and recording.status in machine.ACTIVE
                and machine.ends_on_key(recording.end_of_key, event.digits)
            ):
                await self.calls.network(tx, call.id).stop_recording(call.leg, recording.id)

    async def call_hung_up(self, tx: Executor, call: CallRow) -> None:
        """The call hung up: its recording ends with it."""
        if call.recording_id is None:
            return
        recording = await self.rows.get(call.recording_id, tx)
        if recording is not None:
            await self._apply(tx, recording, "call_hangup")

    # -- moves ---------------------------------------------------------------------------

    async def _apply(
        self, tx: Executor, recording: RecordingRow, happening: machine.Happening
    ) -> RecordingRow | None:
        """Move ``recording`` as the table says for ``happening`` (with its event); ``None``
        when it stays as it is."""
        to = machine.next_status(recording.status, happening)
        if to is None:
            return None
        now = self.jobs.clock.now()
        values: dict[str, Any] = {"status": to}
        if to == "recording":
            values["tm_start"] = now
        elif to == "ended":
            values["tm_end"] = now
            if recording.time("tm_start") is None:
                values["tm_start"] = now  # it never started: it lasted nothing
        moved = await self.rows.move(tx, recording, values)
        if moved is None:
            return None
        event = machine.EVENTS[to]
        if event is not None:
            await self.calls.outbox.emit(
                tx, moved.customer_id, event, "recording", moved.id, moved.wire
            )
        if to == "ended":
            await self._ended(tx, moved)
        return moved

    async def _clear(self, tx: Executor, call_id: str, recording_id: str) -> CallRow | None:
        """Clear the call's ``recording_id`` if it still names ``recording_id``."""
        call = await self.calls.rows.get(call_id, tx)
        if call is None or call.recording_id != recording_id:
            return call
        return await self.calls.rows.move(
            tx, call, {"recording_id": EMPTY_UUID_TEXT}, expected={"recording_id": recording_id}
        )

    async def _ended(self, tx: Executor, recording: RecordingRow) -> None:
        """The recording ended: the call (or conference) may record again, the minutes are
        billed, the files are written, the ``on_end_flow_id`` flow starts."""
        if recording.values["reference_type"] == "conference":
            await self.jobs.cancel(tx, DURATION_JOB, recording.id)
            if self.conference_ended is not None:
                await self.conference_ended(tx, recording)
        else:
            await self._clear(tx, recording.reference_id, recording.id)
        await self._bill(tx, recording)
        await self.jobs.schedule(tx, FILES_JOB, recording.id, self.jobs.clock.now())
        if recording.on_end_flow_id is not None:
            await self._run_on_end(tx, recording, recording.on_end_flow_id)

    async def _bill(self, tx: Executor, recording: RecordingRow) -> None:
        """Charge the recording per started minute, from its start to its end."""
        start, end = recording.time("tm_start"), recording.time("tm_end")
        if start is None or end is None:
            return
        elapsed = end - start
        usage = Usage(
            "recording",
            "recording",
            recording.id,
            units=started_minutes(elapsed // timedelta(microseconds=1)),
            usage_duration=int(elapsed.total_seconds()),
            tm_billing_start=start,
            tm_billing_end=end,
        )
        try:
            async with tx.savepoint():
                await self.calls.ledger.charge(recording.customer_id, usage, tx)
        except PaymentRequired:
            log.warning(
                "recording %s could not be charged: the balance cannot pay it", recording.id
            )

    async def _run_on_end(self, tx: Executor, recording: RecordingRow, flow_id: str) -> None:
        if self.runner is None:
            return
        found = await flow_of(self.runner.flows, recording.customer_id, UUID(flow_id), tx)
        if found is None:
            log.warning("recording %s: on_end_flow_id %s names no live flow", recording.id, flow_id)
            return
        actions, on_complete = found
        await self.runner.create(
            tx,
            customer_id=recording.customer_id,
            actions=actions,
            reference_type="recording",
            reference_id=UUID(recording.id),
            flow_id=UUID(flow_id),
            on_complete_flow_id=on_complete,
            system_variables=recording_variables(recording),
        )

    # -- files ---------------------------------------------------------------------------

    async def _on_files(self, tx: Executor, job: Job) -> None:
        recording = await self.rows.get(job.resource_id, tx)
        if recording is None:
            return
        if recording.deleted:
            self._spawn(self.files.remove, recording.id)
            return
        names = recording.filenames
        if recording.status != "ended" or self.files.complete(recording.id, names):
            return
        attempt = int(job.payload.get("attempt", 0))
        if attempt >= FILES_ATTEMPTS:
            log.error("recording %s: its files could not be written", recording.id)
            return
        self._spawn(self.files.write, recording.id, names, recording.seconds)
        due = self.jobs.clock.now() + timedelta(seconds=FILES_RECHECK_SECONDS)
        await self.jobs.schedule(tx, FILES_JOB, recording.id, due, {"attempt": attempt + 1})

    def _spawn(self, work: Callable[..., None], *args: Any) -> None:
        """Run ``work(*args)`` in a worker thread, off this transaction and the loop."""

        async def run() -> None:
            try:
                await asyncio.to_thread(work, *args)
            except OSError:
                log.exception("recording files: %s failed", work.__name__)

        task = asyncio.get_running_loop().create_task(run(), name=f"recording {args[0]}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settle(self) -> None:
        """Wait for the file writes running now (tests, and a stopping server)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
