"""Messages as processes: sent (checked, charged one ``sms`` per target, ``message_created``),
then moved target by target by the network and our timers (``message_updated`` each), or
received on one of our numbers (``message_created``; the number's ``message_flow_id`` runs).

Use (the app builds one and registers its job kind)::

    messages = MessageRuntime(rows, jobs, outbox, ledger, rules, customers, numbers)
    messages.register()
    await messages.create(ctx, body)                  # POST /v1.0/messages
    await messages.send(tx, customer_id, body)        # the same, in a transaction (a flow's)
    await messages.receive(tx, customer_id, source, destination, text)   # from the network

Job kind ``message.target`` (payload ``{"index", "status", "by"}``): a move of one target,
due when the network makes it or one of our timers runs out (:mod:`.machine`). Every write
is one UPDATE conditional on the row's ``version``, so two targets moving at once in two
processes never lose each other's move (the later one is retried).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, cast

import msgspec

from voipbin.common.address import Address
from voipbin.common.errors import InvalidArgument, PermissionDenied
from voipbin.common.sms import sms_parts
from voipbin.common.timestamps import SENTINEL_TEXT, format_timestamp
from voipbin.models.message import Message, MessageCreate, check_message_create
from voipbin.models.wire import wire_struct
from voipbin.server.billing.ledger import Ledger, Usage
from voipbin.server.resources.context import Context
from voipbin.server.runtime.events.outbox import Outbox
from voipbin.server.runtime.jobs import Job, Jobs
from voipbin.server.runtime.messages import machine
from voipbin.server.runtime.messages.network import message_script_for, message_timeline
from voipbin.server.storage.database import Executor, Row
from voipbin.server.storage.repository import Repository
from voipbin.server.storage.sim_messages import MessageRules

MOVE = "message.target"

#: The model's fields, in its order; then what only the runtime reads.
MESSAGE_FIELDS: tuple[str, ...] = Message.__struct_fields__
FIELDS: tuple[str, ...] = (*MESSAGE_FIELDS, "statuses", "version")
_TARGETS = FIELDS.index("targets")
_VERSION = FIELDS.index("version")
_CUSTOMER = FIELDS.index("customer_id")

MessageWire = wire_struct(Message)
CommitHook = Callable[[Executor, msgspec.Struct], Awaitable[None]]

_encoder = msgspec.json.Encoder()


class StoredTarget(msgspec.Struct, kw_only=True):
    """A target as its message's row holds it (the wire form)."""

    destination: Address
    status: str
    parts: int
    tm_update: str


_targets = msgspec.json.Decoder(list[StoredTarget])


class Conflict(Exception):
    """Another write to the message came between this move's read and its write (its job
    is retried, and reads the message again)."""


def _raw(value: Any) -> bytes:
    return bytes(value) if isinstance(value, msgspec.Raw) else str(value).encode()


def _json(value: Any) -> str:
    return _encoder.encode(value).decode()


def target_reference(message_id: str, index: int) -> str:
    """The ledger reference of a target's charge (upstream's: a UUIDv5 of the message id
    and ``target-<index>``), so a target is never charged twice."""
    return str(uuid.uuid5(uuid.UUID(message_id), f"target-{index}"))


def shown(row: Row) -> Row:
    """The row as the API shows it (the model's fields)."""
    return list(row[: len(MESSAGE_FIELDS)])


def wire(row: Row) -> msgspec.Struct:
    return MessageWire(*shown(row))


