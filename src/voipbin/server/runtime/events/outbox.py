"""The event outbox: each event is one row, written in the transaction of the state change it
reports, so an event exists exactly when its change does.

A service that changes a resource's state emits in the same transaction::

    async with db.transaction() as tx:
        row = await calls.update(call_id, {"status": "hangup"}, expected=..., executor=tx)
        await outbox.emit(tx, customer_id, "call_hangup", "call", call_id, call_wire)

If the transaction rolls back, the event was never written. Rows are only ever inserted;
their creation times are unique and increasing (``storage/clock.py``), which orders a
resource's events and makes timeline pages exact. Delivery (webhooks, websockets) reads rows
from here and keeps its own per-event state elsewhere, keyed by the event's id.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

import msgspec

from voipbin.common.timestamps import parse_timestamp
from voipbin.models.events import EVENT_TYPES
from voipbin.server.storage.clock import CreationClock
from voipbin.server.storage.database import Database, Executor
from voipbin.server.storage.outbox import EVENT_FIELDS, outbox_repository
from voipbin.server.storage.repository import ListQuery

#: What an event's ``data`` may be given as: the resource's wire struct, or its wire form as
#: a mapping.
EventData = msgspec.Struct | Mapping[str, object]

_encoder = msgspec.json.Encoder()
_ID = EVENT_FIELDS.index("id")
_TYPE = EVENT_FIELDS.index("type")
_DATA = EVENT_FIELDS.index("data")
_CREATED = EVENT_FIELDS.index("tm_create")


class UnknownEventType(ValueError):
    """An event type that is not in the catalogue, or not of the resource given: a bug in
    the caller, never the client's input."""


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as the outbox holds it; ``data`` is raw JSON, ``tm_create`` in wire form."""

    id: str
    type: str
    data: msgspec.Raw
    tm_create: str


@dataclass(frozen=True, slots=True)
class Emitted:
    """An event just written, as the outbox's listeners get it (in the same transaction)."""

    id: str
    customer_id: str
    type: str
    resource: str
    resource_id: str
    data: bytes
    """``data`` as the JSON written."""
    source: EventData
    """``data`` as the emitter gave it (read a field without decoding the JSON)."""
    created: datetime
    """Its ``tm_create``."""


#: Called with every event in the transaction that writes it (webhook delivery): what it
#: writes commits with the event, or neither does.
Listener = Callable[[Executor, Emitted], Awaitable[None]]


class Outbox:
    """Writes events, and reads a resource's events back (newest first)."""

    def __init__(self, db: Database, clock: CreationClock) -> None:
        self.repository = outbox_repository(db, clock)
        self._listeners: list[Listener] = []

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener`` with every event from now on, after its row is written, in its
        transaction (which may yet roll back: webhook deliveries are written with it, the
        event feed waits for it to commit)."""
        self._listeners.append(listener)

    async def emit(
        self,
        executor: Executor,
        customer_id: str,
        type: str,
        resource: str,
        resource_id: str,
        data: EventData,
    ) -> str:
        """Record the event ``type`` of ``resource`` ``resource_id`` (of ``customer_id``),
        whose ``data`` is the resource's wire form, in ``executor``'s transaction; its id.
        ``UnknownEventType`` for a type the catalogue does not have for ``resource``."""
        declared = EVENT_TYPES.get(type)
        if declared is None:
            raise UnknownEventType(f"{type!r} is not in the event catalogue")
        if declared.resource != resource:
            raise UnknownEventType(f"{type!r} is an event of a {declared.resource}, not {resource}")
        encoded = _encoder.encode(data)
        row = await self.repository.insert(
            {
                "customer_id": customer_id,
                "type": type,
                "resource": resource,
                "resource_id": resource_id,
                "data": encoded.decode(),
            },
            executor,
        )
        event_id = str(row[_ID])
        if self._listeners:
            created = row[_CREATED]
            if not isinstance(created, datetime):
                created = parse_timestamp(str(created))
            emitted = Emitted(
                event_id, customer_id, type, resource, resource_id, encoded, data, created
            )
            for listener in self._listeners:
                await listener(executor, emitted)
        return event_id

    async def events_of(
        self, resource: str, resource_id: str, limit: int, before: datetime | None = None
    ) -> list[StoredEvent]:
        """Up to ``limit`` events of ``resource`` ``resource_id``, newest first, created
        before ``before`` when given."""
        query = ListQuery(
            limit=limit, equals={"resource": resource, "resource_id": resource_id}, before=before
        )
        return [
            StoredEvent(str(r[_ID]), str(r[_TYPE]), r[_DATA], str(r[_CREATED]))
            for r in await self.repository.list(query)
        ]
