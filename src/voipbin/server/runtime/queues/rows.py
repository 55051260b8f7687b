"""Queues' and queuecalls' rows as the runtime reads them (:mod:`voipbin.server.runtime.rows`).

A queue's lists and counters are written only here, each write conditional on the row's
``version`` (read with it): writes from several processes apply one after another, none is
lost. A queuecall moves by one UPDATE conditional on its status.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import msgspec

from voipbin.models.queue import Queue, Queuecall, QueuecallStatus
from voipbin.models.wire import wire_struct
from voipbin.server.runtime.queues import machine
from voipbin.server.runtime.rows import RuntimeRows, StoredRow, id_or_none, json_text, raw_json
from voipbin.server.storage.database import Executor
from voipbin.server.storage.repository import ListQuery, Repository

QUEUE_FIELDS: tuple[str, ...] = (*Queue.__struct_fields__, "version")
QUEUECALL_FIELDS: tuple[str, ...] = Queuecall.__struct_fields__
#: The longest waiting line the dispatcher reads at once (oldest first).
LINE_LIMIT = 100
#: How often a queue's change is tried again when another write came first.
_TRIES = 16

_ids = msgspec.json.Decoder(list[str])


@dataclass(frozen=True, slots=True)
class QueueRow(StoredRow):
    MODEL_FIELDS = Queue.__struct_fields__
    WIRE = wire_struct(Queue)

    def ids(self, field: str) -> list[str]:
        return _ids.decode(raw_json(self.values[field]))

    @property
    def live(self) -> bool:
        return self.time("tm_delete") is None


class QueueRows(RuntimeRows[QueueRow]):
    def __init__(self, repository: Repository) -> None:
        super().__init__(repository, QueueRow, QUEUE_FIELDS)

    async def change(
        self, tx: Executor, queue_id: str, queuecall_id: str, change: machine.QueueChange
    ) -> None:
        """Apply ``change`` for the queuecall ``queuecall_id`` to the live queue."""
        if change.empty:
            return
        for _ in range(_TRIES):
            queue = await self.get(queue_id, tx)
            if queue is None or not queue.live:
                return
            v = queue.values
            wait = machine.applied(
                queue.ids("wait_queuecall_ids"), queuecall_id, change.wait_add, change.wait_remove
            )
            service = machine.applied(
                queue.ids("service_queuecall_ids"),
                queuecall_id,
                change.service_add,
                change.service_remove,
            )
            values = {
                "wait_queuecall_ids": json_text(wait),
                "service_queuecall_ids": json_text(service),
                "total_incoming_count": int(v["total_incoming_count"]) + change.incoming,
                "total_serviced_count": int(v["total_serviced_count"]) + change.serviced,
                "total_abandoned_count": int(v["total_abandoned_count"]) + change.abandoned,
                "version": int(v["version"]) + 1,
            }
            if await self.update(tx, queue_id, values, {"version": v["version"]}) is not None:
                return
        raise RuntimeError(f"queue {queue_id} kept changing")


@dataclass(frozen=True, slots=True)
class QueuecallRow(StoredRow):
    MODEL_FIELDS = QUEUECALL_FIELDS
    WIRE = wire_struct(Queuecall)

    @property
    def status(self) -> QueuecallStatus:
        return cast(QueuecallStatus, self.values["status"])

    def ref(self, field: str) -> str | None:
        """An id field; ``None`` for the empty UUID."""
        return id_or_none(self.values[field])

    @property
    def tag_ids(self) -> list[str]:
        return _ids.decode(raw_json(self.values["tag_ids"]))


class QueuecallRows(RuntimeRows[QueuecallRow]):
    def __init__(self, repository: Repository) -> None:
        super().__init__(repository, QueuecallRow, QUEUECALL_FIELDS)

    async def move(
        self, tx: Executor, queuecall: QueuecallRow, values: Mapping[str, Any]
    ) -> QueuecallRow | None:
        """Write ``values`` if the queuecall is still in the status read."""
        return await self.update(tx, queuecall.id, values, {"status": queuecall.status})

    async def line(self, tx: Executor, queue_id: str) -> list[QueuecallRow]:
        """The queue's waiting callers, first come first."""
        query = ListQuery(
            limit=LINE_LIMIT,
            equals={"queue_id": queue_id, "status": "waiting"},
            oldest_first=True,
        )
        return [r for r in map(self.row, await self.repository.list(query, tx)) if r]

    async def active_of_call(self, tx: Executor, call_id: str) -> QueuecallRow | None:
        """The queuecall the call is in now, if any."""
        query = ListQuery(limit=20, equals={"reference_id": call_id})
        for row in map(self.row, await self.repository.list(query, tx)):
            if row is not None and row.status in machine.ACTIVE:
                return row
        return None

    async def of_groupcall(self, tx: Executor, groupcall_id: str) -> QueuecallRow | None:
        """The queuecall whose agent the groupcall rings (or serves)."""
        found = await self.repository.find(
            ("id",), {"service_groupcall_id": groupcall_id}, executor=tx
        )
        return None if found is None else await self.get(str(found[0]), tx)