class MessageRuntime:
    """Every message of the server."""

    def __init__(
        self,
        rows: Repository,
        jobs: Jobs,
        outbox: Outbox,
        ledger: Ledger,
        rules: MessageRules,
        customers: Repository,
        numbers: Repository,
    ) -> None:
        if rows.fields != FIELDS:
            raise ValueError("the runtime reads messages with the model's fields and its own")
        self.rows = rows
        self.jobs = jobs
        self.outbox = outbox
        self.ledger = ledger
        self.rules = rules
        self.customers = customers
        self.numbers = numbers
        self.db = rows.db

    def register(self) -> None:
        """Register the messages' job kind with ``jobs`` (once per process)."""
        self.jobs.register(MOVE, self._on_move)

    def _now(self) -> str:
        return format_timestamp(self.jobs.clock.now())

    # -- sending -------------------------------------------------------------------------

    async def create(
        self, ctx: Context, body: MessageCreate, commit_with: CommitHook | None = None
    ) -> msgspec.Struct:
        """``POST /v1.0/messages``: the message, created and charged, its targets queued."""
        async with self.db.transaction() as tx:
            message = await self.send(tx, ctx.customer_id, body)
            if commit_with is not None:
                await commit_with(tx, message)
        return message

    async def send(self, tx: Executor, customer_id: str, body: MessageCreate) -> msgspec.Struct:
        """Check, create and charge a message of ``customer_id`` in ``tx``; the message on
        the wire. ``400`` for a bad address or text or a source that is none of the
        customer's numbers, ``403`` for an identity not verified, ``402`` when the balance
        cannot pay one SMS per target (checked for all of them before anything is sent)."""
        checked = check_message_create(body)
        await self._require_identity(tx, customer_id)
        await self._require_source(tx, customer_id, checked.source)
        units = len(checked.destinations)
        await self.ledger.require(customer_id, "sms", units, executor=tx)
        now = self._now()
        parts = sms_parts(checked.text).parts
        targets = [
            StoredTarget(destination=d, status="queued", parts=parts, tm_update=now)
            for d in checked.destinations
        ]
        row = await self.rows.insert(
            {
                "customer_id": customer_id,
                "type": "sms",
                "source": _json(checked.source),
                "targets": _json(targets),
                "text": checked.text,
                "direction": "outbound",
                "statuses": _json(["queued"] * units),
                "version": 0,
            },
            tx,
        )
        message_id = str(row[0])
        for index in range(units):
            usage = Usage("sms", "sms", target_reference(message_id, index))
            await self.ledger.charge(customer_id, usage, tx)
        message = wire(row)
        await self.outbox.emit(tx, customer_id, "message_created", "message", message_id, message)
        rules = await self.rules.list(tx)
        for index, destination in enumerate(checked.destinations):
            script = message_script_for(destination.target, rules)
            for seconds, status in message_timeline(script):
                await self._schedule(tx, message_id, index, status, "network", seconds)
            await self._start_timer(tx, message_id, index, "queued")
        return message

    async def _require_identity(self, tx: Executor, customer_id: str) -> None:
        row = await self.customers.find(
            ("identity_verification_status",), {"id": customer_id}, executor=tx
        )
        if row is None or row[0] != "verified":
            raise PermissionDenied(
                "IDENTITY_VERIFICATION_REQUIRED",
                "Customer identity verification is required to send an SMS.",
            )

    async def _require_source(self, tx: Executor, customer_id: str, source: Address) -> None:
        owned = {"customer_id": customer_id, "number": source.target, "status": "active"}
        if await self.numbers.find(("id",), owned, executor=tx) is None:
            raise InvalidArgument.field(
                "source.target", f"{source.target} is no active number of the customer"
            )

    async def _schedule(
        self, tx: Executor, message_id: str, index: int, status: str, by: str, seconds: float
    ) -> None:
        due = self.jobs.clock.now() + timedelta(seconds=seconds)
        payload = {"index": index, "status": status, "by": by}
        await self.jobs.schedule(tx, MOVE, message_id, due, payload)

    async def _start_timer(self, tx: Executor, message_id: str, index: int, status: str) -> None:
        timer = machine.TIMERS.get(status)
        if timer is not None:
            seconds, ends_in = timer
            await self._schedule(tx, message_id, index, ends_in, "timer", seconds)

    # -- moving --------------------------------------------------------------------------

    async def _on_move(self, tx: Executor, job: Job) -> None:
        index, status = int(job.payload["index"]), str(job.payload["status"])
        await self.move(tx, job.resource_id, index, status, cast(machine.By, job.payload["by"]))

    async def move(
        self, tx: Executor, message_id: str, index: int, status: str, by: machine.By
    ) -> bool:
        """Move target ``index`` of the live message to ``status`` when the table allows
        it (``message_updated``, and the new status's timer); whether it moved."""
        row = await self.rows.get(message_id, tx)
        if row is None or row[FIELDS.index("tm_delete")] != SENTINEL_TEXT:
            return False
        targets = _targets.decode(_raw(row[_TARGETS]))
        if index >= len(targets) or not machine.allowed(targets[index].status, status, by):
            return False
        targets[index] = msgspec.structs.replace(
            targets[index], status=status, tm_update=self._now()
        )
        version = int(row[_VERSION])
        values = {
            "targets": _json(targets),
            "statuses": _json([t.status for t in targets]),
            "version": version + 1,
        }
        updated = await self.rows.update(
            message_id, values, expected={"version": version}, executor=tx
        )
        if updated is None:
            raise Conflict(f"message {message_id} was written by another process")
        customer_id = str(updated[_CUSTOMER])
        await self.outbox.emit(
            tx, customer_id, "message_updated", "message", message_id, wire(updated)
        )
        await self._start_timer(tx, message_id, index, status)
        return True

    # -- receiving and deleting ------------------------------------------------------------

    async def receive(
        self, tx: Executor, customer_id: str, source: Address, destination: Address, text: str
    ) -> Row:
        """Record an SMS from ``source`` to the customer's number ``destination``
        (``message_created``); the stored row. Not charged (upstream charges received
        messages too; we bill outbound only, §8.5)."""
        target = StoredTarget(
            destination=destination,
            status="received",
            parts=sms_parts(text).parts,
            tm_update=self._now(),
        )
        row = await self.rows.insert(
            {
                "customer_id": customer_id,
                "type": "sms",
                "source": _json(source),
                "targets": _json([target]),
                "text": text,
                "direction": "inbound",
                "statuses": _json(["received"]),
                "version": 0,
            },
            tx,
        )
        message_id = str(row[0])
        await self.outbox.emit(tx, customer_id, "message_created", "message", message_id, wire(row))
        return row

    async def delete(self, message_id: str) -> None:
        """Soft-delete the message (``message_deleted``); its targets move no more."""
        async with self.db.transaction() as tx:
            if not await self.rows.soft_delete(message_id, executor=tx):
                return
            await self.jobs.cancel(tx, MOVE, message_id)
            row = await self.rows.get(message_id, tx)
            assert row is not None
            customer_id = str(row[_CUSTOMER])
            await self.outbox.emit(
                tx, customer_id, "message_deleted", "message", message_id, wire(row)
            )
