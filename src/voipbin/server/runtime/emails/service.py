"""The emails' runtime: an email is made, paid for and its delivery scheduled in one
transaction; a durable job then delivers it, and every change of its status is one
conditional UPDATE with its ``email_updated`` event.

- Creation (:meth:`EmailRuntime.create`, in the caller's transaction: the API's request or a
  flow's step): ``402`` unless the account can pay one ``email`` unit per destination; the row
  (``initiated``), one ledger row per destination (reference ``email``, a UUIDv5 of the email's
  id and ``target-<i>``, as upstream's SMS), ``email_created``, and the job ``email.send``.
- Attachments (:mod:`.attachments`): recordings of the customer; while one is still running
  or its files are not written, the job looks again later (bounded), then the files are
  zipped off every transaction, in the task that sends.
- Delivery, without SMTP: the job stores the email in the simulator's local outbox
  (``sim_emails``) and moves it to ``delivered``, in the job's transaction (in the sending
  task's, after its attachments are zipped, when it has some).
- Delivery through SMTP (``VOIPBIN_SMTP_URL``): never inside a transaction. The job starts the
  send in a thread and schedules itself again :data:`SEND_GRACE` later (in case this process
  dies meanwhile: the email is then sent again, at least once); when the send ends, one
  transaction records its report (``machine.after``), cancels that stand-in and, after a
  temporary failure, schedules the next attempt (``machine.retry_in``).
- Deletion: the row is soft-deleted (``email_deleted``) and its pending send cancelled: a
  deleted email that was not sent yet is never sent; a send in flight changes nothing after.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid5

import msgspec

from voipbin.common.address import Address
from voipbin.common.timestamps import SENTINEL_TEXT, format_timestamp, parse_timestamp
from voipbin.models.email import Email
from voipbin.models.flows.options import Attachment
from voipbin.server.billing.ledger import Ledger, Usage
from voipbin.server.runtime.clock import Clock
from voipbin.server.runtime.emails import machine
from voipbin.server.runtime.emails.attachments import RECHECK_SECONDS, WAIT, Attachments, Found
from voipbin.server.runtime.emails.smtp import DEFAULT_SENDER, Letter, Part, SmtpServer, send
from voipbin.server.runtime.events.outbox import Outbox
from voipbin.server.runtime.jobs import Job, Jobs
from voipbin.server.storage.database import Database, Executor, Row
from voipbin.server.storage.repository import Repository

log = logging.getLogger("voipbin.runtime.emails")

JOB_SEND = "email.send"
#: How long after a send starts its stand-in job is due (a send whose process died).
SEND_GRACE = timedelta(minutes=10)

FIELDS: tuple[str, ...] = Email.__struct_fields__
_ID = FIELDS.index("id")
_CUSTOMER = FIELDS.index("customer_id")
_STATUS = FIELDS.index("status")
_DELETED = FIELDS.index("tm_delete")
_encoder = msgspec.json.Encoder()
_targets = msgspec.json.Decoder(list[Address])
_attachments = msgspec.json.Decoder(list[Attachment])


def _text(raw: Any) -> str:
    return bytes(raw).decode() if isinstance(raw, msgspec.Raw) else str(raw)


def public(row: Row) -> dict[str, Any]:
    """An email row by field name, in wire form (an event's ``data``)."""
    return dict(zip(FIELDS, row, strict=True))


class EmailRuntime:
    """Makes, delivers and deletes emails (any process may deliver any email)."""

    def __init__(
        self,
        emails: Repository,
        local_outbox: Repository,
        jobs: Jobs,
        outbox: Outbox,
        ledger: Ledger,
        *,
        smtp: SmtpServer | None = None,
        attachments: Attachments | None = None,
    ) -> None:
        self.emails = emails
        self.local_outbox = local_outbox
        self.db: Database = emails.db
        self.jobs = jobs
        self.clock: Clock = jobs.clock
        self.outbox = outbox
        self.ledger = ledger
        self.smtp = smtp
        """The SMTP server emails go to; ``None``: the simulator's local outbox."""
        self.attachments = attachments
        """The recordings attachments name; ``None``: they are kept, nothing is attached."""
        self._sending: dict[str, asyncio.Task[None]] = {}
        jobs.register(JOB_SEND, self._on_send)

    @property
    def sender(self) -> str:
        return self.smtp.sender if self.smtp is not None else DEFAULT_SENDER

    # -- creating and deleting -----------------------------------------------------------------

    async def check_attachments(
        self,
        executor: Executor | None,
        customer_id: str,
        attachments: list[Attachment],
        field: str = "attachments",
    ) -> None:
        """A ``422`` naming ``<field>[i].reference_id`` for the first attachment that is no
        live recording of ``customer_id``."""
        if self.attachments is not None:
            await self.attachments.check(executor, customer_id, attachments, field)

    async def create(
        self,
        executor: Executor,
        customer_id: str,
        destinations: list[Address],
        subject: str,
        content: str,
        attachments: list[Attachment],
    ) -> Row:
        """Make, charge and schedule an email of ``customer_id`` (``destinations`` checked) in
        ``executor``'s transaction; its row. ``402`` when the account cannot pay."""
        await self.ledger.require(customer_id, "email", len(destinations), executor)
        row = await self.emails.insert(
            {
                "customer_id": customer_id,
                "source": _encoder.encode(Address(type="email", target=self.sender)).decode(),
                "destinations": _encoder.encode(destinations).decode(),
                "status": "initiated",
                "subject": subject,
                "content": content,
                "attachments": _encoder.encode(attachments).decode(),
            },
            executor,
        )
        email_id = str(row[_ID])
        now = self.clock.now()
        for i in range(len(destinations)):
            usage = Usage(
                cost_type="email",
                reference_type="email",
                reference_id=str(uuid5(UUID(email_id), f"target-{i}")),
                tm_billing_start=now,
                tm_billing_end=now,
            )
            await self.ledger.charge(customer_id, usage, executor)
        data = public(row)
        await self.outbox.emit(executor, customer_id, "email_created", "email", email_id, data)
        await self.jobs.schedule(executor, JOB_SEND, email_id, now, {"attempt": 0})
        return row

    async def delete(self, email_id: str) -> bool:
        """Soft-delete the email and cancel its pending send; ``False`` when it was deleted
        already."""
        async with self.db.transaction() as tx:
            if not await self.emails.soft_delete(email_id, executor=tx):
                return False
            await self.jobs.cancel(tx, JOB_SEND, email_id)
            row = await self.emails.get(email_id, tx)
            assert row is not None
            await self.outbox.emit(
                tx, str(row[_CUSTOMER]), "email_deleted", "email", email_id, public(row)
            )
            return True

    # -- delivering ----------------------------------------------------------------------------

    async def _on_send(self, tx: Executor, job: Job) -> None:
        row = await self.emails.get(job.resource_id, tx)
        if row is None or row[_DELETED] != SENTINEL_TEXT or row[_STATUS] not in machine.SENDABLE:
            return
        attempt = int(job.payload.get("attempt", 0))
        email_id = job.resource_id
        found = await self._find_attachments(tx, row)
        if any(f.state == "pending" for f in found):
            now = self.clock.now()
            since = job.payload.get("waiting_since")
            waiting_since = parse_timestamp(since) if isinstance(since, str) else now
            if now < waiting_since + WAIT:
                due = now + timedelta(seconds=RECHECK_SECONDS)
                payload = {"attempt": attempt, "waiting_since": format_timestamp(waiting_since)}
                await self.jobs.schedule(tx, JOB_SEND, email_id, due, payload)
                return
        if self.smtp is None and not found:
            await self._deliver_locally(tx, row, [])
            await self.report(tx, row, "delivered")
            return
        # The stand-in, should this process die before the send's report is recorded.
        due = self.clock.now() + SEND_GRACE
        await self.jobs.schedule(tx, JOB_SEND, email_id, due, {"attempt": attempt})

        def start() -> None:
            # Once the stand-in is there for the send's report to cancel: started inside the
            # job's transaction, a fast report would miss it (and a rollback would send
            # an email its job then sends again).
            if email_id in self._sending:
                return  # still being sent by this process
            task = asyncio.get_running_loop().create_task(
                self._send(row, attempt, found), name=f"email {email_id}"
            )
            self._sending[email_id] = task
            task.add_done_callback(lambda _: self._sending.pop(email_id, None))

        job.on_commit(start)

    async def _find_attachments(self, tx: Executor, row: Row) -> list[Found]:
        if self.attachments is None:
            return []
        listed = _attachments.decode(_text(row[FIELDS.index("attachments")]))
        return await self.attachments.find(tx, str(row[_CUSTOMER]), listed)

    async def _deliver_locally(self, tx: Executor, row: Row, report: list[dict[str, Any]]) -> None:
        recipients = [a.target for a in _targets.decode(_text(row[FIELDS.index("destinations")]))]
        await self.local_outbox.insert(
            {
                "customer_id": str(row[_CUSTOMER]),
                "email_id": str(row[_ID]),
                "sender": self.sender,
                "recipients": _encoder.encode(recipients).decode(),
                "subject": row[FIELDS.index("subject")],
                "content": row[FIELDS.index("content")],
                "attachments": _encoder.encode(report).decode(),
            },
            tx,
        )

    async def _send(self, row: Row, attempt: int, found: list[Found]) -> None:
        email_id = str(row[_ID])
        parts: tuple[Part, ...] = ()
        if found and self.attachments is not None:
            try:
                prepared = await asyncio.to_thread(self.attachments.build, found)
            except OSError:
                log.exception(
                    "email %s: its attachments could not be read (its stand-in tries again)",
                    email_id,
                )
                return
            parts = prepared.parts
            for entry in prepared.report:
                recording, outcome = entry["reference_id"], entry["status"]
                log.info("email %s: recording %s %s", email_id, recording, outcome)
            if self.smtp is None:
                await self._record_local(email_id, list(prepared.report))
                return
        assert self.smtp is not None
        smtp = self.smtp
        destinations = _targets.decode(_text(row[FIELDS.index("destinations")]))
        letter = Letter(
            sender=smtp.sender,
            recipients=tuple(a.target for a in destinations),
            subject=str(row[FIELDS.index("subject")]),
            content=str(row[FIELDS.index("content")]),
            message_id=email_id,
            parts=parts,
        )
        report: machine.Report
        report, why = await asyncio.to_thread(send, smtp, letter)
        log.info("email %s, attempt %d: %s (%s)", email_id, attempt + 1, report, why)
        retry = machine.retry_in(attempt) if report == "temporary" else None
        if report == "temporary" and retry is None:
            report = "exhausted"
        try:
            async with self.db.transaction() as tx:
                await self.jobs.cancel(tx, JOB_SEND, email_id)
                current = await self.emails.get(email_id, tx)
                if current is None or current[_DELETED] != SENTINEL_TEXT:
                    return
                if await self.report(tx, current, report) is not None and retry is not None:
                    due = self.clock.now() + timedelta(seconds=retry)
                    await self.jobs.schedule(tx, JOB_SEND, email_id, due, {"attempt": attempt + 1})
        except Exception:
            log.exception("email %s: its send's report was lost (its stand-in resends)", email_id)

    async def _record_local(self, email_id: str, report: list[dict[str, Any]]) -> None:
        """Store the email, its attachments zipped, in the local outbox: ``delivered``."""
        try:
            async with self.db.transaction() as tx:
                await self.jobs.cancel(tx, JOB_SEND, email_id)
                current = await self.emails.get(email_id, tx)
                if (
                    current is None
                    or current[_DELETED] != SENTINEL_TEXT
                    or current[_STATUS] not in machine.SENDABLE
                ):
                    return
                await self._deliver_locally(tx, current, report)
                await self.report(tx, current, "delivered")
        except Exception:
            log.exception("email %s: its delivery was lost (its stand-in delivers it)", email_id)

    async def report(self, tx: Executor, row: Row, report: machine.Report) -> Row | None:
        """Apply ``report`` to the email ``row`` in ``tx``: its status moves by the table
        (with ``email_updated``), or stays; the row after, ``None`` when the report does not
        apply to its status (or another process moved it first)."""
        status = str(row[_STATUS])
        changed = machine.after(status, report)
        if changed is None:
            return None
        if changed == status:
            return row
        email_id = str(row[_ID])
        updated = await self.emails.update(
            email_id, {"status": changed}, expected={"status": status}, executor=tx
        )
        if updated is not None:
            await self.outbox.emit(
                tx, str(row[_CUSTOMER]), "email_updated", "email", email_id, public(updated)
            )
        return updated

    async def settle(self) -> None:
        """Wait for the sends running now (tests, and a stopping server)."""
        while self._sending:
            await asyncio.gather(*self._sending.values(), return_exceptions=True)

    async def close(self) -> None:
        """Cancel the sends running now (their stand-in jobs send them again)."""
        for task in list(self._sending.values()):
            task.cancel()
        await asyncio.gather(*self._sending.values(), return_exceptions=True)
